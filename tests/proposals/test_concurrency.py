from __future__ import annotations

import datetime
import threading
import unittest
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, connections
from django.utils import timezone

from proposals import actions, audit
from proposals.actors import SYSTEM
from proposals.errors import LifecycleError
from proposals.models import Event, Proposal, Vote
from proposals.states import Kind, State
from tests.base import AppendOnlyTransactionTestCase, CommitteeActorsMixin
from tests.factories import make_member, make_proposal

HOUR = datetime.timedelta(hours=1)


def run_together(*calls: Callable[[], object]) -> list[tuple[str, object]]:
    """Run each call in its own thread and database connection, released at the same
    moment; return ("ok", result) or ("error", exception) per call, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = ("ok", call())
        except Exception as exc:
            outcomes[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (row locks and concurrent connections): run with DATABASE_URL=postgres://...",
)
class ConcurrencyTests(CommitteeActorsMixin, AppendOnlyTransactionTestCase):
    def setUp(self) -> None:
        self.make_actors()

    def start_vote(self, at: datetime.datetime):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        return actions.do_start_vote(proposal=proposal, actor=self.chair, at=at)

    def test_it_files_the_same_form_saved_twice_at_once_once(self):
        def file():
            return actions.do_create_proposal(
                actor=self.member,
                committee=self.committee,
                kind=Kind.OTHER,
                title="Adopt a code of conduct",
                form_token="one-form",
            ).pk

        outcomes = run_together(file, file)

        self.assertEqual([kind for kind, _ in outcomes], ["ok", "ok"], outcomes)
        self.assertEqual(outcomes[0][1], outcomes[1][1])
        self.assertEqual(Proposal.objects.filter(form_token="one-form").count(), 1)
        self.assertEqual(Event.objects.filter(action="proposal.created").count(), 1)

    def test_it_closes_an_expired_vote_once(self):
        started = timezone.now() - datetime.timedelta(days=4)
        proposal = self.start_vote(started)
        for member in (self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=member, value=1, at=started + HOUR)
        at = proposal.closes_at + HOUR

        def close():
            return actions.do_close_vote(proposal=proposal.pk, actor=SYSTEM, at=at)

        outcomes = run_together(close, close)

        oks = [value for kind, value in outcomes if kind == "ok"]
        errors = [value for kind, value in outcomes if kind == "error"]
        self.assertEqual(len(oks), 1, outcomes)
        self.assertEqual(len(errors), 1, outcomes)
        self.assertIsInstance(errors[0], LifecycleError)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertEqual(
            Event.objects.filter(proposal=proposal, action="proposal.close_vote").count(), 1
        )
        self.assertEqual(proposal.checklist.filter(position=0).count(), 1)

    def test_it_extends_a_vote_that_missed_quorum_once(self):
        started = timezone.now() - datetime.timedelta(days=4)
        proposal = self.start_vote(started)
        at = proposal.closes_at + HOUR

        def close():
            return actions.do_close_vote(proposal=proposal.pk, actor=SYSTEM, at=at)

        outcomes = run_together(close, close)

        errors = [value for kind, value in outcomes if kind == "error"]
        self.assertEqual(len(errors), 1, outcomes)
        self.assertIsInstance(errors[0], LifecycleError)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        self.assertEqual(proposal.vote_extensions, 1)
        self.assertEqual(proposal.closes_at, at + datetime.timedelta(hours=72))
        self.assertEqual(
            Event.objects.filter(proposal=proposal, action="proposal.close_vote").count(), 1
        )

    def test_it_keeps_one_vote_per_member_under_concurrent_casts(self):
        proposal = self.start_vote(timezone.now() - HOUR)

        def cast(value: int):
            return lambda: actions.do_cast_vote(
                proposal=proposal.pk, actor=self.member, value=value
            )

        outcomes = run_together(cast(1), cast(0))

        self.assertEqual([kind for kind, _ in outcomes], ["ok", "ok"], outcomes)
        self.assertFalse(any(isinstance(value, IntegrityError) for _, value in outcomes))
        vote = Vote.objects.get(proposal=proposal, voter=self.member)
        events = list(
            Event.objects.filter(proposal=proposal, action__startswith="vote.").order_by("id")
        )
        self.assertEqual([e.action for e in events], ["vote.cast", "vote.changed"])
        self.assertEqual(events[1].payload["from"], events[0].payload["to"])
        self.assertEqual(events[-1].payload["to"], vote.value)
        self.assertEqual({e.payload["vote"] for e in events}, {vote.pk})

    def test_it_records_a_repeated_concurrent_vote_once(self):
        proposal = self.start_vote(timezone.now() - HOUR)

        def cast():
            return actions.do_cast_vote(proposal=proposal.pk, actor=self.member, value=1)

        outcomes = run_together(cast, cast)

        self.assertEqual([kind for kind, _ in outcomes], ["ok", "ok"], outcomes)
        self.assertEqual(Vote.objects.filter(proposal=proposal).count(), 1)
        self.assertEqual(
            list(
                Event.objects.filter(proposal=proposal, action__startswith="vote.").values_list(
                    "action", flat=True
                )
            ),
            ["vote.cast"],
        )

    def test_it_keeps_the_hash_chain_intact_under_concurrent_actions(self):
        started = timezone.now() - HOUR
        voters = [self.chair, self.member, self.other_member, self.third_member]
        voters += [make_member(self.committee) for _ in range(4)]
        proposals = [self.start_vote(started) for _ in range(8)]
        events_before = Event.objects.count()

        def cast_all(proposal):
            def run():
                for i, voter in enumerate(voters):
                    actions.do_cast_vote(
                        proposal=proposal.pk, actor=voter, value=1, at=started + i * HOUR
                    )
                actions.do_cast_vote(
                    proposal=proposal.pk,
                    actor=voters[0],
                    value=-1,
                    reason="Changed my mind.",
                    at=started + 10 * HOUR,
                )
                actions.do_recuse(proposal=proposal.pk, actor=voters[1], at=started + 11 * HOUR)

            return run

        outcomes = run_together(*(cast_all(p) for p in proposals))

        self.assertEqual([kind for kind, _ in outcomes], ["ok"] * 8, outcomes)
        self.assertEqual(Event.objects.count(), events_before + 8 * (len(voters) + 2))
        self.assertEqual(Vote.objects.count(), 8 * len(voters))
        report = audit.verify_chain()
        self.assertTrue(report.ok, report.problem)
        self.assertEqual(report.checked, Event.objects.count())
