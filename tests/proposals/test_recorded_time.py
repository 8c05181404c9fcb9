"""Every event has the time it was recorded, by the database's clock and in id order,
beside the time it is about (the meeting, for what imported notes record); both are in
its hash, and the pages order by the recording and show the other time beside it."""

from __future__ import annotations

import datetime
import re
from unittest import mock

from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from proposals import audit, replay
from proposals.actors import IMPORT, SYSTEM
from proposals.importing import apply_import, collect_files
from proposals.models import Event, Proposal
from proposals.states import Kind
from tests.base import LifecycleTestCase
from tests.factories import make_proposal
from tests.importing.accuracy import NOTES

MEETING_NOON = datetime.datetime(2019, 3, 21, 12, tzinfo=datetime.UTC)


def database_now() -> datetime.datetime:
    """The database's own clock, as the audit writer reads it."""
    sql = {"postgresql": "SELECT clock_timestamp()"}.get(
        connection.vendor, "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        value = cursor.fetchone()[0]
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return value


def recorded_in_order(events) -> bool:
    times = [event.recorded_at for event in events]
    return times == sorted(times)


class ImportedMeetingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.before = database_now()
        apply_import(collect_files([NOTES / "Bosh" / "2019-03-21-bosh.md"]))
        cls.after = database_now()
        cls.proposal = Proposal.objects.get(kind=Kind.PROMOTION, project__name="BPM")

    def test_its_events_are_dated_by_the_meeting_but_recorded_now_in_id_order(self):
        events = list(self.proposal.events.order_by("id"))

        self.assertEqual(
            [e.action for e in events],
            ["proposal.created", "proposal.meeting_linked", "proposal.submit", "proposal.decide"],
        )
        self.assertEqual({e.at for e in events}, {MEETING_NOON})
        for event in events:
            self.assertLessEqual(self.before, event.recorded_at)
            self.assertLessEqual(event.recorded_at, self.after)
            self.assertTrue(event.about_another_time)
        every = list(Event.objects.order_by("id"))
        self.assertTrue(recorded_in_order(every))
        self.assertTrue(audit.verify_chain().ok)
        self.assertEqual(replay.disagreements(), [])

    def test_the_history_shows_when_it_was_recorded_and_the_meeting_beside_it(self):
        decide = self.proposal.events.get(action="proposal.decide")

        page = self.client.get(self.proposal.get_absolute_url())

        recorded = timezone.localtime(decide.recorded_at)
        self.assertContains(
            page,
            f'<time datetime="{recorded.isoformat()}">{recorded:%Y-%m-%d %H:%M}</time> '
            '<span class="muted">(as of <time datetime="2019-03-21T12:00:00+00:00">'
            "2019-03-21 12:00</time>)</span>",
            html=False,
        )

    def test_the_audit_page_shows_both_times_newest_recorded_first(self):
        page = self.client.get(reverse("proposals:audit_log")).content.decode()

        self.assertIn("(as of <time", page)
        ids = [int(i) for i in re.findall(r"<tr>\s*<td>(\d+)</td>", page)]
        self.assertEqual(ids, sorted(ids, reverse=True))


class RecordedTimeTests(LifecycleTestCase):
    def test_an_event_about_now_shows_one_time(self):
        proposal = make_proposal(self.committee, self.member)
        created = proposal.events.get()

        self.assertFalse(created.about_another_time)
        self.client.force_login(self.member)
        page = self.client.get(proposal.get_absolute_url())
        self.assertNotContains(page, "(as of ")

    def test_it_records_by_the_database_clock(self):
        before = database_now()
        with transaction.atomic():
            event = audit.record(action="test.now", actor=SYSTEM)
        after = database_now()

        self.assertLessEqual(before, event.recorded_at)
        self.assertLessEqual(event.recorded_at, after)
        self.assertEqual(event.at, event.recorded_at)
        event.refresh_from_db()
        self.assertEqual(event.hash, event.compute_hash())

    def test_recorded_times_never_go_back_even_when_the_application_clock_does(self):
        # Another machine whose clock runs an hour ahead wrote the newest event.
        ahead = database_now() + datetime.timedelta(hours=1)
        with transaction.atomic():
            head = audit.record(action="test.first", actor=SYSTEM)
            forced = Event(action="test.ahead", actor_name="system:other", prev_hash=head.hash)
            forced.at = forced.recorded_at = ahead
            forced.hash = forced.compute_hash()
            forced.save(force_insert=True)
        # And this process's clock went back a day.
        day_ago = timezone.now() - datetime.timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=day_ago):
            proposal = make_proposal(self.committee, self.member, state="discussion")
            with transaction.atomic():
                last = audit.record(action="test.after", actor=IMPORT)

        after = list(Event.objects.filter(pk__gt=forced.pk).order_by("id"))
        self.assertEqual(len(after), 3)  # filed, submitted, and the last one
        self.assertEqual({event.recorded_at for event in after}, {ahead})
        self.assertEqual(after[-1].pk, last.pk)
        self.assertTrue(recorded_in_order(Event.objects.order_by("id")))
        # What the actions judged by is their own (Python's) time, kept as the time the
        # events are about.
        self.assertEqual(proposal.events.get(action="proposal.created").at, day_ago)
        self.assertTrue(audit.verify_chain().ok)

    def test_both_times_are_in_the_hash(self):
        with transaction.atomic():
            event = audit.record(
                action="test.dated", actor=SYSTEM, at=MEETING_NOON, reason="about the meeting"
            )
        for field in ("at", "recorded_at"):
            with self.subTest(field=field):
                moved = Event.objects.get(pk=event.pk)
                setattr(moved, field, getattr(moved, field) + datetime.timedelta(microseconds=1))
                self.assertNotEqual(moved.compute_hash(), event.hash)
