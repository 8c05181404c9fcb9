"""A proxy vote's notice reaches the member it was recorded for, and no one else, once,
on real workers."""

from __future__ import annotations

from proposals import actions
from proposals.models import Notification, NotificationKind
from proposals.states import State
from proposals.tasks import drain_outbox
from tests.background.helpers import WorkerTestCase
from tests.factories import make_proposal


class ProxyVoteNoticeTests(WorkerTestCase):
    def test_the_member_alone_gets_the_notice_once(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        self.watch.wait_idle()

        actions.do_record_proxy_vote(
            proposal=proposal,
            actor=self.chair,
            voter=self.other_member,
            value=1,
            note="In the meeting of 2026-12-01",
        )
        drain_outbox.delay()  # besides the drain the commit queued
        self.watch.wait_idle()

        self.assertEqual(
            self.sent_to("Your vote was recorded by the chair"), {"other_member@example.org": 1}
        )
        self.assertEqual(
            list(
                Notification.objects.filter(kind=NotificationKind.PROXY_VOTE).values_list(
                    "user__username", flat=True
                )
            ),
            ["other_member"],
        )
