"""The audit log as CSV or JSON: which events a filter selects, and their rows.

Shared by the audit page (small downloads streamed in the request) and the export jobs
(`proposals.audit_jobs`, which write the same text to a file)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator

from django.db.models import QuerySet, Value
from django.db.models.functions import Upper
from django.utils import timezone

from proposals import events as events_module
from proposals.forms import AuditFilterForm
from proposals.models import Event
from proposals.views.downloads import csv_lines

CHUNK = 2000
Progress = Callable[[int], None]
FIELDS = ["id", "recorded_at", "at", "actor", "action", "committee", "proposal", "project",
          "from_state", "to_state", "reason", "payload", "hash", "prev_hash"]  # fmt: skip


def filtered(params) -> tuple[AuditFilterForm, QuerySet[Event]]:
    """The filter form bound to `params` (a QueryDict, possibly empty) and the events it
    selects, each condition one an index serves with the log's order (see
    `Event.Meta.indexes`): a page of a million-event log reads its rows straight from an
    index."""
    form = AuditFilterForm(params or None)
    # The rows every use shows by name; the page adds the proposal's title.
    events = Event.objects.select_related("committee", "project", "actor", "membership__user")
    if form.is_bound and not form.is_valid():
        # A mistyped filter must not widen the page or the download to the whole log.
        return form, events.none()
    if form.is_valid():
        data = form.cleaned_data
        if data["committee"]:
            events = events.filter(committee=data["committee"])
        if data["proposal"]:
            events = events.filter(proposal_id=data["proposal"])
        if data["actor"]:
            # Upper on both sides, as the index holds it: an `iexact` lookup casts the
            # column on PostgreSQL, which the index does not match.
            events = events.alias(actor_upper=Upper("actor_name")).filter(
                actor_upper=Upper(Value(data["actor"]))
            )
        if data["action"]:
            action = data["action"]
            if action in _NAMED_ACTIONS:
                events = events.filter(action=action)
            else:
                # The start of a name ("vote.", "account.staff"): what the log holds.
                events = events.filter(action__startswith=action)
        # Bounds on the indexed column, from midnight in the reader's time zone: the
        # days the dates name there, as a cast of each row's time to a date would be.
        # The calendar's first and last days bound nothing (and have no day beyond).
        if data["date_from"] and data["date_from"] > datetime.date.min:
            events = events.filter(at__gte=_midnight(data["date_from"]))
        if data["date_to"] and data["date_to"] < datetime.date.max:
            events = events.filter(at__lt=_midnight(data["date_to"] + datetime.timedelta(days=1)))
    return form, events


# The actions events.py names, matched exactly (an index on the action and id serves that
# in the log's order); anything else is the start of a name.
_NAMED_ACTIONS = frozenset(
    value
    for name, value in vars(events_module).items()
    if name.isupper() and isinstance(value, str) and "." in value
)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


# The columns the files hold, read as plain values: building five model instances per
# event (the page's select_related) was most of an export's time.
_COLUMNS = {
    "id": "id",
    "recorded_at": "recorded_at",
    "at": "at",
    "actor": "actor_name",
    "action": "action",
    "committee": "committee__name",
    "proposal": "proposal_id",
    "project": "project__name",
    "from_state": "from_state",
    "to_state": "to_state",
    "reason": "reason",
    "payload": "payload",
    "hash": "hash",
    "prev_hash": "prev_hash",
}


def _rows(events: QuerySet[Event], progress: Progress | None) -> Iterator[dict]:
    """Each event as a file's row, in id order. A server-side cursor on PostgreSQL:
    memory stays flat however long the log."""
    values = events.select_related(None).order_by("id").values_list(*_COLUMNS.values())
    written = 0
    for line in values.iterator(chunk_size=CHUNK):
        row = dict(zip(_COLUMNS, line, strict=True))
        row["recorded_at"] = row["recorded_at"].isoformat()
        row["at"] = row["at"].isoformat()
        yield row
        written += 1
        if progress is not None and written % CHUNK == 0:
            progress(written)
    if progress is not None:
        progress(written)


def csv_text(events: QuerySet[Event], progress: Progress | None = None) -> Iterator[str]:
    """The CSV file, line by line; `progress(n)` is told every CHUNK rows and at the end."""

    def rows():
        for row in _rows(events, progress):
            row["payload"] = json.dumps(row["payload"], sort_keys=True)
            yield row

    return csv_lines(FIELDS, rows())


def json_text(events: QuerySet[Event], progress: Progress | None = None) -> Iterator[str]:
    yield "["
    for i, row in enumerate(_rows(events, progress)):
        yield ("," if i else "") + json.dumps(row)
    yield "]"


TEXT = {"csv": csv_text, "json": json_text}
