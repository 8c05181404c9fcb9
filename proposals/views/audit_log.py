"""The audit log: every event, filtered, paginated and downloadable."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
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
from proposals.models import AuditJob, Checkpoint
from proposals.views.access import readable
from proposals.views.downloads import attachment

CHECKPOINTS_SHOWN = 10
# Matching events up to which a download streams in the request (about a second's work).
DIRECT_DOWNLOAD_MAX = 10_000


def _filtered(request):
    return audit_exports.filtered(request.GET)


@readable
def audit_log(request):
    form, events = _filtered(request)
    fmt = request.GET.get("format")
    if fmt in audit_exports.TEXT:
        return _download(request, events, fmt)
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
