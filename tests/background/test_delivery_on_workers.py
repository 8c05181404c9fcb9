"""Each member gets each notification once, however often the tasks run, on real workers."""

from __future__ import annotations

import datetime

from proposals import actions, notifications
from proposals.models import Notification, NotificationKind, OutboxMessage
from proposals.states import State
from proposals.tasks import deliver_notifications, drain_outbox
from tests.background.helpers import WorkerTestCase
from tests.factories import make_proposal

OTHERS = {f"{n}@example.org": 1 for n in ["chair", "other_member", "third_member"]}


class DeliveryOnWorkersTests(WorkerTestCase):
    def test_it_delivers_an_event_once_when_the_drain_and_delivery_run_again(self):
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)
        # Besides the drain the commit queued: two more at once, on two workers.
        drain_outbox.delay()
        drain_outbox.delay()
        self.watch.wait_idle()
        ids = list(Notification.objects.values_list("pk", flat=True))

        deliver_notifications.delay(ids)
        deliver_notifications.delay(ids)
        self.watch.wait_idle()

        self.assertEqual(self.sent_to("Submitted"), OTHERS)
        self.assertEqual(len(ids), 3)
        self.assertEqual(set(Notification.objects.values_list("attempts", flat=True)), {1})
        self.assertGreaterEqual(self.watch.finished["proposals.tasks.drain_outbox"], 2)
        self.assertGreaterEqual(self.watch.finished["proposals.tasks.deliver_notifications"], 3)
        self.assertFalse(OutboxMessage.objects.filter(processed_at__isnull=True).exists())

    def test_it_sends_a_reminder_once_when_its_delivery_task_runs_twice(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        self.watch.wait_idle()
        created = notifications.create_vote_reminders(
            now=proposal.closes_at - datetime.timedelta(hours=1)
        )
        ids = list(
            Notification.objects.filter(kind=NotificationKind.REMINDER).values_list("pk", flat=True)
        )

        for _ in range(2):
            deliver_notifications.delay(ids)
        drain_outbox.delay()
        self.watch.wait_idle()

        self.assertEqual(created, 4)
        self.assertEqual(
            self.sent_to("Reminder"),
            {f"{n}@example.org": 1 for n in ["chair", "member", "other_member", "third_member"]},
        )
