import datetime

from pmc.models import Membership, Role
from proposals import actions
from proposals.errors import LifecycleError
from proposals.models import Event
from tests.base import LifecycleTestCase
from tests.factories import make_user


class MembershipTests(LifecycleTestCase):
    def test_it_gives_a_seat_and_records_it(self):
        newcomer = make_user("newcomer")

        membership = actions.do_add_member(
            committee=self.committee, user=newcomer, actor=self.chair, reason="Elected"
        )

        self.assertEqual(membership.role, Role.MEMBER)
        event = Event.objects.get(membership=membership)
        self.assertEqual(event.action, "membership.started")
        self.assertEqual(event.reason, "Elected")

    def test_it_refuses_a_second_open_seat_and_writes_nothing(self):
        events = Event.objects.count()

        with self.assertRaisesMessage(LifecycleError, "already holds a seat"):
            actions.do_add_member(committee=self.committee, user=self.member, actor=self.chair)

        self.assertEqual(Event.objects.count(), events)
        self.assertEqual(Membership.objects.filter(user=self.member).count(), 1)

    def test_it_ends_a_seat_without_deleting_it(self):
        membership = Membership.objects.get(user=self.member, committee=self.committee)
        ended_on = datetime.date.today()

        actions.do_end_membership(
            membership=membership, actor=self.chair, ended_on=ended_on, reason="Emeritus"
        )

        membership.refresh_from_db()
        self.assertEqual(membership.ended_on, ended_on)
        self.assertEqual(
            Event.objects.get(membership=membership, action="membership.ended").reason,
            "Emeritus",
        )
        self.assertFalse(Membership.objects.active().filter(user=self.member).exists())
