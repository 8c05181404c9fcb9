"""`manage.py import_notes`: its report lines, summary table, progress bar and options."""

from __future__ import annotations

import datetime
import io
import os
import threading
import time

from django.core.management import CommandError, call_command
from django.test import TestCase

from pmc.models import Committee, Meeting
from tests.importing.accuracy import NOTES
from tests.importing.helpers import NOT_NOTES, TABLE_SAMPLES, NotesFolder, import_notes, summary


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class ImportNotesCommandTests(TestCase):
    """The command run on the nine table samples beside the README and expected data."""

    def setUp(self) -> None:
        self.folder = NotesFolder(only=TABLE_SAMPLES + NOT_NOTES)
        self.addCleanup(self.folder.remove)
        self.notes = self.folder.root

    def test_it_prints_a_line_per_file_and_a_summary_table(self):
        out, err = import_notes(str(self.notes))
        lines = out.splitlines()
        self.assertTrue(
            lines[0].startswith(f"created   {self.notes}/Utilities/2015-05-19-utilities.md")
        )
        self.assertIn(
            "Utilities 2015-05-19, 3 team report(s), 5 lifecycle item(s): 5 new", lines[0]
        )
        self.assertIn(
            f"created   {self.notes}/Runtime/2017/2017-05-16-runtime.md: Runtime 2017-05-16, 17 "
            "team report(s), 1 lifecycle item(s): 1 new, 0 linked, repaired mis-decoded "
            "characters on 1 line(s)",
            out,
        )
        self.assertIn(f"skipped   {self.notes}/README.md: a README file, not meeting notes", out)
        self.assertEqual(summary(out), {
            "meetings created": 9,
            "meetings updated": 0,
            "meetings unchanged": 0,
            "files skipped": 3,
            "files failed": 0,
            "team reports": 89,
            "proposals created": 33,
            "proposals linked": 0,
        })  # fmt: skip
        self.assertEqual(err, "")

    def test_it_shows_a_progress_bar_on_a_terminal_for_many_files(self):
        terminal = Terminal()
        call_command("import_notes", str(self.notes), stdout=io.StringIO(), stderr=terminal)
        shown = terminal.getvalue()
        self.assertIn("[##############################] 12/12", shown)
        self.assertTrue(shown.endswith("\r\x1b[K"))

    def test_it_shows_no_progress_bar_off_a_terminal_or_for_a_few_files(self):
        _, err = import_notes(str(self.notes))
        self.assertEqual(err, "")
        terminal = Terminal()
        call_command(
            "import_notes", str(self.notes / "Bosh"), stdout=io.StringIO(), stderr=terminal
        )
        self.assertEqual(terminal.getvalue(), "")

    def test_it_prints_only_the_summary_at_verbosity_zero(self):
        out = io.StringIO()
        call_command("import_notes", str(self.notes), verbosity=0, stdout=out)
        self.assertTrue(out.getvalue().startswith("Summary\n"))

    def test_it_takes_the_committee_from_the_option(self):
        folder = NotesFolder(samples=False)
        self.addCleanup(folder.remove)
        folder.write("2019-03-21-bosh.md", (NOTES / "Bosh/2019-03-21-bosh.md").read_bytes())
        import_notes(str(folder.root / "2019-03-21-bosh.md"), "--committee", "BOSH")
        meeting = Meeting.objects.get()
        self.assertEqual(
            (meeting.committee.name, meeting.date), ("BOSH", datetime.date(2019, 3, 21))
        )
        self.assertEqual(meeting.source, "2019-03-21-bosh.md")

    def test_it_uses_an_existing_committee_whatever_its_case(self):
        committee = Committee.objects.create(name="BOSH", slug="bosh")
        import_notes(str(self.notes / "Bosh"))
        self.assertEqual(Meeting.objects.get().committee, committee)
        self.assertEqual(Committee.objects.count(), 1)

    def test_it_says_when_there_is_nothing_to_import(self):
        folder = NotesFolder(samples=False)
        self.addCleanup(folder.remove)
        with self.assertRaisesMessage(CommandError, "No files found"):
            import_notes(str(folder.root))


class PathsThatAreNotNotesTests(TestCase):
    """A path that does not exist, or is not a regular file or folder, is an error that
    names it (exit status 1); it is never opened, and the other paths are imported."""

    def setUp(self) -> None:
        self.folder = NotesFolder(samples=False)
        self.addCleanup(self.folder.remove)
        self.bosh = NotesFolder(only=["Bosh/2019-03-21-bosh.md"])
        self.addCleanup(self.bosh.remove)

    def test_a_missing_path_is_an_error_naming_it(self):
        missing = str(self.folder.root / "Runtme")  # a mistyped folder, no extension
        with self.assertRaises(CommandError) as raised:
            import_notes(missing, str(self.bosh.root / "Bosh"))
        self.assertEqual(raised.exception.returncode, 1)
        self.assertIn("1 file(s) could not be imported", str(raised.exception))
        self.assertEqual(Meeting.objects.count(), 1)  # Bosh is still imported

    def test_the_report_says_which_path_is_missing(self):
        missing = str(self.folder.root / "Runtme")
        out = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("import_notes", missing, stdout=out)
        self.assertIn(f"failed    {missing}: no such file or folder: {missing}", out.getvalue())
        self.assertNotIn("markdown", out.getvalue())

    def fifo(self, path: str):
        fifo = self.folder.root / path
        fifo.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(fifo)
        # Should the import open it anyway, a writer that gives up after two seconds
        # ends the read (with an empty file) instead of hanging the test.
        writer = threading.Thread(target=_unblock, args=(fifo,), daemon=True)
        writer.start()
        self.addCleanup(writer.join)
        return fifo

    def test_a_fifo_named_is_refused_without_opening_it(self):
        fifo = self.fifo("Runtime/2021-01-05-runtime.md")
        out = io.StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command("import_notes", str(fifo), str(self.bosh.root / "Bosh"), stdout=out)
        self.assertEqual(raised.exception.returncode, 1)
        self.assertIn(
            f"failed    {fifo}: not a regular file: {fifo} is a FIFO (named pipe); it was not read",
            out.getvalue(),
        )
        self.assertEqual(Meeting.objects.count(), 1)

    def test_a_fifo_in_a_folder_is_reported_without_opening_it(self):
        fifo = self.fifo("Runtime/2021-01-05-runtime.md")
        self.folder.write("Runtime/2019-03-21-runtime.md", "# Runtime PMC\n\n## Notes\n- met\n")
        out = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("import_notes", str(self.folder.root), stdout=out)
        self.assertIn(f"failed    {fifo}: not a regular file", out.getvalue())
        self.assertEqual(Meeting.objects.count(), 1)


def _unblock(fifo) -> None:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # a reader is waiting
            return
        except OSError:
            time.sleep(0.05)
