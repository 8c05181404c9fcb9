"""Odd input, as a fuzzer sends it, gets a clear 400 (or an empty answer), never a 500:
numbers past any id, NUL characters, dates at the calendar's ends, forged cursors."""

from __future__ import annotations

import base64
import json

from proposals.states import State
from tests.api.base import ApiTestCase
from tests.factories import make_proposal

HUGE = "9" * 30


def forged(value, pk=1) -> str:
    return base64.urlsafe_b64encode(json.dumps([value, pk]).encode()).decode()


class OddReadTests(ApiTestCase):
    def test_odd_filters_are_refused_or_select_nothing(self):
        cases = [
            ("/api/events/", {"date_to": "9999-12-31"}, 200),
            ("/api/events/", {"date_from": "0001-01-01"}, 200),
            ("/api/events/", {"proposal": HUGE}, 400),
            ("/api/events/", {"committee": HUGE}, 400),
            ("/api/events/", {"actor": "a\x00b"}, 400),
            ("/api/proposals/", {"committee": HUGE}, 400),
            ("/api/proposals/", {"project": HUGE}, 400),
            ("/api/proposals/", {"q": "a\x00"}, 400),
            ("/api/proposals/", {"updated_since": "9999-12-31T23:59:59-12:00"}, 400),
            ("/api/proposals/", {"sort": "title", "cursor": forged("a\x00")}, 400),
            ("/api/proposals/", {"sort": "closes", "cursor": forged([1])}, 400),
            ("/api/proposals/", {"cursor": forged("2020-01-01T00:00:00+00:00", HUGE)}, 400),
            ("/api/events/", {"cursor": forged(HUGE)}, 400),
            ("/api/members/", {"committee": HUGE}, 400),
            ("/api/projects/", {"status": "a\x00"}, 400),
            (f"/api/proposals/{HUGE}/", {}, 404),
            (f"/api/proposals/{HUGE}/history/", {}, 404),
            ("/api/events/abc/", {}, 404),
        ]
        for url, params, status in cases:
            with self.subTest(url=url, params=params):
                response = self.client.get(url, params)

                self.assertEqual(response.status_code, status, response.content[:300])
                if status != 200:
                    self.assertProblem(response, status)


class OddWriteTests(ApiTestCase):
    def test_odd_values_are_refused_with_what_is_wrong(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING)
        base = f"/api/proposals/{proposal.pk}"
        cases = [
            ("post", "/api/proposals/", {"committee": HUGE, "kind": "other", "title": "T"}),
            ("post", "/api/proposals/", {"committee": self.committee.pk, "kind": "other",
                                         "title": "\x00"}),
            ("post", "/api/proposals/", {"committee": self.committee.pk, "kind": "attic",
                                         "title": "T", "project": int(HUGE)}),
            ("post", "/api/proposals/", ["not", "an", "object"]),
            ("patch", "/api/proposals/abc/", {"body": "Hi"}),
            ("patch", f"/api/proposals/{HUGE}/", {"body": "Hi"}),
            ("post", f"{base}/transitions/decide/", {"meeting": int(HUGE), "accepted": True}),
            ("post", f"{base}/transitions/start_vote/", {"closes_at": "9999-12-31T23:59:59-12:00"}),
            ("post", f"{base}/vote/", {"value": int(HUGE)}),
            ("post", f"{base}/vote/", {"value": 1, "reason": "\x00"}),
            ("post", f"/api/proposals/{HUGE}/vote/", {"value": 1}),
            ("post", f"{base}/comments/", {"body": "Hi", "parent": "x"}),
        ]  # fmt: skip
        for method, url, data in cases:
            with self.subTest(method=method, url=url, data=data):
                response = getattr(self.client, method)(
                    url, data, content_type="application/json", **self.bearer(self.chair)
                )

                self.assertLess(response.status_code, 500, response.content[:300])
                self.assertProblem(response, response.status_code)
        self.assertEqual(proposal.votes.count(), 0)
        self.assertEqual(proposal.comments.count(), 0)

    def test_a_body_that_is_not_json_is_a_400(self):
        response = self.client.post(
            "/api/proposals/", "{", content_type="application/json", **self.bearer(self.chair)
        )

        self.assertProblem(response, 400, "The body is not valid JSON")
