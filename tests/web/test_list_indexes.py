"""On PostgreSQL, the proposal list reads each page in order from an index, in its default
order alone and after each filter, and on pages past the numbered ones: no reading of
every proposal and sorting them (a Seq Scan and a Sort on the proposals table)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmc.models import Project
from proposals.models import Proposal
from proposals.states import Kind, State
from proposals.views import paging
from tests.factories import make_committee

ROWS = 6000


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"
)
class ProposalListIndexTests(TestCase):
    """Enough proposals over 10 committees, 100 projects, every state and kind, that
    reading a page from an index beats sorting them all, with the statistics fresh."""

    @classmethod
    def setUpTestData(cls) -> None:
        rng = random.Random(16)  # noqa: S311 - reproducible data, not secrets
        committees = [make_committee(f"Committee {i}") for i in range(10)]
        cls.projects = Project.objects.bulk_create(
            Project(name=f"project-{i}", committee=committees[i % 10]) for i in range(100)
        )
        now = timezone.now()
        states = [State.DRAFT, State.DISCUSSION, State.ACCEPTED, State.COMPLETED, State.REJECTED]
        rows = []
        for i in range(ROWS):
            project = cls.projects[i % 100]
            at = now - datetime.timedelta(minutes=rng.randrange(0, 500_000))
            rows.append(
                Proposal(
                    committee_id=project.committee_id,
                    project=project,
                    kind=rng.choice(Kind.values),
                    title=f"proposal {i}",
                    body="text " * 50,
                    state=rng.choice(states),
                    created_at=at,
                    updated_at=at,
                )
            )
        Proposal.objects.bulk_create(rows, batch_size=2000)
        cls.committee = committees[0]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE proposals_proposal")

    def page_queries(self, url: str) -> list[str]:
        """The statements that read a page of proposals while `url` is served."""
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return [
            query["sql"]
            for query in captured.captured_queries
            if 'FROM "proposals_proposal"' in query["sql"] and "ORDER BY" in query["sql"]
        ]

    def plan(self, sql: str, *switched_off: str) -> str:
        with connection.cursor() as cursor:
            for setting in switched_off:
                cursor.execute(f"SET LOCAL {setting} = off")
            try:
                cursor.execute(f"EXPLAIN {sql}")
                return "\n".join(row[0] for row in cursor.fetchall())
            finally:
                for setting in switched_off:
                    cursor.execute(f"RESET {setting}")

    def assert_read_from_an_index(self, url: str) -> None:
        queries = self.page_queries(url)
        self.assertTrue(queries, f"no page of proposals read for {url}")
        for sql in queries:
            plan = self.plan(sql)
            self.assertNotIn("Seq Scan on proposals_proposal", plan, f"{url}\n{plan}")
            # Where few rows match, sorting them can cost less than walking an index;
            # with that choice ruled out, the page must still be read in order from an
            # index, without sorting: one that holds the filter and the order.
            plan = self.plan(sql, "enable_seqscan", "enable_bitmapscan")
            self.assertNotRegex(plan, r"Sort\s+\(", f"{url}\n{plan}")
            self.assertRegex(plan, r"Index Scan .*proposal_\w*updated_idx", f"{url}\n{plan}")

    def test_the_default_order_and_each_filter_read_from_an_index(self):
        base = reverse("proposals:list")
        project = self.projects[7]
        for url in (
            base,
            f"{base}?page=3",
            f"{base}?committee={self.committee.pk}",
            f"{base}?state={State.COMPLETED}",
            f"{base}?state={State.DISCUSSION}",
            f"{base}?kind={Kind.ATTIC}",
            f"{base}?project={project.pk}",
            f"{base}?committee={self.committee.pk}&state={State.DRAFT}",
        ):
            with self.subTest(url=url):
                self.assert_read_from_an_index(url)

    def test_pages_past_the_numbered_ones_read_from_the_index_too(self):
        base = reverse("proposals:list")
        for params in ("", f"committee={self.committee.pk}&", f"state={State.COMPLETED}&"):
            with self.subTest(params=params):
                rows = Proposal.objects.filter(
                    **dict(p.split("=") for p in params.strip("&").split("&") if p)
                ).order_by("-updated_at", "-pk")
                middle = rows[len(rows) // 2]
                cursor = paging.cursor_of(rows, middle)

                self.assert_read_from_an_index(f"{base}?{params}after={cursor}")
