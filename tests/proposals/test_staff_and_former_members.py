"""Administrators and former members hold no committee powers by being who they are."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from pmc.models import Membership
from proposals import actions
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Event, Vote
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal


class SuperuserWithoutSeatTests(LifecycleTestCase):
    def setUp(self):
        self.root = get_user_model().objects.create_superuser("root", "root@example.org", "pw")

    def test_it_refuses_a_vote_from_an_administrator_without_a_seat(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)

        with self.assertRaises(NotPermitted):
            actions.do_cast_vote(proposal=proposal, actor=self.root, value=1)

        self.assertFalse(Vote.objects.exists())

    def test_it_refuses_an_edit_from_an_administrator_without_a_seat(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)

        with self.assertRaises(NotPermitted):
            actions.do_edit_proposal(proposal=proposal, actor=self.root, title="Taken over")

        proposal.refresh_from_db()
        self.assertNotEqual(proposal.title, "Taken over")


class FormerProposerTests(LifecycleTestCase):
    def setUp(self):
        self.proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        seat = Membership.objects.get(user=self.member, committee=self.committee)
        actions.do_end_membership(membership=seat, actor=self.chair)
        self.events = Event.objects.count()

    def test_it_refuses_a_withdrawal_by_a_proposer_whose_seat_ended(self):
        with self.assertRaises(NotPermitted):
            actions.do_withdraw(proposal=self.proposal, actor=self.member)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)
        self.assertEqual(Event.objects.count(), self.events)

    def test_it_refuses_an_edit_by_a_proposer_whose_seat_ended(self):
        with self.assertRaises(NotPermitted):
            actions.do_edit_proposal(proposal=self.proposal, actor=self.member, title="Mine")

        self.assertEqual(Event.objects.count(), self.events)


class OverlappingSeatTests(LifecycleTestCase):
    def test_it_refuses_a_seat_that_overlaps_one_ending_later(self):
        seat = Membership.objects.get(user=self.member, committee=self.committee)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        actions.do_end_membership(membership=seat, actor=self.chair, ended_on=tomorrow)

        with self.assertRaisesMessage(LifecycleError, "already holds a seat"):
            actions.do_add_member(committee=self.committee, user=self.member, actor=self.chair)

        self.assertEqual(Membership.objects.filter(user=self.member).count(), 1)

    def test_it_gives_a_new_seat_from_the_day_the_old_one_ends(self):
        seat = Membership.objects.get(user=self.member, committee=self.committee)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        actions.do_end_membership(membership=seat, actor=self.chair, ended_on=tomorrow)

        actions.do_add_member(
            committee=self.committee, user=self.member, actor=self.chair, started_on=tomorrow
        )

        self.assertEqual(Membership.objects.filter(user=self.member).count(), 2)


class FormerChecklistOwnerTests(LifecycleTestCase):
    def setUp(self):
        self.proposal = make_proposal(
            self.committee, self.member, state=State.ACCEPTED, chair=self.chair
        )
        self.item = self.proposal.checklist.get(position=0)
        seat = Membership.objects.get(user=self.member, committee=self.committee)
        actions.do_end_membership(membership=seat, actor=self.chair)
        self.events = Event.objects.count()

    def test_it_refuses_a_tick_by_an_owner_whose_seat_ended(self):
        self.assertEqual(self.item.owner, self.member)

        with self.assertRaises(NotPermitted):
            actions.do_set_checklist_item(item=self.item, actor=self.member)

        self.item.refresh_from_db()
        self.assertFalse(self.item.done)
        self.assertEqual(Event.objects.count(), self.events)

    def test_it_offers_no_tick_button_to_an_owner_whose_seat_ended(self):
        self.client.force_login(self.member)

        page = self.client.get(self.proposal.get_absolute_url())

        self.assertNotContains(page, "Mark done")

    def test_the_chair_still_ticks_the_former_owners_item(self):
        actions.do_set_checklist_item(item=self.item, actor=self.chair)

        self.item.refresh_from_db()
        self.assertTrue(self.item.done)
