"""Shared actors for the tests, after healthchecks' alice/bob/charlie."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase, TransactionTestCase

from pmc.models import Role
from proposals import audit_triggers
from tests.factories import make_committee, make_member, make_user


class CommitteeActorsMixin:
    """The Runtime committee with a chair and three members, an outsider, and a member
    of another committee (Extensions)."""

    @classmethod
    def make_actors(cls) -> None:
        cls.committee = make_committee("Runtime")
        cls.chair = make_member(cls.committee, make_user("chair"), role=Role.CHAIR)
        cls.member = make_member(cls.committee, make_user("member"))
        cls.other_member = make_member(cls.committee, make_user("other_member"))
        cls.third_member = make_member(cls.committee, make_user("third_member"))
        cls.outsider = make_user("outsider")
        cls.other_committee = make_committee("Extensions")
        cls.foreign_member = make_member(cls.other_committee, make_user("foreign_member"))


class LifecycleTestCase(CommitteeActorsMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.make_actors()


class AppendOnlyTransactionTestCase(TransactionTestCase):
    """A TransactionTestCase whose flush between tests may empty the append-only
    event table: the triggers are lifted for the flush and put back after it."""

    def _fixture_teardown(self) -> None:
        audit_triggers.uninstall(connection)
        try:
            super()._fixture_teardown()
        finally:
            audit_triggers.install(connection)
