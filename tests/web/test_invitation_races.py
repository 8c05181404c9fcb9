"""One invitation accepted twice at the same moment, by two accounts, in two database
connections: the invitation's row lock lets one through; the other is refused, and one
seat and one acceptance are written (PostgreSQL: SQLite's writers never overlap)."""

from __future__ import annotations

import unittest

import pytest
from django.db import connection

from pmc.models import Membership
from proposals import actions, events
from proposals.actions.invitations import InvitationUnusable
from proposals.models import Event, Invitation
from tests.base import AppendOnlyTransactionTestCase, CommitteeActorsMixin
from tests.factories import make_user
from tests.proposals.test_concurrency import run_together


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (row locks and concurrent connections): run with DATABASE_URL=postgres://...",
)
class InvitationRaceTests(CommitteeActorsMixin, AppendOnlyTransactionTestCase):
    def setUp(self) -> None:
        self.make_actors()

    def test_an_invitation_accepted_twice_at_once_gives_one_seat(self):
        invitation = actions.do_invite(
            committee=self.committee, email="shared@example.net", actor=self.chair
        )
        first, second = make_user("first"), make_user("second")

        outcomes = run_together(
            lambda: actions.do_accept_invitation(invitation=invitation.pk, actor=first).pk,
            lambda: actions.do_accept_invitation(invitation=invitation.pk, actor=second).pk,
        )

        kinds = sorted(kind for kind, _ in outcomes)
        self.assertEqual(kinds, ["error", "ok"], outcomes)
        error = next(value for kind, value in outcomes if kind == "error")
        self.assertIsInstance(error, InvitationUnusable)
        self.assertIn("already accepted", error.message)
        seats = Membership.objects.filter(committee=self.committee, user__in=[first, second])
        self.assertEqual(seats.count(), 1)
        self.assertEqual(Event.objects.filter(action=events.INVITATION_ACCEPTED).count(), 1)
        self.assertEqual(Invitation.objects.get().accepted_by, seats.get().user)
