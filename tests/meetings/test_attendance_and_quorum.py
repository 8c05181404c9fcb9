"""Who attended a meeting, and the meeting quorum a decision recorded there needs."""

from __future__ import annotations

import datetime

from django.utils import timezone

from pmc.models import Attendance, Committee
from proposals import actions, events
from proposals.actors import IMPORT
from proposals.errors import ConditionNotMet, LifecycleError, NotPermitted
from proposals.models import Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_member, make_proposal, make_user


class AttendanceTests(LifecycleTestCase):
    def setUp(self) -> None:
        self.meeting = make_meeting(self.committee, date=timezone.localdate())

    def test_it_records_members_as_binding_and_guests_by_name(self) -> None:
        actions.do_record_attendance(
            meeting=self.meeting,
            actor=self.chair,
            members=[self.chair, self.member],
            guests=["Ada Guest", " ada   guest ", ""],
        )
        rows = list(Attendance.objects.filter(meeting=self.meeting))
        self.assertCountEqual(
            [(r.user_id, r.guest_name, r.binding) for r in rows],
            [(self.chair.pk, "", True), (self.member.pk, "", True), (None, "Ada Guest", False)],
        )
        event = Event.objects.get(action=events.MEETING_ATTENDANCE_RECORDED)
        self.assertEqual(event.payload["members"], ["chair", "member"])
        self.assertEqual(event.payload["guests"], ["Ada Guest"])
        self.assertEqual((event.payload["present"], event.payload["seated"]), (2, 4))

    def test_it_replaces_what_was_recorded_and_writes_nothing_when_unchanged(self) -> None:
        record = actions.do_record_attendance
        record(meeting=self.meeting, actor=self.chair, members=[self.chair, self.member])
        record(meeting=self.meeting, actor=self.chair, members=[self.other_member])
        record(meeting=self.meeting, actor=self.chair, members=[self.other_member])
        self.assertEqual(
            list(self.meeting.attendance.values_list("user_id", flat=True)),
            [self.other_member.pk],
        )
        self.assertEqual(Event.objects.filter(action=events.MEETING_ATTENDANCE_RECORDED).count(), 2)

    def test_it_refuses_as_a_member_someone_without_a_seat_on_the_meeting_date(self) -> None:
        with self.assertRaisesMessage(LifecycleError, "add them as guests by name"):
            actions.do_record_attendance(
                meeting=self.meeting, actor=self.chair, members=[self.chair, self.foreign_member]
            )
        self.assertFalse(Attendance.objects.exists())

    def test_only_the_chair_or_an_administrator_records_it(self) -> None:
        staff = make_user("staff", is_staff=True)
        for actor in (self.member, self.outsider, self.foreign_member, staff):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted):
                actions.do_record_attendance(meeting=self.meeting, actor=actor, members=[])
        admin = make_user("admin", is_superuser=True)
        actions.do_record_attendance(meeting=self.meeting, actor=admin, guests=["Visitor"])
        self.assertEqual(self.meeting.attendance.count(), 1)


class MeetingQuorumTests(LifecycleTestCase):
    def setUp(self) -> None:
        Committee.objects.filter(pk=self.committee.pk).update(meeting_quorum=3)
        self.proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        self.meeting = make_meeting(self.committee, date=timezone.localdate())

    def decide(self):
        return actions.do_decide(
            proposal=self.proposal, actor=self.chair, accepted=True, meeting=self.meeting
        )

    def test_a_decision_below_the_quorum_is_refused_and_changes_nothing(self) -> None:
        actions.do_record_attendance(
            meeting=self.meeting, actor=self.chair, members=[self.chair, self.member]
        )
        with self.assertRaisesMessage(
            ConditionNotMet,
            "2 of 4 members attended; Runtime decides with at least 3 present. "
            "Record who attended, or decide by vote.",
        ):
            self.decide()
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)
        self.assertFalse(Event.objects.filter(action=events.transition("decide")).exists())
        self.assertFalse(self.proposal.mentions.exists())  # not linked either

    def test_a_decision_with_unknown_attendance_is_refused_when_there_is_a_quorum(self) -> None:
        with self.assertRaisesMessage(ConditionNotMet, "Who attended Runtime's meeting of"):
            self.decide()
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)

    def test_a_quorate_decision_notes_how_many_members_were_present(self) -> None:
        guests = ["A Guest", "Another Guest"]  # guests do not count
        actions.do_record_attendance(
            meeting=self.meeting,
            actor=self.chair,
            members=[self.chair, self.member, self.other_member],
            guests=guests,
        )
        self.decide()
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)
        payload = Event.objects.get(action=events.transition("decide")).payload
        self.assertEqual((payload["present"], payload["seated"], payload["quorum"]), (3, 4, 3))

    def test_without_a_quorum_a_decision_stands_and_unknown_attendance_is_noted(self) -> None:
        Committee.objects.filter(pk=self.committee.pk).update(meeting_quorum=0)
        self.decide()
        payload = Event.objects.get(action=events.transition("decide")).payload
        self.assertIsNone(payload["present"])
        self.assertEqual(payload["quorum"], 0)

    def test_a_decision_read_from_notes_is_kept_whatever_the_attendance(self) -> None:
        """Imported notes are history: their decisions are recorded as of the meeting,
        with the attendance unknown, and never refused for it."""
        actions.do_decide(
            proposal=self.proposal,
            actor=IMPORT,
            accepted=True,
            meeting=self.meeting,
            at=timezone.now(),
        )
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)
        payload = Event.objects.get(action=events.transition("decide")).payload
        self.assertIsNone(payload["present"])

    def test_a_former_member_present_does_not_count(self) -> None:
        gone = make_member(
            self.committee,
            make_user("gone"),
            started_on=timezone.localdate() - datetime.timedelta(days=90),
            ended_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        with self.assertRaisesMessage(LifecycleError, "held no seat"):
            actions.do_record_attendance(meeting=self.meeting, actor=self.chair, members=[gone])
        actions.do_record_attendance(
            meeting=self.meeting,
            actor=self.chair,
            members=[self.chair, self.member],
            guests=["Gone, as a guest"],
        )
        with self.assertRaisesMessage(ConditionNotMet, "2 of 4 members attended"):
            self.decide()


class MeetingRulesTests(LifecycleTestCase):
    def test_the_chair_sets_the_quorum_and_switches_proxy_votes_off(self) -> None:
        actions.do_set_meeting_rules(
            committee=self.committee, actor=self.chair, meeting_quorum=3, proxy_votes=False
        )
        self.committee.refresh_from_db()
        self.assertEqual((self.committee.meeting_quorum, self.committee.proxy_votes), (3, False))
        event = Event.objects.get(action=events.COMMITTEE_UPDATED)
        self.assertEqual(event.payload["changed"]["meeting_quorum"], {"from": 0, "to": 3})

    def test_a_quorum_larger_than_the_committee_is_refused(self) -> None:
        with self.assertRaisesMessage(LifecycleError, "Runtime has 4 members"):
            actions.do_set_meeting_rules(
                committee=self.committee, actor=self.chair, meeting_quorum=5, proxy_votes=True
            )
        self.committee.refresh_from_db()
        self.assertEqual(self.committee.meeting_quorum, 0)

    def test_members_and_other_chairs_do_not_set_them(self) -> None:
        for actor in (self.member, self.outsider, self.foreign_member):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted):
                actions.do_set_meeting_rules(
                    committee=self.committee, actor=actor, meeting_quorum=1, proxy_votes=True
                )
