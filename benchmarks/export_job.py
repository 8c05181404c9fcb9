"""An audit export as a background job on a large log: the request's time, the job's,
and the process's memory while the file is written.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmc_big \\
        .venv/bin/python benchmarks/export_job.py [--format csv] [--query committee=3]

Against a database filled by `benchmarks/dataset.py`: signs in as its first user, POSTs
"Prepare CSV file" on the audit page (timed: the request only queues the job), then runs
the job in a thread of this process as the embedded mode would, sampling the resident
memory (RSS) every half second (printed with the job's progress every 5 s). Prints the
job's time and rows per second, and the peak RSS above the RSS before the job: flat memory
means that peak does not grow with the log (compare a filtered, smaller export).
The file is written to a temporary directory, removed at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = resource.getpagesize()


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def _setup(export_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmc.settings"
    os.environ["DEBUG"] = "0"
    os.environ["PMC_EMBEDDED_JOBS"] = "0"  # this script runs the job itself, in a thread
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["PMC_EXPORT_DIR"] = export_dir
    os.environ["PMC_REQUIRE_MFA"] = "0"  # the generated people have no second factor
    import django

    django.setup()
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # static files not collected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--query", default="", help="the audit page's filters, e.g. committee=3")
    args = parser.parse_args()
    export_dir = tempfile.mkdtemp(prefix="pmc-bench-export-")
    try:
        _setup(export_dir)
        run(args.format, args.query)
    finally:
        shutil.rmtree(export_dir, ignore_errors=True)


def run(fmt: str, query: str) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from proposals import audit_jobs
    from proposals.models import AuditJob

    client = Client()
    client.force_login(get_user_model().objects.order_by("id").first())
    url = reverse("proposals:audit_export")
    client.post(url, {"format": fmt, "query": query}, secure=True)  # warm-up
    AuditJob.objects.all().delete()
    started = time.perf_counter()
    response = client.post(url, {"format": fmt, "query": query}, secure=True)
    request_ms = (time.perf_counter() - started) * 1000
    assert response.url.endswith("/audit/exports/"), response.url
    job = AuditJob.objects.get()
    print(f"POST {url} -> {response.status_code} in {request_ms:.1f} ms (job #{job.pk} queued)")

    def work() -> None:
        try:
            audit_jobs.run(job.pk)
        finally:
            connections.close_all()

    before = rss_mb()
    peak = before
    thread = threading.Thread(target=work)
    started = time.perf_counter()
    thread.start()
    print(f"{'seconds':>8} {'rows written':>13} {'RSS MB':>8}")
    samples = 0
    while thread.is_alive():
        thread.join(0.5)
        now = rss_mb()
        peak = max(peak, now)
        samples += 1
        if samples % 10 == 0:  # a line every 5 s
            written = AuditJob.objects.filter(pk=job.pk).values_list("rows_written", flat=True)
            print(f"{time.perf_counter() - started:8.1f} {written[0]:13,} {now:8.1f}")
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    size = (Path(audit_jobs.export_dir()) / job.file_name).stat().st_size if job.file_name else 0
    print(
        f"job {job.status}: {job.rows_written:,} of {job.rows_total:,} events, "
        f"{size / 2**20:.1f} MB in {seconds:.1f} s ({job.rows_written / seconds:,.0f} rows/s); "
        f"RSS before {before:.1f} MB, peak {peak:.1f} MB (+{peak - before:.1f} MB)"
    )
    AuditJob.objects.filter(pk=job.pk).delete()


if __name__ == "__main__":
    main()
