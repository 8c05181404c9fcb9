"""What an import reads is recorded as readings; a reading no one has confirmed does not
complete its proposal, a low-confidence one does not decide it either; a dismissal or a
correction stands when the file is imported again, and items left out at the upload are
recorded as dismissed."""

from __future__ import annotations

from django.test import TestCase

from pmc.models import Project, Role
from proposals import actions
from proposals.errors import ConditionNotMet
from proposals.importing import apply_import
from proposals.models import Event, Proposal, ProposalMeeting, Reading
from proposals.states import Kind, ReadingStatus, State
from tests.factories import make_committee, make_member, make_user
from tests.readings.notes import (
    DECIDED,
    NAME,
    PROPOSED,
    RENAMED,
    notes_file,
    reimport,
)


class RecordingTests(TestCase):
    def setUp(self) -> None:
        self.result = apply_import([notes_file()])
        self.readings = {reading.key: reading for reading in Reading.objects.all()}

    def test_it_records_a_reading_per_item_with_its_evidence_and_proposal(self):
        self.assertEqual(set(self.readings), {DECIDED, PROPOSED, RENAMED})
        attic = self.readings[DECIDED]
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
            set(Reading.objects.to_review().values_list("key", flat=True)),
            {DECIDED, PROPOSED, RENAMED},
        )

    def test_it_decides_a_high_confidence_reading_without_waiting(self):
        proposal = self.readings[DECIDED].proposal
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertEqual(self.readings[DECIDED].held, [])

    def test_it_holds_a_low_confidence_decision_until_a_chair_confirms_the_reading(self):
        rename = self.readings[RENAMED]
        self.assertEqual(rename.confidence, "low")  # a team report's passing mention
        self.assertEqual(rename.outcome, "completed")
        self.assertEqual(rename.proposal.state, State.DISCUSSION)
        self.assertEqual(rename.held, ["decide", "complete"])
        self.assertFalse(rename.proposal.events.filter(action="proposal.decide").exists())
        line = next(c for c in self.result.files[0].proposals if c.kind == Kind.RENAME).line()
        self.assertIn("decide -> complete held until a chair confirms the reading", line)

    def test_it_moves_the_proposal_once_the_reading_is_confirmed(self):
        chair = make_member(
            self.readings[RENAMED].meeting.committee, make_user("chair"), role=Role.CHAIR
        )
        actions.do_confirm_reading(reading=self.readings[RENAMED], actor=chair)
        proposal = Proposal.objects.get(pk=self.readings[RENAMED].proposal_id)
        self.assertEqual(proposal.state, State.COMPLETED)
        self.assertEqual(Project.objects.get(pk=proposal.project_id).name, "networking-helpers")
        decide = proposal.events.get(action="proposal.decide")
        self.assertEqual(decide.at.date().isoformat(), "2021-03-04")
        self.assertEqual(proposal.decided_in, self.readings[RENAMED].meeting)


class LeaveOutTests(TestCase):
    def setUp(self) -> None:
        self.committee = make_committee("Runtime")
        self.chair = make_member(self.committee, make_user("chair"), role=Role.CHAIR)
        apply_import([notes_file()], actor=self.chair, leave_out={(NAME, PROPOSED)})

    def test_it_imports_nothing_of_an_item_left_out_and_records_it_dismissed(self):
        self.assertFalse(Proposal.objects.filter(project__name="diego-enabler").exists())
        reading = Reading.objects.get(key=PROPOSED)
        self.assertEqual(reading.status, ReadingStatus.DISMISSED)
        self.assertEqual(reading.reviewed_by, self.chair)
        self.assertEqual(reading.review_reason, "Left out when the notes were uploaded.")
        self.assertIsNone(reading.proposal)
        event = Event.objects.get(action="reading.dismissed")
        self.assertEqual((event.payload["key"], event.payload["left_out"]), (PROPOSED, True))
        self.assertEqual(event.actor, self.chair)

    def test_it_does_not_bring_a_left_out_item_back_when_imported_again(self):
        reimport(actor=self.chair)
        self.assertFalse(Proposal.objects.filter(project__name="diego-enabler").exists())
        self.assertEqual(Reading.objects.get(key=PROPOSED).status, ReadingStatus.DISMISSED)
        self.assertEqual(Proposal.objects.filter(project__name="garden-windows").count(), 1)


