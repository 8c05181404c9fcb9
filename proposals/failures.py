"""Failures of background jobs, one item at a time.

The sweep, the drain, the reminders and the digests each handle many items (proposals,
outbox rows, chairs). An unexpected error on one item must not stop the others: each
item runs in `Items.each()`, a savepoint that undoes only that item's writes when it
raises. The error is logged with its traceback and recorded as a `JobFailure` (counted
on each failure, shown to staff by the operator banner and `manage.py check_services`);
the job goes on with its next item and tries the failed one again on a later run. When
it then succeeds, the failure is marked resolved.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Value
from django.utils import timezone

from proposals.models import JobFailure

ERROR_LIMIT = 2000  # characters of the last error kept


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_LIMIT]


def record(job: str, item: str, error: BaseException) -> JobFailure:
    """Count a failure of `job` on `item`: the open failure's count goes up, or a new
    one starts."""
    now = timezone.now()
    text = describe(error)
    failure = JobFailure.objects.unresolved().filter(job=job, item=item).first()
    if failure is not None:
        failure.failures += 1
        failure.last_failed_at = now
        failure.last_error = text
        failure.save(update_fields=["failures", "last_failed_at", "last_error"])
        return failure
    try:
        with transaction.atomic():
            return JobFailure.objects.create(
                job=job, item=item, first_failed_at=now, last_failed_at=now, last_error=text
            )
    except IntegrityError:  # another process recorded it just now: count this one too
        failure = JobFailure.objects.unresolved().get(job=job, item=item)
        failure.failures += 1
        failure.last_error = text
        failure.save(update_fields=["failures", "last_error"])
        return failure


def resolve(job: str, item: str) -> None:
    JobFailure.objects.unresolved().filter(job=job, item=item).update(resolved_at=timezone.now())


class Items:
    """The items one run of `job` handles, each isolated from the others:

        items = Items("close_expired_votes", logger)
        for proposal in ...:
            with items.each(f"proposal {proposal.pk}"):
                ...

    An exception inside the block (other than those in `passes`, which the caller
    handles) rolls back the block's writes, is logged and recorded, and is not raised
    again: the loop goes on. `on_failure` (if given) runs after the rollback, in the
    caller's transaction, e.g. to schedule the item's retry."""

    def __init__(self, job: str, logger: logging.Logger) -> None:
        self.job = job
        self.logger = logger
        self.failed = 0
        self.last_error = ""
        # One query per run: which items failed before, to resolve them on success.
        self.open = set(
            JobFailure.objects.unresolved().filter(job=job).values_list("item", flat=True)
        )

    @contextlib.contextmanager
    def each(
        self, item: str, *, passes: tuple[type[BaseException], ...] = (), on_failure=None
    ) -> Iterator[None]:
        try:
            with transaction.atomic():
                yield
        except passes:
            raise
        except Exception as error:
            self.failed += 1
            self.last_error = describe(error)
            self.logger.exception("%s failed on %s; going on with the others", self.job, item)
            if on_failure is not None:
                on_failure(error)
            record(self.job, item, error)
        else:
            if item in self.open:
                resolve(self.job, item)
                self.open.discard(item)
                self.logger.info("%s succeeded on %s again", self.job, item)


@contextlib.contextmanager
def whole_run(job: str, logger: logging.Logger, *, reraise: bool = False) -> Iterator[None]:
    """A run of `job` as one item ("run"): for a job failing as a whole (the database
    gone mid-way, a bug before its first item). Recorded and logged; raised again with
    `reraise` (Celery then marks its task failed as well)."""
    try:
        yield
    except Exception as error:
        logger.exception("%s failed; it runs again at its next turn", job)
        with contextlib.suppress(Exception):  # the database may be what failed
            record(job, "run", error)
        if reraise:
            raise
    else:
        resolve(job, "run")


# What staff see


@dataclass(frozen=True)
class Failing:
    count: int
    since: datetime.datetime | None


def failing_queryset():
    """Count and earliest start of the unresolved failures, as one row (none when
    nothing fails), to be combined with other one-row queries in a UNION."""
    return (
        JobFailure.objects.unresolved()
        .order_by()
        .values("resolved_at")  # all NULL: one group
        .annotate(tag=Value("failing"), count=Count("pk"), at=Min("first_failed_at"))
        .values_list("tag", "count", "at")
    )


def unresolved(limit: int = 10) -> tuple[int, list[JobFailure]]:
    """How many items are failing, and the most recent `limit` of them."""
    failures = JobFailure.objects.unresolved()
    return failures.count(), list(failures.order_by("-last_failed_at")[:limit])
