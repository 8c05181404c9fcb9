"""The calendars, read back with icalendar's parser: vote deadlines and meetings of the
site and of a committee, as everyone may read them; a person's own calendar behind a
secret address that only they see, and that they reset."""

from __future__ import annotations

import datetime

import icalendar
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmc.models import Role
from proposals import actions, calendars, events
from proposals.errors import NotPermitted
from proposals.models import CalendarAddress, Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_member, make_proposal, make_user

SITE = "https://pmc.example.org"
CALL = "https://meet.example.org/runtime-pmc"


@override_settings(PMC_SITE_URL=SITE)
class CalendarTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.vote = make_proposal(
            cls.committee,
            cls.member,
            state=State.VOTING,
            chair=cls.chair,
            title="Move Diego-Enabler, the CLI; and more to the attic",
        )
        foreign_chair = make_member(cls.other_committee, make_user("foreign_chair"), Role.CHAIR)
        cls.foreign_vote = make_proposal(
            cls.other_committee, cls.foreign_member, state=State.VOTING, chair=foreign_chair
        )
        make_proposal(cls.committee, cls.member, state=State.DISCUSSION, title="Not voting")
        starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
        cls.meeting = actions.do_schedule_meeting(
            actor=cls.chair,
            committee=cls.committee,
            starts_at=starts,
            time_zone="Europe/Berlin",
            call_link=CALL,
            note="Bring the numbers.",
        )
        cls.cancelled = actions.do_schedule_meeting(
            actor=cls.chair,
            committee=cls.committee,
            starts_at=starts + datetime.timedelta(days=7),
            time_zone="UTC",
        )
        actions.do_cancel_meeting(actor=cls.chair, meeting=cls.cancelled)
        cls.held = make_meeting(cls.committee, date=timezone.localdate() - datetime.timedelta(30))
        cls.long_ago = make_meeting(cls.committee, date=datetime.date(2017, 5, 16))
        cls.foreign_meeting = make_meeting(cls.other_committee, date=timezone.localdate())

    def read(self, url: str, client: Client | None = None) -> icalendar.Calendar:
        response = (client or self.client).get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        return icalendar.Calendar.from_ical(response.content)

    def events_of(self, cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
        return {str(event["UID"]): event for event in cal.walk("VEVENT")}

    def uid(self, what: str) -> str:
        return f"{what}@pmc.example.org"


class PublicCalendarTests(CalendarTestCase):
    def test_the_committees_calendar_holds_its_open_votes_and_meetings(self):
        cal = self.read(reverse("proposals:committee_calendar", args=["runtime"]))

        found = self.events_of(cal)
        self.assertEqual(
            set(found),
            {
                self.uid(f"vote-{self.vote.pk}-round-1"),
                self.uid(f"meeting-{self.meeting.pk}"),
                self.uid(f"meeting-{self.cancelled.pk}"),
                self.uid(f"meeting-{self.held.pk}"),
            },
        )
        self.assertEqual(str(cal["X-WR-CALNAME"]), "PMC Lifecycle: Runtime")
        self.assertEqual(cal.decoded("REFRESH-INTERVAL"), calendars.REFRESH)
        self.assertIn(b"X-PUBLISHED-TTL:PT1H", cal.to_ical())

    def test_a_vote_deadline_is_an_event_at_its_closing_time_in_utc(self):
        cal = self.read(reverse("proposals:committee_calendar", args=["runtime"]))

        vote = self.events_of(cal)[self.uid(f"vote-{self.vote.pk}-round-1")]
        self.vote.refresh_from_db()
        # To the second, as iCalendar writes times.
        self.assertEqual(vote.decoded("DTSTART"), self.vote.closes_at.replace(microsecond=0))
        self.assertEqual(vote.decoded("DTSTART").utcoffset(), datetime.timedelta(0))
        # The commas and semicolons of the title come back as written.
        self.assertEqual(
            str(vote["SUMMARY"]),
            f"Vote closes: #{self.vote.pk} Move Diego-Enabler, the CLI; and more to the attic",
        )
        self.assertEqual(str(vote["URL"]), f"{SITE}/proposals/{self.vote.pk}/")
        self.assertIn("The vote of Runtime on", str(vote["DESCRIPTION"]))
        self.assertIsInstance(vote.decoded("DTSTAMP"), datetime.datetime)

    def test_meetings_show_their_time_and_whether_they_are_cancelled_but_not_the_call(self):
        cal = self.read(reverse("proposals:committee_calendar", args=["runtime"]))

        found = self.events_of(cal)
        meeting = found[self.uid(f"meeting-{self.meeting.pk}")]
        self.assertEqual(meeting.decoded("DTSTART"), self.meeting.starts_at)
        self.assertEqual(
            meeting.decoded("DTEND") - meeting.decoded("DTSTART"), calendars.MEETING_LENGTH
        )
        self.assertEqual(str(meeting["STATUS"]), "CONFIRMED")
        self.assertIn("Bring the numbers.", str(meeting["DESCRIPTION"]))
        self.assertNotIn(CALL, cal.to_ical().decode())
        cancelled = found[self.uid(f"meeting-{self.cancelled.pk}")]
        self.assertEqual(str(cancelled["STATUS"]), "CANCELLED")
        # A meeting known by its notes only lasts its day.
        held = found[self.uid(f"meeting-{self.held.pk}")]
        self.assertEqual(held.decoded("DTSTART"), self.held.date)

    def test_the_sites_calendar_holds_every_committee(self):
        found = self.events_of(self.read(reverse("proposals:calendar")))

        self.assertIn(self.uid(f"vote-{self.foreign_vote.pk}-round-1"), found)
        self.assertIn(self.uid(f"meeting-{self.foreign_meeting.pk}"), found)
        self.assertIn(self.uid(f"vote-{self.vote.pk}-round-1"), found)
        self.assertNotIn(self.uid(f"meeting-{self.long_ago.pk}"), found)  # out of the window

    def test_uids_stay_and_a_new_round_is_a_new_event(self):
        url = reverse("proposals:committee_calendar", args=["runtime"])
        before = set(self.events_of(self.read(url)))
        actions.do_return_to_discussion(proposal=self.vote, actor=self.chair)
        actions.do_start_vote(proposal=self.vote, actor=self.chair)

        after = set(self.events_of(self.read(url)))

        self.assertEqual(
            before ^ after,
            {self.uid(f"vote-{self.vote.pk}-round-1"), self.uid(f"vote-{self.vote.pk}-round-2")},
        )

    def test_an_unknown_committee_has_no_calendar(self):
        response = self.client.get(reverse("proposals:committee_calendar", args=["nope"]))

        self.assertEqual(response.status_code, 404)

    @override_settings(PMC_PUBLIC_READ=False)
    def test_calendars_are_not_public_when_the_site_is_not(self):
        for url in (
            reverse("proposals:calendar"),
            reverse("proposals:committee_calendar", args=["runtime"]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 302)

    def test_the_home_page_links_the_sites_calendar(self):
        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, f'<a href="{reverse("proposals:calendar")}">Calendar</a>')

    def test_the_meetings_page_links_the_calendar(self):
        response = self.client.get(reverse("proposals:meeting_list") + "?committee=runtime")

        url = reverse("proposals:committee_calendar", args=["runtime"])
        self.assertContains(response, f'<a href="{url}">Calendar</a>')

    def test_queries_do_not_grow_with_the_votes_and_meetings(self):
        url = reverse("proposals:calendar")
        few = self.count(url)
        for i in range(20):
            make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
            day = timezone.localdate() - datetime.timedelta(i + 1)
            make_meeting(self.other_committee, date=day)

        self.assertEqual(self.count(url), few)

    def count(self, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.read(url)
        return len(queries)


class PersonalCalendarTests(CalendarTestCase):
    def make_address(self, user) -> str:
        """The address `user` gets by pressing the button on their profile page."""
        self.client.force_login(user)
        response = self.client.post(reverse("proposals:reset_calendar"), follow=True)
        self.assertEqual(response.status_code, 200)
        url = response.context["calendar_url"]
        self.assertContains(response, f'value="{url}"')
        self.client.logout()
        return url.removeprefix(SITE)

    def test_the_profile_offers_to_make_the_address_then_shows_it(self):
        self.client.force_login(self.member)

        response = self.client.get(reverse("proposals:profile"))

        self.assertContains(response, "Make my calendar's address")
        url = self.make_address(self.member)
        secret = CalendarAddress.objects.get(user=self.member).secret
        self.assertEqual(url, f"/calendar/{secret}.ics")
        self.assertGreaterEqual(len(secret), 43)
        self.client.force_login(self.member)
        self.assertContains(self.client.get(reverse("proposals:profile")), secret)

    def test_it_holds_my_committees_votes_and_meetings_with_the_calls_and_my_part(self):
        url = self.make_address(self.member)

        found = self.events_of(self.read(url))

        vote = found[self.uid(f"vote-{self.vote.pk}-round-1")]
        self.assertTrue(str(vote["SUMMARY"]).endswith("(your vote is awaited)"))
        self.assertNotIn(self.uid(f"vote-{self.foreign_vote.pk}-round-1"), found)
        self.assertNotIn(self.uid(f"meeting-{self.foreign_meeting.pk}"), found)
        meeting = found[self.uid(f"meeting-{self.meeting.pk}")]
        self.assertEqual(str(meeting["LOCATION"]), CALL)
        self.assertIn(f"Call: {CALL}", str(meeting["DESCRIPTION"]))

        actions.do_cast_vote(proposal=self.vote, actor=self.member, value=1)
        vote = self.events_of(self.read(url))[self.uid(f"vote-{self.vote.pk}-round-1")]
        self.assertTrue(str(vote["SUMMARY"]).endswith("(you have voted)"))

    def test_a_vote_of_a_committee_i_left_in_which_i_still_vote_stays(self):
        late = make_member(self.committee)
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        seat = late.memberships.get()
        actions.do_end_membership(membership=seat, actor=self.chair, ended_on=timezone.localdate())
        url = self.make_address(late)

        found = self.events_of(self.read(url))

        self.assertIn(self.uid(f"vote-{proposal.pk}-round-1"), found)
        self.assertNotIn(self.uid(f"meeting-{self.meeting.pk}"), found)

    def test_resetting_makes_the_old_address_answer_404(self):
        old = self.make_address(self.member)

        new = self.make_address(self.member)

        self.assertNotEqual(old, new)
        self.assertEqual(self.client.get(old).status_code, 404)
        self.read(new)

    def test_each_change_is_an_event_about_the_account_without_the_secret(self):
        self.make_address(self.member)
        self.make_address(self.member)

        recorded = list(
            Event.objects.filter(action=events.ACCOUNT_CALENDAR_ADDRESS_SET).order_by("id")
        )
        self.assertEqual([e.payload["replaced"] for e in recorded], [False, True])
        secret = CalendarAddress.objects.get(user=self.member).secret
        self.assertFalse(any(secret in str(e.payload) for e in recorded))
        self.client.force_login(self.chair)
        audit = self.client.get(reverse("proposals:audit_log"))
        self.assertContains(audit, "reset the address of the personal calendar of their account")

    def test_an_outsider_cannot_read_someone_elses_calendar(self):
        mine = self.make_address(self.member)
        theirs = self.make_address(self.outsider)

        self.assertEqual(self.client.get("/calendar/guessed-secret.ics").status_code, 404)
        self.assertEqual(self.client.get(mine[:-10] + "x" * 6 + ".ics").status_code, 404)
        found = self.events_of(self.read(theirs))
        self.assertEqual(found, {})  # the outsider sits on no committee
        self.assertNotEqual(mine, theirs)

    def test_a_closed_account_has_no_calendar(self):
        url = self.make_address(self.other_member)
        admin = make_user("root", is_staff=True, is_superuser=True)
        actions.do_deactivate_user(user=self.other_member, actor=admin)

        self.assertEqual(self.client.get(url).status_code, 404)

    def test_resetting_needs_a_signed_in_post_with_its_csrf_token(self):
        response = self.client.post(reverse("proposals:reset_calendar"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

        self.client.force_login(self.member)
        self.assertEqual(self.client.get(reverse("proposals:reset_calendar")).status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.member)
        self.assertEqual(strict.post(reverse("proposals:reset_calendar")).status_code, 403)
        self.assertFalse(CalendarAddress.objects.exists())

    def test_queries_do_not_grow_with_my_votes_and_meetings(self):
        url = self.make_address(self.member)
        with CaptureQueriesContext(connection) as few:
            self.read(url)
        for i in range(20):
            make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
            make_meeting(self.committee, date=timezone.localdate() - datetime.timedelta(i + 1))

        with CaptureQueriesContext(connection) as many:
            found = self.events_of(self.read(url))

        self.assertEqual(len(found), 4 + 20 + 20)
        self.assertEqual(len(many), len(few))

    def test_it_answers_privately(self):
        url = self.make_address(self.member)

        response = self.client.get(url)

        self.assertEqual(response["Cache-Control"], "private, max-age=300")

    def test_only_the_person_sets_their_address(self):
        with self.assertRaises(NotPermitted):
            actions.do_set_calendar_address(user=self.member, actor=self.chair)
        self.assertFalse(CalendarAddress.objects.exists())
