"""The upload preview lists each lifecycle item read in each file, with its confidence,
the rule that read it and the quoted evidence, each with an "import this reading" box;
the items a chair unchecks are left out of the import and recorded as dismissed, and a
box naming anything the preview did not read is refused."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from pmc.models import Meeting
from proposals.models import Proposal, Reading
from proposals.states import ReadingStatus
from tests.base import LifecycleTestCase
from tests.importing.helpers import row_counts

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"
SAMPLE = NOTES / "Runtime" / "2020" / "2020-09-29-runtime.md"
MARKUP = (
    b"# Runtime PMC Meeting\n\n## PMC Lifecycle Activities\n\n"
    b"- Proposal to move cf-<b>bold</b>-plugin to the attic <script>alert(1)</script>. "
    b"Approved.\n"
)


class UploadReadingsTestCase(LifecycleTestCase):
    url = reverse("proposals:notes_upload")

    def setUp(self) -> None:
        self.client.force_login(self.chair)

    def preview(self, name: str = SAMPLE.name, data: bytes | None = None):
        data = SAMPLE.read_bytes() if data is None else data
        response = self.client.post(
            self.url,
            {
                "committee": self.committee.pk,
                "files": [SimpleUploadedFile(name, data, "text/markdown")],
                "preview": "1",
            },
        )
        self.assertEqual(response.status_code, 200)
        return response

    @staticmethod
    def readings(response) -> list[dict]:
        return [group for row in response.context["rows"] for group in row["readings"]]

    def apply(self, response, keep: list[str]):
        token = response.context["token"]
        data = {"upload": token, "apply": "1", "choosing": "1", "keep": keep}
        return self.client.post(self.url, data)


class PreviewListsReadingsTests(UploadReadingsTestCase):
    def test_each_reading_is_listed_with_its_evidence_and_a_checked_box(self):
        response = self.preview()

        groups = self.readings(response)
        self.assertGreaterEqual(len(groups), 2, "the sample should read two items or more")
        self.assertContains(response, "Lifecycle items read")
        for group in groups:
            mention = group["mentions"][0]
            with self.subTest(group["key"]):
                self.assertContains(
                    response,
                    f'<input type="checkbox" name="keep" value="{_attr(group["value"])}" '
                    f'id="{group["id"]}" checked>',
                    html=True,
                )
                self.assertContains(
                    response,
                    f'<label for="{group["id"]}">Import this reading: {mention.kind} '
                    f"{mention.subject}</label>",
                    html=True,
                )
                self.assertContains(response, f"<dd>{mention.outcome}</dd>", html=True)
                self.assertContains(response, f"line {mention.line}")
                self.assertContains(response, f"<code>{mention.rule}</code>", html=True)
                self.assertEqual(json.loads(group["value"]), [SAMPLE.name, mention.key])
        low = sum(1 for group in groups if group["low"])
        self.assertContains(response, "Low confidence: check it before importing.", count=low)

    def test_the_quoted_evidence_is_escaped(self):
        response = self.preview("2017-05-30-runtime.md", MARKUP)

        self.assertTrue(self.readings(response))
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertNotContains(response, "<b>bold</b>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_the_report_after_the_import_lists_no_boxes(self):
        response = self.preview()

        applied = self.apply(response, [group["value"] for group in self.readings(response)])

        self.assertEqual(applied.status_code, 200)
        self.assertNotContains(applied, 'name="keep"')


class TooManyReadingsTests(UploadReadingsTestCase):
    def test_files_with_more_readings_than_a_request_may_carry_are_refused_in_the_preview(self):
        boxes = len(self.readings(self.preview()))

        with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=boxes + 3):
            response = self.client.post(
                self.url,
                {
                    "committee": self.committee.pk,
                    "files": [SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes())],
                    "preview": "1",
                },
            )

        self.assertContains(
            response, f"Together these files hold {boxes} lifecycle items", status_code=400
        )
        self.assertContains(response, "Upload fewer files at a time.", status_code=400)
        self.assertNotIn("token", response.context)


class LeaveOutTests(UploadReadingsTestCase):
    def test_an_unchecked_reading_becomes_no_proposal_and_is_recorded_as_dismissed(self):
        response = self.preview()
        left, *kept = self.readings(response)

        applied = self.apply(response, [group["value"] for group in kept])

        self.assertEqual(applied.status_code, 200)
        meeting = Meeting.objects.get()
        dismissed = Reading.objects.get(meeting=meeting, key=left["key"])
        self.assertEqual(dismissed.status, ReadingStatus.DISMISSED)
        self.assertIsNone(dismissed.proposal)
        subject = left["mentions"][0].subject
        self.assertFalse(
            Proposal.objects.filter(kind=left["mentions"][0].kind, project__name=subject).exists()
        )
        for group in kept:
            with self.subTest(group["key"]):
                reading = Reading.objects.get(meeting=meeting, key=group["key"])
                self.assertNotEqual(reading.status, ReadingStatus.DISMISSED)
                self.assertIsNotNone(reading.proposal)
                self.assertTrue(reading.proposal.meetings.filter(pk=meeting.pk).exists())

    def test_every_reading_is_imported_when_every_box_stays_checked(self):
        response = self.preview()
        groups = self.readings(response)

        self.apply(response, [group["value"] for group in groups])

        readings = Reading.objects.filter(meeting=Meeting.objects.get())
        self.assertEqual(readings.filter(status=ReadingStatus.DISMISSED).count(), 0)
        self.assertEqual(readings.filter(proposal__isnull=False).count(), len(groups))


class TamperedLeaveOutTests(UploadReadingsTestCase):
    def assertRefused(self, response, message: str, before: dict) -> None:
        self.assertContains(response, message, status_code=400)
        self.assertContains(response, "nothing was changed", status_code=400)
        self.assertNotIn("result", response.context)
        self.assertEqual(row_counts(), before)

    def test_a_box_naming_an_item_the_preview_did_not_read_is_refused(self):
        response = self.preview()
        keep = [group["value"] for group in self.readings(response)]
        before = row_counts()

        forged = json.dumps([SAMPLE.name, "attic:nosuchproject"])
        refused = self.apply(response, [*keep, forged])

        self.assertRefused(
            refused,
            f"The preview read no item &#x27;attic:nosuchproject&#x27; in {SAMPLE.name}",
            before,
        )

    def test_a_box_naming_another_file_is_refused(self):
        response = self.preview()
        key = self.readings(response)[0]["key"]
        before = row_counts()

        refused = self.apply(response, [json.dumps(["2020-09-15-runtime.md", key])])

        self.assertRefused(
            refused, "2020-09-15-runtime.md is not one of the files previewed", before
        )

    def test_a_box_that_names_no_reading_at_all_is_refused(self):
        response = self.preview()
        before = row_counts()

        for value in ("attic:uaa", "[1, 2]", '["a", "b", "c"]', ""):
            with self.subTest(value=value):
                refused = self.apply(response, [value])
                self.assertRefused(
                    refused, "does not name a reading of the files previewed", before
                )


def _attr(value: str) -> str:
    """`value` as the template escapes it in an attribute."""
    return value.replace("&", "&amp;").replace('"', "&quot;")
