"""Who may press which button: every transition, vote, recusal, checklist tick, filing and
edit, posted by an anonymous visitor, an outsider, a member of another committee, a member,
the proposer and the chair. Allowed posts change the proposal and write an event; refused
ones answer 403 with the reason (or a message for other refusals) and change nothing."""

from __future__ import annotations

import html
import re

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.html import escape

from proposals import actions
from proposals.models import ChecklistItem, Event, Proposal, Vote
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_proposal
from tests.permission_table import (
    ACTORS,
    BALLOT_REFUSAL,
    EDIT_REFUSAL,
    EDITORS,
    FILERS,
    FILING_ELSEWHERE,
    FILING_REFUSAL,
    TRANSITIONS,
    VOTERS,
    EveryTransitionMixin,
    MatrixCasesMixin,
)

# What the page says after a transition that succeeded; the others say "Done: <label>."
SUCCESS = {"start_vote": "The vote is open until ", "close_vote": "The vote closed: accepted ("}


class WebActionTestCase(MatrixCasesMixin, LifecycleTestCase):
    def sign_in(self, who: str) -> None:
        if who == "anonymous":
            self.client.logout()
        else:
            self.client.force_login(self.actor(who))

    def assertSentToSignIn(self, response, url: str) -> None:
        self.assertRedirects(response, redirect_to_login(url).url, fetch_redirect_response=False)

    def assertRefusedWith(self, response, reason: str) -> None:
        self.assertContains(response, "You can't do that", status_code=403)
        self.assertContains(response, escape(reason), status_code=403)
        self.assertContains(response, "Nothing was changed.", status_code=403)

    def assertMessage(self, response, text: str) -> None:
        """The page the user is sent back to says `text`."""
        page = self.client.get(response["Location"]) if response.status_code == 302 else response
        self.assertContains(page, escape(text))


