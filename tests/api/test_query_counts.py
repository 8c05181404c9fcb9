"""A page costs the same number of queries however many rows it shows: related rows are
joined, never read one per row."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmc.models import Membership
from proposals import actions
from proposals.models import ApiToken
from proposals.states import State
from tests.api.base import ApiTestCase
from tests.factories import make_meeting, make_project, make_proposal, make_user


class QueryCountTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(
            cls.committee, cls.member, state=State.ACCEPTED, chair=cls.chair
        )
        cls.voting = make_proposal(cls.committee, cls.member, state=State.VOTING)

    def add_rows(self, n: int) -> None:
        """`n` more rows of every list."""
        for _ in range(n):
            user = make_user()
            Membership.objects.create(user=user, committee=self.committee)
            make_project(self.committee)
            make_meeting(
                self.committee, datetime.date(2001, 1, 1) + datetime.timedelta(days=len(self.dates))
            )
            self.dates.append(1)
            make_proposal(self.committee, self.member, state=State.DISCUSSION)
            comment = actions.do_post_comment(proposal=self.voting, actor=self.member, body="Yes.")
            actions.do_post_comment(
                proposal=self.voting, actor=self.chair, body="Agreed.", reply_to=comment
            )
        for voter in (self.chair, self.other_member, self.third_member)[: min(n, 3)]:
            actions.do_cast_vote(proposal=self.voting, actor=voter, value=1)

    URLS = (
        "/api/committees/",
        "/api/members/",
        "/api/projects/",
        "/api/meetings/",
        "/api/proposals/",
        "/api/events/",
        "/api/proposals/{voting}/votes/",
        "/api/proposals/{voting}/comments/",
        "/api/proposals/{voting}/history/",
        "/api/proposals/{accepted}/checklist/",
    )

    def counts(self, headers: dict) -> dict[str, tuple[int, int]]:
        found = {}
        for url in self.URLS:
            url = url.format(voting=self.voting.pk, accepted=self.proposal.pk)
            with CaptureQueriesContext(connection) as captured:
                body = self.get_json(url, **headers)
            found[url] = (len(captured), len(body["results"]))
        return found

    def test_the_queries_do_not_grow_with_the_rows(self):
        self.dates = []
        headers = self.bearer(self.member, ApiToken.Scope.READ)
        # The token's first use writes its `last_used_at` (then once a minute at most):
        # not a query of any page.
        self.get_json("/api/committees/", **headers)
        self.add_rows(1)
        few = self.counts(headers)
        self.add_rows(3)
        many = self.counts(headers)

        for url in few:
            with self.subTest(url=url):
                self.assertEqual(many[url][0], few[url][0])
                self.assertLessEqual(few[url][0], 3)  # the token, the proposal, the rows
        self.assertGreater(many["/api/proposals/"][1], few["/api/proposals/"][1])
        comments = f"/api/proposals/{self.voting.pk}/comments/"
        self.assertGreater(many[comments][1], few[comments][1])
