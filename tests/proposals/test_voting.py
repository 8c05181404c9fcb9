from __future__ import annotations

import datetime

from django.utils import timezone

from pmc.models import Membership, PassRule, Role
from proposals import actions, kinds
from proposals.actors import SYSTEM
from proposals.errors import InvalidTransition, NotPermitted, VoteRefused
from proposals.models import EligibleVoter, Event, Proposal, Vote
from proposals.states import Kind, State
from proposals.voting import tally_for
from tests.base import LifecycleTestCase
from tests.factories import make_committee, make_member, make_proposal, make_user

HOUR = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)


class VotingTestCase(LifecycleTestCase):
    """A proposal of the Runtime committee whose vote opened an hour ago."""

    def setUp(self) -> None:
        self.started = timezone.now() - HOUR
        self.proposal = self.start_vote()

    def start_vote(self, proposal: Proposal | None = None, at=None) -> Proposal:
        proposal = proposal or make_proposal(self.committee, self.member, state=State.DISCUSSION)
        return actions.do_start_vote(proposal=proposal, actor=self.chair, at=at or self.started)

    def cast(self, actor, value: int, reason: str = "", at=None) -> Vote:
        return actions.do_cast_vote(
            proposal=self.proposal, actor=actor, value=value, reason=reason, at=at or self.started
        )

    def events(self, action: str, proposal: Proposal | None = None):
        return Event.objects.filter(proposal=proposal or self.proposal, action=action).order_by(
            "id"
        )

    def vote_events(self):
        return Event.objects.filter(proposal=self.proposal, action__startswith="vote.")

    def close(self, actor, at):
        return actions.do_close_vote(proposal=self.proposal, actor=actor, at=at)


