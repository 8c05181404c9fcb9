"""The audit log: every event, filtered, paginated and downloadable."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from proposals import (
    audit_alerts,
    audit_exports,
    audit_jobs,
    background,
    checkpoints,
    event_sentences,
    signing,
)
from proposals.models import AuditJob, Checkpoint, Event
from proposals.page_cache import kept_page
from proposals.views import paging
from proposals.views.access import readable
from proposals.views.downloads import attachment

CHECKPOINTS_SHOWN = 10
# Matching events up to which a download streams in the request (about a second's work).
DIRECT_DOWNLOAD_MAX = 10_000


PAGE_SIZE = 50


def _filtered(request):
    return audit_exports.filtered(request.GET)


class BadCursor(ValueError):
    """A `?before=` or `?after=` that is not an event's number."""


@dataclass
class LogPage:
    """A page of the log, newest first, with the ids the links to the pages beside it
    start from (None where there is no such page)."""

    events: list
    older: int | None
    newer: int | None


def log_page(
    events, *, by_time: bool = False, before: str = "", after: str = "", size: int = PAGE_SIZE
) -> LogPage:
    """The `size` events older than the event `before`, or newer than `after`, or the
    newest: read from an index in the page's order, from the cursor on, at the same cost
    at any depth, where an `OFFSET` reads and discards every row before the page.

    The log's order is by id; `by_time` orders by the time each event is about (then by
    id), for a page filtered by dates: the events of a range far back in the log are
    then read from the index on that time, not found by walking every newer event."""
    try:
        before_id = int(before) if before else None
        after_id = int(after) if after else None
    except ValueError as e:
        raise BadCursor(before or after) from e
    newest_first = ["-at", "-pk"] if by_time else ["-pk"]
    cursor_id = after_id if after_id is not None else before_id
    if cursor_id is None:
        found = list(events.order_by(*newest_first)[: size + 1])
        shown, older_exists, newer_exists = found[:size], len(found) > size, False
    else:
        at = None
        if by_time:
            at = Event.objects.filter(pk=cursor_id).values_list("at", flat=True).first()
            if at is None:
                raise BadCursor(str(cursor_id))
        older, newer = _sides(cursor_id, at)
        if after_id is not None:
            oldest_first = [key.lstrip("-") for key in newest_first]
            found = list(events.filter(newer).order_by(*oldest_first)[: size + 1])
            shown = found[:size][::-1]
            newer_exists = len(found) > size
            older_exists = bool(shown) and events.filter(~newer).exists()
        else:
            found = list(events.filter(older).order_by(*newest_first)[: size + 1])
            shown = found[:size]
            older_exists = len(found) > size
            newer_exists = bool(shown) and events.filter(~older).exists()
    return LogPage(
        events=shown,
        older=shown[-1].pk if shown and older_exists else None,
        newer=shown[0].pk if shown and newer_exists else None,
    )


def _sides(pk: int, at) -> tuple[Q, Q]:
    """The events older and newer than the event `pk`: by id, or, given its time `at`,
    by time then id (with a bound on the time alone, where an index on it starts)."""
    if at is None:
        return Q(pk__lt=pk), Q(pk__gt=pk)
    older = (Q(at__lt=at) | Q(at=at, pk__lt=pk)) & Q(at__lte=at)
    newer = (Q(at__gt=at) | Q(at=at, pk__gt=pk)) & Q(at__gte=at)
    return older, newer


