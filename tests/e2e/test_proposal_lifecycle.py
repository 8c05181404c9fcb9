"""A proposal's whole life in a real browser, each person signed in through the login form."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from playwright.sync_api import Page, expect

from pmc.models import ProjectStatus
from proposals import events
from proposals.models import Event, Proposal, Vote
from proposals.states import Kind, State
from tests.e2e.helpers import sign_in
from tests.factories import make_proposal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_transition(page: Page, label: str, reason: str = "", said: str = "") -> None:
    """Open the action's disclosure, give a reason, press its button; the page then says
    `said` (by default "Done: <label>.")."""
    details = page.locator("section.actions details").filter(
        has=page.locator("summary", has_text=label)
    )
    details.locator("summary").click()
    if reason:
        details.get_by_label("Reason").fill(reason)
    details.get_by_role("button", name=label).click()
    expect(page.locator(".messages")).to_contain_text(said or f"Done: {label.lower()}.")


def expect_state(page: Page, label: str) -> None:
    expect(page.locator("h1 .badge")).to_have_text(label)


def cast_vote(page: Page, value: str, reason: str = "") -> None:
    form = page.locator("#vote form[action$='/vote/#vote']")
    form.get_by_label(value, exact=True).check()
    form.get_by_label("Reason", exact=True).fill(reason)
    form.get_by_role("button", name=re.compile(r"^(Cast|Change) my vote$")).click()
    expect(page.locator(".messages")).to_contain_text("Your vote is recorded.")


def test_a_proposal_from_filing_to_completion(live_server, browser_as, runtime):
    rt = runtime

    # A member files an attic proposal for an existing project, previewing the text first.
    bruno = browser_as("member")
    bruno.goto("/")
    bruno.get_by_role("link", name="File a proposal").first.click()
    expect(bruno.get_by_role("heading", level=1)).to_have_text("File a proposal")
    bruno.get_by_label("Move to the attic").check()
    bruno.get_by_role("button", name="Next: the details").click()
    expect(bruno.get_by_role("heading", level=1)).to_have_text("File a proposal: move to the attic")
    # What the kind needs is marked, and listed until it is filled in.
    expect(bruno.get_by_label("Project")).to_have_attribute("aria-required", "true")
    expect(bruno.locator("#still-needed")).to_contain_text("Title, Project")
    bruno.get_by_label("Committee").select_option(label="Runtime")
    bruno.get_by_label("Title").fill("Move legacy-cli to the attic")
    bruno.get_by_label("Project").select_option(label="legacy-cli (Runtime)")
    bruno.get_by_label("Proposal text (markdown)").fill(
        "Nobody has released **legacy-cli** since 2019.\n\n- archive the repository\n"
    )
    bruno.get_by_role("button", name="Preview").click()
    preview = bruno.get_by_role("region", name="Preview")
    expect(bruno.locator("#still-needed")).to_contain_text(
        "Everything this kind of proposal needs is filled in."
    )
    expect(preview.locator("strong")).to_have_text("legacy-cli")
    expect(preview.locator("li")).to_have_text("archive the repository")
    assert not Proposal.objects.exists(), "a preview must not save anything"
    expect(bruno.get_by_label("Title")).to_have_value("Move legacy-cli to the attic")
    bruno.get_by_role("button", name="Save draft").click()
    expect(bruno.locator(".messages")).to_contain_text("Draft saved.")
    expect_state(bruno, "Draft")
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.project, proposal.proposer) == (
        Kind.ATTIC,
        rt.project,
        rt.member,
    )
    url = f"/proposals/{proposal.pk}/"
    assert bruno.url == f"{live_server.url}{url}"

    # The proposer opens it for discussion.
    run_transition(bruno, "Submit for discussion", "Discussed in the last meeting.")
    expect_state(bruno, "Discussion")

    # The proposer sharpens the text during discussion, then reads what changed.
    bruno.get_by_role("link", name="Edit the text").click()
    bruno.get_by_label("Proposal text (markdown)").fill(
        "Nobody has released **legacy-cli** since 2018.\n\n- archive the repository\n"
        "- announce it on the mailing list\n"
    )
    bruno.get_by_label("Why this change (optional)").fill("The last release was in 2018.")
    bruno.get_by_role("button", name="Save changes").click()
    expect(bruno.locator(".messages")).to_contain_text("Proposal updated.")
    history = bruno.locator("ol.timeline")
    expect(history).to_contain_text(
        "Bruno Silva edited the proposal: changed the text, making revision 2"
    )
    history.get_by_role("link", name="see the changes in revision 2").click()
    expect(bruno.get_by_role("heading", level=1)).to_have_text("What changed in revision 2")
    expect(bruno.locator("main")).to_contain_text("“The last release was in 2018.”")
    expect(bruno.locator("ol.diff del")).to_have_text(["2019"])
    expect(bruno.locator("ol.diff ins")).to_have_text(["2018", "- announce it on the mailing list"])
    bruno.get_by_role("link", name="Read revision 1").click()
    expect(bruno.locator(".prose strong")).to_have_text("legacy-cli")
    expect(bruno.locator(".prose")).to_contain_text("since 2019")
    expect(bruno.locator("main")).to_contain_text("the current text is revision 2")
    bruno.goto(url)

    # The chair starts the vote.
    amelia = browser_as("chair")
    amelia.goto(url)
    run_transition(amelia, "Start the vote", said="The vote is open until ")
    expect_state(amelia, "Voting")
    expect(amelia.locator("#vote")).to_contain_text("not yet voted: 4 of 4")
    expect(amelia.locator("#vote")).to_contain_text(
        "You can close the vote early once every voter has voted"
    )

    # Three members vote: one changes their mind, one recuses.
    bruno.goto(url)
    cast_vote(bruno, "+1")
    expect(bruno.locator("#vote")).to_contain_text("You voted +1")

    # A -1 needs a reason: without one the choice stays, the error is at the reason, and
    # the page comes back at the vote panel.
    chidi = browser_as("other_member")
    chidi.goto(url)
    ballot = chidi.locator("#vote form[action$='/vote/#vote']")
    ballot.get_by_label("-1", exact=True).check()
    ballot.get_by_role("button", name="Cast my vote").click()
    expect(chidi).to_have_url(re.compile(r"/vote/#vote$"))
    expect(ballot.get_by_label("-1", exact=True)).to_be_checked()
    reason = ballot.get_by_label("Reason", exact=True)
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(
        re.compile(r"A -1 needs a reason: say what would change your vote\.")
    )
    expect(chidi.locator("#vote")).to_be_in_viewport()
    assert not Vote.objects.filter(voter=rt.other_member).exists()
    chidi.goto(url)
    cast_vote(chidi, "-1", "Some foundations still script against it.")
    expect(chidi.locator("#vote")).to_contain_text("You voted -1")
    chidi.reload()
    cast_vote(chidi, "+1", "The v3 CLI covers those scripts.")
    expect(chidi.locator("#vote")).to_contain_text("You voted +1")

    dara = browser_as("third_member")
    dara.goto(url)
    dara.locator("#vote summary", has_text="Recuse").click()
    dara.locator("#recuse-reason").fill("I maintain a fork of legacy-cli.")
    dara.get_by_role("button", name="Recuse myself").click()
    expect(dara.locator(".messages")).to_contain_text("You have recused yourself")
    expect(dara.locator("#vote")).to_contain_text(
        "You recused yourself (“I maintain a fork of legacy-cli.”)"
    )

    # Two +1 of three non-recused voters: the chair's missing vote cannot change the
    # result, so the chair may close early.
    amelia.reload()
    panel = amelia.locator("#vote")
    expect(panel).to_contain_text(
        "Binding: +1: 2 · −1: 0 · abstained (0): 0 · recused: 1 · not yet voted: 1 of 4"
    )
    expect(panel).to_contain_text("So far: passes")
    run_transition(
        amelia,
        "Close the vote",
        "Settled: the remaining vote cannot change it.",
        said="The vote closed: accepted (+1 2, −1 0, 0 0, 1 recused, 1 did not vote; "
        "quorum 2 of 3 reached).",
    )
    expect_state(amelia, "Accepted")

    # The closed vote reads as its result, with how each member voted, and nothing in it
    # suggests that it is still open.
    expect(panel.locator(".result")).to_have_text(
        "Accepted: +1 2, −1 0, 0 0, 1 recused, 1 did not vote; quorum 2 of 3 reached."
    )
    members = panel.get_by_role("table", name="How each member voted")
    expect(members.get_by_role("row", name=re.compile("^Amelia Chen"))).to_contain_text(
        "did not vote"
    )
    expect(members.get_by_role("row", name=re.compile("^Chidi Okafor"))).to_contain_text(
        "+1 The v3 CLI covers those scripts."
    )
    expect(members.get_by_role("row", name=re.compile("^Dara Novak"))).to_contain_text(
        "recused I maintain a fork of legacy-cli."
    )
    for still_open in ("So far", "not yet voted", "Quorum:", "Closes "):
        expect(panel).not_to_contain_text(still_open)
    expect(panel.get_by_role("button")).to_have_count(0)

    # The chair works the checklist, then completes the proposal; moving the project to
    # the attic is left to the completion.
    checklist = amelia.locator("#checklist")
    mark_done = checklist.get_by_role("button", name=re.compile(r"^Mark done"))
    expect(mark_done).to_have_count(2)
    expect(amelia.locator(".what-remains")).to_contain_text("Bruno Silva")
    for remaining in (1, 0):
        mark_done.first.click()
        expect(amelia.locator(".messages")).to_contain_text("Checklist updated.")
        expect(mark_done).to_have_count(remaining)
    expect(checklist.get_by_role("button", name=re.compile(r"^Reopen"))).to_have_count(2)
    expect(checklist).to_contain_text("done by the system when the proposal is completed")
    run_transition(amelia, "Mark completed", "Archived and announced.")
    expect_state(amelia, "Completed")

    # The project page shows its new status and how it got there.
    amelia.get_by_role("link", name="legacy-cli", exact=True).first.click()
    expect(amelia.get_by_role("heading", level=1)).to_have_text(re.compile(r"legacy-cli\s+Attic"))
    expect(amelia.locator("ol.timeline")).to_contain_text(
        "Amelia Chen moved the project “legacy-cli” from active to attic."
    )
    rt.project.refresh_from_db()
    assert rt.project.status == ProjectStatus.ATTIC

    # The audit log shows every step, filtered to this proposal through its form.
    amelia.get_by_role("link", name="Audit log").click()
    amelia.get_by_label("Proposal #").fill(str(proposal.pk))
    amelia.get_by_role("button", name="Filter").click()
    actions = amelia.locator("table tbody tr td:nth-child(4) code").all_inner_texts()
    assert list(reversed(actions)) == [
        "proposal.created",
        "proposal.submit",
        "proposal.edited",
        "proposal.start_vote",
        "vote.cast",
        "vote.cast",
        "vote.changed",
        "vote.recused",
        "proposal.close_vote",
        "checklist.done",
        "checklist.done",
        "proposal.complete",
        "project.status_changed",
    ]
    expect(amelia.locator("main")).to_contain_text("13 events")
    rows = amelia.locator("table tbody tr")
    changed = rows.filter(has_text="vote.changed")
    expect(changed).to_contain_text("Chidi Okafor")
    expect(changed).to_contain_text("other_member")
    expect(changed).to_contain_text("changed their vote from −1 to +1.")
    expect(rows.filter(has_text="vote.recused")).to_contain_text("I maintain a fork")
    expect(rows.filter(has_text="proposal.complete")).to_contain_text("accepted → completed")
    expect(rows.filter(has_text="checklist.done").first).to_contain_text(
        "ticked off the checklist item “"
    )
    # The times say their zone, and each stays on one line.
    expect(amelia.locator("main")).to_contain_text("Times are in UTC.")
    for when in amelia.locator("td.when time").all():
        assert when.evaluate("el => el.getClientRects().length") == 1, when.inner_text()


def test_a_minus_one_without_a_reason_comes_back_to_the_ballot_without_javascript(
    live_server, new_context, runtime
):
    proposal = make_proposal(
        runtime.committee, runtime.member, state=State.VOTING, chair=runtime.chair
    )
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, "other_member")
    page.goto(f"/proposals/{proposal.pk}/")
    page.set_viewport_size({"width": 390, "height": 844})

    ballot = page.locator("#vote form[action$='/vote/#vote']")
    ballot.get_by_label("-1", exact=True).check()
    ballot.get_by_label("Reason", exact=True).fill("   ")
    ballot.get_by_role("button", name="Cast my vote").click()

    expect(page).to_have_url(re.compile(rf"/proposals/{proposal.pk}/vote/#vote$"))
    expect(page.locator("#vote")).to_be_in_viewport()
    expect(ballot.get_by_label("-1", exact=True)).to_be_checked()
    expect(ballot.locator("#id_reason_error")).to_have_text(
        "A -1 needs a reason: say what would change your vote."
    )
    assert not Vote.objects.exists()

    ballot.get_by_label("Reason", exact=True).fill("Not before the 2.0 release.")
    ballot.get_by_role("button", name="Cast my vote").click()
    expect(page.locator(".messages")).to_contain_text("Your vote is recorded.")
    assert Vote.objects.get().reason == "Not before the 2.0 release."


def test_an_outsider_sees_no_controls_and_forged_posts_change_nothing(
    live_server, browser_as, runtime
):
    rt = runtime
    proposal = make_proposal(
        rt.committee, rt.member, state=State.VOTING, chair=rt.chair, project=rt.project
    )
    url = f"{live_server.url}/proposals/{proposal.pk}/"

    eve = browser_as("outsider")
    eve.goto(url)
    expect(eve.locator("#vote")).to_contain_text("not yet voted: 4 of 4")
    expect(eve.locator("#vote")).to_contain_text(
        "Only members of Runtime vote; you can follow the vote here."
    )
    expect(eve.get_by_role("heading", name="Your vote")).to_have_count(0)
    expect(eve.locator("#vote form")).to_have_count(0)
    expect(eve.get_by_role("radio")).to_have_count(0)
    expect(eve.get_by_role("heading", name="Actions")).to_have_count(0)
    expect(eve.locator("form[action*='/transition/']")).to_have_count(0)
    expect(eve.get_by_role("button", name="Close the vote")).to_have_count(0)

    token = next(c["value"] for c in eve.context.cookies() if c["name"] == "csrftoken")
    events = list(Event.objects.order_by("id").values_list("id", "hash"))
    forged = [
        (f"{url}vote/", {"value": "1", "reason": "forged"}, "Only members of Runtime may vote"),
        (f"{url}recuse/", {"reason": "forged"}, "Only members of Runtime may vote"),
        (
            f"{url}transition/close_vote/",
            {"close_vote-expected_state": "voting", "close_vote-reason": "forged"},
            "Only the chair",
        ),
        (
            f"{url}transition/return_to_discussion/",
            {"return_to_discussion-expected_state": "voting"},
            "may return to discussion",
        ),
    ]
    for target, data, refusal in forged:
        response = eve.request.post(
            target, form={"csrfmiddlewaretoken": token, **data}, max_redirects=0
        )
        assert response.status == 403, (target, response.status)
        body = response.text()
        assert refusal in body, (target, body[:500])
        assert "CSRF" not in body

    proposal.refresh_from_db()
    assert proposal.state == State.VOTING
    assert not Vote.objects.exists()
    assert list(Event.objects.order_by("id").values_list("id", "hash")) == events
    eve.reload()
    expect(eve.locator("#vote")).to_contain_text("not yet voted: 4 of 4")


def test_the_flush_between_browser_tests_keeps_the_event_table_append_only(runtime):
    # All that is left is this test's own people and their seats, one event each.
    actions = list(Event.objects.values_list("action", flat=True))
    assert set(actions) <= {events.ACCOUNT_CREATED, events.MEMBERSHIP_STARTED}, (
        "the previous test's events should have been flushed"
    )
    assert actions.count(events.ACCOUNT_CREATED) == get_user_model().objects.count()
    make_proposal(runtime.committee, runtime.member)  # its project, then the proposal
    assert Event.objects.count() == len(actions) + 2
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.all().delete()
    assert Event.objects.count() == len(actions) + 2
