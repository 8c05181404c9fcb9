"""Audit exports made in the background: starting one, following it, downloading it.

Starting needs an account even where reading is public: a job costs minutes of work, and
its file belongs to whoever asked. A file is downloaded by its requester, or by staff,
while they may still read the audit log; other readers start their own export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from proposals import audit_exports, audit_jobs, background
from proposals.models import AuditJob
from proposals.views.access import readable

JOBS_SHOWN = 20


@require_POST
@readable
@login_required
def start_export(request):
    kind = request.POST.get("format", "")
    query = request.POST.get("query", "")
    back = f"{reverse('proposals:audit_log')}?{query}" if query else reverse("proposals:audit_log")
    if kind not in audit_exports.TEXT or len(query) > AuditJob._meta.get_field("query").max_length:
        messages.error(request, "Choose CSV or JSON from the audit page to prepare a file.")
        return redirect(back)
    form, _ = audit_exports.filtered(QueryDict(query))
    if form.is_bound and not form.is_valid():
        messages.error(request, "Correct the filters first: the file would hold no events.")
        return redirect(back)
    job = audit_jobs.start_export(user=request.user, kind=kind, query=query)
    background.audit_job_queued(job.pk)
    messages.success(
        request, f"Preparing the {kind.upper()} file; its link appears here when it is ready."
    )
    return redirect("proposals:audit_jobs")


@readable
@login_required
def jobs(request):
    shown = AuditJob.objects.filter(requested_by=request.user).select_related("result")
    return render(request, "proposals/audit_jobs.html", {"jobs": list(shown[:JOBS_SHOWN])})


@readable
@login_required
def download(request, pk: int):
    job = get_object_or_404(AuditJob, pk=pk)
    if job.requested_by_id != request.user.pk and not request.user.is_staff:
        raise Http404("No such file.")
    path = audit_jobs.file_path(job)
    if path is None or not path.exists():
        raise Http404("This file is not ready, or no longer kept: prepare it again.")
    stamp = job.created_at.strftime("%Y%m%d-%H%M%S")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"audit-{stamp}.{job.kind}")
