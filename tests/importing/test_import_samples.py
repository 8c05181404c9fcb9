"""Importing the nine sample notes the fixtures README describes: meetings, team reports,
projects and proposals, and one proposal per proposal_key however many meetings mention
it."""

from __future__ import annotations

import datetime

from django.test import TestCase

from pmc.models import Committee, Meeting, Project, ProjectStatus
from pmc.notes import normalized_name
from proposals.actions import do_confirm_reading
from proposals.importing import apply_import, collect_files
from proposals.models import Proposal, ProposalMeeting
from proposals.states import Kind, State
from tests.factories import make_user
from tests.importing.accuracy import best_match, read_sample
from tests.importing.helpers import (
    NOT_NOTES,
    TABLE_SAMPLES,
    NotesFolder,
    import_notes,
    table_items,
    table_meetings,
)


def proposal_for(mention) -> Proposal:
    """The proposal an item was imported as: its project under any of its names."""
    wanted = normalized_name(mention.project)
    (proposal,) = [
        proposal
        for proposal in Proposal.objects.filter(kind=mention.kind).select_related("project")
        if wanted
        in {normalized_name(n) for n in [proposal.project.name, *proposal.project.former_names]}
    ]
    return proposal


class ImportSamplesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        folder = NotesFolder(only=TABLE_SAMPLES + NOT_NOTES)
        try:
            cls.result = apply_import(collect_files([folder.root]))
        finally:
            folder.remove()

    def test_it_creates_a_meeting_per_sample_with_its_team_reports(self):
        self.assertTrue(self.result.ok)
        self.assertEqual(self.result.count("created"), len(table_meetings()))
        for expected in table_meetings():
            with self.subTest(expected["file"]):
                meeting = Meeting.objects.get(
                    committee__name=expected["pmc"],
                    date=datetime.date.fromisoformat(expected["date"]),
                )
                self.assertEqual(meeting.source, expected["file"])
                self.assertEqual(
                    list(meeting.team_reports.values_list("team", "lead")),
                    [(r["team"], r["lead"] or "") for r in expected["team_reports"]],
                )

    def test_it_creates_the_committees_from_the_folders(self):
        self.assertEqual(
            sorted(Committee.objects.values_list("name", flat=True)),
            ["Bosh", "Buildpacks", "Extensions", "Runtime", "Utilities"],
        )

    def test_it_keeps_the_original_and_renders_the_repaired_text(self):
        meeting = Meeting.objects.get(committee__name="Runtime", date=datetime.date(2017, 5, 16))
        self.assertIn("Dies KÃ¶per", meeting.original_notes)
        self.assertIn("Dies Köper", meeting.notes)
        self.assertIn("Dies Köper", meeting.notes_html)
        self.assertNotIn("KÃ¶per", meeting.notes_html)
        self.assertEqual(meeting.source_sha256, read_sample(meeting.source).sha256)
        self.assertIsNotNone(meeting.imported_at)
        self.assertEqual(meeting.title, "Runtime PMC Meeting 2017-05-16")

    def test_it_skips_the_readme_and_the_expected_data(self):
        skipped = sorted(
            r.name.rsplit("/", 1)[-1] for r in self.result.files if r.status == "skipped"
        )
        self.assertEqual(skipped, ["README.md", "lifecycle.json", "meetings.json"])

    def test_it_creates_a_proposal_for_every_item_linked_to_its_meeting(self):
        for item in table_items():
            with self.subTest(f"{item['file']}:{item['line']}"):
                mention = best_match(item, read_sample(item["file"]).mentions)
                proposal = proposal_for(mention)
                meeting = proposal.meetings.get()
                self.assertEqual(meeting.date, datetime.date.fromisoformat(item["date"]))
                self.assertEqual(meeting.committee.name, item["pmc"])

    def test_it_links_each_proposal_key_to_one_proposal(self):
        proposals_by_key: dict[str, set[int]] = {}
        for item in table_items():
            mention = best_match(item, read_sample(item["file"]).mentions)
            ids = {proposal_for(mention).pk}
            proposals_by_key.setdefault(item["proposal_key"], set()).update(ids)
        for key, ids in proposals_by_key.items():
            with self.subTest(key):
                self.assertEqual(len(ids), 1)
        self.assertEqual(Proposal.objects.count(), len(proposals_by_key))

    def test_it_records_the_proposal_details(self):
        proposal = Proposal.objects.get(kind=Kind.ATTIC, project__name="Diego-Enabler")
        self.assertEqual(proposal.title, "Move Diego-Enabler to the attic")
        self.assertEqual(proposal.committee.name, "Runtime")
        self.assertEqual(proposal.proposing_team, "CLI team")
        self.assertEqual(proposal.condition, "at the same time the DEAs reach EOL")
        self.assertIsNone(proposal.proposer)
        self.assertEqual(proposal.state, State.DISCUSSION)
        mention = proposal.mentions.get()
        self.assertEqual(mention.section, "PMC Lifecycle Activities")
        self.assertIn("Diego-Enabler", mention.excerpt)
        project = proposal.project
        self.assertEqual(
            project.repository_urls, ["https://github.com/cloudfoundry-incubator/Diego-Enabler"]
        )
        self.assertEqual(project.status, ProjectStatus.ACTIVE)

    def test_it_files_a_proposal_in_the_committee_the_notes_name(self):
        proposal = Proposal.objects.get(project__name="cf-backup-plugin")
        self.assertEqual(proposal.committee.name, "Extensions")
        self.assertEqual(proposal.meetings.get().committee.name, "Runtime")

    def test_it_keeps_a_lead_change_without_a_nominee_in_draft(self):
        proposal = Proposal.objects.get(kind=Kind.OWNERSHIP, project__name="UAA")
        self.assertEqual(proposal.state, State.DRAFT)
        change = next(
            c for r in self.result.files for c in r.proposals if c.proposal_id == proposal.pk
        )
        self.assertIn("do not name the new lead", change.note)


