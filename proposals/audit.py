"""Writing and verifying the hash-chained event log.

Every event stores the hash of the event before it, so one chain covers the whole
log and an edited or deleted row breaks it. Writers take a lock before reading the
chain's head, so concurrent transactions (several web and worker processes) append
one after the other instead of forking the chain.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from proposals.models import GENESIS_HASH, AuditCheck, Event

# Arbitrary constant naming "the audit chain" among PostgreSQL advisory locks.
_CHAIN_LOCK_KEY = 7_245_113_901

# Called with each event just written, in the transaction that wrote it. The layers
# above register here (ProposalsConfig.ready(): notifications writes the outbox), so
# this module, the lowest after the models, imports none of them.
_listeners: list[Callable[[Event], object]] = []


def on_written(listener: Callable[[Event], object]) -> None:
    """Call `listener(event)` for every event written, in its transaction, once each."""
    if listener not in _listeners:
        _listeners.append(listener)


def actor_fields(actor) -> dict:
    """The actor FK and display name for a user or a SystemActor."""
    if getattr(actor, "is_system", False):
        return {"actor": None, "actor_name": str(actor)}
    return {"actor": actor, "actor_name": actor.get_username()}


def record(**fields) -> Event:
    """Append one event (the fields of `new_event`). Must run inside the transaction
    that makes the change."""
    return record_many([new_event(**fields)])[0]


def new_event(
    *,
    action: str,
    actor,
    at: datetime.datetime | None = None,
    committee=None,
    proposal=None,
    project=None,
    membership=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict | None = None,
) -> Event:
    """An event not yet in the log: `record_many` chains and writes it."""
    return Event(
        at=at,
        action=action,
        committee=committee,
        proposal=proposal,
        project=project,
        membership=membership,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        **actor_fields(actor),
    )


def record_many(events: list[Event]) -> list[Event]:
    """Append events (built by `new_event`) in their order, with one lock, one read of the
    chain's head and one INSERT: for an action that makes many changes at once, each
    still its own event. Must run inside the transaction that makes the changes.
    Inside `deferred()` the events are written when that block ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the change's transaction.atomic().")
    pending = _pending.get()
    if pending is not None:
        pending.extend(events)
        return events
    return _append(events)


@contextlib.contextmanager
def deferred(*, write: bool = True) -> Iterator[None]:
    """Write the events recorded in this block together when it ends: one lock, one
    read of the chain's head and one INSERT for a batch of changes (an import's file),
    still one event per change, in order. Runs inside the changes' transaction; the
    events of a `kept_if_done` block that fails are dropped with its changes, and none
    are written if this block fails.

    `write=False` drops the events instead, for a transaction that is rolled back
    anyway (a dry run): the chain's lock is never taken, so a long preview does not
    hold up everyone else's changes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.deferred() must run inside the changes' transaction.atomic().")
    if _pending.get() is not None:  # already deferring: the outer block writes
        yield
        return
    token = _pending.set([] if write else _Dropped())
    try:
        yield
        events = _pending.get()
    finally:
        _pending.reset(token)
    _append(events)


@contextlib.contextmanager
def kept_if_done() -> Iterator[None]:
    """Around one change that may fail after recording its events (its savepoint is
    rolled back): inside `deferred()`, the events it recorded are dropped if it fails."""
    pending = _pending.get()
    mark = None if pending is None else len(pending)
    try:
        yield
    except BaseException:
        if pending is not None:
            del pending[mark:]
        raise


class _Dropped(list):
    """Where `deferred(write=False)` puts events: nowhere."""

    def extend(self, events) -> None:
        pass


# Events recorded inside `deferred()`, not yet written.
_pending: contextvars.ContextVar[list[Event] | None] = contextvars.ContextVar(
    "pmc_pending_events", default=None
)


def _append(events: list[Event]) -> list[Event]:
    if not events:
        return []
    _lock_chain()
    previous, recorded = _chain_head()
    for new in events:
        new.recorded_at = recorded
        new.at = new.at or recorded
        new.prev_hash = previous
        new.hash = previous = new.compute_hash()
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        Event.objects.bulk_create(events)
    for new in events:
        for listener in _listeners:
            listener(new)
    return events


# The database's clock, read where the chain's head is: `clock_timestamp()` is the
# time of the reading (`now()` would be when the transaction began, possibly before an
# earlier writer that held the lock meanwhile); SQLite's clock has milliseconds.
_DATABASE_NOW = {
    "postgresql": "clock_timestamp()",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')",
}


def _chain_head() -> tuple[str, datetime.datetime]:
    """The hash of the newest event (the genesis hash while the log is empty) and the
    time to record the next events at, read after the chain's lock is taken: the
    database's clock, never earlier than the newest event's, so that recorded times go
    in id order whatever the clocks of the application's machines do. The statement is
    written out rather than built by the ORM because it runs before every event and is
    always the same."""
    quote = connection.ops.quote_name
    table = quote(Event._meta.db_table)
    hash_column = quote(Event._meta.get_field("hash").column)
    recorded_column = quote(Event._meta.get_field("recorded_at").column)
    id_column = quote(Event._meta.pk.column)
    newest = f"FROM {table} ORDER BY {id_column} DESC LIMIT 1"
    now = _DATABASE_NOW.get(connection.vendor, "CURRENT_TIMESTAMP")
    sql = f"SELECT (SELECT {hash_column} {newest}), (SELECT {recorded_column} {newest}), {now}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        head, last_recorded, clock = cursor.fetchone()
    recorded = _as_time(clock)
    if last_recorded is not None:
        recorded = max(recorded, _as_time(last_recorded))
    return head or GENESIS_HASH, recorded


def _as_time(value) -> datetime.datetime:
    """A time read by raw SQL as an aware datetime: SQLite gives text in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite runs IMMEDIATE transactions (settings): the writer already holds the lock.


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""
    head: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(events: Iterator[Event] | None = None) -> ChainReport:
    """Walk the log in order and report the first event whose link or content is wrong."""
    if events is None:
        events = Event.objects.order_by("id").iterator(chunk_size=2000)
    expected_prev = GENESIS_HASH
    checked = 0
    for event in events:
        checked += 1
        if event.prev_hash != expected_prev:
            return ChainReport(
                checked,
                event.pk,
                f"event #{event.pk} does not follow the event before it "
                "(an event before it was deleted or its hash was changed)",
                expected_prev,
            )
        if event.compute_hash() != event.hash:
            return ChainReport(
                checked,
                event.pk,
                f"event #{event.pk} was edited after it was written (its content no longer "
                "matches its hash)",
                expected_prev,
            )
        expected_prev = event.hash
    return ChainReport(checked, head=expected_prev)


def check_and_store() -> AuditCheck:
    """Verify the whole chain and keep the result for the audit page."""
    report = verify_chain()
    return AuditCheck.objects.create(
        ok=report.ok,
        events=report.checked,
        head=report.head,
        broken_at=report.broken_at,
        problem=report.problem,
    )