@readable
@kept_page
def audit_log(request):
    form, events = _filtered(request)
    fmt = request.GET.get("format")
    if fmt in audit_exports.TEXT:
        return _download(request, events, fmt)
    # Only the page shows the proposal; its title, not its text.
    shown = events.select_related("proposal").defer("proposal__body", "proposal__body_html")
    query = request.GET.copy()
    for name in ("page", "before", "after"):
        query.pop(name, None)
    dated = form.is_valid() and (form.cleaned_data["date_from"] or form.cleaned_data["date_to"])
    context = {"form": form, "query": query.urlencode(), "by_time": bool(dated)}
    try:
        page = log_page(
            shown,
            by_time=context["by_time"],
            before=request.GET.get("before", ""),
            after=request.GET.get("after", ""),
        )
    except BadCursor:
        context["bad_cursor"] = True
        page = log_page(shown, by_time=context["by_time"])
    # A count stops at the cap: an exact one reads every row the filters select.
    count, count_more = paging.capped_count(events)
    return render(
        request,
        "proposals/audit_log.html",
        {
            **context,
            "page": page,
            "count": count,
            "count_more": count_more,
            "lines": event_sentences.lines(page.events),
            "verifying": request.user.is_staff
            and AuditJob.objects.filter(
                kind=AuditJob.Kind.VERIFY, status__in=audit_jobs.PENDING
            ).exists(),
            **_integrity(),
        },
    )


def _integrity() -> dict:
    """The integrity section: the newest verification result the key signed (never a
    row it did not), the keys, and the newest checkpoints."""
    keys = signing.keyring()
    check, unsigned_newer = audit_alerts.latest_trusted(keys)
    return {
        "check": check,
        "unsigned_newer": unsigned_newer,
        "keys": keys,
        "public_key": signing.public_text(keys.public) if keys.public else "",
        "trusted_keys": [
            {"key_id": key_id, "public_key": signing.public_text(public)}
            for key_id, public in keys.trusted.items()
        ],
        "checkpoints": list(Checkpoint.objects.order_by("-sequence")[:CHECKPOINTS_SHOWN]),
        "checkpoint_count": Checkpoint.objects.count(),
        "checkpoint_minutes": settings.AUDIT_CHECKPOINT_MINUTES,
    }


@readable
def checkpoints_json(request):
    """Every signed checkpoint, for anyone who may read the audit page to keep copies
    (`?after=N` for those after sequence N only). `verify_audit --checkpoint FILE` reads
    this document back."""
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return JsonResponse({"error": "after must be a checkpoint's sequence number"}, status=400)
    keys = signing.keyring()
    rows = Checkpoint.objects.filter(sequence__gt=after).order_by("sequence")
    return JsonResponse(
        {
            "format": "pmc-lifecycle-checkpoints",
            "version": 1,
            "trusted_keys": [
                {"key_id": key_id, "public_key": signing.public_text(public)}
                for key_id, public in keys.trusted.items()
            ],
            "statement": "pmc-lifecycle checkpoint v1\\nsequence=S\\nevents=N\\nhead=H\\n"
            "signed_at=T\\n, signed with Ed25519",
            "checkpoints": [checkpoints.as_json(row) for row in rows.iterator(chunk_size=2000)],
        },
        json_dumps_params={"indent": 1},
    )


@require_POST
@login_required
def verify_now(request):
    # Rehashing the whole log is work for operators, not for every account.
    if not request.user.is_staff:
        raise PermissionDenied(
            "Only staff may verify the audit chain on demand; it is also verified daily."
        )
    # Rehashing a long log outlasts a request: a job does it, and the page shows the result.
    job = audit_jobs.start_verification(user=request.user)
    background.audit_job_queued(job.pk)
    messages.info(
        request,
        "The audit log is being verified in the background; its result appears here "
        "when it is done.",
    )
    return redirect("proposals:audit_log")


def _download(request, events, fmt: str):
    """Small downloads stream at once; a larger one would outlast the request (the worker
    killed mid-file, a truncated file with a success status), so it is prepared by a job."""
    if events[: DIRECT_DOWNLOAD_MAX + 1].count() > DIRECT_DOWNLOAD_MAX:
        messages.info(
            request,
            f"More than {DIRECT_DOWNLOAD_MAX:,} events match: too many to download at once. "
            f'Press "Prepare {fmt.upper()} file" to have the file made in the background.',
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('proposals:audit_log')}?{query.urlencode()}")
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return attachment(audit_exports.TEXT[fmt](events), content_type, "audit", fmt)
