"""Exports of the audit log made in the background: every row, offered only complete,
a failure shown as one, and only to those who may have the file."""

from __future__ import annotations

import csv
import datetime
import io
import json
import tempfile
from pathlib import Path
from unittest import mock

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals import actions, audit_exports, audit_jobs
from proposals.models import AuditJob, Event
from proposals.views import audit_log
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

START = reverse("proposals:audit_export")
JOBS = reverse("proposals:audit_jobs")


def download_url(job: AuditJob) -> str:
    return reverse("proposals:audit_download", args=[job.pk])


class AuditExportTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for title in ["Adopt the release calendar", '=HYPERLINK("http://evil.example")']:
            proposal = make_proposal(cls.committee, cls.member, title=title)
            actions.do_submit(proposal=proposal, actor=cls.member)
        make_proposal(cls.other_committee, cls.foreign_member, title="Adopt the plugin API")

    def setUp(self) -> None:
        super().setUp()
        directory = self.enterContext(tempfile.TemporaryDirectory())
        self.export_dir = Path(directory)
        self.enterContext(override_settings(PMC_EXPORT_DIR=self.export_dir))

    def start(self, fmt: str = "csv", query: str = "", user=None) -> AuditJob:
        self.client.force_login(user or self.member)
        response = self.client.post(START, {"format": fmt, "query": query})
        self.assertRedirects(response, JOBS)
        return AuditJob.objects.latest("id")

    def files(self) -> list[str]:
        return sorted(path.name for path in self.export_dir.iterdir())


class ExportTests(AuditExportTestCase):
    def test_the_request_only_queues_the_export(self):
        self.client.force_login(self.member)

        page = self.client.post(START, {"format": "csv", "query": ""}, follow=True)

        job = AuditJob.objects.get()
        self.assertEqual(job.status, AuditJob.Status.QUEUED)
        self.assertEqual(job.requested_by, self.member)
        self.assertEqual(self.files(), [])
        self.assertContains(page, "Preparing the CSV file")
        self.assertContains(page, "Waiting to start.")
        self.assertNotContains(page, download_url(job))
        self.assertEqual(self.client.get(download_url(job)).status_code, 404)

    def test_the_csv_file_holds_every_event_once_complete(self):
        job = self.start("csv")

        audit_jobs.run(job.pk)

        job.refresh_from_db()
        events = list(Event.objects.order_by("id"))
        self.assertEqual(job.status, AuditJob.Status.DONE)
        self.assertEqual((job.rows_written, job.rows_total), (len(events), len(events)))
        self.assertEqual(self.files(), [job.file_name])  # no .part left behind
        page = self.client.get(JOBS)
        self.assertContains(page, f'href="{download_url(job)}" download>Download</a>')
        self.assertContains(page, f"({len(events)} events)")
        response = self.client.get(download_url(job))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment; filename=", response["Content-Disposition"])
        text = b"".join(response.streaming_content).decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
        self.assertEqual([int(row["id"]) for row in rows], [event.pk for event in events])
        self.assertEqual([row["hash"] for row in rows], [event.hash for event in events])
        self.assertEqual(
            [json.loads(row["payload"]) for row in rows], [event.payload for event in events]
        )
        # Cells a spreadsheet would run as formulas are made text, as in the page's download.
        self.assertTrue(any(row["reason"] == "" for row in rows))
        self.assertNotIn("\n=HYPERLINK", text)

    def test_the_json_file_holds_the_filtered_events(self):
        job = self.start("json", query=f"committee={self.committee.pk}")

        audit_jobs.run(job.pk)

        response = self.client.get(download_url(job))
        rows = json.loads(b"".join(response.streaming_content))
        expected = Event.objects.filter(committee=self.committee).order_by("id")
        self.assertEqual([row["id"] for row in rows], [event.pk for event in expected])
        self.assertEqual(
            [
                {
                    "id": event.pk,
                    "recorded_at": event.recorded_at.isoformat(),
                    "at": event.at.isoformat(),
                    "actor": event.actor_name,
                    "action": event.action,
                    "committee": self.committee.name,
                    "proposal": event.proposal_id,
                    "project": event.project.name if event.project else None,
                    "from_state": event.from_state,
                    "to_state": event.to_state,
                    "reason": event.reason,
                    "payload": event.payload,
                    "hash": event.hash,
                    "prev_hash": event.prev_hash,
                }
                for event in expected
            ],
            rows,
        )
        self.assertGreater(Event.objects.exclude(committee=self.committee).count(), 0)

    def test_the_same_export_still_pending_is_not_queued_twice(self):
        first = self.start("csv")
        second = self.start("csv")
        other = self.start("json")

        self.assertEqual(first, second)
        self.assertNotEqual(first, other)

    def test_it_refuses_invalid_filters_and_unknown_formats_and_queues_nothing(self):
        self.client.force_login(self.member)

        response = self.client.post(START, {"format": "csv", "query": "date_from=last+tuesday"})
        self.assertRedirects(response, reverse("proposals:audit_log") + "?date_from=last+tuesday")
        response = self.client.post(START, {"format": "xlsx", "query": ""}, follow=True)

        self.assertContains(response, "Choose CSV or JSON")
        self.assertFalse(AuditJob.objects.exists())

    def test_a_running_export_is_not_offered_and_shows_its_progress(self):
        job = self.start("csv")
        seen = {}
        real_rows = audit_exports._rows

        def rows_then_look(*args):
            for row in real_rows(*args):
                if not seen:  # mid-file: the header is written, the rows are not
                    seen["download"] = self.client.get(download_url(job)).status_code
                    seen["page"] = self.client.get(JOBS).content.decode()
                    seen["files"] = self.files()
                yield row

        with mock.patch.object(audit_exports, "_rows", side_effect=rows_then_look):
            audit_jobs.run(job.pk)

        self.assertEqual(seen["download"], 404)
        self.assertIn("Running: 0 of", seen["page"])
        self.assertIn("<progress", seen["page"])
        self.assertNotIn(download_url(job), seen["page"])
        self.assertEqual(len(seen["files"]), 1)
        self.assertTrue(seen["files"][0].endswith(".csv.part"))
        self.assertEqual(self.client.get(download_url(job)).status_code, 200)

    def test_a_failing_export_is_shown_failed_with_what_to_do_and_leaves_no_file(self):
        job = self.start("csv")
        real_rows = audit_exports._rows

        def disk_full_on_the_third_row(*args):
            for i, row in enumerate(real_rows(*args)):
                if i == 2:
                    raise OSError(28, "No space left on device")
                yield row

        with (
            mock.patch.object(audit_exports, "_rows", side_effect=disk_full_on_the_third_row),
            self.assertRaises(OSError),
            self.assertLogs("proposals.audit_jobs", "ERROR"),
        ):
            audit_jobs.run(job.pk)

        job.refresh_from_db()
        self.assertEqual(job.status, AuditJob.Status.FAILED)
        self.assertEqual(job.file_name, "")
        self.assertEqual(self.files(), [])
        page = self.client.get(JOBS)
        self.assertContains(page, "Failed.</strong> It stopped with an error (OSError).")
        self.assertContains(page, "Start it again from the audit page")
        self.assertNotContains(page, download_url(job))
        self.assertEqual(self.client.get(download_url(job)).status_code, 404)

    def test_a_job_taken_by_another_run_is_not_run_twice(self):
        job = self.start("csv")
        audit_jobs.run(job.pk)
        name = AuditJob.objects.get(pk=job.pk).file_name

        self.assertIsNone(audit_jobs.run(job.pk))
        self.assertEqual(self.files(), [name])


