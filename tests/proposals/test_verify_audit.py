"""`manage.py verify_audit` and the triggers that keep the event table append-only."""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from proposals import actions, audit, audit_triggers, checkpoints
from proposals.actors import IMPORT
from proposals.models import GENESIS_HASH, AuditCheck, Event
from tests.base import AppendOnlyTransactionTestCase, CommitteeActorsMixin, LifecycleTestCase
from tests.factories import make_proposal


@contextlib.contextmanager
def triggers_lifted():
    """Tamper the way someone with the database owner's account could."""
    audit_triggers.uninstall(connection)
    try:
        yield
    finally:
        audit_triggers.install(connection)


def run_sql(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails(test, *args: str) -> tuple[CommandError, str]:
    err = StringIO()
    with test.assertRaises(CommandError) as caught:
        call_command("verify_audit", *args, stdout=StringIO(), stderr=err)
    test.assertNotEqual(caught.exception.returncode, 0)
    return caught.exception, err.getvalue()


class VerifyAuditTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.committee, cls.member, state="voting", chair=cls.chair)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.member, value=1)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.other_member, value=1)
        cls.events = list(Event.objects.order_by("id"))

    def test_it_passes_an_intact_chain(self):
        out, err = verify()

        # The people's accounts and their seats, then the proposal's project, the proposal
        # filed, submitted, put to the vote, voted.
        self.assertEqual(len(self.events), 6 + 5 + 1 + 5)
        self.assertIn(f"Audit chain intact: {len(self.events)} events checked.", out)
        self.assertIn(f"Head: {self.events[-1].hash}", out)
        self.assertEqual(err, "")
        check = AuditCheck.objects.latest()
        self.assertTrue(check.ok)
        self.assertEqual(check.events, len(self.events))

    def test_it_passes_when_the_expected_head_matches(self):
        out, _ = verify("--expect-head", self.events[-1].hash)

        self.assertIn(f"{len(self.events)} events checked", out)

    def test_it_names_an_event_edited_behind_the_triggers(self):
        edited = self.events[2]
        with triggers_lifted():
            run_sql(
                "UPDATE proposals_event SET reason = %s WHERE id = %s", ["rewritten", edited.pk]
            )

        error, err = verify_fails(self)

        self.assertIn(f"#{edited.pk}", str(error))
        self.assertIn(f"Audit chain broken at event #{edited.pk}.", err)
        self.assertIn("was edited after it was written", err)
        self.assertIn("restore the database from the last backup", err)
        self.assertIn("investigate", err)
        check = AuditCheck.objects.latest()
        self.assertFalse(check.ok)
        self.assertEqual(check.broken_at, edited.pk)

    def test_it_names_the_next_event_when_an_edit_also_rewrites_the_hash(self):
        edited, following = self.events[1], self.events[2]
        edited.reason = "rewritten"
        new_hash = edited.compute_hash()
        with triggers_lifted():
            run_sql(
                "UPDATE proposals_event SET reason = %s, hash = %s WHERE id = %s",
                ["rewritten", new_hash, edited.pk],
            )

        error, err = verify_fails(self)

        self.assertIn(f"#{following.pk}", str(error))
        self.assertIn(f"event #{following.pk} does not follow the event before it", err)

    def test_it_names_the_event_after_a_deleted_one(self):
        deleted, following = self.events[2], self.events[3]
        with triggers_lifted():
            run_sql("DELETE FROM proposals_event WHERE id = %s", [deleted.pk])

        error, err = verify_fails(self)

        self.assertIn(f"#{following.pk}", str(error))
        self.assertIn(f"Audit chain broken at event #{following.pk}.", err)
        self.assertIn("does not follow the event before it", err)
        self.assertIn(f"last good hash {self.events[1].hash}", err)

    def test_a_truncated_end_before_any_checkpoint_is_seen_by_the_rows(self):
        # No checkpoint was signed yet (tests/proposals/test_audit_attacks.py cuts the
        # end of a checkpointed log): what is left is a valid chain of sealed events, but
        # the vote the cut event recorded is still a row the log no longer explains.
        with triggers_lifted():
            run_sql("DELETE FROM proposals_event WHERE id = %s", [self.events[-1].pk])

        error, _ = verify_fails(self)
        self.assertIn("vote by other_member on proposal", str(error))
        self.assertIn("the log does not record it", str(error))

    def test_it_passes_when_events_were_appended_after_the_expected_head(self):
        out, _ = verify("--expect-head", self.events[-3].hash)

        self.assertIn("still in the chain; 2 event(s) since", out)

    def test_it_fails_on_an_unknown_expected_head(self):
        _, err = verify_fails(self, "--expect-head", "f" * 64)

        self.assertIn(f"no event has the expected head {'f' * 64}", err)

    def test_it_goes_on_from_the_last_event_kept_when_a_savepoint_rolls_back(self):
        with transaction.atomic():
            kept = audit.record(action="test.kept", actor=IMPORT)
            with contextlib.suppress(RuntimeError), transaction.atomic():
                audit.record(action="test.rolled_back", actor=IMPORT)
                raise RuntimeError
            after = audit.record(action="test.after", actor=IMPORT)

        self.assertEqual(after.prev_hash, kept.hash)
        self.assertFalse(Event.objects.filter(action="test.rolled_back").exists())
        out, _ = verify("--expect-head", after.hash)
        self.assertIn(f"Audit chain intact: {len(self.events) + 2} events checked.", out)

    def test_it_keeps_the_triggers_installed_after_a_tampering_test(self):
        with triggers_lifted():
            pass

        with self.assertRaises(DatabaseError), transaction.atomic():
            run_sql("DELETE FROM proposals_event")
        self.assertEqual(Event.objects.count(), len(self.events))


