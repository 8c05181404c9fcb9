"""Importing again: unchanged files change nothing, edited files update what changed and
say so in the audit log, and a dry run writes nothing at all."""

from __future__ import annotations

import datetime

from django.test import TestCase

from pmc.models import Meeting
from proposals import actions
from proposals.actors import IMPORT
from proposals.importing import NoteFile, apply_import, collect_files, plan_import
from proposals.models import Event, Proposal
from proposals.states import Kind, State
from tests.importing.helpers import (
    NOT_NOTES,
    TABLE_SAMPLES,
    NotesFolder,
    import_notes,
    row_counts,
    summary,
)

BOSH = "Bosh/2019-03-21-bosh.md"


class ReimportTests(TestCase):
    """Importing the nine table samples again."""

    def setUp(self) -> None:
        self.folder = NotesFolder(only=TABLE_SAMPLES + NOT_NOTES)
        self.addCleanup(self.folder.remove)
        import_notes(str(self.folder.root))

    def test_it_reports_every_file_unchanged_and_writes_nothing(self):
        before = row_counts()
        out, _ = import_notes(str(self.folder.root))
        self.assertEqual(row_counts(), before)
        self.assertEqual(summary(out)["meetings unchanged"], 9)
        self.assertEqual(summary(out)["meetings created"], 0)
        self.assertRegex(out, rf"unchanged +{self.folder.root}/{BOSH}: Bosh 2019-03-21\n")

    def test_it_updates_an_edited_file_and_records_what_changed(self):
        path = self.folder.root / BOSH
        text = path.read_text(encoding="utf-8")
        text = text.replace("### vSphere CPI - Yeshwant Babar", "### vSphere CPI - Ana Lopez")
        text += (
            "\n## PMC Lifecycle Activities\n"
            "* Proposal: move [bosh-init](https://github.com/cloudfoundry/bosh-init) to the attic\n"
        )
        path.write_text(text, encoding="utf-8")
        before = row_counts()
        out, _ = import_notes(str(self.folder.root))
        self.assertEqual(summary(out)["meetings updated"], 1)
        self.assertEqual(summary(out)["meetings unchanged"], 8)
        meeting = Meeting.objects.get(committee__name="Bosh")
        self.assertEqual(meeting.notes, text)
        self.assertEqual(meeting.team_reports.last().lead, "Ana Lopez")
        event = Event.objects.filter(action="meeting.updated").get()
        self.assertEqual(event.actor_name, "system:import")
        self.assertEqual(
            event.payload["changed"], ["notes", "original_notes", "source_sha256", "team_reports"]
        )
        self.assertEqual(event.payload["teams_added"], ["vSphere CPI (Ana Lopez)"])
        self.assertEqual(event.payload["teams_removed"], ["vSphere CPI (Yeshwant Babar)"])
        attic = Proposal.objects.get(kind=Kind.ATTIC, project__name="bosh-init")
        self.assertEqual(list(attic.meetings.all()), [meeting])
        bpm = Proposal.objects.get(kind=Kind.PROMOTION, project__name="BPM")
        self.assertEqual((bpm.state, bpm.meetings.count()), (State.ACCEPTED, 1))
        after = row_counts()
        self.assertEqual(after["Meeting"], before["Meeting"])
        self.assertEqual(after["Proposal"], before["Proposal"] + 1)

    def test_it_imports_an_edited_file_twice_as_unchanged_the_second_time(self):
        path = self.folder.root / BOSH
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
        import_notes(str(self.folder.root))
        before = row_counts()
        out, _ = import_notes(str(self.folder.root))
        self.assertEqual(row_counts(), before)
        self.assertEqual(summary(out)["meetings unchanged"], 9)


