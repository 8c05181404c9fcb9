"""A chair schedules their committee's meeting, reschedules or cancels it, and fills its
agenda; members see it coming on their home page and the committee's page; anyone who
may read the meeting downloads its agenda; and the notes uploaded for that day fill the
scheduled meeting instead of adding a second one."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmc.models import Meeting
from proposals import actions, event_sentences, events
from proposals.actors import SYSTEM
from proposals.errors import LifecycleError, NotPermitted
from proposals.importing import NoteFile, apply_import
from proposals.models import AgendaItem, Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user

ZONE = "Europe/Berlin"


def next_week(days: int = 7) -> datetime.datetime:
    """A naive start, read in ZONE by the action: 17:30 a week from today."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(17, 30))


class SchedulingActions(LifecycleTestCase):
    def schedule(self, **fields) -> Meeting:
        values = {
            "actor": self.chair,
            "committee": self.committee,
            "starts_at": next_week(),
            "time_zone": ZONE,
            "call_link": "https://meet.example.org/runtime",
            "note": "Bring the release plans.",
        }
        return actions.do_schedule_meeting(**{**values, **fields})

    def test_a_chair_schedules_a_meeting_at_a_time_in_a_time_zone(self):
        meeting = self.schedule()
        self.assertTrue(meeting.is_scheduled)
        self.assertEqual(meeting.date, next_week().date())
        self.assertEqual(meeting.local_start.time(), datetime.time(17, 30))
        self.assertEqual(str(meeting.local_start.tzinfo), ZONE)
        self.assertEqual(meeting.starts_at.tzinfo, datetime.UTC)
        event = Event.objects.get(action=events.MEETING_SCHEDULED)
        self.assertEqual(event.payload["meeting"], meeting.pk)
        sentence = event_sentences.lines([event])[0].what
        self.assertIn(f"the meeting of {meeting.date:%Y-%m-%d}</a>, at ", sentence)
        self.assertIn("17:30 Europe/Berlin", sentence)

    def test_the_call_link_must_be_https(self):
        for link in ["http://meet.example.org/x", "javascript:alert(1)", "meet.example.org"]:
            with self.subTest(link), self.assertRaisesMessage(LifecycleError, "https://"):
                self.schedule(call_link=link)
        self.assertFalse(Meeting.objects.exists())

    def test_a_meeting_is_scheduled_ahead_in_a_known_zone_on_a_free_day(self):
        with self.assertRaisesMessage(LifecycleError, "upload its notes"):
            self.schedule(starts_at=next_week(-2))
        with self.assertRaisesMessage(LifecycleError, "no time zone"):
            self.schedule(time_zone="Mars/Olympus")
        self.schedule()
        with self.assertRaisesMessage(LifecycleError, "already has a meeting on"):
            self.schedule(starts_at=next_week().replace(hour=9))
        self.assertEqual(Meeting.objects.count(), 1)

    def test_rescheduling_records_what_changed(self):
        meeting = self.schedule()
        actions.do_reschedule_meeting(
            actor=self.chair,
            meeting=meeting,
            starts_at=next_week(8),
            time_zone=ZONE,
            call_link=meeting.call_link,
            note=meeting.schedule_note,
            reason="The release is a day late.",
        )
        meeting.refresh_from_db()
        self.assertEqual(meeting.date, next_week(8).date())
        event = Event.objects.get(action=events.MEETING_RESCHEDULED)
        self.assertEqual(set(event.payload["changed"]), {"date", "starts_at"})
        self.assertIn(f"{meeting.date:%Y-%m-%d}", meeting.title)

    def test_a_cancelled_meeting_stays_marked_and_is_no_longer_changed(self):
        meeting = self.schedule()
        actions.do_cancel_meeting(actor=self.chair, meeting=meeting, reason="Holidays.")
        meeting.refresh_from_db()
        self.assertIsNotNone(meeting.cancelled_at)
        self.assertTrue(Meeting.objects.filter(pk=meeting.pk).exists())
        self.assertEqual(Event.objects.get(action=events.MEETING_CANCELLED).reason, "Holidays.")
        with self.assertRaisesMessage(LifecycleError, "was cancelled"):
            actions.do_cancel_meeting(actor=self.chair, meeting=meeting)
        with self.assertRaisesMessage(LifecycleError, "was cancelled"):
            actions.do_add_agenda_item(actor=self.chair, meeting=meeting, text="Anything")

    def test_a_cancellation_reason_is_one_line(self):
        meeting = self.schedule()
        with self.assertRaisesMessage(LifecycleError, "Reason:"):
            actions.do_cancel_meeting(actor=self.chair, meeting=meeting, reason="a\nb")
        meeting.refresh_from_db()
        self.assertIsNone(meeting.cancelled_at)

    def test_only_the_chair_or_an_administrator_schedules(self):
        former = make_user("former")
        make_member(
            self.committee,
            former,
            started_on=timezone.localdate() - datetime.timedelta(days=90),
            ended_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        staff = make_user("staff", is_staff=True)
        for actor in [AnonymousUser(), self.outsider, self.foreign_member, former,
                      self.member, staff]:  # fmt: skip
            with self.subTest(actor=str(actor)), self.assertRaises(NotPermitted):
                self.schedule(actor=actor)
        admin = get_admin()
        self.assertEqual(self.schedule(actor=admin).committee, self.committee)

    def test_agenda_points_and_proposals_are_actions_with_events(self):
        meeting = self.schedule()
        proposal = make_proposal(self.committee, self.member, state=State.DEFERRED)
        actions.do_add_agenda_item(actor=self.chair, meeting=meeting, text="  Summit   plans ")
        actions.do_put_proposal_on_agenda(actor=self.chair, meeting=meeting, proposal=proposal)
        self.assertEqual(
            list(AgendaItem.objects.values_list("text", "proposal")),
            [("Summit plans", None), ("", proposal.pk)],
        )
        with self.assertRaisesMessage(LifecycleError, "on the agenda already"):
            actions.do_put_proposal_on_agenda(actor=self.chair, meeting=meeting, proposal=proposal)
        foreign = make_proposal(self.other_committee, self.foreign_member)
        with self.assertRaisesMessage(LifecycleError, "no proposal of Runtime"):
            actions.do_put_proposal_on_agenda(actor=self.chair, meeting=meeting, proposal=foreign)
        with self.assertRaises(NotPermitted):
            actions.do_add_agenda_item(actor=self.member, meeting=meeting, text="Mine")
        self.assertEqual(
            Event.objects.filter(action__startswith="agenda.").count(), 2, "one event each"
        )
        self.assertEqual(
            Event.objects.get(action=events.AGENDA_PROPOSAL_ADDED).proposal_id, proposal.pk
        )

    def test_notes_uploaded_for_the_day_fill_the_scheduled_meeting(self):
        meeting = held(self.schedule())
        notes = b"# Runtime PMC Meeting\n\n## Announcements\n\n- The release is out.\n"
        name = f"{meeting.date:%Y-%m-%d}-runtime.md"
        result = apply_import([NoteFile(name, data=notes)], committee=self.committee)
        self.assertEqual(result.files[0].status, "created", result.files[0].reason)
        self.assertEqual(Meeting.objects.filter(committee=self.committee).count(), 1)
        meeting.refresh_from_db()
        self.assertIn("The release is out.", meeting.notes)
        self.assertFalse(meeting.is_scheduled)
        self.assertEqual(meeting.call_link, "https://meet.example.org/runtime")


def get_admin():
    return make_user("admin", is_staff=True, is_superuser=True)


def held(meeting: Meeting, days_ago: int = 1) -> Meeting:
    """The meeting, moved to a day already past, as it is once held (notes of a day
    still to come are refused by the import)."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    start = datetime.datetime.combine(day, datetime.time(16), datetime.UTC)
    Meeting.objects.filter(pk=meeting.pk).update(date=day, starts_at=start)
    meeting.refresh_from_db()
    return meeting


class SchedulingPages(LifecycleTestCase):
    """Who may do what, page by page: anonymous, an outsider, a member of another
    committee, a former member, a member, staff, the chair."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.former = make_user("former")
        make_member(
            cls.committee,
            cls.former,
            started_on=timezone.localdate() - datetime.timedelta(days=90),
            ended_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        cls.staff = make_user("staff", is_staff=True)
        cls.meeting = actions.do_schedule_meeting(
            actor=cls.chair,
            committee=cls.committee,
            starts_at=next_week(),
            time_zone=ZONE,
            call_link="https://meet.example.org/runtime",
        )

    def post_schedule(self, **fields):
        start = next_week(10)
        data = {"date": start.date().isoformat(), "time": "16:00", "time_zone": ZONE,
                "call_link": "https://meet.example.org/x", "note": ""}  # fmt: skip
        return self.client.post(
            reverse("proposals:schedule_meeting", args=[self.committee.slug]), {**data, **fields}
        )

    def test_the_permission_matrix_of_scheduling_and_cancelling(self):
        cancel = reverse("proposals:cancel_meeting", args=[self.meeting.pk])
        refused = {
            "outsider": self.outsider,
            "member of another committee": self.foreign_member,
            "former member": self.former,
            "member": self.member,
            "staff": self.staff,
        }
        response = self.post_schedule()
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
        self.assertEqual(self.client.post(cancel).status_code, 302)
        for who, user in refused.items():
            with self.subTest(who):
                self.client.force_login(user)
                self.assertEqual(self.post_schedule().status_code, 403)
                self.assertEqual(self.client.post(cancel).status_code, 403)
                page = self.client.get(self.meeting.get_absolute_url())
                self.assertNotContains(page, "Cancel the meeting")
        self.assertEqual(Meeting.objects.count(), 1)
        self.assertFalse(Meeting.objects.filter(cancelled_at__isnull=False).exists())
        self.client.force_login(self.chair)
        response = self.post_schedule()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Meeting.objects.count(), 2)
        self.assertEqual(self.client.post(cancel, {"reason": "Summit"}).status_code, 302)
        self.meeting.refresh_from_db()
        self.assertIsNotNone(self.meeting.cancelled_at)
        self.assertContains(self.client.get(self.meeting.get_absolute_url()), "Cancelled")

    def test_a_bad_schedule_is_refused_with_what_was_typed_kept(self):
        self.client.force_login(self.chair)
        response = self.post_schedule(call_link="http://meet.example.org/plain", note="Kept")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "https://", status_code=400)
        self.assertContains(response, "Kept", status_code=400)
        self.assertEqual(Meeting.objects.count(), 1)

    def test_anyone_who_may_read_the_meeting_downloads_its_agenda(self):
        url = reverse("proposals:agenda", args=[self.meeting.pk])
        for user in [None, self.outsider, self.member]:
            with self.subTest(user=str(user)):
                self.client.logout()
                if user:
                    self.client.force_login(user)
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "text/markdown; charset=utf-8")
                self.assertIn(f'filename="{self.meeting.date:%Y-%m-%d}-runtime.md"',
                              response["Content-Disposition"])  # fmt: skip
                text = response.content.decode()
                self.assertIn("## PMC Lifecycle Activities", text)
                self.assertNotIn("meet.example.org", text, "the call link is for members")

    @override_settings(PMC_PUBLIC_READ=False)
    def test_with_reading_closed_the_agenda_is_for_members_and_staff(self):
        url = reverse("proposals:agenda", args=[self.meeting.pk])
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.foreign_member)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_call_link_shows_to_members_and_staff_only(self):
        page = self.meeting.get_absolute_url()
        readers = [(self.outsider, False), (self.foreign_member, False), (self.former, False),
                   (self.member, True), (self.staff, True)]  # fmt: skip
        for user, shown in readers:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(page)
                (self.assertContains if shown else self.assertNotContains)(
                    response, 'href="https://meet.example.org/runtime"'
                )

    def test_the_chair_previews_the_agenda_and_adds_to_it(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        self.client.force_login(self.chair)
        self.client.post(
            reverse("proposals:agenda_point", args=[self.meeting.pk]), {"text": "Summit plans"}
        )
        page = self.client.get(self.meeting.get_absolute_url())
        self.assertContains(page, "Preview")
        self.assertContains(page, f">#{proposal.pk}</a> {proposal.title} (in discussion)")
        self.assertContains(page, "(set as ")
        self.assertContains(page, "Summit plans")
        self.client.force_login(self.member)
        self.assertNotContains(self.client.get(self.meeting.get_absolute_url()), "Preview")
        response = self.client.post(
            reverse("proposals:agenda_point", args=[self.meeting.pk]), {"text": "Mine"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(AgendaItem.objects.count(), 1)

    def test_members_see_the_next_meeting_on_home_and_the_committee_page(self):
        self.client.force_login(self.member)
        agenda = reverse("proposals:agenda", args=[self.meeting.pk])
        self.assertContains(self.client.get(reverse("proposals:home")), agenda)
        committee_page = self.client.get(reverse("proposals:committee", args=["runtime"]))
        self.assertContains(committee_page, "Upcoming meetings")
        self.assertContains(committee_page, agenda)
        self.assertNotContains(committee_page, "Schedule a meeting")
        self.client.force_login(self.chair)
        committee_page = self.client.get(reverse("proposals:committee", args=["runtime"]))
        self.assertContains(committee_page, "Schedule a meeting")


class ScheduledMeetingQueries(LifecycleTestCase):
    """The meeting's page with the agenda's preview, and the agenda's download, read
    as many rows with many proposals and closed votes as with few."""

    def test_queries_do_not_grow_with_the_proposals(self):
        meeting = actions.do_schedule_meeting(
            actor=self.chair, committee=self.committee, starts_at=next_week(), time_zone=ZONE
        )
        self.client.force_login(self.chair)
        urls = [meeting.get_absolute_url(), reverse("proposals:agenda", args=[meeting.pk])]

        def counts() -> list[int]:
            found = []
            for url in urls:
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                found.append(len(queries))
            return found

        def add_proposals() -> None:
            make_proposal(self.committee, self.member, state=State.DISCUSSION)
            make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
            closed = make_proposal(
                self.committee, self.member, state=State.VOTING, chair=self.chair
            )
            for voter in [self.chair, self.member, self.other_member]:
                actions.do_cast_vote(proposal=closed, actor=voter, value=1)
            actions.do_close_vote(proposal=closed, actor=SYSTEM, at=closed.closes_at)

        add_proposals()
        few = counts()
        text = self.client.get(urls[1]).content.decode()
        self.assertEqual(text.count("(vote closed "), 1, text)
        for _ in range(3):
            add_proposals()
        self.assertEqual(counts(), few)