class ReimportAfterReviewTests(TestCase):
    def setUp(self) -> None:
        apply_import([notes_file()])
        self.committee = Reading.objects.get(key=PROPOSED).meeting.committee
        self.chair = make_member(self.committee, make_user("chair"), role=Role.CHAIR)

    def test_it_does_not_bring_a_dismissed_item_back(self):
        reading = Reading.objects.get(key=PROPOSED)
        proposal = reading.proposal
        actions.do_dismiss_reading(reading=reading, actor=self.chair, reason="A mailing list link")
        result = reimport()
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.WITHDRAWN)
        self.assertFalse(ProposalMeeting.objects.filter(proposal=proposal).exists())
        self.assertEqual(Proposal.objects.filter(project__name="diego-enabler").count(), 1)
        self.assertEqual(Reading.objects.get(key=PROPOSED).status, ReadingStatus.DISMISSED)
        change = next(c for c in result.files[0].proposals if c.project == "diego-enabler")
        self.assertEqual((change.action, change.proposal_id), ("skipped", None))

    def test_it_imports_a_corrected_item_as_corrected(self):
        reading = Reading.objects.get(key=PROPOSED)
        misread = reading.proposal
        actions.do_correct_reading(reading=reading, actor=self.chair, kind=Kind.PROMOTION)
        promotion = Reading.objects.get(key=PROPOSED).proposal
        reimport()
        reading.refresh_from_db()
        self.assertEqual((reading.status, reading.proposal), (ReadingStatus.CORRECTED, promotion))
        self.assertEqual(promotion.kind, Kind.PROMOTION)
        self.assertEqual(list(promotion.meetings.all()), [reading.meeting])
        misread.refresh_from_db()
        self.assertEqual(misread.state, State.WITHDRAWN)
        self.assertFalse(misread.meetings.exists())
        attics = Proposal.objects.filter(kind=Kind.ATTIC, project__name="diego-enabler")
        self.assertEqual(list(attics), [misread])  # not filed again

    def test_it_links_a_merged_item_to_the_proposal_it_was_merged_into(self):
        into = Reading.objects.get(key=DECIDED).proposal
        reading = Reading.objects.get(key=PROPOSED)
        actions.do_merge_reading(reading=reading, actor=self.chair, into=into)
        reimport()
        self.assertEqual(Reading.objects.get(key=PROPOSED).proposal, into)
        self.assertTrue(ProposalMeeting.objects.filter(proposal=into, meeting=reading.meeting))
        self.assertFalse(ProposalMeeting.objects.filter(proposal=reading.proposal).exists())

    def test_it_imports_a_confirmed_reading_as_read_without_moving_it_twice(self):
        rename = Reading.objects.get(key=RENAMED)
        actions.do_confirm_reading(reading=rename, actor=self.chair)
        reimport()
        rename.refresh_from_db()
        self.assertEqual((rename.status, rename.held), (ReadingStatus.CONFIRMED, []))
        self.assertEqual(rename.proposal.state, State.COMPLETED)
        self.assertEqual(rename.proposal.events.filter(action="proposal.complete").count(), 1)

    def test_it_keeps_a_reading_the_edited_file_no_longer_has(self):
        reimport(notes_file().data.decode().replace("* We renamed the cf-networking", "* cf-net"))
        reading = Reading.objects.get(key=RENAMED)
        self.assertFalse(reading.in_notes)
        self.assertNotIn(reading, Reading.objects.to_review())


class CompletionNeedsConfirmationTests(TestCase):
    """The notes report a new lead as done and the import decides it (high confidence),
    but completing it, which hands the project over, waits for a chair to confirm it."""

    NOTES = """# Runtime PMC meeting 2021-03-04

## New business

- Welcome garden-windows! Ana Lopez
"""

    def setUp(self) -> None:
        self.result = apply_import([notes_file(self.NOTES)])
        self.reading = Reading.objects.get()
        self.proposal = self.reading.proposal
        committee = self.reading.meeting.committee
        self.chair = make_member(committee, make_user("chair"), role=Role.CHAIR)

    def lead(self) -> str:
        return Project.objects.get(pk=self.proposal.project_id).lead

    def test_the_import_holds_the_completion_of_an_unconfirmed_reading(self):
        self.assertEqual((self.reading.kind, self.reading.outcome), ("ownership", "completed"))
        self.assertEqual(self.reading.confidence, "high")
        self.assertEqual(self.proposal.state, State.ACCEPTED)
        self.assertEqual(self.reading.held, ["complete"])
        self.assertEqual(self.lead(), "")
        self.assertIn("complete held until a chair confirms", self.result.files[0].lines()[1])

    def test_completing_by_hand_is_refused_until_the_reading_is_confirmed(self):
        for item in self.proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.chair, done=True)
        with self.assertRaisesMessage(ConditionNotMet, "on Readings to review first"):
            actions.do_complete(proposal=self.proposal, actor=self.chair)
        self.assertEqual(Proposal.objects.get(pk=self.proposal.pk).state, State.ACCEPTED)
        self.assertFalse(Event.objects.filter(action="proposal.complete").exists())
        self.assertEqual(self.lead(), "")

    def test_confirming_the_reading_completes_it(self):
        actions.do_confirm_reading(reading=self.reading, actor=self.chair)
        proposal = Proposal.objects.get(pk=self.proposal.pk)
        self.assertEqual(proposal.state, State.COMPLETED)
        self.assertEqual(self.lead(), "Ana Lopez")
        complete = proposal.events.get(action="proposal.complete")
        self.assertEqual(
            (complete.actor, complete.at.date().isoformat()), (self.chair, "2021-03-04")
        )
