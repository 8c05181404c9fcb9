"""The Celery settings that the known traps call for (see STACK.md)."""

from __future__ import annotations

from django.conf import settings
from django.test import SimpleTestCase

from pmc.celery import app
from proposals import tasks


class CeleryConfigTests(SimpleTestCase):
    def test_it_bounds_every_wait_on_the_broker(self):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        self.assertLessEqual(options["socket_connect_timeout"], 5)
        self.assertLessEqual(options["socket_timeout"], 10)
        self.assertGreaterEqual(options["visibility_timeout"], 3600)
        self.assertTrue(app.conf.broker_connection_retry_on_startup)

    def test_it_takes_one_task_at_a_time_and_requeues_those_of_a_lost_worker(self):
        self.assertEqual(app.conf.worker_prefetch_multiplier, 1)
        self.assertTrue(app.conf.task_reject_on_worker_lost)
        self.assertTrue(app.conf.task_eager_propagates)
        self.assertFalse(app.conf.task_acks_late)

    def test_it_acknowledges_late_only_the_idempotent_tasks(self):
        late = {
            name
            for name, task in app.tasks.items()
            if name.startswith("proposals.") and task.acks_late
        }
        self.assertEqual(
            late,
            {
                "proposals.tasks.close_expired_votes",
                "proposals.tasks.drain_outbox",
                "proposals.tasks.deliver_notifications",
                "proposals.tasks.deliver_webhooks",
                "proposals.tasks.send_vote_reminders",
                "proposals.tasks.send_chair_digests",
            },
        )
        self.assertFalse(tasks.verify_audit.acks_late)
        self.assertFalse(tasks.sign_audit_checkpoint.acks_late)

    def test_it_schedules_every_job_on_beat_and_none_with_a_delay(self):
        schedule = app.conf.beat_schedule
        self.assertEqual(
            {entry["task"] for entry in schedule.values()},
            {
                "proposals.tasks.close_expired_votes",
                "proposals.tasks.drain_outbox",
                "proposals.tasks.deliver_webhooks",
                "proposals.tasks.send_vote_reminders",
                "proposals.tasks.send_chair_digests",
                "proposals.tasks.verify_audit",
                "proposals.tasks.sign_audit_checkpoint",
                "proposals.tasks.sweep_audit_jobs",
            },
        )
        self.assertEqual(schedule["sign-audit-checkpoint"]["schedule"], 300.0)
        self.assertEqual(schedule["close-expired-votes"]["schedule"], 60.0)
        for entry in schedule.values():
            self.assertNotIn("countdown", entry.get("options", {}))
            self.assertNotIn("eta", entry.get("options", {}))
        self.assertEqual(app.conf.beat_scheduler, "pmc.celery:HeartbeatScheduler")