class CastVoteTests(VotingTestCase):
    def test_it_records_a_binding_vote(self):
        vote = self.cast(self.other_member, 1)

        vote.refresh_from_db()
        self.assertEqual(vote.value, 1)
        self.assertFalse(vote.recused)
        self.assertTrue(vote.binding)
        self.assertEqual(vote.round, 1)
        self.assertEqual(vote.voter, self.other_member)
        self.assertEqual(vote.cast_at, self.started)

        event = self.events("vote.cast").get()
        self.assertEqual(event.actor, self.other_member)
        self.assertEqual(event.at, self.started)
        self.assertEqual(event.payload["vote"], vote.pk)
        self.assertEqual(event.payload["round"], 1)
        self.assertIsNone(event.payload["from"])
        self.assertEqual(event.payload["to"], 1)
        self.assertTrue(event.payload["binding"])

        tally = tally_for(self.proposal)
        self.assertEqual((tally.eligible, tally.yes, tally.not_voted), (4, 1, 3))

    def test_it_changes_a_vote_in_place(self):
        self.cast(self.other_member, 1)
        self.cast(self.other_member, -1, reason="The attic is premature.", at=self.started + HOUR)

        vote = Vote.objects.get(proposal=self.proposal)
        self.assertEqual(vote.value, -1)
        self.assertEqual(vote.reason, "The attic is premature.")
        self.assertEqual(vote.cast_at, self.started + HOUR)

        events = list(self.vote_events().order_by("id"))
        self.assertEqual([e.action for e in events], ["vote.cast", "vote.changed"])
        changed = events[1]
        self.assertEqual(changed.payload["from"], 1)
        self.assertEqual(changed.payload["to"], -1)
        self.assertEqual(changed.payload["vote"], vote.pk)
        self.assertEqual(changed.reason, "The attic is premature.")

        tally = tally_for(self.proposal)
        self.assertEqual((tally.yes, tally.no), (0, 1))

    def test_it_records_each_change(self):
        self.cast(self.other_member, 1)
        self.cast(self.other_member, 0, at=self.started + HOUR)
        self.cast(self.other_member, 1, at=self.started + 2 * HOUR)

        self.assertEqual(Vote.objects.filter(proposal=self.proposal).count(), 1)
        changes = [(e.payload["from"], e.payload["to"]) for e in self.events("vote.changed")]
        self.assertEqual(changes, [(1, 0), (0, 1)])

    def test_it_records_nothing_when_the_same_vote_is_cast_again(self):
        first = self.cast(self.other_member, 1)
        again = self.cast(self.other_member, 1, at=self.started + HOUR)

        self.assertEqual(again.pk, first.pk)
        self.assertEqual(self.vote_events().count(), 1)
        again.refresh_from_db()
        self.assertEqual(again.cast_at, self.started)

    def test_it_refuses_a_minus_one_without_a_reason(self):
        for reason in ("", "   \n"):
            with self.subTest(reason=reason), self.assertRaises(VoteRefused):
                self.cast(self.other_member, -1, reason=reason)

        self.assertFalse(Vote.objects.exists())
        self.assertFalse(self.vote_events().exists())

    def test_it_refuses_a_change_to_minus_one_without_a_reason(self):
        self.cast(self.other_member, 1)

        with self.assertRaises(VoteRefused):
            self.cast(self.other_member, -1, at=self.started + HOUR)

        vote = Vote.objects.get()
        self.assertEqual(vote.value, 1)
        self.assertEqual(vote.cast_at, self.started)
        self.assertEqual(self.vote_events().count(), 1)

    def test_it_refuses_a_value_other_than_plus_one_zero_or_minus_one(self):
        for value in (2, -2, None):
            with self.subTest(value=value), self.assertRaises(VoteRefused):
                self.cast(self.other_member, value, reason="Because.")

        self.assertFalse(Vote.objects.exists())
        self.assertFalse(self.vote_events().exists())

    def test_it_accepts_a_vote_just_before_the_deadline(self):
        vote = self.cast(self.other_member, 0, at=self.proposal.closes_at - SECOND)

        self.assertEqual(vote.value, 0)
        self.assertEqual(self.events("vote.cast").count(), 1)

    def test_it_refuses_a_vote_at_or_after_the_deadline(self):
        for at in (self.proposal.closes_at, self.proposal.closes_at + HOUR):
            with self.subTest(at=at), self.assertRaises(VoteRefused):
                self.cast(self.other_member, 1, at=at)

        self.assertFalse(Vote.objects.exists())
        self.assertFalse(self.vote_events().exists())

    def test_it_refuses_a_change_after_the_deadline(self):
        self.cast(self.other_member, 1)

        with self.assertRaises(VoteRefused):
            self.cast(self.other_member, 0, at=self.proposal.closes_at + SECOND)

        self.assertEqual(Vote.objects.get().value, 1)
        self.assertEqual(self.vote_events().count(), 1)

    def test_it_refuses_a_vote_on_a_proposal_not_in_voting(self):
        discussion = make_proposal(self.committee, self.member, state=State.DISCUSSION)

        with self.assertRaises(VoteRefused):
            actions.do_cast_vote(proposal=discussion, actor=self.other_member, value=1)

        self.assertFalse(Vote.objects.exists())

    def test_it_refuses_a_vote_after_the_vote_closed(self):
        for member in (self.chair, self.member, self.other_member):
            self.cast(member, 1)
        self.close(self.chair, at=self.started + HOUR)

        with self.assertRaises(VoteRefused):
            self.cast(self.third_member, 1, at=self.started + 2 * HOUR)

        self.assertFalse(Vote.objects.filter(voter=self.third_member).exists())

    def test_it_refuses_people_outside_the_committee(self):
        former = make_user("former")
        make_member(
            self.committee,
            former,
            started_on=timezone.localdate() - datetime.timedelta(days=400),
            ended_on=timezone.localdate() - datetime.timedelta(days=100),
        )
        for actor in (self.outsider, self.foreign_member, former):
            with self.subTest(actor=actor), self.assertRaises(NotPermitted):
                self.cast(actor, 1)

        self.assertFalse(Vote.objects.exists())
        self.assertFalse(self.vote_events().exists())

    def test_it_keeps_the_binding_vote_of_an_eligible_voter_whose_seat_ended(self):
        membership = Membership.objects.get(committee=self.committee, user=self.third_member)
        actions.do_end_membership(membership=membership, actor=self.chair, reason="Stepped down")

        vote = self.cast(self.third_member, 1)

        self.assertTrue(vote.binding)
        self.assertEqual(tally_for(self.proposal).yes, 1)

    def test_it_refuses_the_system_as_a_voter(self):
        with self.assertRaises(NotPermitted):
            self.cast(SYSTEM, 1)

        self.assertFalse(Vote.objects.exists())
        self.assertFalse(self.vote_events().exists())

    def test_it_records_the_revision_voted_on(self):
        vote = self.cast(self.other_member, 1)

        self.assertEqual(vote.revision, 1)
        self.assertEqual(self.events("vote.cast").get().payload["revision"], 1)


