"""Minutes: proposed by the chair, approved by the members present at a later meeting,
frozen once approved: a change to the notes needs a reason and becomes a new version."""

from __future__ import annotations

import datetime

from django.utils import timezone

from pmc.models import Committee, MinutesVersion
from proposals import actions, events
from proposals.actions.minutes import reason_for_changes
from proposals.errors import ConditionNotMet, LifecycleError, NotPermitted
from proposals.models import Event
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_user

TODAY = timezone.localdate()


class MinutesTests(LifecycleTestCase):
    def setUp(self) -> None:
        self.meeting = self.import_notes(TODAY - datetime.timedelta(days=14), "# Notes\n\nv1\n")
        self.next_meeting = make_meeting(self.committee, date=TODAY)

    def import_notes(self, date, notes: str):
        meeting, _, _ = actions.do_import_meeting(
            actor=self.chair,
            committee=self.committee,
            date=date,
            title="Runtime PMC Meeting",
            notes=notes,
            reason="Imported from notes.md.",  # where the text came from: no reason to change
        )
        return meeting

    def approve(self):
        actions.do_record_attendance(
            meeting=self.next_meeting, actor=self.chair, members=[self.chair, self.member]
        )
        return actions.do_approve_minutes(
            meeting=self.meeting, actor=self.chair, approved_in=self.next_meeting
        )

    def test_the_chair_proposes_the_notes_and_the_members_present_approve_them(self) -> None:
        proposed = actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        self.assertEqual((proposed.number, proposed.notes), (1, "# Notes\n\nv1\n"))
        approved = self.approve()
        self.assertEqual(approved.pk, proposed.pk)
        self.assertEqual(approved.approved_in, self.next_meeting)
        self.assertEqual(approved.approved_present, 2)
        event = Event.objects.get(action=events.MINUTES_APPROVED)
        self.assertEqual(event.payload["version"], 1)
        self.assertEqual(event.payload["approved_in_date"], TODAY.isoformat())

    def test_approval_needs_the_attendance_of_the_later_meeting(self) -> None:
        actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        with self.assertRaisesMessage(ConditionNotMet, "Record who attended the meeting of"):
            actions.do_approve_minutes(
                meeting=self.meeting, actor=self.chair, approved_in=self.next_meeting
            )
        self.assertFalse(MinutesVersion.objects.filter(approved_at__isnull=False).exists())

    def test_approval_below_the_meeting_quorum_is_refused(self) -> None:
        Committee.objects.filter(pk=self.committee.pk).update(meeting_quorum=3)
        actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        with self.assertRaisesMessage(ConditionNotMet, "2 of 4 members attended"):
            self.approve()

    def test_approval_is_at_a_later_meeting_of_the_same_committee(self) -> None:
        actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        for other in (self.meeting, make_meeting(self.other_committee, date=TODAY)):
            with self.subTest(other=str(other)), self.assertRaises(LifecycleError):
                actions.do_approve_minutes(
                    meeting=self.meeting, actor=self.chair, approved_in=other
                )

    def test_approval_waits_for_a_proposal_of_the_notes_as_they_stand(self) -> None:
        with self.assertRaisesMessage(ConditionNotMet, "propose the notes as the minutes first"):
            self.approve()
        actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        self.import_notes(self.meeting.date, "# Notes\n\nv1, corrected before approval\n")
        with self.assertRaisesMessage(ConditionNotMet, "propose them again"):
            actions.do_approve_minutes(
                meeting=self.meeting, actor=self.chair, approved_in=self.next_meeting
            )

    def test_approved_minutes_refuse_a_change_without_a_reason(self) -> None:
        actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        self.approve()
        with self.assertRaisesMessage(LifecycleError, "needs a reason"):
            self.import_notes(self.meeting.date, "# Notes\n\nv2\n")
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.notes, "# Notes\n\nv1\n")
        self.assertEqual(MinutesVersion.objects.filter(meeting=self.meeting).count(), 1)
        self.assertFalse(Event.objects.filter(action=events.MEETING_UPDATED).exists())

    def test_a_change_with_a_reason_is_the_next_version_and_keeps_the_approved_one(self) -> None:
        actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        self.approve()
        with reason_for_changes("A vote count was misheard."):
            self.import_notes(self.meeting.date, "# Notes\n\nv2\n")
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.notes, "# Notes\n\nv2\n")
        v1, v2 = MinutesVersion.objects.filter(meeting=self.meeting).order_by("number")
        self.assertEqual((v1.notes, v1.approved_in), ("# Notes\n\nv1\n", self.next_meeting))
        self.assertEqual((v2.number, v2.notes), (2, "# Notes\n\nv2\n"))
        self.assertEqual(v2.reason, "A vote count was misheard.")
        self.assertIsNone(v2.approved_at)
        event = Event.objects.get(action=events.MINUTES_CHANGED)
        self.assertEqual((event.payload["version"], event.payload["approved_version"]), (2, 1))
        self.assertEqual(event.reason, "A vote count was misheard.")

    def test_a_reimport_of_the_same_notes_is_not_a_change(self) -> None:
        actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        self.approve()
        self.import_notes(self.meeting.date, "# Notes\n\nv1\n")
        self.assertEqual(MinutesVersion.objects.filter(meeting=self.meeting).count(), 1)

    def test_only_the_chair_or_an_administrator_proposes_and_approves(self) -> None:
        staff = make_user("staff", is_staff=True)
        for actor in (self.member, self.outsider, self.foreign_member, staff):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted):
                actions.do_propose_minutes(meeting=self.meeting, actor=actor)
        actions.do_propose_minutes(meeting=self.meeting, actor=self.chair)
        actions.do_record_attendance(
            meeting=self.next_meeting, actor=self.chair, members=[self.member]
        )
        for actor in (self.member, self.outsider, self.foreign_member, staff):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted):
                actions.do_approve_minutes(
                    meeting=self.meeting, actor=actor, approved_in=self.next_meeting
                )
        admin = make_user("admin", is_superuser=True)
        actions.do_approve_minutes(meeting=self.meeting, actor=admin, approved_in=self.next_meeting)