class TransitionPermissionTests(EveryTransitionMixin, WebActionTestCase):
    def post_transition(self, name: str, proposal: Proposal, state: str, reason: str = ""):
        data = {f"{name}-expected_state": state, f"{name}-reason": reason}
        if name == "decide":
            data |= {f"{name}-meeting": self.meeting.pk, f"{name}-accepted": "1"}
        url = reverse("proposals:transition", args=[proposal.pk, name])
        return url, self.client.post(url, data)

    def assertRefusedBecause(self, response, name: str, who_may: str, proposal) -> None:
        """The 403 page names who may run the transition on this proposal."""
        verb = name.replace("_", " ")
        self.assertRefusedWith(response, f"may {verb} “{proposal.title}”.")
        reason = re.search(r"<p>(Only [^<]*)</p>", response.content.decode())
        self.assertIsNotNone(reason, "the 403 page does not say who may")
        self.assertIn(who_may, html.unescape(reason[1]))

    def check_matrix(self, name: str) -> None:
        source, target, allowed, who_may = TRANSITIONS[name]
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.ready(name)
                events = list(proposal.events.values_list("id", flat=True))
                self.sign_in(who)

                url, response = self.post_transition(name, proposal, source, f"{who} says so")

                proposal.refresh_from_db()
                new_events = proposal.events.exclude(id__in=events)
                if who == "anonymous":
                    self.assertSentToSignIn(response, url)
                    self.assertEqual(proposal.state, source)
                    self.assertFalse(new_events.exists())
                elif who in allowed:
                    self.assertRedirects(
                        response, proposal.get_absolute_url(), fetch_redirect_response=False
                    )
                    self.assertEqual(proposal.state, target)
                    event = new_events.get(action=f"proposal.{name}")
                    self.assertEqual(event.actor, self.actor(who))
                    self.assertEqual((event.from_state, event.to_state), (source, target))
                    said = f"{who} says so"
                    if name == "decide":  # the decision's reason names its meeting
                        said = f"Decided in Runtime's meeting of {self.meeting.date}: {said}"
                    self.assertEqual(event.reason, said)
                    self.assertMessage(response, SUCCESS.get(name, "Done: "))
                else:
                    self.assertRefusedBecause(response, name, who_may, proposal)
                    self.assertEqual(proposal.state, source)
                    self.assertFalse(new_events.exists())

    def test_it_records_a_decision_against_in_the_chosen_meeting(self):
        proposal = self.make(State.DISCUSSION)
        self.client.force_login(self.chair)
        url = reverse("proposals:transition", args=[proposal.pk, "decide"])

        self.client.post(
            url,
            {
                "decide-expected_state": State.DISCUSSION,
                "decide-meeting": self.meeting.pk,
                "decide-accepted": "0",
            },
        )

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.REJECTED)
        self.assertEqual(proposal.decided_in, self.meeting)
        event = proposal.events.get(action="proposal.decide")
        self.assertEqual(event.payload["meeting"], self.meeting.pk)
        self.assertFalse(event.payload["accepted"])

    def test_it_refuses_a_meeting_of_another_committee_as_a_form_error(self):
        proposal = self.make(State.DISCUSSION)
        foreign_meeting = make_meeting(self.other_committee)
        self.client.force_login(self.chair)
        url = reverse("proposals:transition", args=[proposal.pk, "decide"])

        response = self.client.post(
            url,
            {
                "decide-expected_state": State.DISCUSSION,
                "decide-meeting": foreign_meeting.pk,
                "decide-accepted": "1",
            },
        )

        self.assertMessage(response, "This decision cannot be recorded in that meeting.")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertFalse(proposal.events.filter(action="proposal.decide").exists())

    def test_it_explains_a_transition_whose_condition_is_not_met(self):
        proposal = self.make(State.ACCEPTED)
        self.client.force_login(self.chair)

        _, response = self.post_transition("complete", proposal, State.ACCEPTED)

        self.assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
        open_items = proposal.checklist.to_do().count()  # not what completing does itself
        self.assertMessage(response, f"still has {open_items} open checklist item(s)")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertFalse(proposal.events.filter(action="proposal.complete").exists())

    def test_it_explains_a_transition_the_state_does_not_allow(self):
        proposal = self.make(State.DISCUSSION)
        events = proposal.events.count()
        self.client.force_login(self.member)

        _, response = self.post_transition("submit", proposal, State.DISCUSSION)

        self.assertMessage(response, "it is discussion, and this is only possible from draft.")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertEqual(proposal.events.count(), events)

    def test_it_refuses_the_chair_closing_an_unsettled_vote(self):
        proposal = self.voting()
        self.client.force_login(self.chair)

        _, response = self.post_transition("close_vote", proposal, State.VOTING)

        self.assertRefusedWith(response, f"may close vote “{proposal.title}”")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        self.assertFalse(proposal.events.filter(action="proposal.close_vote").exists())