class LaterMentionTests(TestCase):
    """A proposal that comes up again in a later meeting, even of another committee."""

    def setUp(self) -> None:
        self.folder = NotesFolder(only=TABLE_SAMPLES)
        self.addCleanup(self.folder.remove)

    def test_it_links_a_later_mention_in_another_committee_to_the_same_proposal(self):
        # Nine months on: within the year an open proposal still takes later mentions
        # (proposals/importing/candidates.py, DORMANT).
        self.folder.write(
            "Extensions/2018/2018-02-26-extensions.md",
            "# CF Extensions PMC Notes\n\n## PMC Lifecycle Activities\n\n"
            "- The [Diego-Enabler](https://github.com/cloudfoundry-incubator/Diego-Enabler) "
            "plugin was moved to the attic now that the DEAs reached EOL.\n",
        )
        import_notes(str(self.folder.root))
        proposal = Proposal.objects.get(kind=Kind.ATTIC, project__name="Diego-Enabler")
        self.assertEqual(
            list(proposal.mentions.values_list("meeting__committee__name", "meeting__date")),
            [("Runtime", datetime.date(2017, 5, 16)), ("Extensions", datetime.date(2018, 2, 26))],
        )
        self.assertEqual(proposal.committee.name, "Runtime")
        # Completing it moves the project to the attic: that waits for a chair to confirm
        # the later meeting's reading.
        later = proposal.readings.get(meeting__date=datetime.date(2018, 2, 26))
        self.assertIn("complete", later.held)
        self.assertNotEqual(proposal.state, State.COMPLETED)
        do_confirm_reading(reading=later, actor=make_user("staff", is_staff=True))
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.COMPLETED)
        self.assertEqual(proposal.project.status, ProjectStatus.ATTIC)
        self.assertEqual(Proposal.objects.filter(project__name="Diego-Enabler").count(), 1)

    def test_it_finds_a_renamed_project_by_its_former_name(self):
        lifecycle = "## PMC Lifecycle Activities\n\n"
        self.folder.write(
            "Runtime/2020/2020-05-12-runtime.md",
            f"# Runtime PMC Meeting\n\n{lifecycle}- Rename Loggregator to Logging and Metrics\n"
            "  - Decision: approved\n",
        )
        self.folder.write(
            "Runtime/2020/2020-06-09-runtime.md",
            f"# Runtime\n\n{lifecycle}- Loggregator was renamed to Logging and Metrics\n",
        )
        import_notes(str(self.folder.root))
        rename = Proposal.objects.get(kind=Kind.RENAME, new_name="Logging and Metrics")
        # The later meeting reports the rename done; renaming the project waits for a
        # chair to confirm that reading.
        done = rename.readings.get(meeting__date=datetime.date(2020, 6, 9))
        self.assertIn("complete", done.held)
        self.assertEqual(rename.state, State.ACCEPTED)
        do_confirm_reading(reading=done, actor=make_user("staff", is_staff=True))
        rename.refresh_from_db()
        self.assertEqual(rename.state, State.COMPLETED)

        self.folder.write(
            "Runtime/2020/2020-07-07-runtime.md",
            f"# Runtime PMC Meeting\n\n{lifecycle}- Loggregator project lead nomination open\n",
        )
        import_notes(str(self.folder.root))
        self.assertEqual(rename.meetings.count(), 3)
        project = rename.project
        self.assertEqual(
            (project.name, project.former_names), ("Logging and Metrics", ["Loggregator"])
        )
        lead = Proposal.objects.get(kind=Kind.OWNERSHIP, project=project)
        self.assertEqual(lead.meetings.get().date, datetime.date(2020, 7, 7))
        self.assertFalse(Project.objects.filter(name="Loggregator").exists())

    def test_it_adds_the_nominee_a_later_meeting_names_and_submits(self):
        self.folder.write(
            "Runtime/2020/2020-05-12-runtime.md",
            "# Runtime PMC Meeting 2020-05-12\n\n## Announcements\n\n"
            "- UAA project lead nomination: Pablo Pérez nominated.\n",
        )
        import_notes(str(self.folder.root))
        proposal = Proposal.objects.get(kind=Kind.OWNERSHIP, project__name="UAA")
        self.assertEqual(proposal.new_lead, "Pablo Pérez")
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertEqual(proposal.meetings.count(), 2)
        self.assertEqual(
            list(
                ProposalMeeting.objects.filter(proposal=proposal).values_list(
                    "meeting__date", flat=True
                )
            ),
            [datetime.date(2020, 4, 28), datetime.date(2020, 5, 12)],
        )