class RecuseTests(VotingTestCase):
    def test_it_records_a_recusal(self):
        vote = actions.do_recuse(
            proposal=self.proposal, actor=self.third_member, reason="I lead it.", at=self.started
        )

        vote.refresh_from_db()
        self.assertTrue(vote.recused)
        self.assertIsNone(vote.value)
        self.assertTrue(vote.binding)
        event = self.events("vote.recused").get()
        self.assertEqual(event.payload["to"], "recused")
        self.assertIsNone(event.payload["from"])
        self.assertEqual(event.reason, "I lead it.")

        tally = tally_for(self.proposal)
        self.assertEqual((tally.recused, tally.denominator, tally.not_voted), (1, 3, 3))

    def test_it_takes_the_recused_out_of_the_quorum(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, 1)
        self.assertFalse(tally_for(self.proposal).quorum_met)

        actions.do_recuse(proposal=self.proposal, actor=self.third_member, at=self.started)

        self.assertTrue(tally_for(self.proposal).quorum_met)
        self.close(SYSTEM, at=self.proposal.closes_at)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)

    def test_it_turns_a_vote_into_a_recusal_and_back(self):
        self.cast(self.third_member, 1)
        actions.do_recuse(proposal=self.proposal, actor=self.third_member, at=self.started + HOUR)
        self.cast(self.third_member, 0, at=self.started + 2 * HOUR)

        self.assertEqual(Vote.objects.filter(proposal=self.proposal).count(), 1)
        moves = [
            (e.action, e.payload["from"], e.payload["to"])
            for e in self.vote_events().order_by("id")
        ]
        self.assertEqual(
            moves,
            [
                ("vote.cast", None, 1),
                ("vote.recused", 1, "recused"),
                ("vote.changed", "recused", 0),
            ],
        )

    def test_it_refuses_a_recusal_after_the_deadline(self):
        with self.assertRaises(VoteRefused):
            actions.do_recuse(
                proposal=self.proposal, actor=self.third_member, at=self.proposal.closes_at
            )

        self.assertFalse(Vote.objects.exists())