class BallotPermissionTests(WebActionTestCase):
    def check_matrix(self, url_name: str, data: dict, action: str) -> None:
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.voting()
                self.sign_in(who)
                url = reverse(url_name, args=[proposal.pk])

                response = self.client.post(url, data)

                votes = Vote.objects.filter(proposal=proposal)
                events = proposal.events.filter(action__startswith="vote.")
                if who == "anonymous":
                    self.assertSentToSignIn(response, url)
                    self.assertFalse(votes.exists())
                    self.assertFalse(events.exists())
                elif who in VOTERS:
                    self.assertRedirects(response, f"{proposal.get_absolute_url()}#vote")
                    vote = votes.get()
                    self.assertEqual(vote.voter, self.actor(who))
                    self.assertTrue(vote.binding)
                    self.assertEqual(vote.reason, data["reason"])
                    event = events.get()
                    self.assertEqual(event.action, action)
                    self.assertEqual(event.actor, self.actor(who))
                    self.assertEqual(event.payload["vote"], vote.pk)
                else:
                    self.assertRefusedWith(response, BALLOT_REFUSAL.format(title=proposal.title))
                    self.assertFalse(votes.exists())
                    self.assertFalse(events.exists())

    def test_it_lets_only_members_vote(self):
        self.check_matrix("proposals:vote", {"value": "-1", "reason": "Too early"}, "vote.cast")

    def test_it_lets_only_members_recuse(self):
        self.check_matrix("proposals:recuse", {"reason": "I work for them"}, "vote.recused")

    def test_it_records_the_vote_value_and_a_change(self):
        proposal = self.voting()
        self.client.force_login(self.other_member)
        url = reverse("proposals:vote", args=[proposal.pk])

        self.client.post(url, {"value": "1"})
        response = self.client.post(url, {"value": "0", "reason": "On reflection"}, follow=True)

        vote = Vote.objects.get(proposal=proposal, voter=self.other_member)
        self.assertEqual(vote.value, 0)
        self.assertEqual(
            list(
                proposal.events.filter(action__startswith="vote.").values_list("action", flat=True)
            ),
            ["vote.cast", "vote.changed"],
        )
        self.assertContains(response, "Your vote is recorded.")
        self.assertContains(response, "You voted <strong>0</strong>")

    def test_it_changes_a_vote_into_a_recusal(self):
        proposal = self.voting()
        actions.do_cast_vote(proposal=proposal, actor=self.other_member, value=1)
        self.client.force_login(self.other_member)

        response = self.client.post(
            reverse("proposals:recuse", args=[proposal.pk]), {"reason": "Conflict"}, follow=True
        )

        vote = Vote.objects.get(proposal=proposal, voter=self.other_member)
        self.assertTrue(vote.recused)
        self.assertIsNone(vote.value)
        self.assertContains(response, "You have recused yourself from this vote.")
        self.assertContains(response, "You recused yourself (“Conflict”)")
        self.assertNotContains(response, "Recuse myself")
        self.assertTrue(proposal.events.filter(action="vote.recused").exists())

    def test_it_refuses_a_minus_one_without_a_reason(self):
        proposal = self.voting()
        self.client.force_login(self.other_member)

        response = self.client.post(reverse("proposals:vote", args=[proposal.pk]), {"value": "-1"})

        self.assertMessage(response, "A -1 needs a reason: say what would change your vote.")
        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())
        self.assertFalse(proposal.events.filter(action__startswith="vote.").exists())

    def test_it_refuses_a_value_that_is_not_a_vote(self):
        proposal = self.voting()
        self.client.force_login(self.other_member)

        for value in ("2", "yes", ""):
            with self.subTest(value=value):
                response = self.client.post(
                    reverse("proposals:vote", args=[proposal.pk]), {"value": value}
                )

                self.assertContains(response, "Your vote was not recorded")
                self.assertFalse(Vote.objects.filter(proposal=proposal).exists())

    def test_it_refuses_a_vote_on_a_proposal_not_in_voting(self):
        proposal = self.make(State.DISCUSSION)
        self.client.force_login(self.other_member)

        response = self.client.post(reverse("proposals:vote", args=[proposal.pk]), {"value": "1"})

        self.assertMessage(response, "is discussion, not open for voting.")
        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())


