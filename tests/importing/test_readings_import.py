"""What an import reads is recorded as readings; a reading no one has confirmed does not
complete its proposal, a low-confidence one does not decide it either; a dismissal or a
correction stands when the file is imported again, and items left out at the upload are
recorded as dismissed."""

from __future__ import annotations

from django.test import TestCase

from pmc.models import Project, Role
from proposals import actions
from proposals.errors import ConditionNotMet
from proposals.importing import NoteFile, apply_import
from proposals.models import Event, Proposal, ProposalMeeting, Reading
from proposals.states import Kind, ReadingStatus, State
from tests.factories import make_committee, make_member, make_user

NAME = "Runtime/2021-03-04-runtime.md"

NOTES = """# Runtime PMC meeting 2021-03-04

## PMC Lifecycle Activities
* Proposal: [Move garden-windows to the attic](https://lists.cloudfoundry.org/g/cf-dev/message/1)
  * Decision: Moved to the attic!
* Proposal: [Move diego-enabler to the attic](https://lists.cloudfoundry.org/g/cf-dev/message/2)

## Backlog review

### Networking - Ana Lopez
* We renamed the cf-networking-helpers repo to networking-helpers.
"""

ATTIC = "attic:gardenwindows"
PENDING = "attic:diegoenabler"
RENAME = "rename:cfnetworkinghelpers"


def notes_file(text: str = NOTES, name: str = NAME) -> NoteFile:
    return NoteFile(name, data=text.encode())


def reimport(text: str = NOTES, **options):
    """Import the file again, edited so that the import does not skip it as unchanged."""
    return apply_import([notes_file(text + "\n<!-- edited -->\n")], **options)


class RecordingTests(TestCase):
    def setUp(self) -> None:
        self.result = apply_import([notes_file()])
        self.readings = {reading.key: reading for reading in Reading.objects.all()}

    def test_it_records_a_reading_per_item_with_its_evidence_and_proposal(self):
        self.assertEqual(set(self.readings), {ATTIC, PENDING, RENAME})
        attic = self.readings[ATTIC]
        self.assertEqual(
            (attic.kind, attic.subject, attic.outcome), ("attic", "garden-windows", "approved")
        )
        self.assertEqual((attic.confidence, attic.rule), ("high", "change-words"))
        self.assertEqual((attic.line, attic.section), (4, "PMC Lifecycle Activities"))
        self.assertIn("Move garden-windows to the attic", attic.quote)
        self.assertEqual(attic.meeting.date.isoformat(), "2021-03-04")
        self.assertEqual(attic.proposal, Proposal.objects.get(project__name="garden-windows"))
        self.assertTrue(attic.created_proposal)
        self.assertEqual(attic.taken, ["submit", "decide"])
        self.assertEqual(attic.status, ReadingStatus.UNREVIEWED)

    def test_it_lists_what_an_import_created_or_read_with_low_confidence_to_review(self):
        self.assertEqual(
            set(Reading.objects.to_review().values_list("key", flat=True)), {ATTIC, PENDING, RENAME}
        )

    def test_it_decides_a_high_confidence_reading_without_waiting(self):
        proposal = self.readings[ATTIC].proposal
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertEqual(self.readings[ATTIC].held, [])

    def test_it_holds_a_low_confidence_decision_until_a_chair_confirms_the_reading(self):
        rename = self.readings[RENAME]
        self.assertEqual(rename.confidence, "low")  # a team report's passing mention
        self.assertEqual(rename.outcome, "completed")
        self.assertEqual(rename.proposal.state, State.DISCUSSION)
        self.assertEqual(rename.held, ["decide", "complete"])
        self.assertFalse(rename.proposal.events.filter(action="proposal.decide").exists())
        line = next(c for c in self.result.files[0].proposals if c.kind == Kind.RENAME).line()
        self.assertIn("decide -> complete held until a chair confirms the reading", line)

    def test_it_moves_the_proposal_once_the_reading_is_confirmed(self):
        chair = make_member(
            self.readings[RENAME].meeting.committee, make_user("chair"), role=Role.CHAIR
        )
        actions.do_confirm_reading(reading=self.readings[RENAME], actor=chair)
        proposal = Proposal.objects.get(pk=self.readings[RENAME].proposal_id)
        self.assertEqual(proposal.state, State.COMPLETED)
        self.assertEqual(Project.objects.get(pk=proposal.project_id).name, "networking-helpers")
        decide = proposal.events.get(action="proposal.decide")
        self.assertEqual(decide.at.date().isoformat(), "2021-03-04")
        self.assertEqual(proposal.decided_in, self.readings[RENAME].meeting)


class LeaveOutTests(TestCase):
    def setUp(self) -> None:
        self.committee = make_committee("Runtime")
        self.chair = make_member(self.committee, make_user("chair"), role=Role.CHAIR)
        apply_import([notes_file()], actor=self.chair, leave_out={(NAME, PENDING)})

    def test_it_imports_nothing_of_an_item_left_out_and_records_it_dismissed(self):
        self.assertFalse(Proposal.objects.filter(project__name="diego-enabler").exists())
        reading = Reading.objects.get(key=PENDING)
        self.assertEqual(reading.status, ReadingStatus.DISMISSED)
        self.assertEqual(reading.reviewed_by, self.chair)
        self.assertEqual(reading.review_reason, "Left out when the notes were uploaded.")
        self.assertIsNone(reading.proposal)
        event = Event.objects.get(action="reading.dismissed")
        self.assertEqual((event.payload["key"], event.payload["left_out"]), (PENDING, True))
        self.assertEqual(event.actor, self.chair)

    def test_it_does_not_bring_a_left_out_item_back_when_imported_again(self):
        reimport(actor=self.chair)
        self.assertFalse(Proposal.objects.filter(project__name="diego-enabler").exists())
        self.assertEqual(Reading.objects.get(key=PENDING).status, ReadingStatus.DISMISSED)
        self.assertEqual(Proposal.objects.filter(project__name="garden-windows").count(), 1)