class LateJoinerTests(VotingTestCase):
    def setUp(self) -> None:
        self.started = timezone.now() - datetime.timedelta(days=2)
        self.proposal = self.start_vote()
        self.late = make_member(self.committee, make_user("late"), started_on=timezone.localdate())

    def test_it_freezes_the_eligible_voters_at_the_start(self):
        eligible = EligibleVoter.objects.filter(proposal=self.proposal, round=1)

        self.assertEqual(
            set(eligible.values_list("user", flat=True)),
            {self.chair.pk, self.member.pk, self.other_member.pk, self.third_member.pk},
        )
        self.assertEqual(
            self.events("proposal.start_vote").get().payload["eligible"],
            sorted([self.chair.pk, self.member.pk, self.other_member.pk, self.third_member.pk]),
        )

    def test_it_records_a_late_joiner_as_non_binding(self):
        vote = self.cast(self.late, 1, at=timezone.now())

        self.assertFalse(vote.binding)
        event = self.events("vote.cast").get()
        self.assertFalse(event.payload["binding"])
        tally = tally_for(self.proposal)
        self.assertEqual((tally.eligible, tally.yes, tally.non_binding_yes), (4, 0, 1))
        self.assertEqual(tally.not_voted, 4)

    def test_it_does_not_count_a_late_joiner_for_quorum(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, 1)
        self.cast(self.late, 1, at=timezone.now())

        self.assertFalse(tally_for(self.proposal).quorum_met)
        self.close(SYSTEM, at=self.proposal.closes_at)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertEqual(self.proposal.vote_extensions, 1)

    def test_it_does_not_count_a_late_joiner_for_the_result(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, -1, reason="Not yet.")
        self.cast(self.third_member, 0)
        self.cast(self.late, 1, at=timezone.now())

        self.close(SYSTEM, at=self.proposal.closes_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.REJECTED)
        tally = self.events("proposal.close_vote").get().payload["tally"]
        self.assertEqual((tally["yes"], tally["no"]), (1, 1))
        self.assertEqual(tally["non_binding"], {"yes": 1, "no": 0, "abstain": 0})

    def test_it_makes_a_late_joiner_binding_in_the_next_round(self):
        actions.do_return_to_discussion(proposal=self.proposal, actor=self.chair)
        self.proposal = self.start_vote(self.proposal, at=timezone.now())

        vote = self.cast(self.late, 1, at=timezone.now())

        self.assertTrue(vote.binding)
        self.assertEqual(tally_for(self.proposal).eligible, 5)


