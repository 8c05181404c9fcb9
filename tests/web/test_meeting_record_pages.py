"""A meeting's record on its page (who attended, the minutes), the committee's meeting
rules on its page, and proxy votes in the vote panel: what each reader sees, and the
permission matrix of every action (anonymous, outsider, member of another committee,
former member, member, chair, staff)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmc.models import Attendance, Committee, Membership, MinutesVersion, Role
from proposals import actions
from proposals.importing import NoteFile, apply_import
from proposals.models import Vote
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_member, make_proposal, make_user

TODAY = timezone.localdate()
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "notes" / "Runtime" / "2017"
SAMPLE = SAMPLE / "2017-05-16-runtime.md"


class MatrixTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.staff = make_user("staff", is_staff=True)
        cls.former = make_member(
            cls.committee,
            make_user("former"),
            role=Role.CHAIR,
            started_on=TODAY - datetime.timedelta(days=400),
            ended_on=TODAY - datetime.timedelta(days=1),
        )

    def refused_users(self):
        """Everyone but the chair: who is refused, and with which status."""
        return {
            "anonymous": (None, 302),
            "outsider": (self.outsider, 403),
            "member of another committee": (self.foreign_member, 403),
            "former chair": (self.former, 403),
            "member": (self.member, 403),
            "staff": (self.staff, 403),
        }

    def post_as(self, user, url: str, data: dict | None = None):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.post(url, data or {})

    def messages(self, response) -> list[str]:
        return [str(m) for m in get_messages(response.wsgi_request)]


class AttendancePageTests(MatrixTestCase):
    def setUp(self) -> None:
        self.meeting = make_meeting(self.committee, date=TODAY)
        self.url = reverse("proposals:attendance", args=[self.meeting.pk])
        self.data = {"members": [self.chair.pk, self.member.pk], "guests": "Ada Guest\n"}

    def test_permission_matrix(self) -> None:
        for label, (user, status) in self.refused_users().items():
            with self.subTest(label):
                response = self.post_as(user, self.url, self.data)
                self.assertEqual(response.status_code, status)
                self.assertFalse(Attendance.objects.exists())
        response = self.post_as(self.chair, self.url, self.data)
        self.assertRedirects(
            response,
            f"{self.meeting.get_absolute_url()}#attendance-h",
            fetch_redirect_response=False,
        )
        self.assertEqual(self.meeting.attendance.count(), 3)

    def test_the_page_shows_who_attended_and_offers_the_form_to_the_chair_only(self) -> None:
        self.post_as(self.chair, self.url, self.data)
        page = self.client.get(self.meeting.get_absolute_url())
        self.assertContains(page, "2 of 4 members present")
        self.assertContains(page, 'Ada Guest <span class="muted">(guest)</span>', html=False)
        self.assertContains(page, "Record who attended")
        self.client.force_login(self.member)
        page = self.client.get(self.meeting.get_absolute_url())
        self.assertContains(page, "2 of 4 members present")
        self.assertNotContains(page, "Record who attended")
        self.assertNotContains(page, reverse("proposals:attendance", args=[self.meeting.pk]))

    def test_a_member_without_a_seat_is_refused_with_a_clear_message(self) -> None:
        response = self.post_as(self.chair, self.url, {"members": [self.foreign_member.pk]})
        self.assertIn("Members present", " ".join(self.messages(response)))
        self.assertFalse(Attendance.objects.exists())


class QuorumOnThePageTests(MatrixTestCase):
    def test_a_decision_below_the_quorum_is_refused_with_the_numbers(self) -> None:
        Committee.objects.filter(pk=self.committee.pk).update(meeting_quorum=3)
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        meeting = make_meeting(self.committee, date=TODAY)
        actions.do_record_attendance(meeting=meeting, actor=self.chair, members=[self.chair])
        self.client.force_login(self.chair)
        response = self.client.post(
            reverse("proposals:transition", args=[proposal.pk, "decide"]),
            {
                "decide-meeting": meeting.pk,
                "decide-accepted": "1",
                "decide-expected_state": State.DISCUSSION,
                "decide-reason": "",
            },
            follow=True,
        )
        self.assertContains(
            response,
            "1 of 4 members attended; Runtime decides with at least 3 present. "
            "Record who attended, or decide by vote.",
            status_code=response.status_code,
        )
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)


class MinutesPageTests(MatrixTestCase):
    def setUp(self) -> None:
        # The notes are of 2017: the current members sat then.
        Membership.objects.filter(committee=self.committee, ended_on__isnull=True).update(
            started_on=datetime.date(2017, 1, 1)
        )
        apply_import([NoteFile(SAMPLE.name, data=SAMPLE.read_bytes())], committee=self.committee)
        self.meeting = self.committee.meetings.get(date=datetime.date(2017, 5, 16))
        self.next_meeting = make_meeting(self.committee, date=datetime.date(2017, 5, 30))
        actions.do_record_attendance(
            meeting=self.next_meeting, actor=self.chair, members=[self.chair]
        )
        self.propose = reverse("proposals:propose_minutes", args=[self.meeting.pk])
        self.approve = reverse("proposals:approve_minutes", args=[self.meeting.pk])
        self.change = reverse("proposals:change_minutes", args=[self.meeting.pk])

    def test_permission_matrix_of_proposing_and_approving(self) -> None:
        for label, (user, status) in self.refused_users().items():
            with self.subTest(label):
                self.assertEqual(self.post_as(user, self.propose).status_code, status)
                self.assertFalse(MinutesVersion.objects.exists())
        self.client.force_login(self.chair)
        self.assertContains(
            self.client.get(self.meeting.get_absolute_url()), "Propose the notes as the minutes"
        )
        self.assertEqual(self.post_as(self.chair, self.propose).status_code, 302)
        page = self.client.get(self.meeting.get_absolute_url())
        self.assertContains(page, "Version 1 is proposed as the minutes")
        self.assertNotContains(page, "Propose the notes as the minutes")
        self.assertContains(page, "Approved by the members present")
        for label, (user, status) in self.refused_users().items():
            with self.subTest(label):
                response = self.post_as(user, self.approve, {"approved_in": self.next_meeting.pk})
                self.assertEqual(response.status_code, status)
        self.assertFalse(MinutesVersion.objects.filter(approved_at__isnull=False).exists())
        self.post_as(self.chair, self.approve, {"approved_in": self.next_meeting.pk})
        page = self.client.get(self.meeting.get_absolute_url())
        self.assertContains(page, "Version 1 approved by the members present")
        self.assertContains(page, "Change the approved minutes")

    def test_a_change_to_approved_minutes_needs_a_reason_and_becomes_version_two(self) -> None:
        self.post_as(self.chair, self.propose)
        self.post_as(self.chair, self.approve, {"approved_in": self.next_meeting.pk})
        corrected = SAMPLE.read_bytes() + b"\n## Correction\n\nThe vote was 5 to 1.\n"

        def upload(reason: str):
            file = SimpleUploadedFile(SAMPLE.name, corrected, content_type="text/markdown")
            return self.post_as(self.chair, self.change, {"file": file, "reason": reason})

        response = upload("")
        self.assertIn("Give the reason", " ".join(self.messages(response)))
        self.assertEqual(MinutesVersion.objects.count(), 1)
        # The upload refuses it too: the import's own reason is no reason for a change.
        result = apply_import(
            [NoteFile(SAMPLE.name, data=corrected)], committee=self.committee, actor=self.chair
        ).files[0]
        self.assertEqual(result.status, "failed")
        self.assertIn("needs a reason", result.reason)
        self.meeting.refresh_from_db()
        self.assertNotIn("The vote was 5 to 1.", self.meeting.notes)

        response = upload("The count was misheard.")
        self.assertIn("version 2", " ".join(self.messages(response)))
        self.meeting.refresh_from_db()
        self.assertIn("The vote was 5 to 1.", self.meeting.notes)
        page = self.client.get(self.meeting.get_absolute_url())
        self.assertContains(page, "Version 1 approved by the members present")
        self.assertContains(page, "changed after approval: “The count was misheard.”")

    def test_a_change_from_the_file_of_another_meeting_changes_nothing(self) -> None:
        self.post_as(self.chair, self.propose)
        self.post_as(self.chair, self.approve, {"approved_in": self.next_meeting.pk})
        other = SimpleUploadedFile("2017-06-13-runtime.md", SAMPLE.read_bytes())
        response = self.post_as(self.chair, self.change, {"file": other, "reason": "typo"})
        self.assertIn("nothing was changed", " ".join(self.messages(response)))
        self.assertFalse(self.committee.meetings.filter(date=datetime.date(2017, 6, 13)).exists())

    def test_permission_matrix_of_changing(self) -> None:
        for label, (user, status) in self.refused_users().items():
            with self.subTest(label):
                file = SimpleUploadedFile(SAMPLE.name, b"# x\n")
                response = self.post_as(user, self.change, {"file": file, "reason": "r"})
                self.assertEqual(response.status_code, status)


class MeetingRulesPageTests(MatrixTestCase):
    def test_permission_matrix(self) -> None:
        url = reverse("proposals:meeting_rules", args=[self.committee.slug])
        data = {"meeting_quorum": "2", "proxy_votes": ""}
        for label, (user, status) in self.refused_users().items():
            with self.subTest(label):
                self.assertEqual(self.post_as(user, url, data).status_code, status)
        self.committee.refresh_from_db()
        self.assertEqual((self.committee.meeting_quorum, self.committee.proxy_votes), (0, True))
        self.post_as(self.chair, url, data)
        self.committee.refresh_from_db()
        self.assertEqual((self.committee.meeting_quorum, self.committee.proxy_votes), (2, False))
        page = self.client.get(reverse("proposals:committee", args=[self.committee.slug]))
        self.assertContains(page, "needs at least 2 members present")
        self.assertContains(page, "Switched off: members vote on the site themselves.")

    def test_an_administrator_sets_them_too(self) -> None:
        url = reverse("proposals:meeting_rules", args=[self.committee.slug])
        admin = make_user("admin", is_staff=True, is_superuser=True)
        self.post_as(admin, url, {"meeting_quorum": "3", "proxy_votes": "on"})
        self.committee.refresh_from_db()
        self.assertEqual((self.committee.meeting_quorum, self.committee.proxy_votes), (3, True))


class ProxyVotePanelTests(MatrixTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(
            self.committee, self.member, state=State.VOTING, chair=self.chair
        )
        self.url = reverse("proposals:proxy_vote", args=[self.proposal.pk])
        self.data = {"voter": self.other_member.pk, "value": "1", "note": "By phone"}

    def test_permission_matrix(self) -> None:
        for label, (user, status) in self.refused_users().items():
            with self.subTest(label):
                self.assertEqual(self.post_as(user, self.url, self.data).status_code, status)
        self.assertFalse(Vote.objects.exists())
        self.post_as(self.chair, self.url, self.data)
        self.assertEqual(Vote.objects.get().recorded_by, self.chair)

    def test_the_vote_table_and_the_member_see_it_as_a_proxy_vote(self) -> None:
        self.post_as(self.chair, self.url, self.data)
        self.client.force_login(self.other_member)
        page = self.client.get(self.proposal.get_absolute_url())
        self.assertContains(page, "(proxy vote, recorded by")
        self.assertContains(page, "recorded your vote <strong>+1</strong> on your behalf")
        self.assertNotContains(page, "Record a vote given to you")

    def test_the_chair_is_offered_the_form_unless_proxy_votes_are_off(self) -> None:
        self.client.force_login(self.chair)
        self.assertContains(
            self.client.get(self.proposal.get_absolute_url()), "Record a vote given to you"
        )
        Committee.objects.filter(pk=self.committee.pk).update(proxy_votes=False)
        self.assertNotContains(
            self.client.get(self.proposal.get_absolute_url()), "Record a vote given to you"
        )
        response = self.post_as(self.chair, self.url, self.data)
        self.assertIn("switched proxy votes off", " ".join(self.messages(response)))
        self.assertFalse(Vote.objects.exists())


class QueryCountTests(MatrixTestCase):
    """The record's pages read in a number of queries that does not grow with the people
    present, the versions of the minutes or the proxy votes."""

    def queries(self, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)

    def test_the_meeting_page(self) -> None:
        meeting = make_meeting(self.committee, date=TODAY, notes="# v1\n")
        self.client.force_login(self.chair)
        actions.do_record_attendance(meeting=meeting, actor=self.chair, members=[self.chair])
        actions.do_propose_minutes(meeting=meeting, actor=self.chair)
        few = self.queries(meeting.get_absolute_url())
        many = [make_member(self.committee) for _ in range(15)]
        actions.do_record_attendance(
            meeting=meeting,
            actor=self.chair,
            members=[self.chair, *many],
            guests=[f"Guest {i}" for i in range(10)],
        )
        for i in range(5):
            meeting.notes = f"# v{i + 2}\n"
            meeting.save()
            actions.do_propose_minutes(meeting=meeting, actor=self.chair)
        self.assertEqual(self.queries(meeting.get_absolute_url()), few)

    def test_the_vote_panel_with_proxy_votes(self) -> None:
        voters = [make_member(self.committee) for _ in range(10)]
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        self.client.force_login(self.chair)
        note = "In the meeting"
        actions.do_record_proxy_vote(
            proposal=proposal, actor=self.chair, voter=voters[0], value=1, note=note
        )
        few = self.queries(proposal.get_absolute_url())
        for voter in voters[1:]:
            actions.do_record_proxy_vote(
                proposal=proposal, actor=self.chair, voter=voter, value=0, note=note
            )
        self.assertEqual(self.queries(proposal.get_absolute_url()), few)