class SweepTests(AuditExportTestCase):
    def test_it_fails_a_job_whose_process_died_and_removes_its_part_file(self):
        job = self.start("csv")
        long_ago = timezone.now() - audit_jobs.STALE - datetime.timedelta(minutes=1)
        AuditJob.objects.filter(pk=job.pk).update(
            status=AuditJob.Status.RUNNING, started_at=long_ago, progress_at=long_ago
        )
        (self.export_dir / f"audit-{job.pk}-abc.csv.part").write_text("id,recorded_at\n1,")

        queued = audit_jobs.sweep()

        job.refresh_from_db()
        self.assertEqual(queued, [])
        self.assertEqual(job.status, AuditJob.Status.FAILED)
        self.assertIn("its process ended", job.error)
        self.assertEqual(self.files(), [])
        self.assertContains(self.client.get(JOBS), "Start it again from the audit page")

    def test_it_hands_out_queued_jobs_and_leaves_recent_running_ones(self):
        queued = self.start("csv")
        running = self.start("json")
        AuditJob.objects.filter(pk=running.pk).update(
            status=AuditJob.Status.RUNNING, progress_at=timezone.now()
        )

        self.assertEqual(audit_jobs.sweep(), [queued.pk])
        self.assertEqual(AuditJob.objects.get(pk=running.pk).status, AuditJob.Status.RUNNING)

    @override_settings(PMC_EXPORT_KEEP_HOURS=1)
    def test_it_deletes_files_past_their_keeping_time(self):
        job = self.start("csv")
        audit_jobs.run(job.pk)
        AuditJob.objects.filter(pk=job.pk).update(
            finished_at=timezone.now() - datetime.timedelta(hours=2)
        )

        audit_jobs.sweep()

        self.assertEqual(self.files(), [])
        self.assertEqual(AuditJob.objects.get(pk=job.pk).status, AuditJob.Status.EXPIRED)
        self.assertEqual(self.client.get(download_url(job)).status_code, 404)
        self.assertContains(self.client.get(JOBS), "prepare it again")


