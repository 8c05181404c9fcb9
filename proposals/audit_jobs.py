"""Audit work users ask for that is too long for a request: exports and verification.

A request only creates an `AuditJob` row (queued) and returns; the row is the record of
the work, whichever runs it: a thread of the web process in the embedded mode, a Celery
worker with Redis (`proposals.background.audit_job_queued`). `run()` claims the row with
a conditional update, so a job runs once however often it is handed out, and the
periodic `sweep()` hands out jobs whose hand-out was lost (a broker down, a restart).

An export writes to `<name>.part` and renames it to its final name only after the last
row: a file is offered once complete, never cut short. A job that fails says so and
what to do, and leaves no file; one whose process died is failed by the sweep once it
has shown no progress for STALE.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db.models import Max
from django.http import QueryDict
from django.utils import timezone

from proposals import audit_exports, verification
from proposals.models import AuditJob

logger = logging.getLogger(__name__)

JOB = "audit_jobs"
STALE = datetime.timedelta(minutes=15)
Status = AuditJob.Status
PENDING = (Status.QUEUED, Status.RUNNING)
RETRY = "Start it again from the audit page; if it fails again, tell the site's operators."


def start_export(*, user, kind: str, query: str) -> AuditJob:
    """A queued export of the events the audit page's filters `query` select. The same
    export still pending for the same user is reused rather than queued twice."""
    if kind not in audit_exports.TEXT:
        raise ValueError(f"unknown export format {kind!r}")
    pending = AuditJob.objects.filter(
        requested_by=user, kind=kind, query=query, status__in=PENDING
    ).first()
    return pending or AuditJob.objects.create(requested_by=user, kind=kind, query=query)


def start_verification(*, user) -> AuditJob:
    """A queued verification of the chain, unless one is already pending (whoever asked)."""
    pending = AuditJob.objects.filter(kind=AuditJob.Kind.VERIFY, status__in=PENDING).first()
    return pending or AuditJob.objects.create(requested_by=user, kind=AuditJob.Kind.VERIFY)


def export_dir() -> Path:
    return Path(settings.PMC_EXPORT_DIR)


def file_path(job: AuditJob) -> Path | None:
    """The finished file of a done export, or None."""
    if job.status != Status.DONE or not job.file_name:
        return None
    return export_dir() / job.file_name


def run(job_id: int) -> AuditJob | None:
    """Run the queued job `job_id`; None when it is not queued (taken by another run)."""
    now = timezone.now()
    claimed = AuditJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, progress_at=now
    )
    if not claimed:
        return None
    job = AuditJob.objects.get(pk=job_id)
    try:
        if job.kind == AuditJob.Kind.VERIFY:
            _verify(job)
        else:
            _export(job)
    except Exception as error:
        logger.exception("audit job %s failed", job.pk)
        error_text = f"It stopped with an error ({type(error).__name__}). {RETRY}"
        _finish(job, Status.FAILED, error=error_text)
        raise
    return job


def _verify(job: AuditJob) -> None:
    _, check = verification.verify_and_store()
    job.result = check
    job.rows_total = job.rows_written = check.events
    _finish(job, Status.DONE)


def _export(job: AuditJob) -> None:
    form, events = audit_exports.filtered(QueryDict(job.query))
    if form.is_bound and not form.is_valid():
        _finish(job, Status.FAILED, error="Its filters are not valid: correct them, start again.")
        return
    # Events appended while the file is written are left out, so that the count shown
    # as the total is the count written.
    last = events.aggregate(last=Max("id"))["last"] or 0
    events = events.filter(id__lte=last)
    job.rows_total = events.count()
    AuditJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)

    def progress(written: int) -> None:
        job.rows_written = written
        AuditJob.objects.filter(pk=job.pk).update(rows_written=written, progress_at=timezone.now())

    directory = export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"audit-{job.pk}-{secrets.token_hex(8)}.{job.kind}"
    part = directory / f"{name}.part"
    try:
        with part.open("w", encoding="utf-8", newline="") as out:
            for text in audit_exports.TEXT[job.kind](events, progress):
                out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, directory / name)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    job.file_name = name
    _finish(job, Status.DONE)


def _finish(job: AuditJob, status: str, *, error: str = "") -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status", "error", "finished_at", "rows_written", "rows_total", "file_name", "result",
        ]
    )  # fmt: skip


def sweep(now: datetime.datetime | None = None) -> list[int]:
    """Fail the jobs whose process died, delete files past PMC_EXPORT_KEEP_HOURS, and
    return the ids of the queued jobs, to be handed out (again)."""
    now = now or timezone.now()
    for job in AuditJob.objects.filter(status=Status.RUNNING, progress_at__lt=now - STALE):
        _remove_parts(job)
        AuditJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.FAILED,
            finished_at=now,
            error=f"It stopped without finishing (its process ended). {RETRY}",
        )
    keep = datetime.timedelta(hours=settings.PMC_EXPORT_KEEP_HOURS)
    for job in AuditJob.objects.filter(status=Status.DONE, finished_at__lt=now - keep).exclude(
        file_name=""
    ):
        (export_dir() / job.file_name).unlink(missing_ok=True)
        AuditJob.objects.filter(pk=job.pk).update(status=Status.EXPIRED)
    return list(AuditJob.objects.filter(status=Status.QUEUED).values_list("pk", flat=True))


def _remove_parts(job: AuditJob) -> None:
    for part in export_dir().glob(f"audit-{job.pk}-*.part"):
        part.unlink(missing_ok=True)
