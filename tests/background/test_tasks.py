"""The tasks are thin: run eagerly, each calls its job and reports what it did."""

from __future__ import annotations

import datetime

from django.core import mail
from django.utils import timezone

from proposals import actions, tasks
from proposals.models import AuditCheck, Notification
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_accepted_long_ago, make_proposal


class EagerTaskTests(LifecycleTestCase):
    def test_verify_audit_stores_a_check(self):
        make_proposal(self.committee, self.member, state=State.DISCUSSION)

        self.assertTrue(tasks.verify_audit.apply().get())

        check = AuditCheck.objects.get()
        self.assertTrue(check.ok)
        self.assertGreater(check.events, 0)

    def test_the_sweep_reminders_and_digest_tasks_run_their_jobs(self):
        started = timezone.now() - datetime.timedelta(days=4)
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_start_vote(proposal=proposal, actor=self.chair, at=started)
        make_accepted_long_ago(self.committee, self.member, chair=self.chair)

        self.assertEqual(tasks.close_expired_votes.apply().get(), 1)  # extended: no quorum
        self.assertEqual(tasks.send_vote_reminders.apply().get(), 0)  # 72 h away again
        self.assertEqual(tasks.send_chair_digests.apply().get(), 1)
        self.assertEqual(tasks.deliver_notifications.apply(args=[[]]).get(), 0)
        ids = list(Notification.objects.values_list("pk", flat=True))
        self.assertEqual(tasks.deliver_notifications.apply(args=[ids]).get(), 1)
        self.assertEqual([m.subject.split(":")[0] for m in mail.outbox], ["Checklists overdue"])
