"""Every legal transition of a proposal, and every illegal one refused without a trace."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed

from pmc.models import Membership, PassRule
from proposals import actions
from proposals.actors import SYSTEM
from proposals.errors import ConditionNotMet, InvalidTransition, LifecycleError, StaleState
from proposals.models import EligibleVoter, Event, Proposal
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_committee, make_meeting, make_member, make_proposal, make_user

# Where each transition may start from; every other state must refuse it.
SOURCES = {
    "submit": {State.DRAFT},
    "start_vote": {State.DISCUSSION},
    "close_vote": {State.VOTING},
    "return_to_discussion": {State.VOTING},
    "complete": {State.ACCEPTED},
    "decide": {State.DISCUSSION},
    "withdraw": {State.DRAFT, State.DISCUSSION, State.VOTING},
    "defer": {State.DISCUSSION},
    "resume": {State.DEFERRED},
}


class TransitionTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Held today: a decision recorded now is taken in a meeting held since filing.
        cls.meeting = make_meeting(cls.committee, timezone.localdate())

    def make(self, state: str = State.DRAFT, **fields) -> Proposal:
        """A proposal filed by self.member and brought to `state`."""
        return make_proposal(self.committee, self.member, state=state, chair=self.chair, **fields)

    def start_vote(self, proposal: Proposal, hours_ago: float = 0) -> Proposal:
        at = timezone.now() - datetime.timedelta(hours=hours_ago)
        return actions.do_start_vote(proposal=proposal, actor=self.chair, at=at)

    def cast(self, proposal: Proposal, voters, value: int, at=None) -> None:
        for voter in voters:
            reason = "Not yet." if value == -1 else ""
            actions.do_cast_vote(proposal=proposal, actor=voter, value=value, reason=reason, at=at)

    @property
    def voters(self):
        return [self.chair, self.member, self.other_member, self.third_member]

    def assertLastEvent(self, proposal, action, from_state, to_state, actor, reason="") -> Event:
        event = Event.objects.filter(proposal=proposal).last()
        self.assertEqual(event.action, action)
        self.assertEqual(event.from_state, from_state)
        self.assertEqual(event.to_state, to_state)
        if getattr(actor, "is_system", False):
            self.assertIsNone(event.actor)
            self.assertEqual(event.actor_name, str(actor))
        else:
            self.assertEqual(event.actor, actor)
            self.assertEqual(event.actor_name, actor.get_username())
        self.assertEqual(event.reason, reason)
        self.assertEqual(event.committee, self.committee)
        return event


class SubmitTests(TransitionTestCase):
    def test_it_opens_a_draft_for_discussion(self):
        proposal = self.make(State.DRAFT)

        actions.do_submit(proposal=proposal, actor=self.member, reason="Ready for review.")

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertLastEvent(
            proposal,
            "proposal.submit",
            State.DRAFT,
            State.DISCUSSION,
            self.member,
            "Ready for review.",
        )

    def test_it_refuses_a_rename_without_its_new_name(self):
        proposal = self.make(State.DRAFT, kind="rename", new_name="")
        events = Event.objects.count()

        with self.assertRaises(ConditionNotMet) as refused:
            actions.do_submit(proposal=proposal, actor=self.member)

        self.assertIn("new name", refused.exception.message)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DRAFT)
        self.assertEqual(Event.objects.count(), events)


class StartVoteTests(TransitionTestCase):
    def test_it_opens_the_vote(self):
        proposal = self.make(State.DISCUSSION)
        at = timezone.now()

        actions.do_start_vote(proposal=proposal, actor=self.chair, reason="Time to decide.", at=at)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        self.assertEqual(proposal.vote_round, 1)
        self.assertEqual(proposal.vote_started_at, at)
        self.assertEqual(proposal.closes_at, at + datetime.timedelta(hours=72))
        self.assertEqual(proposal.vote_extensions, 0)
        self.assertIsNone(proposal.vote_closed_at)
        self.assertLastEvent(
            proposal,
            "proposal.start_vote",
            State.DISCUSSION,
            State.VOTING,
            self.chair,
            "Time to decide.",
        )

    def test_it_freezes_the_committee_rules(self):
        self.committee.pass_rule = PassRule.TWO_THIRDS_CAST
        self.committee.vote_duration_hours = 96
        self.committee.save()
        proposal = self.make(State.DISCUSSION)

        self.start_vote(proposal)
        frozen = self.committee.voting_rules()
        self.committee.pass_rule = PassRule.MAJORITY
        self.committee.vote_duration_hours = 72
        self.committee.save()

        proposal.refresh_from_db()
        self.assertEqual(proposal.vote_rules, frozen)
        self.assertEqual(proposal.vote_rules["pass_rule"], PassRule.TWO_THIRDS_CAST)
        self.assertEqual(
            proposal.closes_at - proposal.vote_started_at, datetime.timedelta(hours=96)
        )
        self.assertEqual(proposal.events.last().payload["rules"], frozen)

    def test_it_freezes_the_text_revision(self):
        proposal = self.make(State.DISCUSSION)
        actions.do_edit_proposal(proposal=proposal, actor=self.member, body="Second version.")

        self.start_vote(proposal)

        proposal.refresh_from_db()
        self.assertEqual(proposal.revision, 2)
        self.assertEqual(proposal.events.last().payload["revision"], 2)

    def test_it_freezes_the_eligible_voters(self):
        make_member(self.committee, make_user("emeritus"), ended_on=timezone.localdate())
        proposal = self.make(State.DISCUSSION)

        self.start_vote(proposal)
        latecomer = make_member(self.committee, make_user("latecomer"))

        eligible = EligibleVoter.objects.filter(proposal=proposal, round=1)
        self.assertEqual({e.user for e in eligible}, set(self.voters))
        self.assertNotIn(latecomer, {e.user for e in eligible})
        self.assertEqual(
            proposal.events.last().payload["eligible"], sorted(u.pk for u in self.voters)
        )

    def test_it_needs_active_members(self):
        proposal = self.make(State.DISCUSSION)
        Membership.objects.filter(committee=self.committee).update(ended_on=timezone.localdate())
        events = Event.objects.count()

        with self.assertRaises(ConditionNotMet):
            actions.do_start_vote(proposal=proposal, actor=SYSTEM)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertEqual(Event.objects.count(), events)
        self.assertFalse(EligibleVoter.objects.filter(proposal=proposal).exists())


class StartVoteDeadlineTests(TransitionTestCase):
    """The chair may choose when the vote closes, within the committee's rules: from its
    vote duration to 14 days after the start."""

    def test_it_closes_at_the_deadline_the_chair_chose(self):
        proposal = self.make(State.DISCUSSION)
        at = timezone.now()
        chosen = at + datetime.timedelta(days=5)

        actions.do_start_vote(proposal=proposal, actor=self.chair, at=at, closes_at=chosen)

        proposal.refresh_from_db()
        self.assertEqual(proposal.closes_at, chosen)
        self.assertEqual(proposal.events.last().payload["closes_at"], chosen.isoformat())
        self.assertEqual(proposal.vote_rules["duration_hours"], 72)

    def test_it_closes_after_the_committees_duration_when_none_is_chosen(self):
        proposal = self.make(State.DISCUSSION)
        at = timezone.now()

        actions.do_start_vote(proposal=proposal, actor=self.chair, at=at)

        proposal.refresh_from_db()
        self.assertEqual(proposal.closes_at, at + datetime.timedelta(hours=72))
        self.assertEqual(
            proposal.events.last().payload["closes_at"], proposal.closes_at.isoformat()
        )

    def test_it_refuses_a_deadline_outside_the_committees_rules(self):
        self.committee.vote_duration_hours = 96
        self.committee.save()
        at = timezone.now()
        for hours in (1, 95, 14 * 24 + 1, 100 * 24):
            with self.subTest(hours=hours):
                proposal = self.make(State.DISCUSSION)
                events = Event.objects.count()

                with self.assertRaisesMessage(ConditionNotMet, "(96 hours after it starts"):
                    actions.do_start_vote(
                        proposal=proposal,
                        actor=self.chair,
                        at=at,
                        closes_at=at + datetime.timedelta(hours=hours),
                    )

                proposal.refresh_from_db()
                self.assertEqual(proposal.state, State.DISCUSSION)
                self.assertEqual(Event.objects.count(), events)

    def test_it_accepts_the_ends_of_the_range(self):
        at = timezone.now()
        for hours in (72, 14 * 24):
            with self.subTest(hours=hours):
                proposal = self.make(State.DISCUSSION)
                closes_at = at + datetime.timedelta(hours=hours)

                actions.do_start_vote(
                    proposal=proposal, actor=self.chair, at=at, closes_at=closes_at
                )

                proposal.refresh_from_db()
                self.assertEqual(proposal.closes_at, closes_at)

    def test_it_refuses_someone_who_may_not_start_the_vote_before_judging_the_deadline(self):
        proposal = self.make(State.DISCUSSION)

        with self.assertRaisesMessage(LifecycleError, "Only the committee's chair may"):
            actions.do_start_vote(proposal=proposal, actor=self.member, closes_at=timezone.now())


class CloseVoteTests(TransitionTestCase):
    def test_it_accepts_a_passing_vote(self):
        proposal = self.start_vote(self.make(State.DISCUSSION))
        self.cast(proposal, self.voters, 1)
        at = timezone.now()

        actions.do_close_vote(proposal=proposal, actor=self.chair, at=at)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertEqual(proposal.vote_closed_at, at)
        event = self.assertLastEvent(
            proposal, "proposal.close_vote", State.VOTING, State.ACCEPTED, self.chair
        )
        self.assertEqual(event.payload["tally"]["yes"], 4)
        self.assertEqual(event.payload["tally"]["outcome"], "passes")
        self.assertTrue(proposal.checklist.exists())

    def test_it_rejects_a_failing_vote(self):
        proposal = self.start_vote(self.make(State.DISCUSSION))
        self.cast(proposal, self.voters, -1)

        actions.do_close_vote(proposal=proposal, actor=self.chair)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.REJECTED)
        event = self.assertLastEvent(
            proposal, "proposal.close_vote", State.VOTING, State.REJECTED, self.chair
        )
        self.assertEqual(event.payload["tally"]["outcome"], "fails")
        self.assertFalse(proposal.checklist.exists())

    def test_it_extends_a_vote_that_missed_quorum_once_then_defers_it(self):
        self.committee.extension_hours = 1
        self.committee.save()
        proposal = self.start_vote(self.make(State.DISCUSSION), hours_ago=100)
        first_deadline = proposal.closes_at
        closed_at = first_deadline + datetime.timedelta(hours=1)

        actions.do_close_vote(proposal=proposal, actor=SYSTEM, at=closed_at)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        self.assertEqual(proposal.vote_extensions, 1)
        self.assertEqual(proposal.closes_at, closed_at + datetime.timedelta(hours=1))
        event = self.assertLastEvent(
            proposal, "proposal.close_vote", State.VOTING, State.VOTING, SYSTEM
        )
        self.assertEqual(event.payload["tally"]["outcome"], "no quorum")

        actions.do_close_vote(proposal=proposal, actor=SYSTEM)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DEFERRED)
        self.assertIsNotNone(proposal.vote_closed_at)
        self.assertLastEvent(proposal, "proposal.close_vote", State.VOTING, State.DEFERRED, SYSTEM)


class ReturnToDiscussionTests(TransitionTestCase):
    def test_it_stops_the_vote(self):
        proposal = self.start_vote(self.make(State.DISCUSSION))

        actions.do_return_to_discussion(proposal=proposal, actor=self.chair, reason="Needs work.")

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertIsNone(proposal.closes_at)
        self.assertLastEvent(
            proposal,
            "proposal.return_to_discussion",
            State.VOTING,
            State.DISCUSSION,
            self.chair,
            "Needs work.",
        )

    def test_it_starts_a_new_round_on_the_next_vote(self):
        proposal = self.start_vote(self.make(State.DISCUSSION))
        self.cast(proposal, [self.member], 1)
        actions.do_return_to_discussion(proposal=proposal, actor=self.chair)

        self.start_vote(proposal)

        proposal.refresh_from_db()
        self.assertEqual(proposal.vote_round, 2)
        self.assertEqual(EligibleVoter.objects.filter(proposal=proposal, round=2).count(), 4)
        self.assertEqual(proposal.votes.filter(round=1).count(), 1)


class DecideTests(TransitionTestCase):
    def test_it_records_a_decision_taken_in_a_meeting(self):
        for accepted, target in ((True, State.ACCEPTED), (False, State.REJECTED)):
            with self.subTest(accepted=accepted):
                proposal = self.make(State.DISCUSSION)
                before = timezone.now()

                actions.do_decide(
                    proposal=proposal,
                    actor=self.chair,
                    accepted=accepted,
                    meeting=self.meeting,
                    reason="Consensus.",
                )

                proposal.refresh_from_db()
                self.assertEqual(proposal.state, target)
                self.assertEqual(proposal.decided_in, self.meeting)
                self.assertGreaterEqual(proposal.decided_at, before)  # recorded when made
                held = f"Decided in Runtime's meeting of {self.meeting.date:%Y-%m-%d}"
                event = self.assertLastEvent(
                    proposal,
                    "proposal.decide",
                    State.DISCUSSION,
                    target,
                    self.chair,
                    f"{held}: Consensus.",
                )
                self.assertEqual(event.payload["meeting"], self.meeting.pk)
                self.assertEqual(event.payload["accepted"], accepted)
                self.assertEqual(proposal.checklist.exists(), accepted)

    def test_it_needs_a_meeting_of_the_same_committee(self):
        proposal = self.make(State.DISCUSSION)
        elsewhere = make_meeting(make_committee("Docs"))
        events = Event.objects.count()

        with self.assertRaises(LifecycleError):
            actions.do_decide(proposal=proposal, actor=self.chair, accepted=True, meeting=elsewhere)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertIsNone(proposal.decided_in)
        self.assertEqual(Event.objects.count(), events)


class CompleteTests(TransitionTestCase):
    def test_it_completes_an_accepted_proposal(self):
        proposal = self.make(State.ACCEPTED)
        for item in proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.chair)

        actions.do_complete(proposal=proposal, actor=self.chair, reason="Done.")

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.COMPLETED)
        event = Event.objects.filter(proposal=proposal, action="proposal.complete").get()
        self.assertEqual(event.from_state, State.ACCEPTED)
        self.assertEqual(event.to_state, State.COMPLETED)
        self.assertEqual(event.actor, self.chair)
        self.assertEqual(event.actor_name, "chair")
        self.assertEqual(event.reason, "Done.")


class WithdrawTests(TransitionTestCase):
    def test_it_lets_the_proposer_withdraw(self):
        for state in (State.DRAFT, State.DISCUSSION, State.VOTING):
            with self.subTest(state=state):
                proposal = self.make(state)

                actions.do_withdraw(proposal=proposal, actor=self.member, reason="Superseded.")

                proposal.refresh_from_db()
                self.assertEqual(proposal.state, State.WITHDRAWN)
                self.assertIsNone(proposal.closes_at)
                self.assertLastEvent(
                    proposal,
                    "proposal.withdraw",
                    state,
                    State.WITHDRAWN,
                    self.member,
                    "Superseded.",
                )


class DeferAndResumeTests(TransitionTestCase):
    def test_it_defers_a_proposal_under_discussion(self):
        proposal = self.make(State.DISCUSSION)

        actions.do_defer(proposal=proposal, actor=self.chair, reason="After the release.")

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DEFERRED)
        self.assertLastEvent(
            proposal,
            "proposal.defer",
            State.DISCUSSION,
            State.DEFERRED,
            self.chair,
            "After the release.",
        )

    def test_it_resumes_a_deferred_proposal(self):
        proposal = self.make(State.DEFERRED)

        actions.do_resume(proposal=proposal, actor=self.chair, reason="Release is out.")

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertIsNone(proposal.closes_at)
        self.assertLastEvent(
            proposal,
            "proposal.resume",
            State.DEFERRED,
            State.DISCUSSION,
            self.chair,
            "Release is out.",
        )


class IllegalTransitionTests(TransitionTestCase):
    def attempt(self, name: str, proposal: Proposal, **kwargs) -> None:
        """Run `do_<name>` as the actor who would be allowed to from its source state."""
        actor = self.member if name in ("submit", "withdraw") else self.chair
        if name == "decide":
            kwargs.update(accepted=True, meeting=self.meeting)
        getattr(actions, f"do_{name}")(proposal=proposal, actor=actor, **kwargs)

    def test_it_refuses_every_transition_the_state_does_not_allow(self):
        refused = 0
        for state in State.values:
            proposal = self.make(state)
            for name, sources in SOURCES.items():
                if state in sources:
                    continue
                with self.subTest(state=state, transition=name):
                    events = Event.objects.count()

                    with self.assertRaises(InvalidTransition) as caught:
                        self.attempt(name, proposal)

                    self.assertIn(f"it is {state}", caught.exception.message)
                    proposal.refresh_from_db()
                    self.assertEqual(proposal.state, state)
                    self.assertEqual(Event.objects.count(), events)
                    refused += 1
        self.assertEqual(refused, 8 * 9 - 11)

    def test_it_acts_on_the_stored_state_not_a_stale_copy(self):
        stale = self.make(State.DRAFT)
        actions.do_submit(proposal=Proposal.objects.get(pk=stale.pk), actor=self.member)
        events = Event.objects.count()

        with self.assertRaises(InvalidTransition):
            actions.do_submit(proposal=stale, actor=self.member)

        self.assertEqual(Event.objects.count(), events)

    def test_it_refuses_when_the_expected_state_is_stale(self):
        proposal = self.make(State.DISCUSSION)
        events = Event.objects.count()

        for name in ("start_vote", "defer", "withdraw", "decide"):
            with self.subTest(transition=name):
                with self.assertRaises(StaleState) as caught:
                    self.attempt(name, proposal, expected_state=State.DRAFT)

                self.assertIn("Reload the page", caught.exception.message)
                proposal.refresh_from_db()
                self.assertEqual(proposal.state, State.DISCUSSION)
                self.assertEqual(Event.objects.count(), events)

    def test_it_proceeds_when_the_expected_state_matches(self):
        proposal = self.make(State.DISCUSSION)

        self.attempt("defer", proposal, expected_state=State.DISCUSSION)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DEFERRED)


class StateFieldTests(TransitionTestCase):
    def test_it_answers_can_proceed(self):
        draft = self.make(State.DRAFT)
        self.assertTrue(can_proceed(draft.submit))
        self.assertTrue(can_proceed(draft.withdraw))
        self.assertFalse(can_proceed(draft.start_vote))
        self.assertFalse(can_proceed(draft.complete))

        accepted = self.make(State.ACCEPTED)
        self.assertFalse(can_proceed(accepted.complete))
        self.assertTrue(can_proceed(accepted.complete, check_conditions=False))
        self.assertFalse(can_proceed(accepted.withdraw))
        self.assertFalse(can_proceed(accepted.submit, check_conditions=False))

    def test_it_protects_the_state_field(self):
        proposal = self.make(State.DRAFT)

        with self.assertRaises(AttributeError):
            proposal.state = State.ACCEPTED

        self.assertEqual(proposal.state, State.DRAFT)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DRAFT)

    def test_it_raises_transition_not_allowed_from_the_model(self):
        proposal = self.make(State.DRAFT)

        with self.assertRaises(TransitionNotAllowed):
            proposal.defer()

        self.assertEqual(proposal.state, State.DRAFT)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DRAFT)

    def test_it_refreshes_from_the_database(self):
        proposal = self.make(State.DRAFT)
        actions.do_submit(proposal=proposal.pk, actor=self.member)
        self.assertEqual(proposal.state, State.DRAFT)

        proposal.refresh_from_db()

        self.assertEqual(proposal.state, State.DISCUSSION)
        proposal.refresh_from_db(fields=["state"])
        self.assertEqual(proposal.state, State.DISCUSSION)
