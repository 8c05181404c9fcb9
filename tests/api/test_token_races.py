"""Two forms creating a person's last allowed token at the same moment, in two database
connections: the lock on the person's row lets one through, and the other is refused by
the limit (PostgreSQL: SQLite's writers never overlap)."""

from __future__ import annotations

import unittest

import pytest
from django.db import connection

from proposals import actions, events
from proposals.actions.api_tokens import MAX_ACTIVE_TOKENS
from proposals.errors import LifecycleError
from proposals.models import ApiToken, Event
from tests.base import AppendOnlyTransactionTestCase, CommitteeActorsMixin
from tests.proposals.test_concurrency import run_together


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (row locks and concurrent connections): run with DATABASE_URL=postgres://...",
)
class TokenLimitRaceTests(CommitteeActorsMixin, AppendOnlyTransactionTestCase):
    def setUp(self) -> None:
        self.make_actors()

    def create(self, name: str):
        return actions.do_create_api_token(
            user=self.member, name=name, scope="read", actor=self.member
        )

    def test_the_last_token_allowed_is_made_once(self):
        for n in range(MAX_ACTIVE_TOKENS - 1):
            self.create(f"token {n}")

        outcomes = run_together(lambda: self.create("left"), lambda: self.create("right"))

        self.assertEqual(sorted(kind for kind, _ in outcomes), ["error", "ok"], outcomes)
        error = next(value for kind, value in outcomes if kind == "error")
        self.assertIsInstance(error, LifecycleError)
        self.assertIn("the most one person may hold", error.message)
        self.assertEqual(ApiToken.objects.filter(user=self.member).count(), MAX_ACTIVE_TOKENS)
        self.assertEqual(
            Event.objects.filter(action=events.API_TOKEN_CREATED).count(), MAX_ACTIVE_TOKENS
        )
