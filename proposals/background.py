"""Getting background work going after a change commits.

In the embedded mode this wakes the jobs thread of this web process. With Redis it
queues a drain of the outbox for a worker, so e-mail goes out within moments instead of
at beat's next drain (every 5 s). That enqueue is a shortcut, never the record of the
work: the outbox row is, and it committed with the change. So the enqueue runs in a
short-lived thread, never in the request, and a broker that is down, or that accepts
connections and never answers, costs the request nothing: the thread gives up after
the socket timeouts, this process stops trying for a while, and beat's drain delivers
the work once the broker is back.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

from pmc import services
from proposals import embedded
from proposals.tasks import drain_outbox as drain_outbox_task
from proposals.tasks import run_audit_job as run_audit_job_task

logger = logging.getLogger(__name__)

# After a failed enqueue, stop trying from this process for this long.
BROKER_BACKOFF_SECONDS = 30.0

_lock = threading.Lock()
_broker_down_until = 0.0
_in_flight: threading.Thread | None = None
_again = False


def outbox_written() -> None:
    """Called on commit of a transaction that wrote outbox rows (registered with
    `notifications.on_outbox_committed()` by `ProposalsConfig.ready()`)."""
    if settings.PMC_EMBEDDED_JOBS:
        embedded.wake()
    _enqueue_drain_soon()


def audit_job_queued(job_id: int) -> None:
    """Hand out a queued audit job (an export, a verification): to a thread of this
    process in the embedded mode, else to a worker. The enqueue runs in a short-lived
    thread, like the outbox's; if it is lost, beat's `sweep_audit_jobs` hands the job out
    within a minute."""
    if settings.PMC_EMBEDDED_JOBS:
        embedded.run_audit_job_soon(job_id)
    elif services.uses_redis() and not broker_backing_off():
        threading.Thread(
            target=_enqueue_audit_job, args=(job_id,), name="pmc-audit-job-enqueue", daemon=True
        ).start()


def _enqueue_audit_job(job_id: int) -> None:
    global _broker_down_until
    try:
        run_audit_job_task.apply_async(args=[job_id], retry=False)
    except Exception as error:
        with _lock:
            _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning(
            "could not queue audit job %s (%s: %s); beat's sweep hands it out once the "
            "broker is back",
            job_id,
            type(error).__name__,
            error,
        )


def broker_backing_off() -> bool:
    return time.monotonic() < _broker_down_until


def reset_broker_backoff() -> None:
    global _broker_down_until
    with _lock:
        _broker_down_until = 0.0


def wait_for_enqueue(timeout: float = 15.0) -> None:
    """Wait until no enqueue is in flight (for tests and orderly shutdown)."""
    thread = _in_flight
    if thread is not None:
        thread.join(timeout)


def _enqueue_drain_soon() -> None:
    global _in_flight, _again
    if not services.uses_redis() or broker_backing_off():
        return
    with _lock:
        if _in_flight is not None and _in_flight.is_alive():
            _again = True  # the thread in flight queues one more drain before it ends
            return
        _again = False
        _in_flight = threading.Thread(target=_enqueue, name="pmc-outbox-enqueue", daemon=True)
        _in_flight.start()


def _enqueue() -> None:
    global _broker_down_until, _again
    while True:
        try:
            # No publish retries: the outbox keeps the work, one quick failure is enough.
            drain_outbox_task.apply_async(retry=False, expires=60)
        except Exception as error:
            with _lock:
                _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
                _again = False
            logger.warning(
                "could not queue an outbox drain (%s: %s); the outbox keeps the work and "
                "beat's drain delivers it once the broker is back",
                type(error).__name__,
                error,
            )
            return
        with _lock:
            if not _again:
                return
            _again = False
