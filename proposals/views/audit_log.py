"""The audit log: every event, filtered, paginated and downloadable."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from proposals import audit, event_sentences
from proposals.forms import AuditFilterForm
from proposals.models import AuditCheck, Event
from proposals.views.access import readable
from proposals.views.downloads import attachment, csv_lines

FIELDS = ["id", "recorded_at", "at", "actor", "action", "committee", "proposal", "project",
          "from_state", "to_state", "reason", "payload", "hash", "prev_hash"]  # fmt: skip


def _filtered(request) -> tuple[AuditFilterForm, object]:
    form = AuditFilterForm(request.GET or None)
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


@readable
def audit_log(request):
    form, events = _filtered(request)
    fmt = request.GET.get("format")
    if fmt == "csv":
        return _download_csv(events)
    if fmt == "json":
        return _download_json(events)
    page = Paginator(events.order_by("-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/audit_log.html",
        {
            "form": form,
            "page": page,
            "lines": event_sentences.lines(page.object_list),
            "query": query.urlencode(),
            "check": AuditCheck.objects.order_by("-checked_at").first(),
        },
    )


@require_POST
@login_required
def verify_now(request):
    # Rehashing the whole log is work for operators, not for every account.
    if not request.user.is_staff:
        raise PermissionDenied(
            "Only staff may verify the audit chain on demand; it is also verified daily."
        )
    check = audit.check_and_store()
    if check.ok:
        messages.success(request, f"The audit chain is intact: {check.events} events checked.")
    else:
        messages.error(request, f"The audit chain is broken: {check.problem}.")
    return redirect("proposals:audit_log")


def _row(event: Event) -> dict:
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


def _download_csv(events) -> StreamingHttpResponse:
    def rows():
        for event in events.order_by("id").iterator(chunk_size=2000):
            row = _row(event)
            row["payload"] = json.dumps(row["payload"], sort_keys=True)
            yield row

    return attachment(csv_lines(FIELDS, rows()), "text/csv; charset=utf-8", "audit", "csv")


def _download_json(events) -> StreamingHttpResponse:
    def chunks():
        yield "["
        for i, event in enumerate(events.order_by("id").iterator(chunk_size=2000)):
            yield ("," if i else "") + json.dumps(_row(event))
        yield "]"

    return attachment(chunks(), "application/json", "audit", "json")