class VerifyEmptyLogTests(TestCase):
    def test_it_passes_an_empty_log_with_the_genesis_head(self):
        out, _ = verify("--expect-head", GENESIS_HASH)

        self.assertIn("0 events checked", out)
        self.assertIn(f"Head: {GENESIS_HASH}", out)


class AppendOnlyTriggerTests(LifecycleTestCase):
    """The triggers refuse changes from the ORM and from raw SQL alike."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make_proposal(cls.committee, cls.member, state="discussion")
        cls.count = Event.objects.count()  # the people's accounts, the proposal's 2

    def setUp(self) -> None:
        self.event = Event.objects.order_by("id").first()

    def assertRefused(self, change) -> None:
        with self.assertRaises(DatabaseError) as caught, transaction.atomic():
            change()
        self.assertIn("append-only", str(caught.exception))
        self.assertEqual(Event.objects.count(), self.count)
        self.event.refresh_from_db()
        self.assertEqual(self.event.reason, "")
        self.assertEqual(self.event.compute_hash(), self.event.hash)

    def test_it_refuses_saving_a_changed_event(self):
        def change():
            self.event.reason = "rewritten"
            self.event.save()

        self.assertRefused(change)

    def test_it_refuses_a_queryset_update(self):
        self.assertRefused(lambda: Event.objects.filter(pk=self.event.pk).update(reason="x"))

    def test_it_refuses_deleting_an_event(self):
        self.assertRefused(lambda: Event.objects.get(pk=self.event.pk).delete())

    def test_it_refuses_a_queryset_delete(self):
        self.assertRefused(lambda: Event.objects.all().delete())

    def test_it_refuses_a_raw_update(self):
        self.assertRefused(lambda: run_sql("UPDATE proposals_event SET reason = 'x'"))

    def test_it_refuses_a_raw_delete(self):
        self.assertRefused(lambda: run_sql("DELETE FROM proposals_event"))

    @pytest.mark.postgres
    @pytest.mark.usefixtures("postgres_only")
    def test_it_refuses_truncate_on_postgresql(self):
        # The rows inserted by this test's transaction still have deferred foreign-key
        # checks pending, which PostgreSQL would name as the reason instead.
        run_sql("SET CONSTRAINTS ALL IMMEDIATE")

        self.assertRefused(lambda: run_sql("TRUNCATE proposals_event"))

    def test_it_still_appends(self):
        with transaction.atomic():
            make_proposal(self.committee, self.member)  # its project, then the proposal

        self.assertEqual(Event.objects.count(), self.count + 2)
        out, _ = verify()
        self.assertIn(f"{self.count + 2} events checked", out)


class CommittedEventsTests(CommitteeActorsMixin, AppendOnlyTransactionTestCase):
    """Outside a test transaction, as in production: each statement commits on its own."""

    def setUp(self) -> None:
        self.make_actors()
        make_proposal(self.committee, self.member, state="discussion")
        self.count = Event.objects.count()  # the people's accounts, the proposal's 2

    def test_it_refuses_changes_to_committed_events_in_autocommit(self):
        with self.assertRaises(DatabaseError):
            run_sql("UPDATE proposals_event SET reason = 'x'")
        with self.assertRaises(DatabaseError):
            run_sql("DELETE FROM proposals_event")

        self.assertEqual(Event.objects.count(), self.count)
        out, _ = verify()
        self.assertIn(f"{self.count} events checked", out)

    @pytest.mark.postgres
    @pytest.mark.usefixtures("postgres_only")
    def test_it_refuses_truncating_committed_events_on_postgresql(self):
        with self.assertRaises(DatabaseError) as caught:
            run_sql("TRUNCATE proposals_event")

        self.assertIn("append-only", str(caught.exception))
        self.assertEqual(Event.objects.count(), self.count)


class VerifySinceCheckpointTests(LifecycleTestCase):
    """`verify_audit --since-checkpoint`: the events after the newest signed checkpoint,
    and that checkpoint still in its place."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.committee, cls.member, state="voting", chair=cls.chair)
        cls.covered = checkpoints.sign()
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.member, value=1)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.other_member, value=1)
        cls.events = list(Event.objects.order_by("id"))

    def test_it_walks_only_the_events_since_the_checkpoint(self):
        out, err = verify("--since-checkpoint")

        self.assertEqual(err, "")
        self.assertIn(f"Audit chain intact: {len(self.events)} events checked.", out)
        self.assertIn("Since the newest signed checkpoint", out)
        self.assertIn(f"Head: {self.events[-1].hash}", out)
        self.assertTrue(AuditCheck.objects.latest().ok)

    def test_it_names_an_edited_event_after_the_checkpoint(self):
        edited = self.events[-1]
        with triggers_lifted():
            run_sql("UPDATE proposals_event SET reason = 'rewritten' WHERE id = %s", [edited.pk])

        error, err = verify_fails(self, "--since-checkpoint")

        self.assertIn(f"#{edited.pk}", str(error))
        self.assertIn("was edited after it was written", err)

    def test_a_rewritten_log_before_the_checkpoint_is_caught_at_its_place(self):
        deleted = self.events[3]
        with triggers_lifted():
            run_sql("DELETE FROM proposals_event WHERE id = %s", [deleted.pk])

        _, err = verify_fails(self, "--since-checkpoint")

        self.assertIn(f"checkpoint #{self.covered.sequence} covered {self.covered.events}", err)
        self.assertIn("verify in full", err)

    def test_an_edit_that_keeps_the_hashes_before_the_checkpoint_needs_the_full_walk(self):
        edited = self.events[2]
        with triggers_lifted():
            run_sql("UPDATE proposals_event SET reason = 'rewritten' WHERE id = %s", [edited.pk])

        verify("--since-checkpoint")  # trusts what the checkpoint covers
        _, err = verify_fails(self)
        self.assertIn(f"event #{edited.pk} was edited after it was written", err)

    def test_copies_of_checkpoints_need_the_full_walk(self):
        with self.assertRaisesMessage(CommandError, "leave out --since-checkpoint"):
            call_command("verify_audit", "--since-checkpoint", "--checkpoint", __file__)
