"""Reminders: one per eligible voter who has not voted, a set time before the deadline."""

from __future__ import annotations

import datetime

from django.core import mail
from django.test import override_settings

from proposals import actions, notifications
from proposals.models import Notification, NotificationKind, NotificationPreference
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user

HOUR = datetime.timedelta(hours=1)


class ReminderTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.proposal = make_proposal(
            self.committee, self.member, state=State.VOTING, chair=self.chair, title="Attic"
        )
        notifications.drain_outbox()  # the announcements of the vote
        mail.outbox.clear()
        self.closes_at = self.proposal.closes_at

    def remind(self, before_close: datetime.timedelta) -> int:
        created = notifications.create_vote_reminders(now=self.closes_at - before_close)
        notifications.drain_outbox()
        return created

    def reminded(self) -> list[str]:
        return sorted(m.to[0] for m in mail.outbox)

    def test_it_reminds_those_who_have_not_voted_once(self):
        actions.do_cast_vote(proposal=self.proposal, actor=self.member, value=1)

        self.assertEqual(self.remind(23 * HOUR), 3)
        self.assertEqual(self.remind(12 * HOUR), 0)
        self.assertEqual(self.remind(1 * HOUR), 0)

        self.assertEqual(
            self.reminded(),
            ["chair@example.org", "other_member@example.org", "third_member@example.org"],
        )
        message = mail.outbox[0]
        self.assertEqual(message.subject, '[Runtime] Reminder: the vote on "Attic" closes soon')
        self.assertIn("(in about 23 hours), and you have not voted yet", message.body)
        self.assertEqual(Notification.objects.filter(kind=NotificationKind.REMINDER).count(), 3)

    def test_it_waits_until_the_lead_time_and_stops_at_the_deadline(self):
        self.assertEqual(self.remind(25 * HOUR), 0)
        self.assertEqual(self.remind(-HOUR), 0)
        self.assertEqual(self.reminded(), [])

    @override_settings(PMC_REMINDER_HOURS=48)
    def test_it_takes_the_lead_time_from_the_settings(self):
        self.assertEqual(self.remind(47 * HOUR), 4)

    def test_it_reminds_only_eligible_voters_who_want_reminders(self):
        make_member(self.committee, make_user("joined_late"))  # votes non-binding
        NotificationPreference.objects.create(
            user=self.third_member, kind=NotificationKind.REMINDER, enabled=False
        )
        actions.do_recuse(proposal=self.proposal, actor=self.other_member)

        self.remind(2 * HOUR)

        self.assertEqual(self.reminded(), ["chair@example.org", "member@example.org"])

    def test_it_reminds_again_before_the_deadline_of_an_extension(self):
        self.remind(2 * HOUR)
        actions.do_close_vote(proposal=self.proposal, actor=self.chair, at=self.closes_at + HOUR)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.vote_extensions, 1)
        self.closes_at = self.proposal.closes_at
        mail.outbox.clear()

        self.remind(2 * HOUR)

        reminders = [m for m in mail.outbox if "Reminder" in m.subject]
        self.assertEqual(len(reminders), 4)
