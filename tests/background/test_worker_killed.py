"""A worker killed in the middle of an SMTP exchange: what reaches the mail server, and when.

Real parts only: `celery -A pmc worker` (prefork, as in production) and `celery -A pmc
beat` as processes of their own, on the test Redis and the test database (a file on
SQLite, shared between processes, or PostgreSQL), delivering through Django's SMTP
backend to a real SMTP server on 127.0.0.1 (tests/background/mailserver.py). The server
takes the fourth message and holds its answer; the test then kills, with SIGKILL,
either the pool process that sends (its worker replaces it) or the worker's main process
(the pool dies with it; a fresh worker is started), while that message is in flight.

The guarantee these tests state: every notification is delivered; the one message in
flight reaches the server twice, both copies with the same Message-ID, and nothing
else does, so after de-duplication on Message-ID each notification arrives exactly
once; and the dead sender's notifications are delivered within its claim lease
(`claim_lease()`, from EMAIL_TIMEOUT) plus one of beat's outbox drains after the kill.

    .venv/bin/python -m pytest tests/background/test_worker_killed.py -s

prints the figures (copies per Message-ID, the delay after the kill).
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test import override_settings

from pmc.celery import app
from proposals import actions, notifications
from proposals.models import Notification
from tests.background.helpers import RUN_PREFIX, TEST_BROKER, BackgroundTestCase, wait_until
from tests.background.mailserver import SMTPServer
from tests.factories import make_member, make_proposal, make_user

ROOT = Path(__file__).resolve().parents[2]
EMAIL_TIMEOUT = 3  # seconds, for the worker processes: a short claim lease keeps this quick
EXTRA_MEMBERS = 10  # with the chair and two other members: 13 recipients, one chunk
HELD = 4  # the server holds its answer to this message
DRAIN_EVERY = settings.CELERY_BEAT_SCHEDULE["drain-outbox"]["schedule"]
# The time a drain and a chunk of local sends take, beyond the leases.
SLACK = datetime.timedelta(seconds=5)


def database_url() -> str:
    """The test database, for the worker processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def dead(pid: int) -> bool:
    """Whether the process has exited (a zombie counts: it runs no more code)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


class WorkerKilledWhileSendingTests(BackgroundTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.workdir = Path(tempfile.mkdtemp(prefix="pmc-kill-test-"))
        cls.smtp = cls.enterClassContext(SMTPServer())
        cls.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.background.worker_settings",
            "PMC_TEST_KEYPREFIX": RUN_PREFIX,
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "REDIS_URL": TEST_BROKER,
            "PMC_EMBEDDED_JOBS": "0",
            "PMC_VAR_DIR": str(cls.workdir),
            "PMC_SITE_URL": settings.PMC_SITE_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(cls.smtp.port),
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        cls.beat = cls.start("beat", "--schedule", str(cls.workdir / "celerybeat-schedule"))
        cls.addClassCleanup(cls.stop, cls.beat)

    @classmethod
    def start(cls, command: str, *args: str) -> subprocess.Popen:
        log = open(cls.workdir / f"{command}-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "celery"), "-A", "pmc", command, *args],
            cwd=ROOT,
            env=cls.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log = log
        return process

    @staticmethod
    def stop(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        process.log.close()

    def start_worker(self) -> subprocess.Popen:
        hostname = f"kill-test-{os.getpid()}-{time.monotonic_ns()}@localhost"
        worker = self.start(
            "worker",
            *("--pool", "prefork", "--concurrency", "1", "--hostname", hostname),
            *("--without-gossip", "--without-mingle", "--loglevel", "WARNING"),
        )
        self.addCleanup(self.stop, worker)
        deadline = time.monotonic() + 30
        while not app.control.inspect(destination=[hostname], timeout=0.5).ping():
            self.assertIsNone(worker.poll(), self.log_of(worker))
            self.assertLess(time.monotonic(), deadline, "the worker did not answer a ping")
        return worker

    @staticmethod
    def log_of(process: subprocess.Popen) -> str:
        process.log.flush()
        return Path(process.log.name).read_text()[-3000:]

    @staticmethod
    def pool_processes(worker: subprocess.Popen) -> list[int]:
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def setUp(self) -> None:
        super().setUp()
        self.smtp.reset()
        for i in range(EXTRA_MEMBERS):
            make_member(self.committee, make_user(f"extra{i}"))

    def kill_while_sending(self, kill_main: bool) -> None:
        worker = self.start_worker()
        self.smtp.hold_answer_to(HELD)
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)  # the commit queues a drain

        self.assertTrue(self.smtp.holding.wait(30), self.log_of(worker))
        (pool,) = self.pool_processes(worker)
        os.kill(worker.pid if kill_main else pool, signal.SIGKILL)
        killed_at = time.monotonic()
        if kill_main:
            worker.wait(10)
        # The pool process dies with its parent too (Celery sets PR_SET_PDEATHSIG), a
        # moment later: the server answers only once it is gone, into a closed socket.
        wait_until(lambda: dead(pool), 10, "the pool process to die")
        self.smtp.release()
        unsent_at_kill = set(
            Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
        )
        if kill_main:
            self.start_worker()
        # Else the worker replaces its pool process and requeues the task it ran
        # (task_reject_on_worker_lost); the rerun finds the notifications still claimed.

        # The worker ran with EMAIL_TIMEOUT seconds: its claims last this long.
        with override_settings(EMAIL_TIMEOUT=EMAIL_TIMEOUT):
            lease = notifications.claim_lease()
        bound = lease + datetime.timedelta(seconds=DRAIN_EVERY) + SLACK
        wait_until(
            lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
            bound.total_seconds() + 15,
            "every notification to be sent",
        )

        rows = list(Notification.objects.select_related("user").order_by("pk"))
        expected = {notifications.message_id(row): row for row in rows}
        received = self.smtp.received
        copies = Counter(message.message_id for message in received)
        in_flight = received[HELD - 1].message_id
        after_kill = [message for message in received if message.at > killed_at]
        delay = max(message.at for message in after_kill) - killed_at
        first = min(message.at for message in after_kill) - killed_at
        print(
            f"\nkilled {'the main worker process' if kill_main else 'the pool process'}"
            f" during message {HELD} of {len(rows)}: {len(received)} messages reached the"
            f" server, {len(copies)} distinct Message-IDs, copies per Message-ID"
            f" {dict(Counter(copies.values()))}; {len(unsent_at_kill)} unsent at the kill,"
            f" delivered {first:.1f} s to {delay:.1f} s after it (bound"
            f" {bound.total_seconds():.0f} s: claim lease {lease.total_seconds():.0f} s +"
            f" drain every {DRAIN_EVERY:.0f} s + {SLACK.total_seconds():.0f} s)"
        )

        self.assertEqual(len(rows), 3 + EXTRA_MEMBERS)
        # Every notification reached the server, under its own Message-ID and address.
        self.assertEqual(set(copies), set(expected))
        for message in received:
            self.assertEqual(message.recipients, (expected[message.message_id].user.email,))
        # Only the message in flight arrived twice: one copy per Message-ID once a mail
        # system drops the second.
        self.assertEqual({mid: n for mid, n in copies.items() if n > 1}, {in_flight: 2})
        self.assertEqual(len(received), len(rows) + 1)
        # The retry knew it might be a second copy, and says so.
        resent = expected[in_flight]
        self.assertEqual(resent.attempts, 2)
        self.assertTrue(resent.last_error.startswith(notifications.INTERRUPTED), resent.last_error)
        self.assertEqual({row.pk for row in rows if row.attempts > 1}, unsent_at_kill | {resent.pk})
        # The dead sender's claims held its notifications back for no longer than the lease.
        self.assertEqual(len(after_kill), len(unsent_at_kill))
        self.assertLessEqual(delay, bound.total_seconds())

    def test_a_pool_process_killed_while_it_sends(self):
        self.kill_while_sending(kill_main=False)

    def test_a_worker_killed_while_it_sends(self):
        self.kill_while_sending(kill_main=True)