class CloseVoteTests(VotingTestCase):
    def close_events(self):
        return self.events("proposal.close_vote")

    def test_it_refuses_the_chair_an_early_close_while_unsettled(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, 1)
        self.cast(self.third_member, -1, reason="Still used.")

        with self.assertRaises(NotPermitted):
            self.close(self.chair, at=self.started + HOUR)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertIsNone(self.proposal.vote_closed_at)
        self.assertFalse(self.close_events().exists())

    def test_it_refuses_the_chair_an_early_close_without_quorum(self):
        self.cast(self.member, 1)

        with self.assertRaises(NotPermitted):
            self.close(self.chair, at=self.started + HOUR)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertEqual(self.proposal.vote_extensions, 0)
        self.assertFalse(self.close_events().exists())

    def test_it_lets_the_chair_close_early_once_the_result_is_locked_in(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, 1)
        self.cast(self.third_member, 1)
        closed_at = self.started + HOUR

        self.close(self.chair, at=closed_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)
        self.assertEqual(self.proposal.vote_closed_at, closed_at)
        event = self.close_events().get()
        self.assertEqual((event.from_state, event.to_state), (State.VOTING, State.ACCEPTED))
        self.assertEqual(event.actor, self.chair)
        self.assertEqual(event.at, closed_at)
        self.assertEqual(event.payload["round"], 1)
        self.assertEqual(event.payload["tally"]["yes"], 3)
        self.assertEqual(event.payload["tally"]["not_voted"], 1)
        self.assertEqual(event.payload["tally"]["outcome"], "passes")

    def test_it_lets_the_chair_close_early_once_everyone_voted(self):
        self.cast(self.chair, 1)
        self.cast(self.member, 1)
        self.cast(self.other_member, -1, reason="Still used.")
        self.cast(self.third_member, -1, reason="Users depend on it.")

        self.close(self.chair, at=self.started + HOUR)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.REJECTED)
        self.assertEqual(self.close_events().get().payload["tally"]["outcome"], "fails")

    def test_it_refuses_a_member_an_early_close_even_when_settled(self):
        for member in (self.chair, self.member, self.other_member, self.third_member):
            self.cast(member, 1)

        with self.assertRaises(NotPermitted):
            self.close(self.member, at=self.started + HOUR)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertFalse(self.close_events().exists())

    def test_it_refuses_the_system_a_close_before_the_deadline(self):
        for member in (self.chair, self.member, self.other_member, self.third_member):
            self.cast(member, 1)

        with self.assertRaises(NotPermitted):
            self.close(SYSTEM, at=self.proposal.closes_at - SECOND)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertIsNone(self.proposal.vote_closed_at)
        self.assertFalse(self.close_events().exists())

    def test_it_lets_the_system_close_at_the_deadline(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, 1)
        self.cast(self.third_member, -1, reason="Still used.")

        self.close(SYSTEM, at=self.proposal.closes_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)
        event = self.close_events().get()
        self.assertIsNone(event.actor)
        self.assertEqual(event.actor_name, str(SYSTEM))

    def test_it_refuses_the_system_a_close_before_the_deadline_of_an_old_vote(self):
        self.started = timezone.now() - datetime.timedelta(days=30)
        self.proposal = self.start_vote()

        with self.assertRaises(NotPermitted):
            self.close(SYSTEM, at=self.proposal.closes_at - HOUR)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertFalse(self.close_events().exists())

    def test_it_lets_the_chair_close_an_unsettled_vote_after_the_deadline(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, 1)
        self.cast(self.third_member, -1, reason="Still used.")

        self.close(self.chair, at=self.proposal.closes_at + HOUR)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)

    def test_it_creates_the_checklist_when_accepted(self):
        for member in (self.member, self.other_member, self.third_member):
            self.cast(member, 1)

        self.close(SYSTEM, at=self.proposal.closes_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)
        self.assertEqual(
            list(self.proposal.checklist.values_list("text", flat=True)),
            kinds.steps_for(Kind.ATTIC),
        )
        self.assertEqual(
            set(self.proposal.checklist.to_do().values_list("owner", flat=True)), {self.member.pk}
        )
        system = self.proposal.checklist.get(by_system=True)
        self.assertEqual(system.text, "Move the project to the attic in the project list")
        self.assertIsNone(system.owner)

    def test_it_creates_no_checklist_when_rejected(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, -1, reason="Still used.")
        self.cast(self.third_member, 0)

        self.close(SYSTEM, at=self.proposal.closes_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.REJECTED)
        self.assertEqual(self.proposal.vote_closed_at, self.proposal.closes_at)
        self.assertFalse(self.proposal.checklist.exists())

    def test_it_refuses_to_close_a_closed_vote(self):
        for member in (self.member, self.other_member, self.third_member):
            self.cast(member, 1)
        self.close(SYSTEM, at=self.proposal.closes_at)

        with self.assertRaises(InvalidTransition):
            self.close(SYSTEM, at=self.proposal.closes_at + HOUR)

        self.assertEqual(self.close_events().count(), 1)
        self.assertEqual(self.proposal.checklist.count(), len(kinds.steps_for(Kind.ATTIC)))

    def test_it_applies_the_committees_pass_rule(self):
        strict = make_committee("Strict", pass_rule=PassRule.TWO_THIRDS_ELIGIBLE)
        chair = make_member(strict, make_user("strict_chair"), role=Role.CHAIR)
        members = [make_member(strict) for _ in range(5)]
        proposal = make_proposal(strict, members[0], state=State.DISCUSSION)
        self.proposal = actions.do_start_vote(proposal=proposal, actor=chair, at=self.started)
        for member in members[:3]:
            self.cast(member, 1)
        self.cast(members[3], 0)

        self.close(SYSTEM, at=self.proposal.closes_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.vote_rules["pass_rule"], PassRule.TWO_THIRDS_ELIGIBLE)
        self.assertEqual(self.proposal.state, State.REJECTED)


