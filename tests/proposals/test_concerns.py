"""Blocking concerns: who raises and resolves them, what they leave in the chain, and
the vote that waits for them (on SQLite, and on PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import datetime
import unittest

import pytest
from django.db import connection
from django.utils import timezone
from django_fsm import can_proceed

from pmc.models import Membership
from proposals import actions, audit, events
from proposals.actors import SYSTEM
from proposals.errors import ConditionNotMet, LifecycleError, NotPermitted
from proposals.models import Comment, Concern, Event
from proposals.states import State
from tests.base import AppendOnlyTransactionTestCase, CommitteeActorsMixin, LifecycleTestCase
from tests.factories import make_meeting, make_member, make_proposal, make_user
from tests.proposals.test_concurrency import run_together

WHY = "The DEAs still depend on it; see the **CLI** release notes."


class ConcernTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.member.first_name, cls.member.last_name = "Alice", "Moss"
        cls.member.save()
        cls.proposal = make_proposal(cls.committee, cls.other_member, state=State.DISCUSSION)

    def raise_concern(self, actor=None, title="Wait for the DEAs' end of life", **kwargs):
        return actions.do_raise_concern(
            proposal=kwargs.pop("proposal", self.proposal),
            actor=actor or self.member,
            title=title,
            explanation=kwargs.pop("explanation", WHY),
            **kwargs,
        )

    def former_member(self):
        former = make_user("former")
        Membership.objects.create(
            user=former,
            committee=self.committee,
            started_on=datetime.date(2020, 1, 1),
            ended_on=datetime.date(2021, 1, 1),
        )
        return former

    def staff(self):
        return make_user("staff", is_staff=True)


class RaiseTests(ConcernTestCase):
    def test_a_member_raises_a_concern_explained_by_a_comment_in_the_same_chain(self):
        concern = self.raise_concern()

        self.assertTrue(concern.is_open)
        self.assertEqual(concern.raised_by, self.member)
        self.assertEqual(concern.raised_in, State.DISCUSSION)
        self.assertEqual(concern.comment.body, WHY)
        self.assertEqual(concern.comment.author, self.member)
        self.assertIn("<strong>CLI</strong>", concern.comment.body_html)
        [posted] = Event.objects.filter(action=events.COMMENT_POSTED, proposal=self.proposal)
        [raised] = Event.objects.filter(action=events.CONCERN_RAISED, proposal=self.proposal)
        self.assertEqual(
            raised.payload,
            {
                "concern": concern.pk,
                "title": "Wait for the DEAs' end of life",
                "comment": concern.comment.pk,
                "state": State.DISCUSSION,
            },
        )
        self.assertEqual(raised.actor, self.member)
        self.assertGreater(raised.pk, posted.pk)
        self.assertTrue(audit.verify_chain().ok)

    def test_the_chair_raises_one_too(self):
        self.assertEqual(self.raise_concern(actor=self.chair).raised_by, self.chair)

    def test_people_without_a_binding_vote_are_refused_and_nothing_is_written(self):
        for actor in (self.outsider, self.foreign_member, self.former_member(), self.staff()):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted) as refused:
                self.raise_concern(actor=actor)
            self.assertIn("Only members of Runtime raise concerns", refused.exception.message)
        self.assertFalse(Concern.objects.exists())
        self.assertFalse(Comment.objects.exists())
        self.assertFalse(
            Event.objects.filter(action__in=[events.COMMENT_POSTED, events.CONCERN_RAISED]).exists()
        )

    def test_a_bad_title_or_no_explanation_is_refused_with_what_to_do(self):
        cases = [
            ("  ", WHY, "Give the concern a short title"),
            ("Two\nlines", WHY, "Write this on one line"),
            ("x" * 201, WHY, "at most 200 characters; this one has 201"),
            ("A fine title", " \n ", "Explain the concern"),
        ]
        for title, explanation, said in cases:
            with self.subTest(title=title[:10]), self.assertRaises(LifecycleError) as refused:
                self.raise_concern(title=title, explanation=explanation)
            self.assertIn(said, refused.exception.message)
        self.assertFalse(Concern.objects.exists())
        self.assertFalse(Comment.objects.exists())

    def test_a_title_of_exactly_200_characters_is_taken(self):
        self.assertEqual(len(self.raise_concern(title="y" * 200).title), 200)

    def test_no_concern_once_the_proposal_is_decided_or_before_it_is_submitted(self):
        for state in (State.ACCEPTED, State.WITHDRAWN, State.DRAFT):
            proposal = make_proposal(self.committee, self.member, state=state, chair=self.chair)
            with self.subTest(state=state), self.assertRaises(LifecycleError):
                self.raise_concern(proposal=proposal)
        self.assertFalse(Concern.objects.exists())

    def test_during_the_vote_only_its_frozen_voters_raise_one(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        newcomer = make_member(self.committee, make_user("newcomer"))
        Membership.objects.filter(user=self.third_member).update(
            ended_on=timezone.localdate() - datetime.timedelta(days=1)
        )

        with self.assertRaises(NotPermitted) as refused:
            self.raise_concern(actor=newcomer, proposal=proposal)
        self.assertIn("binding vote in this vote", refused.exception.message)
        # Frozen as an eligible voter when the vote started: still binding, seat or not.
        concern = self.raise_concern(actor=self.third_member, proposal=proposal)

        self.assertEqual(concern.raised_in, State.VOTING)
        self.assertFalse(concern.comment.by_member)


class ResolveTests(ConcernTestCase):
    def test_who_raised_it_resolves_it_without_a_reason_and_it_stays(self):
        concern = self.raise_concern()

        actions.do_resolve_concern(concern=concern, actor=self.member)

        concern.refresh_from_db()
        self.assertFalse(concern.is_open)
        self.assertEqual(concern.resolved_by, self.member)
        self.assertEqual(Concern.objects.count(), 1)
        [resolved] = Event.objects.filter(action=events.CONCERN_RESOLVED)
        self.assertEqual(resolved.payload["concern"], concern.pk)
        self.assertEqual(resolved.payload["raised_by"], self.member.pk)
        self.assertTrue(audit.verify_chain().ok)

    def test_the_chair_resolves_someone_elses_only_with_a_reason(self):
        concern = self.raise_concern()

        with self.assertRaises(LifecycleError) as refused:
            actions.do_resolve_concern(concern=concern, actor=self.chair, reason="  ")
        self.assertIn("Say why you resolve Alice Moss's concern", refused.exception.message)
        concern.refresh_from_db()
        self.assertTrue(concern.is_open)

        actions.do_resolve_concern(concern=concern, actor=self.chair, reason="Answered below.")
        concern.refresh_from_db()
        self.assertEqual((concern.resolved_by, concern.resolution), (self.chair, "Answered below."))
        self.assertEqual(
            Event.objects.get(action=events.CONCERN_RESOLVED).reason, "Answered below."
        )

    def test_nobody_else_resolves_it(self):
        concern = self.raise_concern()
        others = (self.other_member, self.outsider, self.foreign_member, self.staff())
        for actor in (*others, self.former_member()):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted) as refused:
                actions.do_resolve_concern(concern=concern, actor=actor, reason="Because.")
            self.assertIn("Only Alice Moss, who raised it, or the chair", refused.exception.message)
        concern.refresh_from_db()
        self.assertTrue(concern.is_open)
        self.assertFalse(Event.objects.filter(action=events.CONCERN_RESOLVED).exists())

    def test_a_resolved_concern_is_not_resolved_twice(self):
        concern = self.raise_concern()
        actions.do_resolve_concern(concern=concern, actor=self.member)

        with self.assertRaises(LifecycleError) as refused:
            actions.do_resolve_concern(concern=concern, actor=self.chair, reason="Again.")
        self.assertIn("already resolved", refused.exception.message)
        self.assertEqual(Event.objects.filter(action=events.CONCERN_RESOLVED).count(), 1)


class VoteWaitsForConcernsTests(ConcernTestCase):
    """The vote is refused while a concern is open, and starts once it is resolved."""

    def test_the_vote_is_refused_naming_the_concern_and_who_raised_it(self):
        self.raise_concern()
        before = Event.objects.count()

        self.assertFalse(can_proceed(self.proposal.start_vote))
        with self.assertRaises(ConditionNotMet) as refused:
            actions.do_start_vote(proposal=self.proposal, actor=self.chair)

        self.assertEqual(
            refused.exception.message,
            "Alice Moss raised a concern: “Wait for the DEAs' end of life”. Resolve it "
            "(Alice Moss, or the chair with a reason) before starting the vote.",
        )
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)
        self.assertEqual(Event.objects.count(), before)
        self.assertFalse(self.proposal.eligible.exists())

    def test_every_open_concern_is_named(self):
        self.raise_concern()
        self.raise_concern(actor=self.chair, title="Ask the Diego team first")

        with self.assertRaises(ConditionNotMet) as refused:
            actions.do_start_vote(proposal=self.proposal, actor=self.chair)

        self.assertIn("“Wait for the DEAs' end of life”; chair raised", refused.exception.message)
        self.assertIn("Resolve them", refused.exception.message)

    def test_many_open_concerns_are_named_up_to_three_and_the_rest_counted(self):
        for i in range(5):
            self.raise_concern(title=f"Concern {i}")

        with self.assertRaises(ConditionNotMet) as refused:
            actions.do_start_vote(proposal=self.proposal, actor=self.chair)

        self.assertIn("“Concern 2”; and 2 more concerns are open.", refused.exception.message)
        self.assertNotIn("Concern 3", refused.exception.message)

    def test_the_vote_starts_once_every_concern_is_resolved(self):
        first = self.raise_concern()
        second = self.raise_concern(actor=self.chair, title="Ask the Diego team first")
        actions.do_resolve_concern(concern=first, actor=self.member)
        with self.assertRaises(ConditionNotMet) as refused:
            actions.do_start_vote(proposal=self.proposal, actor=self.chair)
        self.assertIn("Ask the Diego team first", refused.exception.message)
        self.assertNotIn("DEAs", refused.exception.message)

        actions.do_resolve_concern(concern=second, actor=self.chair)
        actions.do_start_vote(proposal=self.proposal, actor=self.chair)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertEqual(Concern.objects.filter(proposal=self.proposal).count(), 2)

    def test_a_concern_on_another_proposal_holds_nothing_back(self):
        other = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        self.raise_concern(proposal=other)

        actions.do_start_vote(proposal=self.proposal, actor=self.chair)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)

    def test_a_concern_raised_during_the_vote_does_not_stop_it(self):
        actions.do_start_vote(proposal=self.proposal, actor=self.chair)
        self.raise_concern()

        actions.do_cast_vote(proposal=self.proposal, actor=self.other_member, value=1)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertEqual(self.proposal.tally().yes, 1)

    def test_a_deferred_proposal_resumes_but_its_vote_still_waits(self):
        actions.do_defer(proposal=self.proposal, actor=self.chair)
        self.raise_concern()
        actions.do_resume(proposal=self.proposal, actor=self.chair)

        with self.assertRaises(ConditionNotMet):
            actions.do_start_vote(proposal=self.proposal, actor=self.chair)


class MeetingDecisionTests(ConcernTestCase):
    """A meeting's decision is not held back: it settles the open concerns, which stay."""

    def test_a_decision_in_a_meeting_resolves_the_open_concerns_naming_the_meeting(self):
        concern = self.raise_concern()
        meeting = make_meeting(self.committee, date=timezone.localdate())

        actions.do_decide(proposal=self.proposal, actor=self.chair, accepted=True, meeting=meeting)

        concern.refresh_from_db()
        self.assertFalse(concern.is_open)
        self.assertEqual(concern.resolved_by, self.chair)
        self.assertIn(f"meeting of {meeting.date:%Y-%m-%d}", concern.resolution)
        resolved = Event.objects.get(action=events.CONCERN_RESOLVED)
        decided = Event.objects.get(action="proposal.decide")
        self.assertGreater(resolved.pk, decided.pk)
        self.assertEqual(resolved.payload["by_decision"], meeting.pk)
        self.assertTrue(audit.verify_chain().ok)

    def test_a_decision_read_from_old_notes_resolves_them_no_earlier_than_raised(self):
        concern = self.raise_concern()
        meeting = make_meeting(self.committee, date=datetime.date(2017, 5, 16))
        at = datetime.datetime(2017, 5, 16, 12, tzinfo=datetime.UTC)

        actions.do_decide(
            proposal=self.proposal, actor=SYSTEM, accepted=False, meeting=meeting, at=at
        )

        concern.refresh_from_db()
        self.assertIsNone(concern.resolved_by)
        self.assertEqual(concern.resolved_at, concern.raised_at)
        page = self.client.get(self.proposal.get_absolute_url()).content.decode()
        self.assertIn("<strong>The system</strong> resolved the concern", page)


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (row locks and concurrent connections): run with DATABASE_URL=postgres://...",
)
class ConcernAgainstVoteStartTests(CommitteeActorsMixin, AppendOnlyTransactionTestCase):
    """A concern raised while the chair starts the vote: the two wait on the proposal's
    row lock, so either the vote starts first and the concern is raised during it, or
    the concern comes first and the vote is refused. Never a vote started past an open
    concern raised before it."""

    def setUp(self) -> None:
        self.make_actors()

    def test_the_vote_and_the_concern_are_serialised(self):
        for attempt in range(4):
            proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
            outcomes = run_together(
                lambda p=proposal: actions.do_start_vote(proposal=p, actor=self.chair),
                lambda p=proposal: actions.do_raise_concern(
                    proposal=p, actor=self.other_member, title="Not yet", explanation="Why."
                ),
            )
            with self.subTest(attempt=attempt):
                (vote, started), (raised, concern) = outcomes
                self.assertEqual(raised, "ok", concern)
                concern.refresh_from_db()
                proposal.refresh_from_db()
                if vote == "ok":
                    self.assertEqual(proposal.state, State.VOTING)
                    self.assertEqual(concern.raised_in, State.VOTING)
                else:
                    self.assertIsInstance(started, ConditionNotMet)
                    self.assertEqual(proposal.state, State.DISCUSSION)
                    self.assertEqual(concern.raised_in, State.DISCUSSION)
        self.assertTrue(audit.verify_chain().ok)
