"""Every list pages by cursor: following `next` gives each row once, in the list's order,
ties included, and no page is read with OFFSET."""

from __future__ import annotations

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request

from proposals import actions
from proposals.api.paging import Cursor
from proposals.models import Event, Proposal, Vote
from proposals.states import Kind, State
from tests.api.base import ApiTestCase
from tests.factories import make_proposal


class CursorTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for _ in range(3):  # the same title: a tie the cursor must see past
            make_proposal(cls.committee, cls.member, kind=Kind.OTHER, title="Same title")
        for i in range(4):
            make_proposal(cls.committee, cls.member, kind=Kind.OTHER, title=f"Title {i}")

    def walk(self, url: str, params: dict) -> tuple[list[int], list[str]]:
        """Every row's id, following `next` from the first page, and the SQL read."""
        ids, queries = [], []
        next_url = None
        with CaptureQueriesContext(connection) as captured:
            body = self.get_json(url, {**params, "page_size": 2})
            while True:
                ids += [row["id"] for row in body["results"]]
                self.assertLessEqual(len(body["results"]), 2)
                next_url = body["next"]
                if next_url is None:
                    break
                body = self.get_json(next_url)
        queries = [query["sql"] for query in captured.captured_queries]
        return ids, queries

    def test_it_pages_the_proposals_in_each_order_of_the_site(self):
        orders = {
            "-updated": ("-updated_at", "-pk"),
            "title": ("title", "-pk"),
            "-created": ("-created_at", "-pk"),
            "closes": ("closes_at", "-pk"),
        }
        for sort, order in orders.items():
            with self.subTest(sort=sort):
                ids, queries = self.walk("/api/proposals/", {"sort": sort})

                expected = list(Proposal.objects.order_by(*order).values_list("pk", flat=True))
                self.assertEqual(ids, expected)
                self.assertFalse([sql for sql in queries if "OFFSET" in sql.upper()])

    def test_it_pages_the_audit_log_by_id_and_by_time(self):
        for params in ({}, {"date_from": "2000-01-01"}):
            with self.subTest(params=params):
                ids, queries = self.walk("/api/events/", params)

                order = ("-at", "-pk") if params else ("-pk",)
                self.assertEqual(
                    ids, list(Event.objects.order_by(*order).values_list("pk", flat=True))
                )
                self.assertFalse([sql for sql in queries if "OFFSET" in sql.upper()])

    def test_it_pages_a_proposals_history(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING)
        for voter in (self.chair, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)

        ids, _ = self.walk(f"/api/proposals/{proposal.pk}/history/", {})

        self.assertEqual(ids, list(proposal.events.order_by("pk").values_list("pk", flat=True)))
        self.assertEqual(len(ids), 6)

    def test_it_keeps_a_page_size_within_bounds(self):
        body = self.get_json("/api/proposals/", {"page_size": 1000})

        self.assertEqual(len(body["results"]), 7)

    def test_a_cursor_it_did_not_give_is_a_400_problem(self):
        for url in ("/api/proposals/", "/api/events/"):
            with self.subTest(url=url):
                response = self.client.get(url, {"cursor": "not-a-cursor"})

                self.assertProblem(response, 400, "start from the list's first page")


class FallbackOrderTests(ApiTestCase):
    """A list in an order no cursor follows still pages, newest first by id."""

    def test_a_list_ordered_otherwise_pages_by_id(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING)
        for voter in (self.chair, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)
        votes = Vote.objects.all()  # the model's order: proposal, round, cast_at
        seen, url = [], "/api/?page_size=2"
        while url:
            pager = Cursor()
            page = pager.paginate_queryset(votes, Request(RequestFactory().get(url)))
            seen += [vote.pk for vote in page]
            url = pager.get_next_link()

        self.assertEqual(seen, list(votes.order_by("-pk").values_list("pk", flat=True)))