class QuorumFailureTests(VotingTestCase):
    def test_it_extends_a_vote_that_missed_quorum_once(self):
        self.cast(self.member, 1)
        deadline = self.proposal.closes_at

        self.close(SYSTEM, at=deadline)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertEqual(self.proposal.vote_extensions, 1)
        self.assertEqual(self.proposal.closes_at, deadline + datetime.timedelta(hours=72))
        self.assertIsNone(self.proposal.vote_closed_at)
        event = self.events("proposal.close_vote").get()
        self.assertEqual((event.from_state, event.to_state), (State.VOTING, State.VOTING))
        self.assertEqual(event.payload["tally"]["outcome"], "no quorum")
        self.assertFalse(event.payload["tally"]["quorum_met"])

    def test_it_extends_from_the_time_of_a_late_close(self):
        late = self.proposal.closes_at + 5 * HOUR

        self.close(SYSTEM, at=late)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.closes_at, late + datetime.timedelta(hours=72))

    def test_it_accepts_votes_during_the_extension(self):
        self.close(SYSTEM, at=self.proposal.closes_at)
        self.proposal.refresh_from_db()

        vote = self.cast(self.member, 1, at=self.proposal.closes_at - HOUR)

        self.assertEqual(vote.value, 1)

    def test_it_refuses_an_early_close_during_the_extension(self):
        self.close(SYSTEM, at=self.proposal.closes_at)
        self.proposal.refresh_from_db()

        with self.assertRaises(NotPermitted):
            self.close(SYSTEM, at=self.proposal.closes_at - HOUR)

        self.assertEqual(self.events("proposal.close_vote").count(), 1)

    def test_it_defers_a_vote_that_missed_quorum_after_the_extension(self):
        self.cast(self.member, 1)
        self.close(SYSTEM, at=self.proposal.closes_at)
        self.proposal.refresh_from_db()
        self.cast(self.other_member, 1, at=self.proposal.closes_at - HOUR)
        second_deadline = self.proposal.closes_at

        self.close(SYSTEM, at=second_deadline)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DEFERRED)
        self.assertEqual(self.proposal.vote_extensions, 1)
        self.assertEqual(self.proposal.vote_closed_at, second_deadline)
        self.assertFalse(self.proposal.checklist.exists())
        events = list(self.events("proposal.close_vote"))
        self.assertEqual(
            [(e.from_state, e.to_state) for e in events],
            [(State.VOTING, State.VOTING), (State.VOTING, State.DEFERRED)],
        )
        self.assertEqual(events[1].payload["tally"]["yes"], 2)

    def test_it_closes_by_the_tally_when_quorum_is_reached_during_the_extension(self):
        self.cast(self.member, 1)
        self.close(SYSTEM, at=self.proposal.closes_at)
        self.proposal.refresh_from_db()
        self.cast(self.other_member, 1, at=self.proposal.closes_at - HOUR)
        self.cast(self.third_member, 1, at=self.proposal.closes_at - HOUR)

        self.close(SYSTEM, at=self.proposal.closes_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)
        self.assertTrue(self.proposal.checklist.exists())

    def test_it_follows_the_rules_frozen_at_the_start(self):
        committee = make_committee("Quick", quorum_extensions=0, extension_hours=24)
        chair = make_member(committee, make_user("quick_chair"), role=Role.CHAIR)
        make_member(committee)
        proposal = make_proposal(committee, chair, state=State.DISCUSSION)
        self.proposal = actions.do_start_vote(proposal=proposal, actor=chair, at=self.started)
        committee.quorum_extensions = 3
        committee.save()

        self.close(SYSTEM, at=self.proposal.closes_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DEFERRED)
        self.assertEqual(self.proposal.vote_extensions, 0)

    def test_it_extends_by_the_committees_extension_hours(self):
        committee = make_committee("Quick", extension_hours=24)
        chair = make_member(committee, make_user("quick_chair"), role=Role.CHAIR)
        make_member(committee)
        proposal = make_proposal(committee, chair, state=State.DISCUSSION)
        self.proposal = actions.do_start_vote(proposal=proposal, actor=chair, at=self.started)
        deadline = self.proposal.closes_at

        self.close(SYSTEM, at=deadline)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertEqual(self.proposal.closes_at, deadline + datetime.timedelta(hours=24))


