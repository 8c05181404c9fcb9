"""Files that are not meetings are skipped, files that cannot be read are reported with
their path and reason, and everything else is still imported; the exit status says
that something failed."""

from __future__ import annotations

from django.core.management import CommandError
from django.test import TestCase

from pmc.models import Meeting, TeamReport
from proposals.audit import verify_chain
from proposals.importing import apply_import, collect_files
from proposals.models import Proposal
from tests.importing.helpers import NotesFolder, import_notes, row_counts, summary

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"

# Meetings in the shapes of the real notes: a file name that starts with a space, a
# cancelled meeting that keeps the empty template, and a truncated file with pasted
# release notes and no final newline.
GOOD = {
    "Runtime/2018/ 2018-03-06-runtime.md": (
        "# Runtime PMC Meeting 2018-03-06\n\n## PMC Lifecycle Activities\n\n"
        "- Proposal to move Diego-Enabler to the attic: approved, no objections\n\n"
        "## Backlog Reviews\n\n### CLI - Dies Köper\n- released v6.35.0\n\n"
        "### Garden - Julz Friedman\n"
    ),
    "Bosh/2019-11-21-bosh.md": (
        "# BOSH PMC Meeting 2019-11-21\n\nMeeting cancelled du to lack of attendance.\n\n"
        "## PMC Lifecycle Activities\n\n\n## Backlog Reviews\n\n"
        "### BOSH Core SF - Morgan Fine\n\n\n### Azure CPI – Jason Stevens\n\n"
    ),
    "Runtime/2017/2017-05-16-runtime.md": (
        "# Runtime PMC Meeting 2017-05-16\n\n## Backlog Reviews\n\n### CLI - Dies Köper\n"
        "- Released 6.27.0:\n\n# cf CLI v6.27.0\n## Bug Fixes\n- cf ssh exits cleanly\n\n"
        "### Garden - Julz Friedman\n- rootless containers"
    ),
}


class MalformedFilesTests(TestCase):
    def setUp(self) -> None:
        self.folder = NotesFolder(samples=False)
        self.addCleanup(self.folder.remove)
        self.bad = {
            "Runtime/2018/2018-02-06-runtime.md": b"# Runtime\n\n" + bytes(range(0x80, 0x100)) * 3,
            "Runtime/agenda.md": b"# Runtime PMC agenda\n\n## Backlog Reviews\n### CLI - Dies\n",
            "Runtime/2018/2018-02-20-runtime.md": b"",
        }
        self.skipped = {
            "Runtime/template.md": b"# Runtime PMC Meeting YYYY-MM-DD\n",
            "Runtime/YYYY-MM-DD-runtime.md": b"# Runtime PMC Meeting\n",
            "Runtime/images/diagram.png": PNG,
            "Runtime/2018/.gitkeep": b"",
        }
        for path, data in {**GOOD, **self.bad, **self.skipped}.items():
            self.folder.write(path, data)

    def test_it_reports_them_imports_the_good_files_and_exits_non_zero(self):
        with self.assertRaises(CommandError) as raised:
            import_notes(str(self.folder.root))
        self.assertEqual(raised.exception.returncode, 1)
        self.assertIn("3 file(s) could not be imported", str(raised.exception))
        self.assertEqual(Meeting.objects.count(), 3)
        self.assertEqual(TeamReport.objects.count(), 6)
        self.assertEqual(Proposal.objects.count(), 1)
        self.assertTrue(verify_chain().ok)

    def test_it_reads_the_good_files_in_their_odd_shapes(self):
        with self.assertRaises(CommandError):
            import_notes(str(self.folder.root))
        reports = {
            meeting.source: [(r.team, r.lead) for r in meeting.team_reports.order_by("position")]
            for meeting in Meeting.objects.all()
        }
        self.assertEqual(reports, {
            "Runtime/2018/2018-03-06-runtime.md": [
                ("CLI", "Dies Köper"), ("Garden", "Julz Friedman"),
            ],
            "Bosh/2019-11-21-bosh.md": [
                ("BOSH Core SF", "Morgan Fine"), ("Azure CPI", "Jason Stevens"),
            ],
            "Runtime/2017/2017-05-16-runtime.md": [
                ("CLI", "Dies Köper"), ("Garden", "Julz Friedman"),
            ],
        })  # fmt: skip
        garden = TeamReport.objects.get(meeting__date="2017-05-16", team="Garden")
        self.assertEqual(garden.body, "- rootless containers")

    def test_it_says_which_file_and_why(self):
        result = apply_import(collect_files([self.folder.root]))
        self.assertFalse(result.ok)
        reasons = {r.name.removeprefix(f"{self.folder.root}/"): r for r in result.files}
        for path, expected in [
            ("Runtime/2018/2018-02-06-runtime.md", "not UTF-8 (byte 0x80 at offset 11)"),
            ("Runtime/agenda.md", "no date in the file name"),
            ("Runtime/2018/2018-02-20-runtime.md", "empty file"),
        ]:
            with self.subTest(path):
                self.assertEqual(reasons[path].status, "failed")
                self.assertIn(expected, reasons[path].reason)
                line = reasons[path].lines()[0]
                self.assertTrue(line.startswith(f"failed    {self.folder.root}/{path}: "))
        for path, expected in [
            ("Runtime/template.md", "a template, not meeting notes"),
            ("Runtime/YYYY-MM-DD-runtime.md", "YYYY-MM-DD placeholder"),
            ("Runtime/images/diagram.png", "an image, not meeting notes"),
            ("Runtime/2018/.gitkeep", "hidden file (.gitkeep), not meeting notes"),
        ]:
            with self.subTest(path):
                self.assertEqual(reasons[path].status, "skipped")
                self.assertIn(expected, reasons[path].reason)
                self.assertEqual(len(reasons[path].lines()), 1)

    def test_it_counts_them_in_the_summary(self):
        with self.assertRaises(CommandError):
            import_notes(str(self.folder.root))
        out, _ = import_notes(str(self.folder.root / "Bosh"))
        self.assertEqual(summary(out)["meetings unchanged"], 1)

    def test_it_writes_nothing_for_the_bad_files_on_a_second_run(self):
        with self.assertRaises(CommandError):
            import_notes(str(self.folder.root))
        before = row_counts()
        with self.assertRaises(CommandError) as raised:
            import_notes(str(self.folder.root), "--dry-run")
        self.assertIn("would fail", str(raised.exception))
        self.assertEqual(row_counts(), before)

    def test_it_fails_a_path_that_does_not_exist(self):
        with self.assertRaises(CommandError):
            import_notes(str(self.folder.root / "Runtime" / "2019-01-01-missing.md"))
        self.assertFalse(Meeting.objects.exists())