class EditedMentionsTests(TestCase):
    """The links a meeting's notes made follow the notes when they are edited; links
    made by hand stay."""

    def setUp(self) -> None:
        self.folder = NotesFolder(only=TABLE_SAMPLES)
        self.addCleanup(self.folder.remove)
        self.path = self.folder.root / BOSH
        self.original = self.path.read_text(encoding="utf-8")
        self.path.write_text(
            self.original
            + "\n## Proposals\n* Proposal: move [bosh-init](https://github.com/cloudfoundry/bosh-init)"
            " to the attic\n",
            encoding="utf-8",
        )
        import_notes(str(self.folder.root))
        self.meeting = Meeting.objects.get(committee__name="Bosh")
        self.attic = Proposal.objects.get(kind=Kind.ATTIC, project__name="bosh-init")

    def reimport(self, text: str) -> str:
        self.path.write_text(text, encoding="utf-8")
        out, _ = import_notes(str(self.folder.root))
        self.assertEqual(summary(out)["meetings updated"], 1)
        return out

    def test_a_mention_no_longer_in_the_notes_is_unlinked_and_recorded(self):
        out = self.reimport(self.original)

        self.assertFalse(self.attic.mentions.filter(meeting=self.meeting).exists())
        self.assertTrue(Proposal.objects.filter(pk=self.attic.pk).exists())  # only the link
        event = Event.objects.get(action="proposal.meeting_unlinked")
        self.assertEqual((event.proposal_id, event.actor_name), (self.attic.pk, "system:import"))
        self.assertEqual(event.payload["meeting"], self.meeting.pk)
        self.assertIn("1 proposal(s) no longer mentioned, unlinked", out)
        bpm = Proposal.objects.get(kind=Kind.PROMOTION, project__name="BPM")
        self.assertTrue(bpm.mentions.filter(meeting=self.meeting).exists())

    def test_a_link_made_by_hand_stays(self):
        other = actions.do_create_proposal(
            actor=IMPORT, committee=self.meeting.committee, kind=Kind.OTHER, title="By hand"
        )
        actions.do_link_meeting(proposal=other, meeting=self.meeting, actor=IMPORT)

        self.reimport(self.original)

        self.assertTrue(other.mentions.filter(meeting=self.meeting).exists())
        self.assertFalse(Event.objects.filter(action="proposal.meeting_unlinked", proposal=other))

    def test_a_mention_reworded_keeps_its_link_with_the_new_words(self):
        reworded = self.path.read_text(encoding="utf-8").replace(
            "## Proposals\n", "## Lifecycle proposals\n"
        )
        self.reimport(reworded + "Nothing else.\n")

        mention = self.attic.mentions.get(meeting=self.meeting)
        self.assertEqual(mention.section, "Lifecycle proposals")
        event = Event.objects.get(action="proposal.meeting_link_updated")
        self.assertEqual(
            event.payload["changed"]["section"],
            {"from": "Proposals", "to": "Lifecycle proposals"},
        )
        self.assertFalse(Event.objects.filter(action="proposal.meeting_unlinked").exists())


class DryRunTests(TestCase):
    """A dry run of the nine table samples."""

    def setUp(self) -> None:
        self.folder = NotesFolder(only=TABLE_SAMPLES + NOT_NOTES)
        self.addCleanup(self.folder.remove)

    def test_it_writes_nothing_on_a_first_import(self):
        before = row_counts()
        out, _ = import_notes(str(self.folder.root), "--dry-run")
        self.assertEqual(row_counts(), before)
        self.assertEqual(Event.objects.count(), 0)
        self.assertIn("Dry run: nothing is written.", out)
        self.assertIn("Summary (dry run: nothing was written)", out)

    def test_it_shows_what_would_happen(self):
        result = plan_import(collect_files([self.folder.root]))
        self.assertTrue(result.dry_run)
        self.assertEqual(result.count("created"), 9)
        self.assertEqual(result.counts()["proposals created"], 33)
        self.assertFalse(Meeting.objects.exists())
        self.assertIn("created   ", str(result))
        self.assertIn("attic Diego-Enabler: proposal", str(result))

    def test_it_writes_nothing_when_files_changed_since_the_last_import(self):
        apply_import(collect_files([self.folder.root]))
        self.folder.write(
            BOSH, (self.folder.root / BOSH).read_text(encoding="utf-8") + "\n## Notes\n- x\n"
        )
        self.folder.write(
            "Bosh/2019-04-04-bosh.md",
            "# BOSH\n\n## PMC Lifecycle Activities\n- Rename BPM to bpm-release\n",
        )
        before, events = row_counts(), list(Event.objects.values_list("id", "hash"))
        result = plan_import(collect_files([self.folder.root]))
        self.assertEqual((result.count("updated"), result.count("created")), (1, 1))
        self.assertEqual(row_counts(), before)
        self.assertEqual(list(Event.objects.values_list("id", "hash")), events)


class UploadApiTests(TestCase):
    """The API an upload uses: (name, bytes) pairs, a preview, then the import."""

    def test_it_previews_then_imports_uploaded_bytes(self):
        data = (
            "# Runtime PMC\n\n## PMC Lifecycle Activities\n"
            "- Move [gibson](https://github.com/cloudfoundry/gibson) to the attic\n"
        )
        files = [NoteFile("2017-03-14-runtime.md", data=data.encode())]
        preview = plan_import(files, committee="Runtime")
        self.assertEqual([r.status for r in preview.files], ["created"])
        self.assertFalse(Meeting.objects.exists())
        result = apply_import(files, committee="Runtime")
        self.assertTrue(result.ok)
        meeting = Meeting.objects.get()
        self.assertEqual(
            (meeting.committee.name, meeting.date), ("Runtime", datetime.date(2017, 3, 14))
        )
        self.assertEqual(meeting.source, "2017-03-14-runtime.md")
        self.assertEqual(Proposal.objects.get().title, "Move gibson to the attic")
        self.assertEqual(
            [line.split(":")[0] for line in apply_import(files, committee="Runtime").lines()],
            ["unchanged 2017-03-14-runtime.md"],
        )
