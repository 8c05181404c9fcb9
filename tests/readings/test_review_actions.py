"""Confirming, correcting, merging and dismissing a reading: the chair of the meeting's
committee and staff may, nobody else; each writes one reading event naming what
changed, and a refused review changes nothing."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from pmc.models import Project, Role
from proposals import actions
from proposals.errors import InvalidTransition, LifecycleError, NotPermitted
from proposals.importing import apply_import
from proposals.models import Event, Proposal, ProposalMeeting, Reading
from proposals.states import Kind, ReadingStatus, State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user
from tests.readings.notes import DECIDED, PROPOSED, RENAMED, notes_file

EVENTS = {
    "confirm": "reading.confirmed",
    "correct": "reading.corrected",
    "merge": "reading.merged",
    "dismiss": "reading.dismissed",
}


class ReviewTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.foreign_chair = make_member(
            cls.other_committee, make_user("foreign_chair"), role=Role.CHAIR
        )
        cls.staff = make_user("staff", is_staff=True)
        apply_import([notes_file()])

    def reading(self, key: str) -> Reading:
        return Reading.objects.select_related("proposal").get(key=key)

    def reading_events(self):
        return Event.objects.filter(action__startswith="reading.")


class PermissionMatrixTests(ReviewTestCase):
    """Each review, tried by everyone who may not, then by those who may."""

    def reviews(self):
        into = self.reading(DECIDED).proposal
        return {
            "confirm": (actions.do_confirm_reading, {}),
            "correct": (actions.do_correct_reading, {"kind": Kind.PROMOTION}),
            "merge": (actions.do_merge_reading, {"into": into}),
            "dismiss": (actions.do_dismiss_reading, {"reason": "Not a lifecycle item"}),
        }

    def test_it_refuses_members_other_chairs_outsiders_and_anonymous_users(self):
        refused = {
            "member": self.member,
            "other committee's chair": self.foreign_chair,
            "outsider": self.outsider,
            "anonymous": AnonymousUser(),
        }
        for name, (action, options) in self.reviews().items():
            for who, actor in refused.items():
                with self.subTest(review=name, actor=who):
                    before = Event.objects.count()
                    with self.assertRaises(NotPermitted):
                        action(reading=self.reading(PROPOSED), actor=actor, **options)
                    reading = self.reading(PROPOSED)
                    self.assertEqual(reading.status, ReadingStatus.UNREVIEWED)
                    self.assertEqual(reading.proposal.state, State.DISCUSSION)
                    self.assertEqual(Event.objects.count(), before)

    def test_it_lets_the_chair_and_staff_review(self):
        for name, (action, options) in self.reviews().items():
            for who in ("chair", "staff"):
                with self.subTest(review=name, actor=who), transaction.atomic():
                    action(reading=self.reading(PROPOSED), actor=getattr(self, who), **options)
                    self.assertNotEqual(self.reading(PROPOSED).status, ReadingStatus.UNREVIEWED)
                    event = self.reading_events().get()
                    self.assertEqual(event.actor, getattr(self, who))
                    self.assertEqual(event.action, EVENTS[name])
                    transaction.set_rollback(True)  # the next one reviews the same reading


class ConfirmTests(ReviewTestCase):
    def test_the_chair_confirms_and_the_held_steps_are_taken_as_the_meetings_decision(self):
        reading = self.reading(RENAMED)
        self.assertEqual(reading.held, ["decide", "complete"])
        actions.do_confirm_reading(reading=reading, actor=self.chair, reason="Read right")
        reading.refresh_from_db()
        self.assertEqual((reading.status, reading.held), (ReadingStatus.CONFIRMED, []))
        self.assertEqual((reading.reviewed_by, reading.review_reason), (self.chair, "Read right"))
        proposal = reading.proposal
        self.assertEqual(proposal.state, State.COMPLETED)
        self.assertEqual(proposal.decided_in, reading.meeting)
        event = self.reading_events().get()
        self.assertEqual(event.action, "reading.confirmed")
        self.assertEqual(event.proposal, proposal)
        self.assertEqual(
            event.payload["before"], {"status": "unreviewed", "held": ["decide", "complete"]}
        )
        self.assertEqual(event.payload["after"], {"status": "confirmed", "held": []})
        self.assertEqual(event.payload["steps"], ["decide", "complete"])
        decide = proposal.events.get(action="proposal.decide")
        self.assertEqual((decide.actor, decide.at.date().isoformat()), (self.chair, "2021-03-04"))

    def test_staff_confirm_and_the_steps_are_the_imports(self):
        actions.do_confirm_reading(reading=self.reading(RENAMED), actor=self.staff)
        proposal = self.reading(RENAMED).proposal
        self.assertEqual(proposal.state, State.COMPLETED)
        self.assertEqual(self.reading_events().get().actor, self.staff)
        decide = proposal.events.get(action="proposal.decide")
        self.assertEqual(decide.actor_name, "system:import")
        self.assertIn("confirmed by staff", decide.reason)

    def test_it_refuses_a_reading_reviewed_already(self):
        actions.do_confirm_reading(reading=self.reading(PROPOSED), actor=self.chair)
        with self.assertRaises(InvalidTransition):
            actions.do_confirm_reading(reading=self.reading(PROPOSED), actor=self.chair)
        self.assertEqual(self.reading_events().count(), 1)


class CorrectTests(ReviewTestCase):
    def test_a_corrected_project_edits_the_proposal_the_reading_alone_raised(self):
        reading = self.reading(PROPOSED)
        proposal = reading.proposal
        actions.do_correct_reading(reading=reading, actor=self.chair, project="silk-release")
        reading.refresh_from_db()
        self.assertEqual(reading.status, ReadingStatus.CORRECTED)
        self.assertEqual(reading.proposal, proposal)
        proposal.refresh_from_db()
        self.assertEqual(proposal.project.name, "silk-release")
        self.assertEqual(proposal.title, "Move silk-release to the attic")
        self.assertEqual(proposal.state, State.DISCUSSION)
        event = self.reading_events().get()
        self.assertEqual(event.action, "reading.corrected")
        self.assertEqual(event.payload["changed"], ["project"])
        self.assertEqual(event.payload["before"]["project"], "diego-enabler")
        self.assertEqual(event.payload["after"]["project"], "silk-release")
        self.assertEqual(event.payload["before"]["proposal"], event.payload["after"]["proposal"])

    def test_a_corrected_kind_withdraws_the_misread_proposal_and_files_the_right_one(self):
        reading = self.reading(PROPOSED)
        misread = reading.proposal
        actions.do_correct_reading(
            reading=reading, actor=self.chair, kind=Kind.PROMOTION, outcome="approved"
        )
        reading.refresh_from_db()
        promotion = reading.proposal
        self.assertEqual((promotion.kind, promotion.state), (Kind.PROMOTION, State.ACCEPTED))
        self.assertEqual(promotion.project, misread.project)
        self.assertEqual(list(promotion.meetings.all()), [reading.meeting])
        misread.refresh_from_db()
        self.assertEqual(misread.state, State.WITHDRAWN)
        self.assertFalse(misread.meetings.exists())
        event = self.reading_events().get()
        self.assertEqual(event.payload["withdrawn"], misread.pk)
        self.assertEqual(event.payload["filed"], promotion.pk)
        self.assertEqual((event.payload["before"]["kind"], event.payload["after"]["kind"]),
                         ("attic", "promotion"))  # fmt: skip
        self.assertEqual(event.payload["steps"], ["submit", "decide"])

    def test_a_correction_finds_the_open_proposal_of_that_kind_and_project(self):
        project = Project.objects.get(name="diego-enabler")
        open_one = make_proposal(
            self.committee, self.member, kind=Kind.PROMOTION, project=project,
            state=State.DISCUSSION,
        )  # fmt: skip
        reading = self.reading(PROPOSED)
        actions.do_correct_reading(reading=reading, actor=self.chair, kind=Kind.PROMOTION)
        self.assertEqual(self.reading(PROPOSED).proposal, open_one)
        self.assertTrue(ProposalMeeting.objects.filter(proposal=open_one, meeting=reading.meeting))

    def test_it_refuses_a_correction_that_changes_nothing(self):
        with self.assertRaises(LifecycleError):
            actions.do_correct_reading(
                reading=self.reading(PROPOSED), actor=self.chair, kind=Kind.ATTIC
            )
        self.assertFalse(self.reading_events().exists())


class MergeTests(ReviewTestCase):
    def test_the_meeting_link_moves_and_the_proposal_left_without_a_meeting_is_withdrawn(self):
        reading = self.reading(PROPOSED)
        old, into = reading.proposal, self.reading(DECIDED).proposal
        actions.do_merge_reading(reading=reading, actor=self.chair, into=into.pk)
        reading.refresh_from_db()
        self.assertEqual((reading.status, reading.proposal), (ReadingStatus.MERGED, into))
        old.refresh_from_db()
        self.assertEqual(old.state, State.WITHDRAWN)
        self.assertFalse(old.meetings.exists())
        self.assertEqual(
            old.events.get(action="proposal.withdraw").reason, f"Merged into #{into.pk}."
        )
        self.assertTrue(into.meetings.filter(pk=reading.meeting_id).exists())
        event = self.reading_events().get()
        self.assertEqual(event.action, "reading.merged")
        self.assertEqual(event.payload["before"]["proposal"], old.pk)
        self.assertEqual(event.payload["after"]["proposal"], into.pk)
        self.assertEqual(event.payload["withdrawn"], old.pk)

    def test_it_refuses_a_proposal_of_another_committee(self):
        foreign = make_proposal(self.other_committee, self.foreign_member)
        with self.assertRaisesMessage(LifecycleError, "belongs to Extensions"):
            actions.do_merge_reading(reading=self.reading(PROPOSED), actor=self.chair, into=foreign)
        self.assertEqual(self.reading(PROPOSED).status, ReadingStatus.UNREVIEWED)
        self.assertFalse(self.reading_events().exists())


class DismissTests(ReviewTestCase):
    def test_it_unlinks_the_meeting_and_withdraws_the_proposal_it_alone_raised(self):
        reading = self.reading(PROPOSED)
        proposal = reading.proposal
        actions.do_dismiss_reading(reading=reading, actor=self.chair, reason="A link, no item")
        reading.refresh_from_db()
        self.assertEqual(reading.status, ReadingStatus.DISMISSED)
        self.assertEqual(reading.review_reason, "A link, no item")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.WITHDRAWN)
        self.assertFalse(proposal.meetings.exists())
        self.assertTrue(Proposal.objects.filter(pk=proposal.pk).exists())  # nothing deleted
        event = self.reading_events().get()
        self.assertEqual(event.action, "reading.dismissed")
        self.assertEqual(event.reason, "A link, no item")
        self.assertEqual(event.payload["before"]["status"], "unreviewed")
        self.assertEqual(event.payload["after"]["status"], "dismissed")
        self.assertEqual(
            (event.payload["unlinked"], event.payload["withdrawn"]), (proposal.pk,) * 2
        )

    def test_it_keeps_a_proposal_another_meeting_raised_too(self):
        reading = self.reading(PROPOSED)
        proposal = reading.proposal
        other = reading.meeting.__class__.objects.create(
            committee=self.committee, date=reading.meeting.date.replace(day=20), title="Later"
        )
        actions.do_link_meeting(proposal=proposal, meeting=other, actor=self.chair)
        actions.do_dismiss_reading(reading=reading, actor=self.chair, reason="Misread")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertEqual(list(proposal.meetings.all()), [other])

    def test_it_needs_a_reason(self):
        with self.assertRaises(LifecycleError):
            actions.do_dismiss_reading(reading=self.reading(PROPOSED), actor=self.chair, reason=" ")
        self.assertEqual(self.reading(PROPOSED).status, ReadingStatus.UNREVIEWED)


class CorrectOutcomeTests(ReviewTestCase):
    def test_a_corrected_outcome_moves_the_same_proposal(self):
        reading = self.reading(PROPOSED)
        proposal = reading.proposal
        actions.do_correct_reading(reading=reading, actor=self.chair, outcome="rejected")
        reading.refresh_from_db()
        self.assertEqual(reading.proposal, proposal)
        self.assertEqual(reading.correction["outcome"], "rejected")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.REJECTED)
        self.assertEqual(proposal.decided_in, reading.meeting)
        self.assertEqual(Proposal.objects.filter(project=proposal.project).count(), 1)
