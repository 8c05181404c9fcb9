"""The agenda of the demo's next meeting (the Runtime PMC's, scheduled by seed_demo),
compared with a golden file.

The demo is dated relative to today (its vote is open, its meeting two weeks ahead), so
the comparison normalises what moves with the day: each date within a year of today is
written as its distance from today ({today+14}), and each proposal's number as its rank
among the demo's proposals ({#1}), which does not depend on the database's sequences.
The demo is seeded at noon UTC, so that the dates it writes in the meeting's zone
(California) are the same whatever the hour the test runs. Dates further away (the 2017
meeting the demo is built on) stay as they are. Regenerate the golden file with
PMC_WRITE_GOLDEN=1 after a deliberate change, and read the diff."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from pmc.models import Meeting
from proposals import acting, agenda, notifications
from proposals.management.commands.seed_demo import SEED, Seeder
from proposals.models import Proposal

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "agenda" / "runtime-next-meeting.md"
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_NUMBER = re.compile(r"#(\d+)\b")
_PATH = re.compile(r"/proposals/(\d+)/")


def normalised(text: str, today: datetime.date, ranks: dict[int, int]) -> str:
    def date(match: re.Match) -> str:
        day = datetime.date.fromisoformat(match[1])
        delta = (day - today).days
        return f"{{today{delta:+d}}}" if abs(delta) <= 366 else match[1]

    text = _DATE.sub(date, text)
    text = _NUMBER.sub(lambda m: f"{{#{ranks.get(int(m[1]), m[1])}}}", text)
    return _PATH.sub(lambda m: f"/proposals/{{#{ranks.get(int(m[1]), m[1])}}}/", text)


@override_settings(PMC_SITE_URL="https://pmc.example.org")
class DemoAgenda(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.today = timezone.now().date()
        noon = datetime.datetime.combine(cls.today, datetime.time(12), datetime.UTC)
        with transaction.atomic(), notifications.silenced(), acting.acting_as(SEED):
            Seeder(now=noon).run()
        cls.meeting = Meeting.objects.get(committee__slug="runtime", starts_at__isnull=False)

    def test_the_demo_schedules_the_runtime_pmcs_next_meeting(self):
        self.assertTrue(self.meeting.is_scheduled)
        self.assertEqual(self.meeting.date, self.today + datetime.timedelta(days=14))
        self.assertEqual(self.meeting.local_start.time(), datetime.time(8))

    def test_a_newcomer_downloads_its_agenda_and_it_matches_the_golden_file(self):
        response = self.client.get(reverse("proposals:agenda", args=[self.meeting.pk]))
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertEqual(text, agenda.write(self.meeting))
        numbers = Proposal.objects.order_by("pk").values_list("pk", flat=True)
        ranks = {pk: rank for rank, pk in enumerate(numbers, 1)}
        got = normalised(text, self.today, ranks)
        if os.environ.get("PMC_WRITE_GOLDEN") == "1":
            GOLDEN.write_text(got, encoding="utf-8")
        self.assertEqual(got, GOLDEN.read_text(encoding="utf-8"))
