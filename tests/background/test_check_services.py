"""`manage.py check_services`: the database, Redis, the workers and beat, or the embedded
jobs thread; exits non-zero when a required one is down."""

from __future__ import annotations

import datetime
import tempfile
import time
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from pmc import services
from pmc.celery import HeartbeatScheduler, app
from proposals import actions, embedded
from proposals.models import OutboxMessage, ScheduledRun
from tests.background.helpers import (
    CLOSED_PORT_BROKER,
    TEST_BROKER,
    WorkerTestCase,
    broker_at,
)
from tests.base import LifecycleTestCase
from tests.factories import make_proposal


def check_services(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("check_services", *args, stdout=out, stderr=err, no_color=True)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def start_beat_scheduler() -> HeartbeatScheduler:
    """Beat's scheduler, as `celery -A pmc beat` runs it, for one tick."""
    folder = Path(tempfile.mkdtemp())
    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(folder / "schedule"))
    scheduler.tick()
    scheduler.close()
    return scheduler


class CheckServicesWithRedisTests(WorkerTestCase):
    worker_count = 1

    def test_it_reports_everything_up_with_a_worker_and_beat(self):
        start_beat_scheduler()

        code, out, err = check_services("--timeout", "0.5")

        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, r"database\s+ok\s+\w+: answered in \d+ ms")
        self.assertRegex(out, r"redis\s+ok\s+redis://127.0.0.1:6379/15: answered PING")
        self.assertRegex(out, r"worker\s+ok\s+1 worker\(s\) answered: test-worker-0@localhost")
        self.assertRegex(out, r"beat\s+ok\s+last heartbeat \d+ s ago")
        self.assertRegex(out, r"outbox\s+ok\s+nothing waiting longer than 10 min")

    def test_it_reports_beat_down_without_a_heartbeat(self):
        with services.redis_client() as client:
            client.delete(services.beat_heartbeat_key())

        code, out, err = check_services("--timeout", "0.5")

        self.assertEqual(code, 1)
        self.assertRegex(out, r"beat\s+DOWN\s+no heartbeat")
        self.assertIn("Down: beat.", err)

    def test_it_reports_a_stale_beat_heartbeat(self):
        with services.redis_client() as client:
            client.set(services.beat_heartbeat_key(), f"{time.time() - 600:.3f}")

        code, out, _ = check_services("--timeout", "0.5")

        self.assertEqual(code, 1)
        self.assertRegex(out, r"beat\s+DOWN\s+last heartbeat 60\d s ago \(stale\)")

    def test_it_warns_about_a_backed_up_outbox_without_failing(self):
        start_beat_scheduler()
        proposal = make_proposal(self.committee, self.member)
        with broker_at("memory://"):  # queues no drain: the row waits
            actions.do_submit(proposal=proposal, actor=self.member)
        OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))

        code, out, _ = check_services("--timeout", "0.5")

        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"outbox\s+WARN\s+backing up: work waiting for 60 min")


class CheckServicesBrokerDownTests(LifecycleTestCase):
    def test_it_fails_fast_when_redis_is_down(self):
        with broker_at(CLOSED_PORT_BROKER):
            started = time.monotonic()
            code, out, err = check_services()

        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(code, 1)
        self.assertRegex(out, r"redis\s+DOWN\s+redis://127.0.0.1:1/15: .*refused")
        self.assertRegex(out, r"worker\s+DOWN\s+not asked: Redis is down")
        self.assertIn("Down: redis, worker, beat.", err)


class CheckServicesEmbeddedTests(TestCase):
    def test_it_reports_the_embedded_jobs_thread_down_before_it_ran(self):
        with broker_at("memory://"):
            code, out, err = check_services()

        self.assertEqual(code, 1)
        self.assertRegex(out, r"redis\s+ok\s+not used \(embedded mode: REDIS_URL is not set\)")
        self.assertRegex(out, r"jobs\s+DOWN\s+embedded jobs thread has not run")
        self.assertIn("Down: jobs.", err)

    def test_it_reports_the_embedded_jobs_thread_alive_and_then_stale(self):
        embedded.beat(embedded.HEARTBEAT)
        with broker_at("memory://"):
            code, out, _ = check_services()
            self.assertEqual(code, 0, out)
            self.assertRegex(out, r"jobs\s+ok\s+embedded jobs thread last ran \d+ s ago")

            ScheduledRun.objects.update(last_run_at=timezone.now() - datetime.timedelta(hours=1))
            code, out, _ = check_services()

        self.assertEqual(code, 1)
        self.assertRegex(out, r"jobs\s+DOWN\s+embedded jobs thread last ran 3600 s ago")


class ServicesTests(TestCase):
    def test_it_hides_the_password_of_the_broker(self):
        self.assertEqual(
            services.safe_url("redis://:s3cret@redis.example.org:6380/0"),
            "redis://:***@redis.example.org:6380/0",
        )
        self.assertEqual(
            services.safe_url("rediss://user:s3cret@host/1"), "rediss://user:***@host/1"
        )
        self.assertEqual(services.safe_url(TEST_BROKER), TEST_BROKER)
