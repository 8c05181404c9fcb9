"""Items raised again in later meetings, several to a file: each finds the proposal an
earlier meeting raised (the file's candidates are read once for all its items) and links
it to the meeting once."""

from __future__ import annotations

import shutil

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from proposals.importing import apply_import, collect_files
from proposals.models import Event, Proposal, ProposalMeeting
from tests.importing.helpers import NotesFolder

RUNTIME_2017 = "Runtime/2017/2017-01-11-runtime.md"


def links(committee: str) -> dict:
    """{meeting date: the ids of the proposals linked to it} for a committee."""
    found: dict = {}
    rows = ProposalMeeting.objects.filter(meeting__committee__name=committee)
    for date, proposal in rows.values_list("meeting__date", "proposal_id"):
        found.setdefault(date, set()).add(proposal)
    return found


def searches(queries) -> list[str]:
    """The statements that look proposals up by kind (the import's search for an item's
    proposal)."""
    by_kind = ('"proposals_proposal"."kind" IN', '"proposals_proposal"."kind" =')
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and any(part in query["sql"] for part in by_kind)
    ]


class RaisedAgainTests(TestCase):
    def setUp(self) -> None:
        self.folder = NotesFolder()
        self.addCleanup(self.folder.remove)
        self.assertTrue(apply_import(collect_files([self.folder.root])).ok)
        self.proposals = Proposal.objects.count()
        self.runtime = links("Runtime")
        self.assertTrue(any(len(ids) > 2 for ids in self.runtime.values()))

    def copy_runtime(self) -> None:
        """The Runtime notes again, as the notes of another committee: every file is a new
        meeting that raises the items Runtime's meetings raised."""
        shutil.copytree(self.folder.root / "Runtime", self.folder.root / "Runtime-2")

    def test_the_same_items_in_another_committee_link_the_same_proposals(self):
        self.copy_runtime()

        result = apply_import(collect_files([self.folder.root / "Runtime-2"]))

        self.assertTrue(result.ok)
        self.assertEqual(Proposal.objects.count(), self.proposals)
        self.assertEqual(links("Runtime-2"), self.runtime)
        # Two items of one file may be one proposal (a call for a lead and its nominee).
        per_file = [{change.proposal_id for change in file.proposals} for file in result.files]
        self.assertEqual(sum(map(len, per_file)), sum(len(ids) for ids in self.runtime.values()))
        actions = [change.action for file in result.files for change in file.proposals]
        self.assertEqual(set(actions), {"linked"})

    def test_it_looks_up_the_proposals_of_a_file_once_not_once_per_item(self):
        self.copy_runtime()
        path = self.folder.root / "Runtime-2" / RUNTIME_2017.removeprefix("Runtime/")

        with CaptureQueriesContext(connection) as queries:
            result = apply_import(collect_files([path]))

        self.assertGreater(len(result.files[0].proposals), 2)
        self.assertEqual(len(searches(queries)), 1)

    def test_an_edited_meeting_finds_its_items_linked_already(self):
        path = self.folder.root / RUNTIME_2017
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
        last = Event.objects.order_by("id").last().pk

        with CaptureQueriesContext(connection) as queries:
            result = apply_import(collect_files([path]))

        (file,) = result.files
        self.assertEqual(file.status, "updated")
        self.assertGreater(len(file.proposals), 2)
        self.assertEqual({change.action for change in file.proposals}, {"unchanged"})
        self.assertEqual(links("Runtime"), self.runtime)
        self.assertEqual(Proposal.objects.count(), self.proposals)
        new_events = Event.objects.filter(pk__gt=last).values_list("action", flat=True)
        self.assertEqual(list(new_events), ["meeting.updated"])
        self.assertEqual(len(searches(queries)), 1)