class DuplicateMeetingTests(TestCase):
    def test_it_imports_one_file_per_meeting_and_skips_a_copy(self):
        folder = NotesFolder(samples=False)
        self.addCleanup(folder.remove)
        folder.write("Runtime/2015-06-16-runtime.md", "# Runtime\n\n## Notes\n- old copy\n")
        folder.write("Runtime/2015/2015-06-16-runtime.md", "# Runtime\n\n## Notes\n- moved\n")
        first = apply_import(collect_files([folder.root]))
        self.assertEqual([r.status for r in first.files], ["created", "skipped"])
        self.assertEqual(
            first.files[1].reason,
            f"the same meeting as {folder.root}/Runtime/2015-06-16-runtime.md, imported first",
        )
        self.assertEqual(Meeting.objects.get().source, "Runtime/2015-06-16-runtime.md")
        result = apply_import(collect_files([folder.root]))
        self.assertEqual([r.status for r in result.files], ["unchanged", "skipped"])


class NotesTooComplexTests(TestCase):
    """A notes file the renderer refuses is reported, with the limit, as a file that
    cannot be imported; the other files are still imported."""

    def setUp(self) -> None:
        self.folder = NotesFolder()
        self.addCleanup(self.folder.remove)

    def result_of(self, path: str):
        result = apply_import(collect_files([self.folder.root]))
        self.assertGreaterEqual(result.count("created"), 9)  # every sample file
        return {r.name.removeprefix(f"{self.folder.root}/"): r for r in result.files}[path]

    def test_it_reports_notes_nested_too_deep(self):
        path = "Runtime/2021/2021-01-05-runtime.md"
        self.folder.write(path, "# Runtime PMC\n\n## Notes\n\n" + "- " * 1000 + "x\n")

        result = self.result_of(path)

        self.assertEqual(result.status, "failed")
        self.assertIn("cannot be rendered: Line 5 nests lists or blockquotes", result.reason)
        self.assertFalse(Meeting.objects.filter(date="2021-01-05").exists())

    def test_it_reports_notes_longer_than_the_setting(self):
        path = "Runtime/2021/2021-01-05-runtime.md"
        self.folder.write(path, "# Runtime PMC\n\n" + "The PMC met. " * 3000)

        with self.settings(PMC_NOTES_MAX_CHARS=30_000):  # more than any sample file
            result = self.result_of(path)

        self.assertEqual(result.status, "failed")
        self.assertIn("characters long; at most 30,000 can be rendered", result.reason)

    def test_notes_longer_than_a_form_text_are_imported(self):
        path = "Runtime/2021/2021-01-05-runtime.md"
        self.folder.write(path, "# Runtime PMC\n\n" + "The PMC met. " * 500)

        with self.settings(PMC_MARKDOWN_MAX_CHARS=1000):
            result = self.result_of(path)

        self.assertEqual(result.status, "created")
