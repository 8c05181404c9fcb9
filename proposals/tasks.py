"""Celery tasks: thin wrappers that call the jobs in deadlines.py and notifications.py.

Every task but `verify_audit`, `sign_audit_checkpoint` and the audit jobs is idempotent (row locks,
conditional updates, unique keys), so they acknowledge late: a task whose worker dies
mid-way is redelivered and finishes the work. Those two store a new result or checkpoint
each run, so they acknowledge early.
Each job isolates its items (`failures.Items`); a task failing as a whole is recorded as
a failure of its job's "run" as well as raised, so staff see it with the item failures.
"""

from __future__ import annotations

import logging

from celery import shared_task

from proposals import (
    audit_jobs,
    checkpoints,
    deadlines,
    failures,
    notifications,
    verification,
    webhooks,
)

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def close_expired_votes() -> int:
    with failures.whole_run(deadlines.JOB, logger, reraise=True):
        return len(deadlines.close_expired_votes())


@shared_task(acks_late=True)
def drain_outbox() -> int:
    with failures.whole_run(notifications.DRAIN_JOB, logger, reraise=True):
        result = notifications.drain_outbox(hand_out=_queue_delivery)
    # Webhook deliveries just written go to a worker of their own at once (a slow
    # receiver holds up neither this drain nor the e-mail); beat's `deliver_webhooks`
    # also picks up the retries whose time has come.
    if webhooks.any_due():
        deliver_webhooks.apply_async(retry=False, expires=60)
    return result.handed_out


def _queue_delivery(ids: list[int]) -> None:
    deliver_notifications.apply_async(args=[ids], retry=False)


@shared_task(acks_late=True)
def deliver_notifications(ids: list[int]) -> int:
    return notifications.deliver(ids)


@shared_task(acks_late=True)
def deliver_webhooks() -> int:
    # Several may run at once: each claims other deliveries (`webhooks.claim_next`).
    with failures.whole_run(webhooks.JOB, logger, reraise=True):
        return webhooks.deliver_due()


@shared_task(acks_late=True)
def send_vote_reminders() -> int:
    # The rows are delivered by the next drain (every few seconds).
    with failures.whole_run(notifications.REMINDER_JOB, logger, reraise=True):
        return notifications.create_vote_reminders()


@shared_task(acks_late=True)
def send_chair_digests() -> int:
    with failures.whole_run(notifications.DIGEST_JOB, logger, reraise=True):
        return notifications.create_chair_digests()


@shared_task
def verify_audit() -> bool:
    with failures.whole_run(verification.JOB, logger, reraise=True):
        return verification.verify_and_store()[0].ok


@shared_task
def sign_audit_checkpoint() -> int | None:
    # Not idempotent in the Celery sense (a second run may sign another checkpoint), but
    # harmless: the chain's lock orders the signers and an unchanged log is not signed.
    with failures.whole_run(checkpoints.JOB, logger, reraise=True):
        checkpoint = verification.checkpoint_job()
    return checkpoint.sequence if checkpoint else None


@shared_task
def run_audit_job(job_id: int) -> str | None:
    # Acknowledged early: a job whose worker died is failed by the sweep, and the user
    # starts it again, rather than a second run rewriting a file or a result.
    with failures.whole_run(audit_jobs.JOB, logger, reraise=True):
        job = audit_jobs.run(job_id)
    return job.status if job else None


@shared_task
def sweep_audit_jobs() -> int:
    with failures.whole_run(audit_jobs.JOB, logger, reraise=True):
        queued = audit_jobs.sweep()
    for job_id in queued:
        run_audit_job.apply_async(args=[job_id], retry=False)
    return len(queued)
