"""Who may do what: each action for anonymous visitors, outsiders, members of another
committee, members, the proposer and the chair. A refusal writes nothing."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from pmc.models import Membership, Role
from proposals import actions
from proposals.actors import IMPORT, SYSTEM
from proposals.errors import NotPermitted, VoteRefused
from proposals.models import ChecklistItem, Event, Proposal, Vote
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_member, make_proposal, make_user

ACTORS = ("anonymous", "outsider", "foreign_member", "member", "proposer", "chair")

# transition: (the state it starts from, the state it leads to, who may run it)
TRANSITIONS = {
    "submit": (State.DRAFT, State.DISCUSSION, {"proposer"}),
    "start_vote": (State.DISCUSSION, State.VOTING, {"chair"}),
    "close_vote": (State.VOTING, State.ACCEPTED, {"chair"}),
    "return_to_discussion": (State.VOTING, State.DISCUSSION, {"chair"}),
    "complete": (State.ACCEPTED, State.COMPLETED, {"chair"}),
    "decide": (State.DISCUSSION, State.ACCEPTED, {"chair"}),
    "withdraw": (State.DRAFT, State.WITHDRAWN, {"proposer"}),
    "defer": (State.DISCUSSION, State.DEFERRED, {"chair"}),
    "resume": (State.DEFERRED, State.DISCUSSION, {"chair", "proposer"}),
}


class PermissionTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Held today: a decision recorded now is taken in a meeting held since filing.
        cls.meeting = make_meeting(cls.committee, timezone.localdate())

    def actor(self, name: str):
        if name == "anonymous":
            return AnonymousUser()
        if name == "proposer":
            return self.member
        if name == "member":
            return self.other_member
        return getattr(self, name)

    def make(self, state: str, **fields) -> Proposal:
        return make_proposal(self.committee, self.member, state=state, chair=self.chair, **fields)

    def start_vote(self, hours_ago: float = 0) -> Proposal:
        proposal = self.make(State.DISCUSSION)
        at = timezone.now() - datetime.timedelta(hours=hours_ago)
        return actions.do_start_vote(proposal=proposal, actor=self.chair, at=at)

    def everyone_votes(self, proposal: Proposal, at=None) -> None:
        for voter in (self.chair, self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1, at=at)

    def ready(self, name: str) -> Proposal:
        """A proposal from which `name` can run, given the right actor."""
        source = TRANSITIONS[name][0]
        if name == "close_vote":
            proposal = self.start_vote()
            self.everyone_votes(proposal)
            return proposal
        proposal = self.make(source)
        if name == "complete":
            for item in proposal.checklist.to_do():
                actions.do_set_checklist_item(item=item, actor=self.chair)
        return proposal

    def attempt(self, name: str, proposal: Proposal, actor):
        kwargs = {"accepted": True, "meeting": self.meeting} if name == "decide" else {}
        return getattr(actions, f"do_{name}")(proposal=proposal, actor=actor, **kwargs)

    def assertRefused(self, call, error=NotPermitted):
        """`call` raises `error` and writes no event."""
        events = Event.objects.count()
        with self.assertRaises(error) as caught:
            call()
        self.assertEqual(Event.objects.count(), events)
        return caught.exception


class TransitionPermissionTests(PermissionTestCase):
    def test_it_lets_only_the_right_roles_run_each_transition(self):
        for name, (source, target, allowed) in TRANSITIONS.items():
            for who in ACTORS:
                with self.subTest(transition=name, actor=who):
                    proposal = self.ready(name)

                    if who in allowed:
                        self.attempt(name, proposal, self.actor(who))
                        proposal.refresh_from_db()
                        self.assertEqual(proposal.state, target)
                        self.assertTrue(proposal.events.filter(action=f"proposal.{name}").exists())
                    else:
                        error = self.assertRefused(
                            lambda n=name, p=proposal, w=who: self.attempt(n, p, self.actor(w))
                        )
                        self.assertTrue(error.message.startswith("Only "), error.message)
                        proposal.refresh_from_db()
                        self.assertEqual(proposal.state, source)

    def test_it_lets_the_proposer_withdraw_from_discussion_and_voting(self):
        for state in (State.DISCUSSION, State.VOTING):
            for who in ACTORS:
                with self.subTest(state=state, actor=who):
                    proposal = self.make(state)

                    if who == "proposer":
                        actions.do_withdraw(proposal=proposal, actor=self.member)
                        expected = State.WITHDRAWN
                    else:
                        self.assertRefused(
                            lambda p=proposal, w=who: actions.do_withdraw(
                                proposal=p, actor=self.actor(w)
                            )
                        )
                        expected = state
                    proposal.refresh_from_db()
                    self.assertEqual(proposal.state, expected)

    def test_it_refuses_a_submit_from_a_proposer_who_left_the_committee(self):
        proposal = self.make(State.DRAFT)
        Membership.objects.filter(user=self.member).update(ended_on=timezone.localdate())

        self.assertRefused(lambda: actions.do_submit(proposal=proposal, actor=self.member))

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DRAFT)

    def test_it_refuses_the_chair_of_another_committee(self):
        foreign_chair = make_member(self.other_committee, make_user("foreign_chair"), Role.CHAIR)
        for name in ("start_vote", "defer", "decide"):
            with self.subTest(transition=name):
                proposal = self.make(State.DISCUSSION)

                self.assertRefused(lambda n=name, p=proposal: self.attempt(n, p, foreign_chair))

                proposal.refresh_from_db()
                self.assertEqual(proposal.state, State.DISCUSSION)

    def test_it_lets_the_system_run_every_transition_but_return_to_discussion(self):
        for name, (source, target, _) in TRANSITIONS.items():
            if name == "close_vote":
                continue
            with self.subTest(transition=name):
                proposal = self.ready(name)

                if name == "return_to_discussion":
                    self.assertRefused(lambda n=name, p=proposal: self.attempt(n, p, SYSTEM))
                    expected = source
                else:
                    self.attempt(name, proposal, SYSTEM)
                    expected = target
                proposal.refresh_from_db()
                self.assertEqual(proposal.state, expected)


class CloseVotePermissionTests(PermissionTestCase):
    def test_it_refuses_the_chair_before_the_result_is_settled(self):
        proposal = self.start_vote()
        actions.do_cast_vote(proposal=proposal, actor=self.member, value=1)

        error = self.assertRefused(
            lambda: actions.do_close_vote(proposal=proposal, actor=self.chair)
        )

        self.assertIn("chair", error.message)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)

    def test_it_lets_the_chair_close_once_the_remaining_ballots_cannot_change_it(self):
        proposal = self.start_vote()
        for voter in (self.chair, self.member, self.other_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)

        actions.do_close_vote(proposal=proposal, actor=self.chair)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)

    def test_it_lets_the_system_close_only_after_the_deadline(self):
        open_vote = self.start_vote()
        self.everyone_votes(open_vote)

        self.assertRefused(lambda: actions.do_close_vote(proposal=open_vote, actor=SYSTEM))
        open_vote.refresh_from_db()
        self.assertEqual(open_vote.state, State.VOTING)

        past_deadline = self.start_vote(hours_ago=73)
        self.everyone_votes(past_deadline, at=past_deadline.vote_started_at)

        actions.do_close_vote(proposal=past_deadline, actor=SYSTEM)

        past_deadline.refresh_from_db()
        self.assertEqual(past_deadline.state, State.ACCEPTED)
        event = past_deadline.events.last()
        self.assertIsNone(event.actor)
        self.assertEqual(event.actor_name, "system:system")

    def test_it_lets_the_chair_close_after_the_deadline_but_no_other_member(self):
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.start_vote(hours_ago=73)
                self.everyone_votes(proposal, at=proposal.vote_started_at)

                if who == "chair":
                    actions.do_close_vote(proposal=proposal, actor=self.chair)
                    expected = State.ACCEPTED
                else:
                    self.assertRefused(
                        lambda p=proposal, w=who: actions.do_close_vote(
                            proposal=p, actor=self.actor(w)
                        )
                    )
                    expected = State.VOTING
                proposal.refresh_from_db()
                self.assertEqual(proposal.state, expected)


class CreateProposalPermissionTests(PermissionTestCase):
    def create(self, actor):
        return actions.do_create_proposal(
            actor=actor, committee=self.committee, kind="other", title="Adopt a code of conduct"
        )

    def test_it_lets_members_of_the_committee_file_proposals(self):
        for who in ("member", "proposer", "chair"):
            with self.subTest(actor=who):
                proposal = self.create(self.actor(who))

                self.assertEqual(proposal.state, State.DRAFT)
                self.assertEqual(proposal.proposer, self.actor(who))
                self.assertEqual(proposal.events.get().action, "proposal.created")

    def test_it_refuses_everyone_else(self):
        for who in ("anonymous", "outsider", "foreign_member"):
            with self.subTest(actor=who):
                proposals = Proposal.objects.count()

                self.assertRefused(lambda w=who: self.create(self.actor(w)))

                self.assertEqual(Proposal.objects.count(), proposals)

    def test_it_lets_the_import_file_proposals_without_a_proposer(self):
        proposal = self.create(IMPORT)

        self.assertIsNone(proposal.proposer)
        self.assertEqual(proposal.events.get().actor_name, "system:import")


class EditProposalPermissionTests(PermissionTestCase):
    def test_it_lets_the_proposer_and_the_chair_edit(self):
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.make(State.DISCUSSION, title="Old title")

                if who in ("proposer", "chair"):
                    actions.do_edit_proposal(
                        proposal=proposal, actor=self.actor(who), title="New title"
                    )
                    expected = ("New title", 2)
                else:
                    self.assertRefused(
                        lambda p=proposal, w=who: actions.do_edit_proposal(
                            proposal=p, actor=self.actor(w), title="New title"
                        )
                    )
                    expected = ("Old title", 1)
                proposal.refresh_from_db()
                self.assertEqual((proposal.title, proposal.revision), expected)


class CastVotePermissionTests(PermissionTestCase):
    def test_it_lets_members_of_the_committee_vote(self):
        proposal = self.start_vote()
        for who in ACTORS:
            with self.subTest(actor=who):
                votes = Vote.objects.count()

                if who in ("member", "proposer", "chair"):
                    vote = actions.do_cast_vote(proposal=proposal, actor=self.actor(who), value=1)
                    self.assertTrue(vote.binding)
                    self.assertEqual(Vote.objects.count(), votes + 1)
                    self.assertEqual(proposal.events.last().action, "vote.cast")
                else:
                    self.assertRefused(
                        lambda w=who: actions.do_cast_vote(
                            proposal=proposal, actor=self.actor(w), value=1
                        )
                    )
                    self.assertEqual(Vote.objects.count(), votes)

    def test_it_refuses_recusals_from_non_members(self):
        proposal = self.start_vote()
        for who in ("anonymous", "outsider", "foreign_member"):
            with self.subTest(actor=who):
                self.assertRefused(
                    lambda w=who: actions.do_recuse(proposal=proposal, actor=self.actor(w))
                )
        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())

    def test_it_refuses_a_member_whose_seat_ended_before_the_vote(self):
        Membership.objects.filter(user=self.third_member).update(ended_on=timezone.localdate())
        proposal = self.start_vote()

        self.assertRefused(
            lambda: actions.do_cast_vote(proposal=proposal, actor=self.third_member, value=1)
        )

        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())

    def test_it_keeps_the_binding_vote_of_a_voter_whose_seat_ended_during_the_vote(self):
        proposal = self.start_vote()
        Membership.objects.filter(user=self.third_member).update(ended_on=timezone.localdate())

        vote = actions.do_cast_vote(proposal=proposal, actor=self.third_member, value=1)

        self.assertTrue(vote.binding)

    def test_it_records_a_latecomer_vote_as_non_binding(self):
        proposal = self.start_vote()
        latecomer = make_member(self.committee, make_user("latecomer"))

        vote = actions.do_cast_vote(proposal=proposal, actor=latecomer, value=1)

        self.assertFalse(vote.binding)

    def test_it_refuses_votes_when_no_vote_is_open(self):
        for state in (State.DISCUSSION, State.ACCEPTED, State.WITHDRAWN):
            with self.subTest(state=state):
                proposal = self.make(state)

                self.assertRefused(
                    lambda p=proposal: actions.do_cast_vote(proposal=p, actor=self.chair, value=1),
                    VoteRefused,
                )

                self.assertFalse(Vote.objects.filter(proposal=proposal).exists())

    def test_it_refuses_votes_after_the_deadline(self):
        proposal = self.start_vote(hours_ago=73)

        error = self.assertRefused(
            lambda: actions.do_cast_vote(proposal=proposal, actor=self.member, value=1),
            VoteRefused,
        )

        self.assertIn("closed", error.message)
        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())

    def test_it_refuses_a_minus_one_without_a_reason(self):
        proposal = self.start_vote()

        self.assertRefused(
            lambda: actions.do_cast_vote(proposal=proposal, actor=self.member, value=-1),
            VoteRefused,
        )

        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())


class ChecklistPermissionTests(PermissionTestCase):
    def test_it_lets_the_owner_and_the_chair_tick_an_item(self):
        proposal = self.make(State.ACCEPTED)
        for who in ACTORS:
            with self.subTest(actor=who):
                item = proposal.checklist.to_do().first()
                self.assertEqual(item.owner, self.member)

                if who in ("proposer", "chair"):
                    actions.do_set_checklist_item(item=item, actor=self.actor(who))
                    item.refresh_from_db()
                    self.assertTrue(item.done)
                    self.assertEqual(item.done_by, self.actor(who))
                else:
                    self.assertRefused(
                        lambda i=item, w=who: actions.do_set_checklist_item(
                            item=i, actor=self.actor(w)
                        )
                    )
                    item.refresh_from_db()
                    self.assertFalse(item.done)

    def test_it_refuses_the_proposer_an_item_owned_by_someone_else(self):
        proposal = self.make(State.ACCEPTED)
        item = proposal.checklist.first()
        ChecklistItem.objects.filter(pk=item.pk).update(owner=self.other_member)

        self.assertRefused(lambda: actions.do_set_checklist_item(item=item, actor=self.member))
        actions.do_set_checklist_item(item=item, actor=self.other_member)

        item.refresh_from_db()
        self.assertEqual(item.done_by, self.other_member)


class MembershipPermissionTests(PermissionTestCase):
    def test_it_lets_only_the_chair_add_members(self):
        for who in ACTORS:
            with self.subTest(actor=who):
                newcomer = make_user(f"newcomer_{who}")

                if who == "chair":
                    membership = actions.do_add_member(
                        committee=self.committee, user=newcomer, actor=self.chair
                    )
                    self.assertEqual(membership.role, Role.MEMBER)
                    self.assertEqual(
                        Event.objects.filter(membership=membership).get().action,
                        "membership.started",
                    )
                else:
                    self.assertRefused(
                        lambda u=newcomer, w=who: actions.do_add_member(
                            committee=self.committee, user=u, actor=self.actor(w)
                        )
                    )
                    self.assertFalse(Membership.objects.filter(user=newcomer).exists())

    def test_it_lets_only_the_chair_end_a_membership(self):
        for who in ACTORS:
            with self.subTest(actor=who):
                seat = make_member(self.committee, make_user(f"seated_{who}"))
                membership = Membership.objects.get(user=seat)

                if who == "chair":
                    actions.do_end_membership(membership=membership, actor=self.chair)
                    membership.refresh_from_db()
                    self.assertEqual(membership.ended_on, timezone.localdate())
                    self.assertEqual(
                        Event.objects.filter(membership=membership).latest("id").action,
                        "membership.ended",
                    )
                else:
                    self.assertRefused(
                        lambda m=membership, w=who: actions.do_end_membership(
                            membership=m, actor=self.actor(w)
                        )
                    )
                    membership.refresh_from_db()
                    self.assertIsNone(membership.ended_on)

    def test_it_refuses_the_chair_of_another_committee(self):
        foreign_chair = make_member(self.other_committee, make_user("foreign_chair"), Role.CHAIR)
        newcomer = make_user("newcomer")
        membership = Membership.objects.get(user=self.third_member)

        self.assertRefused(
            lambda: actions.do_add_member(
                committee=self.committee, user=newcomer, actor=foreign_chair
            )
        )
        self.assertRefused(
            lambda: actions.do_end_membership(membership=membership, actor=foreign_chair)
        )

        self.assertFalse(Membership.objects.filter(user=newcomer).exists())
        membership.refresh_from_db()
        self.assertIsNone(membership.ended_on)

    def test_it_lets_administrators_and_the_system_change_seats(self):
        admin = make_user("admin", is_superuser=True)
        for actor in (admin, SYSTEM):
            with self.subTest(actor=str(actor)):
                newcomer = make_user()

                membership = actions.do_add_member(
                    committee=self.committee, user=newcomer, actor=actor
                )
                actions.do_end_membership(membership=membership, actor=actor)

                membership.refresh_from_db()
                self.assertIsNotNone(membership.ended_on)