class ChecklistPermissionTests(WebActionTestCase):
    def test_it_lets_only_the_owner_or_the_chair_tick_an_item(self):
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.make(State.ACCEPTED)
                item = proposal.checklist.first()
                self.assertEqual(item.owner, self.member)
                self.sign_in(who)
                url = reverse("proposals:checklist_item", args=[proposal.pk, item.pk])

                response = self.client.post(url, {"done": "1"})

                item.refresh_from_db()
                events = proposal.events.filter(action__startswith="checklist.")
                if who == "anonymous":
                    self.assertSentToSignIn(response, url)
                    self.assertFalse(item.done)
                    self.assertFalse(events.exists())
                elif who in ("proposer", "chair"):
                    self.assertRedirects(response, f"{proposal.get_absolute_url()}#checklist")
                    self.assertTrue(item.done)
                    self.assertEqual(item.done_by, self.actor(who))
                    event = events.get()
                    self.assertEqual(event.action, "checklist.done")
                    self.assertEqual(event.payload["item"], item.pk)
                else:
                    self.assertRefusedWith(
                        response,
                        "Only the item's owner, while they hold a seat in the committee, "
                        "or the chair may tick it.",
                    )
                    self.assertFalse(item.done)
                    self.assertFalse(events.exists())

    def test_it_reopens_an_item(self):
        proposal = self.make(State.ACCEPTED)
        item = proposal.checklist.first()
        actions.do_set_checklist_item(item=item, actor=self.chair)
        self.client.force_login(self.chair)

        response = self.client.post(
            reverse("proposals:checklist_item", args=[proposal.pk, item.pk]),
            {"done": "0"},
            follow=True,
        )

        item.refresh_from_db()
        self.assertFalse(item.done)
        self.assertTrue(proposal.events.filter(action="checklist.reopened").exists())
        self.assertContains(response, "Checklist updated.")
        self.assertContains(response, f"☐ {item.text}")

    def test_it_explains_that_a_checklist_is_only_worked_while_accepted(self):
        proposal = self.make(State.COMPLETED)
        item = proposal.checklist.first()
        actions_before = proposal.events.count()
        self.client.force_login(self.chair)

        response = self.client.post(
            reverse("proposals:checklist_item", args=[proposal.pk, item.pk]), {"done": "0"}
        )

        self.assertMessage(response, "its checklist is only worked while it is accepted.")
        item.refresh_from_db()
        self.assertTrue(item.done)
        self.assertEqual(proposal.events.count(), actions_before)


class CreatePermissionTests(WebActionTestCase):
    @property
    def url(self) -> str:
        return reverse("proposals:create")

    def form_data(self, committee, **fields) -> dict:
        return {
            "committee": committee.pk,
            "kind": Kind.OTHER,
            "title": "Adopt a code of conduct",
            "body": "We *should*.",
            **fields,
        }

    def test_it_lets_only_committee_members_file_proposals(self):
        for who in ACTORS:
            if who == "proposer":
                continue
            with self.subTest(actor=who):
                self.sign_in(who)
                before = Event.objects.count()
                title = f"Adopt a code of conduct ({who})"

                page = self.client.get(self.url)
                response = self.client.post(self.url, self.form_data(self.committee, title=title))

                filed = Proposal.objects.filter(title=title)
                if who == "anonymous":
                    self.assertSentToSignIn(page, self.url)
                    self.assertSentToSignIn(response, self.url)
                    self.assertFalse(filed.exists())
                elif who in FILERS:
                    self.assertContains(page, "File a proposal")
                    proposal = filed.get()
                    self.assertRedirects(response, proposal.get_absolute_url())
                    self.assertEqual(proposal.state, State.DRAFT)
                    self.assertEqual(proposal.proposer, self.actor(who))
                    self.assertEqual(proposal.body_html, "<p>We <em>should</em>.</p>")
                    event = proposal.events.get()
                    self.assertEqual(event.action, "proposal.created")
                    self.assertEqual(event.actor, self.actor(who))
                elif who == "outsider":
                    self.assertRefusedWith(page, FILING_REFUSAL)
                    self.assertRefusedWith(response, FILING_REFUSAL)
                    self.assertFalse(filed.exists())
                else:
                    self.assertContains(page, "File a proposal")
                    self.assertContains(response, FILING_ELSEWHERE)
                    self.assertFalse(filed.exists())
                    self.assertEqual(Event.objects.count(), before)

    def test_it_lets_a_member_of_another_committee_file_there(self):
        self.client.force_login(self.foreign_member)

        response = self.client.post(self.url, self.form_data(self.other_committee))

        proposal = Proposal.objects.get(title="Adopt a code of conduct")
        self.assertRedirects(response, proposal.get_absolute_url())
        self.assertEqual(proposal.committee, self.other_committee)

    def test_it_offers_only_the_users_committees_and_their_projects(self):
        runtime_project = self.make(State.DRAFT).project
        self.client.force_login(self.foreign_member)

        response = self.client.get(self.url, {"kind": Kind.ATTIC})

        self.assertContains(response, f'<option value="{self.other_committee.pk}"')
        self.assertNotContains(response, f'<option value="{self.committee.pk}">Runtime')
        self.assertNotContains(response, runtime_project.name)

    def test_it_refuses_a_project_of_another_committee(self):
        foreign_project = make_proposal(
            self.other_committee, self.foreign_member, kind=Kind.ATTIC
        ).project
        self.client.force_login(self.member)

        response = self.client.post(
            self.url, self.form_data(self.committee, kind=Kind.ATTIC, project=foreign_project.pk)
        )

        self.assertContains(response, "Select a valid choice.")
        self.assertFalse(Proposal.objects.filter(title="Adopt a code of conduct").exists())

    def test_it_previews_without_saving(self):
        self.client.force_login(self.member)

        response = self.client.post(
            self.url, {**self.form_data(self.committee, body="## Plan\n\n*soon*"), "preview": "1"}
        )

        self.assertContains(response, "<h2>Plan</h2>", html=True)
        self.assertContains(response, "<em>soon</em>", html=True)
        self.assertContains(response, 'value="Adopt a code of conduct"')
        self.assertFalse(Proposal.objects.filter(title="Adopt a code of conduct").exists())

    def test_it_requires_a_title(self):
        self.client.force_login(self.member)

        response = self.client.post(self.url, self.form_data(self.committee, title="   "))

        self.assertContains(response, "This field is required.")
        self.assertFalse(Proposal.objects.exists())


