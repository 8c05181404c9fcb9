"""The chairs' daily digest of accepted proposals whose checklists are overdue."""

from __future__ import annotations

import datetime

from django.core import mail
from django.test import override_settings
from django.utils import timezone

from pmc.models import Role
from proposals import actions, notifications
from proposals.models import NotificationKind, NotificationPreference
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import (
    make_accepted_long_ago,
    make_meeting,
    make_member,
    make_proposal,
    make_user,
)


class ChairDigestTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Decided in the meeting of 2017-05-16: long overdue.
        self.overdue = make_accepted_long_ago(
            self.committee, self.member, chair=self.chair, title="Attic it"
        )
        first = self.overdue.checklist.order_by("position").first()
        actions.do_set_checklist_item(item=first, actor=self.chair)
        notifications.drain_outbox()
        mail.outbox.clear()

    def digest(self, now=None) -> int:
        created = notifications.create_chair_digests(now=now)
        notifications.drain_outbox()
        return created

    def test_it_lists_the_overdue_items_with_their_owners_for_the_chair(self):
        self.assertEqual(self.digest(), 1)

        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["chair@example.org"])
        day = timezone.localdate().isoformat()
        self.assertEqual(message.subject, f"Checklists overdue: Runtime ({day})")
        body = message.body
        self.assertIn("accepted more than 14 days ago", body)
        self.assertIn("Runtime PMC", body)
        self.assertIn("* Attic it (accepted 2017-05-16)", body)
        self.assertIn(f"http://127.0.0.1:8000/proposals/{self.overdue.pk}/", body)
        # The project list is the system's to update, on completion: asked of nobody.
        self.assertNotIn("Move the project to the attic in the project list", body)
        self.assertIn("  [ ] Announce the move on the mailing list (owner: member)", body)
        self.assertNotIn("Archive the repositories", body)  # ticked

    def test_it_sends_one_digest_a_day(self):
        now = timezone.now()
        self.assertEqual(self.digest(now), 1)
        self.assertEqual(self.digest(now + datetime.timedelta(hours=1)), 0)
        self.assertEqual(len(mail.outbox), 1)

        self.assertEqual(self.digest(now + datetime.timedelta(days=1)), 1)
        self.assertEqual(len(mail.outbox), 2)

    def test_it_leaves_out_recent_and_finished_proposals_and_other_committees(self):
        recent = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_decide(
            proposal=recent,
            actor=self.chair,
            accepted=True,
            meeting=make_meeting(self.committee, datetime.date.today()),
            at=timezone.now() - datetime.timedelta(days=3),
        )
        foreign_chair = make_member(self.other_committee, make_user("foreign_chair"), Role.CHAIR)
        for item in self.overdue.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.chair)
        notifications.drain_outbox()
        mail.outbox.clear()

        self.assertEqual(self.digest(), 0)
        self.assertEqual(mail.outbox, [])
        self.assertIsNotNone(foreign_chair)

    @override_settings(PMC_CHECKLIST_OVERDUE_DAYS=2)
    def test_it_takes_the_overdue_period_from_the_settings(self):
        recent = make_proposal(self.committee, self.member, state=State.DISCUSSION, title="New")
        actions.do_decide(
            proposal=recent,
            actor=self.chair,
            accepted=True,
            meeting=make_meeting(self.committee, datetime.date.today()),
            at=timezone.now() - datetime.timedelta(days=3),
        )

        self.digest()

        (digest,) = [m for m in mail.outbox if m.subject.startswith("Checklists overdue")]
        self.assertIn("* New (accepted", digest.body)
        self.assertIn("accepted more than 2 days ago", digest.body)

    def test_it_is_not_sent_to_a_chair_who_turned_it_off(self):
        NotificationPreference.objects.create(
            user=self.chair, kind=NotificationKind.DIGEST, enabled=False
        )

        self.assertEqual(self.digest(), 0)
        self.assertEqual(mail.outbox, [])
