"""Mentions and watchers on real workers against Redis: a person mentioned in a comment
hears of it once however often it is edited, and each watcher hears of a comment once,
however often the drain and the deliveries run."""

from __future__ import annotations

from django.core import mail

from proposals import actions
from proposals.models import Notification, NotificationKind, OutboxMessage
from proposals.states import State
from proposals.tasks import deliver_notifications, drain_outbox
from tests.background.helpers import WorkerTestCase
from tests.factories import make_proposal


class DiscussionOnWorkersTests(WorkerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        self.watch.wait_idle()
        mail.outbox.clear()

    def run_everything_twice(self) -> None:
        """Besides the drain each commit queued: two more drains and every notification's
        delivery twice, on two workers."""
        drain_outbox.delay()
        drain_outbox.delay()
        self.watch.wait_idle()
        ids = list(Notification.objects.values_list("pk", flat=True))
        deliver_notifications.delay(ids)
        deliver_notifications.delay(ids)
        self.watch.wait_idle()

    def test_a_mention_is_delivered_once_across_edits(self):
        comment = actions.do_post_comment(
            proposal=self.proposal, actor=self.chair, body="@third_member, can Diego wait?"
        )
        self.run_everything_twice()
        for body in (
            "@third_member, can Diego wait a week?",
            "@third_member and @outsider, can Diego wait a week?",
            "@outsider: never mind. @third_member?",
        ):
            actions.do_edit_comment(comment=comment, actor=self.chair, body=body)
            self.run_everything_twice()

        self.assertEqual(
            self.sent_to("mentioned you"),
            {"third_member@example.org": 1, "outsider@example.org": 1},
        )
        self.assertEqual(
            Notification.objects.filter(
                kind=NotificationKind.MENTIONED, sent_at__isnull=False
            ).count(),
            2,
        )
        self.assertFalse(OutboxMessage.objects.filter(processed_at__isnull=True).exists())

    def test_each_watcher_is_told_of_a_comment_once_and_a_mentioned_one_once(self):
        actions.do_post_comment(proposal=self.proposal, actor=self.other_member, body="First.")
        actions.do_watch(proposal=self.proposal, actor=self.outsider)
        self.run_everything_twice()
        mail.outbox.clear()

        actions.do_post_comment(
            proposal=self.proposal, actor=self.chair, body="@other_member, see the new text."
        )
        self.run_everything_twice()

        # member proposed it, outsider pressed Watch, other_member commented and is
        # mentioned: one e-mail each, the mention for other_member; none for the chair.
        self.assertEqual(
            self.sent_to(),
            {"member@example.org": 1, "outsider@example.org": 1, "other_member@example.org": 1},
        )
        self.assertEqual(self.sent_to("mentioned you"), {"other_member@example.org": 1})
        self.assertEqual(set(Notification.objects.values_list("attempts", flat=True)), {1})