class EditPermissionTests(WebActionTestCase):
    def form_data(self, proposal: Proposal, **fields) -> dict:
        return {
            "title": proposal.title,
            "project": proposal.project_id or "",
            "body": "A better text.",
            "edit_reason": "clearer",
            **fields,
        }

    def test_it_lets_only_the_proposer_or_the_chair_edit(self):
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.make(State.DISCUSSION)
                self.sign_in(who)
                url = reverse("proposals:edit", args=[proposal.pk])

                page = self.client.get(url)
                response = self.client.post(url, self.form_data(proposal))

                proposal.refresh_from_db()
                edits = proposal.events.filter(action="proposal.edited")
                if who == "anonymous":
                    self.assertSentToSignIn(page, url)
                    self.assertSentToSignIn(response, url)
                    self.assertEqual(proposal.body, "")
                    self.assertFalse(edits.exists())
                elif who in EDITORS:
                    self.assertContains(page, f"Edit “{proposal.title}”")
                    self.assertRedirects(response, proposal.get_absolute_url())
                    self.assertEqual(proposal.body, "A better text.")
                    self.assertEqual(proposal.revision, 2)
                    event = edits.get()
                    self.assertEqual(event.actor, self.actor(who))
                    self.assertEqual(event.reason, "clearer")
                    self.assertEqual(event.payload["changed"]["body"]["to"], "A better text.")
                else:
                    message = EDIT_REFUSAL.format(title=proposal.title)
                    self.assertRefusedWith(page, message)
                    self.assertRefusedWith(response, message)
                    self.assertEqual(proposal.body, "")
                    self.assertEqual(proposal.revision, 1)
                    self.assertFalse(edits.exists())

    def test_it_keeps_committee_and_kind(self):
        proposal = self.make(State.DRAFT)
        self.client.force_login(self.member)

        self.client.post(
            reverse("proposals:edit", args=[proposal.pk]),
            self.form_data(proposal, committee=self.other_committee.pk, kind=Kind.RENAME),
        )

        proposal.refresh_from_db()
        self.assertEqual(proposal.committee, self.committee)
        self.assertEqual(proposal.kind, Kind.ATTIC)
        self.assertEqual(proposal.body, "A better text.")

    def test_it_previews_an_edit_without_saving(self):
        proposal = self.make(State.DRAFT)
        self.client.force_login(self.member)

        response = self.client.post(
            reverse("proposals:edit", args=[proposal.pk]),
            {**self.form_data(proposal, body="**new**"), "preview": "1"},
        )

        self.assertContains(response, "<strong>new</strong>", html=True)
        proposal.refresh_from_db()
        self.assertEqual(proposal.body, "")
        self.assertFalse(proposal.events.filter(action="proposal.edited").exists())


