"""Notes of a meeting dated after today are refused, by the command and the upload, and
nothing of them is written; what an import writes is never dated after the import."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from proposals.importing import NoteFile, apply_import
from proposals.models import Event, Proposal
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.importing.helpers import NotesFolder, import_notes, row_counts

NOTES = (
    b"# Runtime PMC Meeting\n\n## PMC Lifecycle Activities\n\n"
    b"- Proposal to move cf-backup-plugin to the attic. Approved.\n"
)


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _name(date: datetime.date) -> str:
    return f"Runtime/{date:%Y-%m-%d}-runtime.md"


class FutureDatedNotesTests(TestCase):
    def setUp(self) -> None:
        self.folder = NotesFolder(samples=False)
        self.addCleanup(self.folder.remove)

    def test_the_command_refuses_notes_dated_after_today_and_writes_nothing_of_them(self):
        tomorrow = _day(1)
        self.folder.write(_name(tomorrow), NOTES)
        before = row_counts()

        with self.assertRaises(CommandError) as raised:
            out, _ = import_notes(str(self.folder.root))

        self.assertIn("1 file(s) could not be imported", str(raised.exception))
        self.assertEqual(row_counts(), before)

    def test_the_reason_says_the_date_and_what_to_do(self):
        tomorrow = _day(1)
        result = apply_import([NoteFile(_name(tomorrow), data=NOTES)])

        (file,) = result.files
        self.assertEqual(file.status, "failed")
        self.assertIn(f"the meeting is dated {tomorrow:%Y-%m-%d}, after today", file.reason)
        self.assertIn(
            "import the notes after the meeting, or correct the date in the file name",
            file.reason,
        )
        self.assertFalse(result.ok)

    def test_the_other_files_are_still_imported(self):
        self.folder.write(_name(_day(30)), NOTES)
        self.folder.write(_name(_day(-7)), NOTES)

        with self.assertRaises(CommandError):
            import_notes(str(self.folder.root))

        self.assertEqual(
            [meeting.date for meeting in Proposal.objects.get().meetings.all()], [_day(-7)]
        )

    # UTC+14: whatever the hour, noon UTC of the site's today is still to come.
    @override_settings(TIME_ZONE="Pacific/Kiritimati")
    def test_notes_dated_today_are_imported_and_no_event_is_dated_after_the_import(self):
        today = timezone.localdate()
        self.assertGreater(
            datetime.datetime.combine(today, datetime.time(12), datetime.UTC), timezone.now()
        )

        result = apply_import([NoteFile(_name(today), data=NOTES)])
        after = timezone.now()

        self.assertTrue(result.ok, result)
        self.assertEqual(Proposal.objects.get().state, State.ACCEPTED)
        self.assertTrue(Event.objects.exists())
        self.assertEqual([(e.action, e.at) for e in Event.objects.filter(at__gt=after)], [])


class FutureDatedUploadTests(LifecycleTestCase):
    def test_a_chairs_upload_of_notes_dated_after_today_is_refused_in_the_preview(self):
        self.client.force_login(self.chair)
        name = f"{_day(1):%Y-%m-%d}-runtime.md"
        before = row_counts()

        response = self.client.post(
            reverse("proposals:notes_upload"),
            {
                "committee": self.committee.pk,
                "files": [SimpleUploadedFile(name, NOTES, "text/markdown")],
                "preview": "1",
            },
        )

        self.assertContains(response, "would fail")
        self.assertContains(response, f"the meeting is dated {_day(1):%Y-%m-%d}, after today")
        self.assertContains(response, "Nothing to import")
        self.assertEqual(row_counts(), before)
