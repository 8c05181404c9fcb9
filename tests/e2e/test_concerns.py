"""A blocking concern in a real browser: a member comments (mentioning another), the
other replies and raises a concern, the chair's Start the vote is refused naming it, the
concern is resolved, and the vote starts; axe-core finds nothing serious on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from proposals.models import Comment, Concern, Proposal
from proposals.states import Kind, State
from tests.e2e.helpers import describe_violations, open_all_details
from tests.factories import make_proposal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
TITLE = "Wait until the DEAs reach their end of life"


def start_the_vote(page: Page) -> None:
    details = page.locator("section.actions details").filter(
        has=page.locator("summary", has_text="Start the vote")
    )
    details.locator("summary").click()
    details.get_by_role("button", name="Start the vote").click()


def assert_no_serious_violations(page: Page, axe, where: str) -> None:
    open_all_details(page)
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {where}:\n{describe_violations(blocking)}"


def test_a_concern_holds_the_vote_back_until_it_is_resolved(live_server, browser_as, axe, runtime):
    rt = runtime
    proposal = make_proposal(
        rt.committee,
        rt.member,
        state=State.DISCUSSION,
        kind=Kind.ATTIC,
        project=rt.project,
        title="Move legacy-cli to the attic",
    )
    url = proposal.get_absolute_url()

    # Bruno comments, mentioning Chidi; Chidi replies under it.
    bruno = browser_as("member")
    bruno.goto(url)
    form = bruno.locator("#comment-form-new")
    form.get_by_label("Your comment (markdown)").fill(
        "Nobody has released it since 2019. @other_member, does Diego still use it?"
    )
    form.get_by_role("button", name="Post the comment").click()
    expect(bruno.locator(".messages")).to_contain_text("Your comment is posted.")
    comment = Comment.objects.get()
    mention = bruno.locator(f"#comment-{comment.pk} a.mention")
    expect(mention).to_have_text("@other_member")
    expect(mention).to_have_attribute("href", "/people/other_member/")

    chidi = browser_as("other_member")
    chidi.goto(url)
    thread = chidi.locator("li.thread").filter(has=chidi.locator(f"#comment-{comment.pk}"))
    thread.locator("details.reply-form summary").click()
    thread.get_by_label("Your reply (markdown)").fill("Only through the DEA backends.")
    thread.get_by_role("button", name="Post the reply").click()
    expect(chidi.locator(".messages")).to_contain_text("Your reply is posted.")

    # The chair has the page open, the vote ready to start.
    amelia = browser_as("chair")
    amelia.goto(url)
    expect(amelia.locator("section.actions summary", has_text="Start the vote")).to_be_visible()

    # Chidi, a member with a binding vote, raises a concern.
    concerns = chidi.locator("#concerns")
    concerns.locator("summary", has_text="Raise a concern").click()
    concerns.get_by_label("Concern", exact=False).fill(TITLE)
    concerns.get_by_label("Explanation").fill(
        "The DEA **backends** still call it. @member, can we wait for their end of life?"
    )
    concerns.get_by_role("button", name="Raise the concern").click()
    expect(chidi.locator(".messages")).to_contain_text(f"Your concern “{TITLE}” is raised")
    concern = Concern.objects.get()
    expect(chidi.locator(f"#concern-{concern.pk}")).to_contain_text("raised by Chidi Okafor")
    assert_no_serious_violations(chidi, axe, "the proposal page with an open concern")

    # The chair's Start the vote, from the page loaded before, is refused by name.
    start_the_vote(amelia)
    expect(amelia.locator(".messages")).to_contain_text(f"Chidi Okafor raised a concern: “{TITLE}”")
    assert Proposal.objects.get(pk=proposal.pk).state == State.DISCUSSION
    # Where the button was, the page now says why it is not there.
    expect(amelia.locator("section.actions summary", has_text="Start the vote")).to_have_count(0)
    expect(amelia.locator("#start-vote-blocked")).to_contain_text(TITLE)
    expect(amelia.locator("#start-vote-blocked")).to_contain_text("Resolve it (Chidi Okafor")
    expect(amelia.locator("#vote")).to_contain_text("once the open concerns are resolved")
    assert_no_serious_violations(amelia, axe, "the chair's page with the vote held back")

    # Chidi resolves it; it stays, marked resolved.
    chidi.goto(url)
    item = chidi.locator(f"#concern-{concern.pk}")
    item.locator("summary", has_text="Resolve").click()
    item.get_by_label("Reason").fill("The DEAs reached their end of life last week.")
    item.get_by_role("button", name="Resolve the concern").click()
    expect(chidi.locator(".messages")).to_contain_text("is resolved")
    expect(chidi.locator(f"#concern-{concern.pk}")).to_contain_text("resolved by Chidi Okafor")

    # Now the vote starts.
    amelia.goto(url)
    expect(amelia.locator("#start-vote-blocked")).to_have_count(0)
    start_the_vote(amelia)
    expect(amelia.locator(".messages")).to_contain_text("The vote is open until")
    assert Proposal.objects.get(pk=proposal.pk).state == State.VOTING
    expect(amelia.locator(f"#concern-{concern.pk}")).to_contain_text("resolved")
    assert_no_serious_violations(amelia, axe, "the proposal page once the vote started")