class DetailButtonsTests(WebActionTestCase):
    """The buttons on the detail page are the actions the reader may take."""

    # state: {reader: transitions offered}; readers not named get none.
    BUTTONS = {
        State.DRAFT: {"proposer": {"submit", "withdraw"}},
        State.DISCUSSION: {"proposer": {"withdraw"}, "chair": {"start_vote", "decide", "defer"}},
        State.VOTING: {"proposer": {"withdraw"}, "chair": {"return_to_discussion"}},
        State.ACCEPTED: {},
        State.DEFERRED: {"proposer": {"resume"}, "chair": {"resume"}},
        State.REJECTED: {},
        State.WITHDRAWN: {},
        State.COMPLETED: {},
    }

    def offered(self, response, proposal: Proposal) -> set[str]:
        pattern = rf'action="/proposals/{proposal.pk}/transition/(\w+)/(?:#[\w-]+)?"'
        return set(re.findall(pattern, response.content.decode()))

    def test_it_offers_each_reader_only_the_transitions_they_may_run(self):
        for state, offers in self.BUTTONS.items():
            proposal = self.make(state)
            for who in ACTORS:
                with self.subTest(state=state, reader=who):
                    self.sign_in(who)

                    response = self.client.get(proposal.get_absolute_url())

                    self.assertEqual(self.offered(response, proposal), offers.get(who, set()))
                    if offers.get(who):
                        self.assertContains(response, f'value="{state}"')

    def test_it_offers_the_chair_to_close_a_settled_vote(self):
        proposal = self.voting()
        self.client.force_login(self.chair)
        response = self.client.get(proposal.get_absolute_url())
        self.assertNotIn("close_vote", self.offered(response, proposal))

        self.everyone_votes(proposal)
        response = self.client.get(proposal.get_absolute_url())

        self.assertEqual(self.offered(response, proposal), {"close_vote", "return_to_discussion"})

    def test_it_offers_the_chair_to_complete_once_the_checklist_is_done(self):
        proposal = self.ready("complete")
        self.client.force_login(self.chair)

        response = self.client.get(proposal.get_absolute_url())

        self.assertEqual(self.offered(response, proposal), {"complete"})

    def test_it_shows_the_vote_form_only_to_members(self):
        proposal = self.voting()
        vote_url = reverse("proposals:vote", args=[proposal.pk])
        recuse_url = reverse("proposals:recuse", args=[proposal.pk])
        for who in ACTORS:
            with self.subTest(reader=who):
                self.sign_in(who)

                response = self.client.get(proposal.get_absolute_url())

                self.assertContains(response, "Quorum:")
                if who in ("member", "proposer", "chair"):
                    self.assertContains(response, vote_url)
                    self.assertContains(response, recuse_url)
                else:
                    self.assertNotContains(response, vote_url)
                    self.assertNotContains(response, recuse_url)
                    self.assertNotContains(response, "Your vote")
                    self.assertNotContains(response, "/transition/")

    def test_it_shows_the_edit_link_to_the_proposer_and_the_chair_before_the_vote(self):
        for state in (State.DRAFT, State.DISCUSSION, State.VOTING, State.ACCEPTED):
            proposal = self.make(state)
            edit_url = reverse("proposals:edit", args=[proposal.pk])
            for who in ACTORS:
                with self.subTest(state=state, reader=who):
                    self.sign_in(who)

                    response = self.client.get(proposal.get_absolute_url())

                    editable = state in (State.DRAFT, State.DISCUSSION) and who in (
                        "proposer",
                        "chair",
                    )
                    self.assertEqual(edit_url in response.content.decode(), editable)

    def test_it_shows_checklist_buttons_to_the_owner_and_the_chair(self):
        proposal = self.make(State.ACCEPTED)
        items = list(ChecklistItem.objects.filter(proposal=proposal))
        for who in ACTORS:
            with self.subTest(reader=who):
                self.sign_in(who)

                response = self.client.get(proposal.get_absolute_url())

                for item in items:
                    self.assertContains(response, item.text)
                    url = reverse("proposals:checklist_item", args=[proposal.pk, item.pk])
                    ticks = who in ("proposer", "chair") and not item.by_system
                    self.assertEqual(url in response.content.decode(), ticks)
