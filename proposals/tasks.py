"""Celery tasks: thin wrappers that call the jobs in deadlines.py and notifications.py.

Every task but `verify_audit` is idempotent (row locks, conditional updates, unique
keys), so they acknowledge late: a task whose worker dies mid-way is redelivered and
finishes the work. `verify_audit` stores a new check each run, so it acknowledges early.
"""

from __future__ import annotations

from celery import shared_task

from proposals import audit, deadlines, notifications


@shared_task(acks_late=True)
def close_expired_votes() -> int:
    return len(deadlines.close_expired_votes())


@shared_task(acks_late=True)
def drain_outbox() -> int:
    result = notifications.drain_outbox(hand_out=_queue_delivery)
    return result.handed_out


def _queue_delivery(ids: list[int]) -> None:
    deliver_notifications.apply_async(args=[ids], retry=False)


@shared_task(acks_late=True)
def deliver_notifications(ids: list[int]) -> int:
    return notifications.deliver(ids)


@shared_task(acks_late=True)
def send_vote_reminders() -> int:
    # The rows are delivered by the next drain (every few seconds).
    return notifications.create_vote_reminders()


@shared_task(acks_late=True)
def send_chair_digests() -> int:
    return notifications.create_chair_digests()


@shared_task
def verify_audit() -> bool:
    return audit.check_and_store().ok
