"""Rate limits: each token, each signed-in person and each anonymous address has its own
budget; the request past it gets a 429 that says when to come back; the counts are in a
cache every process shares (files here, Redis with REDIS_URL), and a cache that is down
does not stop the API."""

from __future__ import annotations

import os
import re
from unittest import mock

import redis
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from pmc.env import env_rate
from proposals import actions
from proposals.api import throttles
from proposals.models import ApiToken
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

OPEN = "/api/test/open/"
REDIS_TEST_URL = "redis://127.0.0.1:6379/7"
LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
RETRY = re.compile(r"Try again in (\d+) seconds?\.$")


def bearer(text: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


class Clock:
    """The throttles' clock, moved by the test instead of waited for."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@override_settings(ROOT_URLCONF="tests.api.urls")
class RateLimitTestCase(LifecycleTestCase):
    def setUp(self) -> None:
        caches[throttles.CACHE].clear()
        self.addCleanup(caches[throttles.CACHE].clear)
        self.clock = Clock()
        patcher = mock.patch.object(throttles._Budget, "timer", self.clock)
        patcher.start()
        self.addCleanup(patcher.stop)

    def token(self, user=None, name="bot") -> str:
        user = user or self.member
        return actions.do_create_api_token(
            user=user, name=name, scope=ApiToken.Scope.READ, actor=user
        ).text

    def get_many(self, count: int, **headers) -> list:
        return [self.client.get(OPEN, **headers) for _ in range(count)]

    def assertRefused(self, response, sentence: str, longest_wait: int) -> int:
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        detail = response.json()["detail"]
        self.assertTrue(detail.startswith(sentence), detail)
        wait = int(RETRY.search(detail)[1])
        self.assertEqual(response["Retry-After"], str(wait))
        self.assertTrue(1 <= wait <= longest_wait, wait)
        return wait


@override_settings(PMC_API_RATE="3/minute")
class TokenBudgetTests(RateLimitTestCase):
    def test_the_request_past_the_budget_is_refused_with_when_to_retry(self):
        text = self.token()

        answers = self.get_many(3, **bearer(text))
        self.clock.now += 20
        refused = self.client.get(OPEN, **bearer(text))

        self.assertEqual([answer.status_code for answer in answers], [200, 200, 200])
        wait = self.assertRefused(
            refused, "Too many requests with this token: the limit is 3 a minute.", 60
        )
        self.assertEqual(wait, 40)  # when the first of the three leaves the minute

    def test_the_budget_comes_back_as_the_window_moves(self):
        text = self.token()
        self.get_many(3, **bearer(text))
        self.assertEqual(self.client.get(OPEN, **bearer(text)).status_code, 429)

        self.clock.now += 61

        self.assertEqual(self.client.get(OPEN, **bearer(text)).status_code, 200)

    def test_each_token_has_its_own_budget(self):
        first, second = self.token(name="first"), self.token(name="second")
        other_persons = self.token(user=self.other_member)
        self.get_many(3, **bearer(first))

        self.assertEqual(self.client.get(OPEN, **bearer(first)).status_code, 429)
        self.assertEqual(self.client.get(OPEN, **bearer(second)).status_code, 200)
        self.assertEqual(self.client.get(OPEN, **bearer(other_persons)).status_code, 200)

    def test_a_refused_write_does_nothing(self):
        proposal = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, chair=self.chair
        )
        text = actions.do_create_api_token(
            user=self.chair, name="bot", scope=ApiToken.Scope.WRITE, actor=self.chair
        ).text
        self.get_many(3, **bearer(text))

        refused = self.client.post(f"/api/test/start-vote/{proposal.pk}/", **bearer(text))

        self.assertEqual(refused.status_code, 429)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)


@override_settings(PMC_API_SESSION_RATE="2/hour", PMC_API_ANONYMOUS_RATE="2/minute")
class SessionAndAddressBudgetTests(RateLimitTestCase):
    def test_a_signed_in_person_has_one_budget_for_their_sessions(self):
        self.client.force_login(self.member)
        self.get_many(2)

        refused = self.client.get(OPEN)

        self.assertRefused(
            refused, "Too many requests from your account: the limit is 2 an hour.", 3600
        )
        other = self.client_class()
        other.force_login(self.member)
        self.assertEqual(other.get(OPEN).status_code, 429)
        other.force_login(self.other_member)
        self.assertEqual(other.get(OPEN).status_code, 200)

    def test_a_token_does_not_spend_its_owners_session_budget(self):
        text = self.token()
        self.get_many(5, **bearer(text))
        self.client.force_login(self.member)

        self.assertEqual([a.status_code for a in self.get_many(2)], [200, 200])

    def test_each_address_without_a_token_has_its_own_budget(self):
        self.get_many(2, REMOTE_ADDR="192.0.2.1")

        refused = self.client.get(OPEN, REMOTE_ADDR="192.0.2.1")

        self.assertRefused(refused, "Too many requests from your address without signing in", 60)
        self.assertIn("Send a token to have a budget of your own.", refused.json()["detail"])
        self.assertEqual(self.client.get(OPEN, REMOTE_ADDR="192.0.2.2").status_code, 200)
        self.assertEqual(
            self.client.get(OPEN, REMOTE_ADDR="192.0.2.1", **bearer(self.token())).status_code,
            200,
        )

    @override_settings(BEHIND_PROXY=True, PROXY_COUNT=1)
    def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(self):
        forged = {"REMOTE_ADDR": "10.0.0.1"}
        for claimed in ("198.51.100.1", "198.51.100.2"):
            # A client that forges earlier entries still ends at the proxy's entry.
            self.client.get(OPEN, HTTP_X_FORWARDED_FOR=f"{claimed}, 192.0.2.7", **forged)

        refused = self.client.get(OPEN, HTTP_X_FORWARDED_FOR="192.0.2.7", **forged)
        allowed = self.client.get(OPEN, HTTP_X_FORWARDED_FOR="192.0.2.8", **forged)

        self.assertEqual((refused.status_code, allowed.status_code), (429, 200))


@override_settings(PMC_API_RATE="2/minute")
class SharedCountTests(RateLimitTestCase):
    def test_another_process_reading_the_files_sees_the_same_count(self):
        text = self.token()
        self.get_many(2, **bearer(text))

        # What another process builds from the same settings: a new cache object.
        elsewhere = caches.create_connection(throttles.CACHE)
        key = f"throttle_token_{ApiToken.objects.get().pk}"

        self.assertEqual(len(elsewhere.get(key)), 2)
        elsewhere.set(key, [self.clock.now] * 2, 60)
        self.assertEqual(self.client.get(OPEN, **bearer(text)).status_code, 429)

    def test_redis_holds_the_counts_when_redis_url_is_set(self):
        shared = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": "pmc-test-rate-limits",
        }
        server = redis.Redis.from_url(REDIS_TEST_URL)
        self.addCleanup(lambda: [server.delete(k) for k in server.keys("pmc-test-rate-limits:*")])
        text = self.token()
        with override_settings(CACHES={"default": LOCAL, throttles.CACHE: shared}):
            answers = self.get_many(3, **bearer(text))

        self.assertEqual([a.status_code for a in answers], [200, 200, 429])
        self.assertEqual(len(server.keys("pmc-test-rate-limits:*throttle_token_*")), 1)

    def test_a_cache_that_is_down_lets_requests_through(self):
        down = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/7",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        text = self.token()
        with (
            override_settings(CACHES={"default": LOCAL, throttles.CACHE: down}),
            self.assertLogs("proposals.api.throttles", "WARNING"),
        ):
            answers = self.get_many(3, **bearer(text))

        self.assertEqual([a.status_code for a in answers], [200, 200, 200])


class RateSettingTests(SimpleTestCase):
    def test_a_rate_is_requests_per_period(self):
        with mock.patch.dict(os.environ, {"PMC_API_RATE": " 120/hour "}):
            self.assertEqual(env_rate("PMC_API_RATE", "600/minute"), "120/hour")
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(env_rate("PMC_API_RATE", "600/minute"), "600/minute")

    def test_a_misspelt_rate_stops_the_start_and_says_what_it_expects(self):
        for raw in ("600", "600/minutes", "0/minute", "many/day", "-5/second"):
            with (
                self.subTest(raw=raw),
                mock.patch.dict(os.environ, {"PMC_API_RATE": raw}),
                self.assertRaisesMessage(ImproperlyConfigured, "e.g. 600/minute"),
            ):
                env_rate("PMC_API_RATE", "600/minute")