class ReturnToDiscussionTests(VotingTestCase):
    def test_it_keeps_the_old_votes_out_of_the_new_round(self):
        self.cast(self.member, 1)
        self.cast(self.other_member, 1)
        self.cast(self.third_member, -1, reason="Needs a migration plan.")
        actions.do_return_to_discussion(
            proposal=self.proposal, actor=self.chair, at=self.started + HOUR
        )
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)
        self.assertIsNone(self.proposal.closes_at)

        self.proposal = self.start_vote(self.proposal, at=self.started + 2 * HOUR)

        self.assertEqual(self.proposal.vote_round, 2)
        self.assertEqual(Vote.objects.filter(proposal=self.proposal, round=1).count(), 3)
        tally = tally_for(self.proposal)
        self.assertEqual((tally.eligible, tally.cast, tally.not_voted), (4, 0, 4))
        self.assertEqual(EligibleVoter.objects.filter(proposal=self.proposal, round=2).count(), 4)

    def test_it_opens_a_fresh_ballot_for_each_member(self):
        self.cast(self.member, -1, reason="Needs a migration plan.")
        actions.do_return_to_discussion(proposal=self.proposal, actor=self.chair)
        self.proposal = self.start_vote(self.proposal, at=self.started + HOUR)

        vote = self.cast(self.member, 1, at=self.started + 2 * HOUR)

        self.assertEqual(vote.round, 2)
        old = Vote.objects.get(proposal=self.proposal, round=1)
        self.assertEqual(old.value, -1)
        self.assertNotEqual(old.pk, vote.pk)
        event = self.events("vote.cast").last()
        self.assertEqual(event.payload["round"], 2)
        self.assertIsNone(event.payload["from"])
        self.assertFalse(self.events("vote.changed").exists())
        tally = tally_for(self.proposal)
        self.assertEqual((tally.yes, tally.no), (1, 0))

    def test_it_closes_the_new_round_by_the_new_votes_only(self):
        for member in (self.chair, self.member, self.other_member, self.third_member):
            self.cast(member, 1)
        actions.do_return_to_discussion(proposal=self.proposal, actor=self.chair)
        self.proposal = self.start_vote(self.proposal, at=self.started + HOUR)
        self.cast(self.member, 1, at=self.started + 2 * HOUR)

        self.close(SYSTEM, at=self.proposal.closes_at)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertEqual(self.proposal.vote_extensions, 1)
        event = self.events("proposal.close_vote").get()
        self.assertEqual(event.payload["round"], 2)
        self.assertEqual(event.payload["tally"]["yes"], 1)

    def test_it_records_the_revision_of_each_round(self):
        first = self.cast(self.member, 1)
        actions.do_return_to_discussion(proposal=self.proposal, actor=self.chair)
        actions.do_edit_proposal(
            proposal=self.proposal, actor=self.member, body="Archive after the 2.0 release."
        )
        self.proposal = self.start_vote(self.proposal, at=self.started + HOUR)

        second = self.cast(self.member, 1, at=self.started + 2 * HOUR)

        self.assertEqual(self.proposal.revision, 2)
        self.assertEqual((first.revision, second.revision), (1, 2))
        self.assertEqual(self.events("proposal.start_vote").last().payload["revision"], 2)

    def test_it_refuses_a_member_returning_a_proposal_to_discussion(self):
        self.cast(self.member, 1)

        with self.assertRaises(NotPermitted):
            actions.do_return_to_discussion(proposal=self.proposal, actor=self.member)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)
        self.assertEqual(self.proposal.vote_round, 1)
        self.assertFalse(self.events("proposal.return_to_discussion").exists())

    def test_it_keeps_membership_changes_out_of_the_old_round(self):
        actions.do_end_membership(
            membership=Membership.objects.get(user=self.third_member, committee=self.committee),
            actor=self.chair,
        )
        actions.do_return_to_discussion(proposal=self.proposal, actor=self.chair)

        self.proposal = self.start_vote(self.proposal, at=timezone.now())

        self.assertEqual(EligibleVoter.objects.filter(proposal=self.proposal, round=1).count(), 4)
        self.assertEqual(EligibleVoter.objects.filter(proposal=self.proposal, round=2).count(), 3)
