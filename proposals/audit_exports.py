"""The audit log as CSV or JSON: which events a filter selects, and their rows.

Shared by the audit page (small downloads streamed in the request) and the export jobs
(`proposals.audit_jobs`, which write the same text to a file)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from django.db.models import QuerySet

from proposals.forms import AuditFilterForm
from proposals.models import Event
from proposals.views.downloads import csv_lines

CHUNK = 2000
Progress = Callable[[int], None]
FIELDS = ["id", "recorded_at", "at", "actor", "action", "committee", "proposal", "project",
          "from_state", "to_state", "reason", "payload", "hash", "prev_hash"]  # fmt: skip


def filtered(params) -> tuple[AuditFilterForm, QuerySet[Event]]:
    """The filter form bound to `params` (a QueryDict, possibly empty) and the events it
    selects."""
    form = AuditFilterForm(params or None)
    events = Event.objects.select_related(
        "committee", "proposal", "project", "actor", "membership__user"
    )
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
            events = events.filter(actor_name__iexact=data["actor"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    return form, events


def row(event: Event) -> dict:
    return {
        "id": event.pk,
        "recorded_at": event.recorded_at.isoformat(),
        "at": event.at.isoformat(),
        "actor": event.actor_name,
        "action": event.action,
        "committee": event.committee.name if event.committee else None,
        "proposal": event.proposal_id,
        "project": event.project.name if event.project else None,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "payload": event.payload,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }


def _in_order(events: QuerySet[Event], progress: Progress | None) -> Iterator[Event]:
    # A server-side cursor on PostgreSQL: memory stays flat however long the log.
    written = 0
    for event in events.order_by("id").iterator(chunk_size=CHUNK):
        yield event
        written += 1
        if progress is not None and written % CHUNK == 0:
            progress(written)
    if progress is not None:
        progress(written)


def csv_text(events: QuerySet[Event], progress: Progress | None = None) -> Iterator[str]:
    """The CSV file, line by line; `progress(n)` is told every CHUNK rows and at the end."""

    def rows():
        for event in _in_order(events, progress):
            line = row(event)
            line["payload"] = json.dumps(line["payload"], sort_keys=True)
            yield line

    return csv_lines(FIELDS, rows())


def json_text(events: QuerySet[Event], progress: Progress | None = None) -> Iterator[str]:
    yield "["
    for i, event in enumerate(_in_order(events, progress)):
        yield ("," if i else "") + json.dumps(row(event))
    yield "]"


TEXT = {"csv": csv_text, "json": json_text}
