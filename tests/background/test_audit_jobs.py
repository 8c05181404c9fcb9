"""Audit exports and "Verify now" run out of the request: in a thread of the web process
without Redis, on a Celery worker with it."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.test import override_settings
from django.urls import reverse

from pmc import services
from proposals import actions, embedded
from proposals.models import AuditCheck, AuditJob, Event
from proposals.tasks import sweep_audit_jobs
from tests.background.helpers import BackgroundTestCase, WorkerTestCase, wait_until
from tests.factories import make_proposal


class AuditJobsMixin:
    def setUp(self) -> None:
        super().setUp()
        self.export_dir = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(override_settings(PMC_EXPORT_DIR=self.export_dir))
        for title in ["Adopt the release calendar", "Move lattice to the attic"]:
            proposal = make_proposal(self.committee, self.member, title=title)
            actions.do_submit(proposal=proposal, actor=self.member)

    def wait_done(self, job_id: int) -> AuditJob:
        wait_until(
            lambda: AuditJob.objects.get(pk=job_id).status == AuditJob.Status.DONE,
            what=f"audit job {job_id} to finish",
        )
        return AuditJob.objects.get(pk=job_id)

    def start_export(self) -> AuditJob:
        self.client.force_login(self.member)
        response = self.client.post(reverse("proposals:audit_export"), {"format": "csv"})
        self.assertRedirects(response, reverse("proposals:audit_jobs"))
        return AuditJob.objects.latest("id")

    def assert_every_event_downloads(self, job: AuditJob) -> None:
        self.client.force_login(job.requested_by)
        response = self.client.get(reverse("proposals:audit_download", args=[job.pk]))
        text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
        ids = [int(row["id"]) for row in csv.DictReader(io.StringIO(text))]
        self.assertEqual(ids, list(Event.objects.order_by("id").values_list("pk", flat=True)))
        self.assertEqual(job.rows_written, len(ids))
        self.assertEqual([path.name for path in self.export_dir.iterdir()], [job.file_name])


class EmbeddedAuditJobTests(AuditJobsMixin, BackgroundTestCase):
    broker = "memory://"

    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(embedded.stop)

    @override_settings(PMC_EMBEDDED_JOBS=True)
    def test_an_export_started_on_the_page_runs_in_a_thread_without_redis(self):
        self.assertFalse(services.uses_redis())

        job = self.start_export()

        self.assert_every_event_downloads(self.wait_done(job.pk))

    @override_settings(PMC_EMBEDDED_JOBS=True)
    def test_verify_now_runs_in_a_thread_and_its_result_shows_on_the_audit_page(self):
        self.outsider.is_staff = True
        self.outsider.save()
        self.client.force_login(self.outsider)

        self.client.post(reverse("proposals:verify_audit"))

        job = self.wait_done(AuditJob.objects.get(kind=AuditJob.Kind.VERIFY).pk)
        # (The jobs thread the request started may also run its daily verification.)
        self.assertTrue(AuditCheck.objects.filter(pk=job.result_id, ok=True).exists())
        self.assertEqual(job.result.events, Event.objects.count())
        page = self.client.get(reverse("proposals:audit_log"))
        self.assertContains(page, f"{job.result.events} events: chain, seals, checkpoints")
        self.assertNotContains(page, "A verification is running")

    def test_a_job_left_queued_is_run_by_the_next_round_of_the_jobs_thread(self):
        job = AuditJob.objects.create(requested_by=self.member, kind=AuditJob.Kind.CSV)

        embedded.run_jobs(full=True)

        self.assert_every_event_downloads(self.wait_done(job.pk))


class CeleryAuditJobTests(AuditJobsMixin, WorkerTestCase):
    worker_count = 1

    def test_an_export_started_on_the_page_runs_on_a_worker(self):
        self.assertTrue(services.uses_redis())

        job = self.start_export()

        self.assert_every_event_downloads(self.wait_done(job.pk))
        self.watch.wait_idle()
        self.assertEqual(self.watch.finished["proposals.tasks.run_audit_job"], 1)

    def test_beats_sweep_hands_out_a_job_whose_enqueue_was_lost(self):
        job = AuditJob.objects.create(requested_by=self.member, kind=AuditJob.Kind.CSV)

        sweep_audit_jobs.delay()

        self.assert_every_event_downloads(self.wait_done(job.pk))
        self.watch.wait_idle()
