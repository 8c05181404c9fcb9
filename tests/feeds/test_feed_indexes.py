"""On PostgreSQL, each feed reads its events from an index, newest first: the site's from
the index on (action, id), a committee's from (committee, id), a proposal's from
(proposal, id), a project's from the index on its project; never every event (a Seq Scan
on the event table), never many more events than the feed shows."""

from __future__ import annotations

import datetime
import random
import re

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmc.models import Project
from proposals import audit
from proposals.actors import IMPORT
from proposals.models import Proposal
from proposals.states import Kind, State
from tests.factories import make_committee, make_user

EVENTS = 20_000
# Read at most this many events for a feed of 50 entries (for each action of the site's
# feed): where an action is common, the planner may walk the log's order and test each
# event, as the audit page's filters do.
READ_AT_MOST = 2500
SORTED_AT_MOST = 1000
# Votes and comments dominate, as in a real log; the lifecycle's moves are a few.
ACTIONS = [
    *("vote.cast",) * 8,
    *("comment.posted",) * 4,
    *("vote.changed", "checklist.done", "concern.raised", "proposal.edited"),
    *("proposal.created", "proposal.submit", "proposal.start_vote", "proposal.close_vote"),
    "proposal.withdraw",
]


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"
)
class FeedIndexTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        rng = random.Random(18)  # noqa: S311 - reproducible data, not secrets
        committees = [make_committee(f"Committee {i}") for i in range(50)]
        cls.projects = Project.objects.bulk_create(
            Project(name=f"project-{i}", committee=committees[i % 50]) for i in range(200)
        )
        cls.proposals = Proposal.objects.bulk_create(
            Proposal(
                committee_id=cls.projects[i % 200].committee_id,
                project=cls.projects[i % 200],
                kind=Kind.OTHER,
                title=f"proposal {i}",
                state=State.DISCUSSION,
            )
            for i in range(2000)
        )
        by_id = {committee.pk: committee for committee in committees}
        people = [make_user(f"person{i}") for i in range(100)]
        start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        events = []
        for i in range(EVENTS):
            proposal = rng.choice(cls.proposals)
            events.append(
                audit.new_event(
                    action=rng.choice(ACTIONS),
                    actor=rng.choice(people) if i % 100 else IMPORT,
                    at=start + datetime.timedelta(minutes=130 * i),
                    committee=by_id[proposal.committee_id],
                    project=proposal.project,
                    proposal=proposal,
                )
            )
        with transaction.atomic():
            audit.record_many(events)
        cls.committee = committees[3]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE proposals_event")

    def event_queries(self, url: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return [
            query["sql"]
            for query in captured.captured_queries
            if 'FROM "proposals_event"' in query["sql"]
        ]

    def plan(self, sql: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())

    def test_each_feed_reads_its_events_from_an_index(self):
        for url in (
            reverse("proposals:feed"),
            reverse("proposals:committee_feed", args=[self.committee.slug]),
            reverse("proposals:project_feed", args=[self.projects[17].pk]),
            reverse("proposals:proposal_feed", args=[self.proposals[42].pk]),
        ):
            queries = self.event_queries(url)
            self.assertTrue(queries, url)
            for sql in queries:
                with self.subTest(url=url, sql=sql[:80]):
                    plan = self.plan(sql)
                    self.assertNotIn("Seq Scan on proposals_event", plan, plan)
                    # Each part of a UNION (one action's newest) reads its own events.
                    for part in re.split(r"->  Limit ", plan):
                        scans = re.findall(
                            r"Scan (?:.* )?on proposals_event .*actual .* rows=(\d+)", part
                        )
                        removed = re.findall(r"Rows Removed by Filter: (\d+)", part)
                        read = sum(int(rows) for rows in scans + removed)
                        self.assertLessEqual(read, READ_AT_MOST, plan)
                    sorted_rows = re.findall(r"Sort .*actual .* rows=(\d+)", plan)
                    self.assertLessEqual(
                        max((int(rows) for rows in sorted_rows), default=0), SORTED_AT_MOST, plan
                    )

    def test_the_sites_feed_reads_the_lifecycles_moves_in_one_query_of_the_log(self):
        queries = self.event_queries(reverse("proposals:feed"))

        # The newest of each action (one UNION), then those events with their rows.
        self.assertEqual(len(queries), 2)
        self.assertIn("UNION ALL", queries[0])
