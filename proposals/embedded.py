"""Background jobs without Redis: a thread inside the web process.

With PMC_EMBEDDED_JOBS on (the default when REDIS_URL is not set), the first request a
web process serves starts one daemon thread in that process. Every
PMC_EMBEDDED_TICK_SECONDS it closes expired votes, creates due reminders, drains the
outbox and delivers the e-mail, and hands the webhooks' due deliveries to a thread of
their own (`deliver_webhooks_soon`); every AUDIT_CHECKPOINT_MINUTES it signs a
checkpoint of the audit log (when events were written), and once a day it creates the
chairs' digests and verifies the audit log. Audit jobs users start (exports, "Verify
now") run in threads of their own (`run_audit_job_soon`); each full round hands out any
left queued. A commit that wrote outbox rows wakes it at once, so notifications go out
moments after the change, after the response.

Several processes (gunicorn workers) each run a thread, which is safe: the sweep and the
drain take their rows under locks, notifications have unique keys, and the daily jobs
are claimed in `ScheduledRun` with a conditional update that only one process wins.
Management commands and Celery workers serve no requests, so they start no thread; the
test settings switch it off, and a test that wants it calls `start()` itself.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
import time

from django.conf import settings
from django.core.signals import request_started
from django.db import IntegrityError, connections
from django.utils import timezone

from proposals import (
    audit_jobs,
    checkpoints,
    deadlines,
    failures,
    notifications,
    verification,
    webhooks,
)
from proposals.models import ScheduledRun

logger = logging.getLogger(__name__)

HEARTBEAT = "embedded-jobs"
DAILY = datetime.timedelta(days=1)

_lock = threading.Lock()
_thread: JobsThread | None = None
_webhook_thread: threading.Thread | None = None
_webhooks_again = False


class JobsThread(threading.Thread):
    def __init__(self, tick: float) -> None:
        super().__init__(name="pmc-embedded-jobs", daemon=True)
        self.tick = tick
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.cycles = 0

    def run(self) -> None:
        next_full = 0.0
        while not self._stopping.is_set():
            full = time.monotonic() >= next_full
            if full:
                next_full = time.monotonic() + self.tick
            try:
                run_jobs(full=full)
            except Exception:
                logger.exception("background jobs failed; trying again in %s s", self.tick)
            finally:
                connections.close_all()  # this thread's connections only
                self.cycles += 1
            self._wake.wait(max(0.0, next_full - time.monotonic()))
            self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        self.join(timeout)


def run_jobs(*, full: bool = True, now: datetime.datetime | None = None) -> None:
    """One round of the background jobs in this process. `full=False` only drains the
    outbox (after a commit); a full round does everything that is due. A job that fails
    as a whole is logged and recorded (`failures.whole_run`), and the round goes on with
    the next; each job also isolates its own items."""

    def run(job: str, function, *args, **kwargs) -> None:
        with failures.whole_run(job, logger):
            function(*args, **kwargs)

    if full:
        beat(HEARTBEAT, now)
        run(deadlines.JOB, deadlines.close_expired_votes, now=now)
        run(notifications.REMINDER_JOB, notifications.create_vote_reminders, now=now)
        if claim("chair-digests", DAILY, now):
            run(notifications.DIGEST_JOB, notifications.create_chair_digests, now=now)
        every = datetime.timedelta(minutes=settings.AUDIT_CHECKPOINT_MINUTES)
        if claim("audit-checkpoint", every, now):
            run(checkpoints.JOB, verification.checkpoint_job)
        if claim("verify-audit", DAILY, now):
            run(verification.JOB, verification.verify_and_store)
        with failures.whole_run(audit_jobs.JOB, logger):
            for job_id in audit_jobs.sweep(now):
                run_audit_job_soon(job_id)
    run(notifications.DRAIN_JOB, notifications.drain_outbox)
    with failures.whole_run(webhooks.JOB, logger):
        if webhooks.any_due():
            deliver_webhooks_soon()


def deliver_webhooks_soon() -> None:
    """Send the due webhook deliveries from a thread of their own, so that a slow
    receiver holds up neither the e-mail nor the other jobs. One such thread at a time;
    asked again while it runs, it makes one more pass before it ends."""
    global _webhook_thread, _webhooks_again
    with _lock:
        if _webhook_thread is not None:
            _webhooks_again = True
            return
        _webhooks_again = False
        _webhook_thread = threading.Thread(
            target=_deliver_webhooks, name="pmc-webhooks", daemon=True
        )
        _webhook_thread.start()


def _deliver_webhooks() -> None:
    global _webhook_thread, _webhooks_again
    try:
        while True:
            with failures.whole_run(webhooks.JOB, logger):
                webhooks.deliver_due()
            with _lock:
                if not _webhooks_again:
                    _webhook_thread = None  # under the lock: a later ask starts another
                    return
                _webhooks_again = False
    finally:
        connections.close_all()  # this thread's connections only


def wait_for_webhooks(timeout: float = 30.0) -> None:
    """Wait until no webhook deliveries are being sent (for tests and orderly shutdown)."""
    thread = _webhook_thread
    if thread is not None:
        thread.join(timeout)


def run_audit_job_soon(job_id: int) -> threading.Thread:
    """Run an audit job (an export, a verification) in a thread of its own, so that it
    holds up neither a request nor this process's other jobs. A job already taken by
    another thread or process is left to it (`audit_jobs.run` claims it)."""
    thread = threading.Thread(
        target=_run_audit_job, args=(job_id,), name=f"pmc-audit-job-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _run_audit_job(job_id: int) -> None:
    try:
        with failures.whole_run(audit_jobs.JOB, logger):
            audit_jobs.run(job_id)
    finally:
        connections.close_all()  # this thread's connections only


def claim(name: str, every: datetime.timedelta, now: datetime.datetime | None = None) -> bool:
    """True for exactly one caller per period `every`, across processes."""
    now = now or timezone.now()
    with contextlib.suppress(IntegrityError):  # another process created it just now
        ScheduledRun.objects.get_or_create(
            name=name, defaults={"last_run_at": now - every - datetime.timedelta(seconds=1)}
        )
    return (
        ScheduledRun.objects.filter(name=name, last_run_at__lte=now - every).update(last_run_at=now)
        == 1
    )


def beat(name: str, now: datetime.datetime | None = None) -> None:
    """Note that `name` is alive (read by `manage.py check_services`)."""
    now = now or timezone.now()
    if not ScheduledRun.objects.filter(name=name).update(last_run_at=now):
        with contextlib.suppress(IntegrityError):  # another process created it just now
            ScheduledRun.objects.create(name=name, last_run_at=now)


def start() -> JobsThread:
    """Start this process's jobs thread, once."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = JobsThread(float(settings.PMC_EMBEDDED_TICK_SECONDS))
            _thread.start()
            logger.info(
                "embedded background jobs started (every %s s)", settings.PMC_EMBEDDED_TICK_SECONDS
            )
        return _thread


def stop() -> None:
    global _thread
    with _lock:
        thread, _thread = _thread, None
    if thread is not None:
        thread.stop()
    wait_for_webhooks()


def wake() -> None:
    thread = _thread
    if thread is not None:
        thread.wake()


def running() -> bool:
    return _thread is not None and _thread.is_alive()


def _start_on_first_request(**kwargs) -> None:
    if _thread is None and settings.PMC_EMBEDDED_JOBS:
        start()


def connect() -> None:
    """Called from the app's ready(): start the thread with the first request served."""
    request_started.connect(_start_on_first_request, dispatch_uid="pmc-embedded-jobs")
