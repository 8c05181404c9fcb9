"""The benchmark dataset (`benchmarks/dataset.py`) at a tiny size: its audit chain
verifies, its rows say what its events say, and every page the page benchmark measures
renders on it."""

from __future__ import annotations

import datetime

from django.test import TestCase
from django.urls import reverse

from benchmarks.dataset import PASSWORD, Generator, Sizes, generate
from pmc.models import Committee, Meeting, Membership, Project
from proposals import audit
from proposals.models import Comment, EligibleVoter, Event, Proposal, Vote
from proposals.states import State

TINY = Sizes(
    committees=3,
    people=60,
    projects=12,
    proposals=120,
    events=2_000,
    votes=300,
    meetings=30,
    comments=40,
    seats=4,
    years=3,
)
NOW = datetime.datetime(2026, 6, 1, 9, 30, tzinfo=datetime.UTC)


class DatasetTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.counts = generate(TINY, seed=7, now=NOW, log=lambda *args: None)

    def test_it_builds_the_sizes_asked_for(self):
        self.assertEqual(Committee.objects.count(), 3)
        self.assertEqual(Project.objects.count(), 12)
        self.assertEqual(Proposal.objects.count(), 120)
        self.assertEqual(Comment.objects.count(), 40)
        self.assertEqual(Meeting.objects.count(), 30)
        # Targets, not exact figures: the votes follow the seats, the events fill up.
        self.assertGreater(Vote.objects.count(), 150)
        self.assertGreaterEqual(Event.objects.count(), 2_000)
        self.assertEqual(self.counts["proposals.Event"], Event.objects.count())
        states = set(Proposal.objects.values_list("state", flat=True))
        self.assertTrue({State.DRAFT, State.DISCUSSION, State.COMPLETED} <= states, states)

    def test_its_audit_chain_verifies(self):
        report = audit.verify_chain()
        self.assertTrue(report.ok, report.problem)
        self.assertEqual(report.checked, Event.objects.count())
        times = list(Event.objects.order_by("id").values_list("at", flat=True))
        self.assertEqual(times, sorted(times))

    def test_its_rows_say_what_its_events_say(self):
        for proposal in Proposal.objects.exclude(vote_round=0):
            started = proposal.events.get(action="proposal.start_vote")
            eligible = EligibleVoter.objects.filter(proposal=proposal, round=1)
            self.assertEqual(
                sorted(eligible.values_list("user_id", flat=True)), started.payload["eligible"]
            )
            closes = list(proposal.events.filter(action="proposal.close_vote").order_by("id"))
            if proposal.state == State.VOTING:
                self.assertEqual(closes, [])
                self.assertGreater(proposal.closes_at, NOW)
                continue
            tally = proposal.tally()  # counted by the project's code from the rows
            self.assertEqual(closes[-1].payload["tally"]["yes"], tally.yes, proposal.pk)
            self.assertEqual(closes[-1].payload["tally"]["outcome"], tally.outcome)
            self.assertEqual(closes[-1].to_state, proposal.state if proposal.state in (
                State.REJECTED, State.DEFERRED) else State.ACCEPTED)  # fmt: skip
        for state in (State.COMPLETED, State.WITHDRAWN, State.DISCUSSION):
            proposal = Proposal.objects.filter(state=state).first()
            last = proposal.events.exclude(to_state="").order_by("id").last()
            self.assertEqual(last.to_state, state)
        for seat in Membership.objects.exclude(ended_on=None):
            self.assertTrue(seat.events.filter(action="membership.ended").exists())

    def test_every_page_the_benchmark_measures_renders(self):
        committee = Committee.objects.order_by("pk").first()
        member = Membership.objects.filter(committee=committee, ended_on=None, role="member")
        urls = [
            reverse("proposals:home"),
            reverse("proposals:list") + f"?committee={committee.pk}&state=voting",
            reverse("proposals:list") + "?q=attic&page=2",
            reverse("proposals:audit_log") + "?page=9999",
            reverse("proposals:audit_log") + "?action=vote.&date_from=2026-01-01",
            reverse("proposals:meeting_list") + f"?committee={committee.slug}",
            reverse("proposals:project_list"),
            reverse("proposals:committee", args=[committee.slug]),
            reverse("proposals:search") + "?q=attic",
            Meeting.objects.filter(mentions__isnull=False).first().get_absolute_url(),
            Project.objects.first().get_absolute_url(),
            *(
                Proposal.objects.filter(state=state).first().get_absolute_url()
                for state in (State.VOTING, State.COMPLETED, State.REJECTED, State.DISCUSSION)
            ),
        ]
        self.client.force_login(member.first().user)
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        # The page benchmark signs in through the form with the dataset's password.
        self.assertTrue(member.first().user.check_password(PASSWORD))


class ReproducibleTests(TestCase):
    def history(self, seed: int) -> list:
        generator = Generator(TINY, seed=seed, now=NOW, log=lambda *args: None)
        generator.build()
        return [(at, spec) for at, spec in generator.sorted_specs()]

    def test_the_same_seed_builds_the_same_history(self):
        first = self.history(3)
        self.assertEqual(first, self.history(3))
        self.assertNotEqual(first, self.history(4))