class LargeDirectDownloadTests(AuditExportTestCase):
    def test_a_download_too_large_for_a_request_points_to_the_background_export(self):
        self.client.force_login(self.member)
        with mock.patch.object(audit_log, "DIRECT_DOWNLOAD_MAX", 3):
            url = reverse("proposals:audit_log") + f"?committee={self.committee.pk}&format=csv"
            response = self.client.get(url, follow=True)

        self.assertRedirects(
            response, reverse("proposals:audit_log") + f"?committee={self.committee.pk}"
        )
        self.assertContains(response, "More than 3 events match: too many to download at once.")
        self.assertContains(response, f'name="query" value="committee={self.committee.pk}"')

    def test_a_small_download_still_streams_at_once(self):
        response = self.client.get(reverse("proposals:audit_log") + "?format=csv")

        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        self.assertEqual(len(rows), Event.objects.count())


class ExportPermissionTests(AuditExportTestCase):
    """Who may start an export and download its file.

    Starting needs an account even where reading is public (a job is minutes of work, and
    its file has an owner); where reading is for members only, a seat or staff as well.
    A file goes to its requester, or to staff, while they may read the log."""

    def test_anonymous_readers_are_asked_to_sign_in_on_a_public_site(self):
        job = AuditJob.objects.create(requested_by=self.member, kind="csv")
        audit_jobs.run(job.pk)
        for url, method in [(START, "post"), (JOBS, "get"), (download_url(job), "get")]:
            with self.subTest(url=url):
                response = getattr(self.client, method)(url)

                self.assertRedirects(
                    response, redirect_to_login(url).url, fetch_redirect_response=False
                )
        self.assertEqual(AuditJob.objects.count(), 1)

    def test_the_audit_page_offers_exports_to_signed_in_readers_only(self):
        page = reverse("proposals:audit_log")
        self.assertNotContains(self.client.get(page), START)
        self.client.force_login(self.outsider)
        self.assertContains(self.client.get(page), START)

    def test_any_account_may_export_where_reading_is_public(self):
        job = self.start("csv", user=self.outsider)
        audit_jobs.run(job.pk)

        self.assertEqual(self.client.get(download_url(job)).status_code, 200)

    @override_settings(PMC_PUBLIC_READ=False)
    def test_only_members_and_staff_may_export_where_reading_is_for_members(self):
        self.client.force_login(self.outsider)
        response = self.client.post(START, {"format": "csv", "query": ""})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get(JOBS).status_code, 403)
        self.assertFalse(AuditJob.objects.exists())

        job = self.start("csv", user=self.foreign_member)
        self.assertEqual(job.requested_by, self.foreign_member)

    def test_nobody_else_downloads_a_file_but_staff(self):
        job = self.start("csv", user=self.member)
        audit_jobs.run(job.pk)

        for user in [self.other_member, self.chair, self.outsider]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(download_url(job)).status_code, 404)
                self.assertNotContains(self.client.get(JOBS), download_url(job))
        self.outsider.is_staff = True
        self.outsider.save()
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(download_url(job)).status_code, 200)

    def test_a_requester_who_may_no_longer_read_the_log_cannot_download(self):
        job = self.start("csv", user=self.outsider)
        audit_jobs.run(job.pk)

        with override_settings(PMC_PUBLIC_READ=False):
            self.assertEqual(self.client.get(download_url(job)).status_code, 403)

    def test_starting_an_export_needs_a_post_with_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.member)

        self.assertEqual(client.get(START, {"format": "csv"}).status_code, 405)
        self.assertEqual(client.post(START, {"format": "csv", "query": ""}).status_code, 403)
        self.assertFalse(AuditJob.objects.exists())


class ExportsPageQueryTests(AuditExportTestCase):
    def test_the_exports_page_costs_the_same_queries_for_one_job_or_many(self):
        self.client.force_login(self.chair)
        AuditJob.objects.create(requested_by=self.chair, kind=AuditJob.Kind.CSV)
        self.client.get(JOBS)  # the session, once
        with CaptureQueriesContext(connection) as one:
            self.client.get(JOBS)
        audit_jobs.run(audit_jobs.start_verification(user=self.chair).pk)
        for fmt in ["csv", "json"]:
            audit_jobs.run(audit_jobs.start_export(user=self.chair, kind=fmt, query="a=1").pk)

        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(JOBS)
        self.assertContains(response, "Verified:")
        self.assertContains(response, "Download", count=2)
