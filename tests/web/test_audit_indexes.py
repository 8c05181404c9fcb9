"""On PostgreSQL, the audit page reads each page of the log from an index, newest first,
alone, after each filter and deep in the log: no reading of every event (a Seq Scan on
the event table), and no reading of many more events than the page shows."""

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
from proposals.models import Event, Proposal
from proposals.states import Kind, State
from tests.factories import make_committee, make_user
from tests.web.test_read_pages import ids_shown

EVENTS = 20_000
# A page reads its rows from an index, with the filter as the index's condition or, where
# the planner finds walking the log's own order cheaper (a common action), as a test of
# the rows on the way; either way a small part of the log, never all of it. A narrow
# filter's rows may be sorted (a month's events): a few hundred, never the log.
READ_AT_MOST = 2500
SORTED_AT_MOST = 1000
# Twenty actions, four of them votes'.
ACTIONS = [
    *("vote.cast", "vote.changed", "vote.recused", "vote.proxy_recorded"),
    *("proposal.created", "proposal.edited", "proposal.submit", "proposal.withdraw"),
    *("comment.posted", "comment.edited", "comment.withdrawn", "concern.raised"),
    *("concern.resolved", "checklist.done", "checklist.reopened", "meeting.imported"),
    *("reading.confirmed", "reading.dismissed", "project.updated", "minutes.proposed"),
]


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"
)
class AuditLogIndexTests(TestCase):
    """Enough events over 100 committees, 2,000 proposals, 200 people, 20 actions and five
    years that one committee's, person's or action's events are a small part of the log
    (as they are in a large one), statistics fresh."""

    @classmethod
    def setUpTestData(cls) -> None:
        rng = random.Random(16)  # noqa: S311 - reproducible data, not secrets
        committees = [make_committee(f"Committee {i}") for i in range(100)]
        projects = Project.objects.bulk_create(
            Project(name=f"project-{i}", committee=committees[i % 100]) for i in range(200)
        )
        cls.proposals = Proposal.objects.bulk_create(
            Proposal(
                committee_id=projects[i % 200].committee_id,
                project=projects[i % 200],
                kind=Kind.OTHER,
                title=f"proposal {i}",
                state=State.DISCUSSION,
            )
            for i in range(2000)
        )
        by_id = {committee.pk: committee for committee in committees}
        cls.people = [make_user(f"person{i}") for i in range(200)]
        start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        events = []
        for i in range(EVENTS):
            proposal = rng.choice(cls.proposals)
            events.append(
                audit.new_event(
                    action=rng.choice(ACTIONS),
                    actor=rng.choice(cls.people) if i % 100 else IMPORT,
                    at=start + datetime.timedelta(minutes=130 * i),  # five years
                    committee=by_id[proposal.committee_id],
                    proposal=proposal,
                )
            )
        with transaction.atomic():
            audit.record_many(events)
        cls.committee = committees[3]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE proposals_event")

    def page_queries(self, url: str) -> list[str]:
        """The statements that read a page of events while `url` is served."""
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return [
            query["sql"]
            for query in captured.captured_queries
            if 'FROM "proposals_event"' in query["sql"] and "ORDER BY" in query["sql"]
        ]

    def plan(self, sql: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())

    def assert_read_from_an_index(self, url: str) -> None:
        queries = self.page_queries(url)
        self.assertTrue(queries, f"no page of events read for {url}")
        for sql in queries:
            plan = self.plan(sql)
            self.assertNotIn("Seq Scan on proposals_event", plan, f"{url}\n{plan}")
            self.assertRegex(
                plan, r"(Index|Index Only|Bitmap Heap) Scan .*on proposals_event", f"{url}\n{plan}"
            )
            scans = re.findall(r"Scan (?:.* )?on proposals_event .*actual .* rows=(\d+)", plan)
            removed = re.findall(r"Rows Removed by Filter: (\d+)", plan)
            read = sum(int(rows) for rows in scans + removed)
            self.assertLessEqual(read, READ_AT_MOST, f"{url}\n{plan}")
            sorted_rows = [int(rows) for rows in re.findall(r"Sort .*actual .* rows=(\d+)", plan)]
            self.assertLessEqual(max(sorted_rows, default=0), SORTED_AT_MOST, f"{url}\n{plan}")

    def test_the_newest_page_and_each_filter_read_from_an_index(self):
        base = reverse("proposals:audit_log")
        person = self.people[7]
        proposal = self.proposals[42]
        for url in (
            base,
            f"{base}?committee={self.committee.pk}",
            f"{base}?proposal={proposal.pk}",
            f"{base}?actor={person.username}",
            f"{base}?actor={person.username.upper()}",
            f"{base}?actor=system:import",
            f"{base}?action=vote.cast",
            f"{base}?action=vote.",
            f"{base}?date_from=2021-03-01",
            f"{base}?committee={self.committee.pk}&action=vote.cast",
        ):
            with self.subTest(url=url):
                self.assert_read_from_an_index(url)

    def test_a_date_range_far_back_reads_its_events_from_the_index_on_their_time(self):
        # Ordered by the time events are about, a range far back in the log is read
        # from the index on that time, not found by walking every newer event by id.
        url = f"{reverse('proposals:audit_log')}?date_from=2020-03-01&date_to=2020-03-31"
        self.assert_read_from_an_index(url)
        for sql in self.page_queries(url):
            plan = self.plan(sql)
            self.assertRegex(plan, r"Index Scan .*using proposals_event_at_\w+ on proposals", plan)
            # At most the few events of the same time are put in order of their ids.
            self.assertNotRegex(plan, r"(?m)(^|->\s+)Sort \(", plan)

    def test_deep_pages_read_from_the_index_too(self):
        base = reverse("proposals:audit_log")
        ids = list(Event.objects.order_by("id").values_list("id", flat=True))
        deep = ids[len(ids) // 10]
        person = self.people[7].username
        for params in (
            "",
            f"committee={self.committee.pk}&",
            "action=vote.cast&",
            f"actor={person}&",
            "date_from=2020-02-01&date_to=2020-12-31&",
        ):
            for cursor in (f"before={deep}", f"after={deep}"):
                with self.subTest(params=params, cursor=cursor):
                    url = f"{base}?{params}{cursor}"
                    shown = ids_shown(self.client.get(url))
                    self.assertTrue(shown)
                    if cursor.startswith("before"):
                        self.assertLess(max(shown), deep)
                    else:
                        self.assertGreater(min(shown), deep)
                    self.assert_read_from_an_index(url)
