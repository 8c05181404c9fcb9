"""Dates show in the reader's time zone, chosen on their profile, and in UTC (the site's
zone) otherwise; the pages say which."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from proposals import audit
from proposals.actors import IMPORT
from proposals.models import ReaderSettings
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

AT = datetime.datetime(2017, 5, 16, 22, 30, tzinfo=datetime.UTC)


class TimeZoneTestCase(LifecycleTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(self.committee, self.member)
        audit.record(
            action="proposal.meeting_linked",
            actor=IMPORT,
            at=AT,
            committee=self.committee,
            proposal=self.proposal,
            payload={"meeting": None, "date": "2017-05-16"},
        )

    def choose(self, zone: str):
        return self.client.post(reverse("proposals:profile"), {"time_zone": zone}, follow=True)


class ProfileTests(TimeZoneTestCase):
    def test_it_saves_the_time_zone_chosen_on_the_profile(self):
        self.client.force_login(self.member)

        response = self.choose("Asia/Tokyo")

        self.assertContains(response, "Your time zone is saved: dates now show in Asia/Tokyo.")
        self.assertContains(response, "Dates and times show in <strong>Asia/Tokyo</strong>")
        self.assertContains(response, '<option value="Asia/Tokyo" selected>Tokyo</option>')
        self.assertEqual(ReaderSettings.objects.get(user=self.member).time_zone, "Asia/Tokyo")

    def test_it_goes_back_to_the_sites_zone(self):
        self.client.force_login(self.member)
        self.choose("Asia/Tokyo")

        response = self.choose("")

        self.assertContains(response, "dates now show in the site&#x27;s time zone (UTC)")
        self.assertEqual(ReaderSettings.objects.get(user=self.member).time_zone, "")

    def test_it_refuses_a_zone_it_does_not_know_and_keeps_the_other_choices(self):
        self.client.force_login(self.member)
        self.choose("Europe/Berlin")

        response = self.choose("Mars/Olympus_Mons")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice. Mars/Olympus_Mons is not one")
        self.assertEqual(ReaderSettings.objects.get(user=self.member).time_zone, "Europe/Berlin")
        # The notification choices are a form of their own, untouched.
        self.assertContains(response, 'name="kinds"')


class DatesTests(TimeZoneTestCase):
    def test_the_audit_page_shows_times_in_the_readers_zone_and_says_so(self):
        self.client.force_login(self.member)
        self.choose("Asia/Tokyo")

        response = self.client.get(reverse("proposals:audit_log"))

        self.assertContains(response, "Times are in Asia/Tokyo.")
        self.assertContains(response, 'Recorded <span class="muted">(Asia/Tokyo)</span>')
        # Recorded now, as of the time the event is about.
        self.assertContains(
            response,
            '(as of <time datetime="2017-05-17T07:30:00+09:00">2017-05-17 07:30</time>)',
            html=False,
        )

    def test_without_a_choice_times_are_in_utc_and_the_page_says_so(self):
        for who in (None, self.other_member):
            with self.subTest(who=who):
                if who:
                    self.client.force_login(who)
                response = self.client.get(reverse("proposals:audit_log"))

                self.assertContains(response, "Times are in UTC.")
                self.assertContains(
                    response,
                    '(as of <time datetime="2017-05-16T22:30:00+00:00">2017-05-16 22:30</time>)',
                    html=False,
                )

    def test_every_page_follows_the_zone_the_timeline_too(self):
        self.client.force_login(self.member)
        self.choose("America/New_York")

        response = self.client.get(self.proposal.get_absolute_url())

        self.assertContains(
            response, '<time datetime="2017-05-16T18:30:00-04:00">2017-05-16 18:30</time>'
        )
        self.assertContains(response, "Times are in America/New_York.")
        # Another reader, in the same process, still gets UTC.
        self.client.force_login(self.other_member)
        self.assertContains(
            self.client.get(self.proposal.get_absolute_url()), "2017-05-16 22:30</time>"
        )

    def test_a_zone_no_longer_known_falls_back_to_the_sites(self):
        ReaderSettings.objects.create(user=self.member, time_zone="Atlantis/Capital")
        self.client.force_login(self.member)

        response = self.client.get(reverse("proposals:audit_log"))

        self.assertContains(response, "Times are in UTC.")

    def test_the_dates_of_the_audit_table_stay_on_one_line(self):
        css = (Path(settings.BASE_DIR) / "proposals/static/proposals/site.css").read_text()

        self.assertRegex(css, r"td\.when[^{]*\{[^}]*white-space: nowrap")
