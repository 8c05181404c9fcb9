"""Attacks on the audit log by someone who can write to the database but does not hold
the signing key (a leaked database password, a careless operator). Each must be caught
by `manage.py verify_audit` with its default arguments and shown on the audit page; the
test run ends with a table of attack -> detected (tests/proposals/conftest.py).

The log of each test: a proposal voted on by three members, about a dozen events, with
three signed checkpoints taken as the jobs would while it was written.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import shutil
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from proposals import actions, audit_triggers, checkpoints, signing, verification
from proposals.chain import hash_fields
from proposals.models import AuditCheck, Checkpoint, Event, Proposal, Vote
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user

# The checkpoint interval: a forged event is refused by the next checkpoint job, at most
# this long after it was written (README, Audit).
CHECKPOINT_MINUTES = 5


@contextlib.contextmanager
def triggers_lifted():
    audit_triggers.uninstall(connection)
    try:
        yield
    finally:
        audit_triggers.install(connection)


def run_sql(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def tmp_file(test, name: str) -> Path:
    """A path in a directory of its own, removed with everything in it after `test`."""
    directory = Path(tempfile.mkdtemp(prefix="pmc-attack-"))
    test.addCleanup(shutil.rmtree, directory, ignore_errors=True)
    return directory / name


class AttackTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.staff = make_user("operator", is_staff=True)
        cls.proposal = make_proposal(cls.committee, cls.member, state="voting", chair=cls.chair)
        checkpoints.sign()
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.member, value=1)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.other_member, value=1)
        checkpoints.sign()
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.third_member, value=-1, reason="no")
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.chair, value=1)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.third_member, value=0)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.member, value=0)
        checkpoints.sign()
        cls.events = list(Event.objects.order_by("id"))

    @pytest.fixture(autouse=True)
    def _table(self, attack_table):
        self.table = attack_table

    def detected(self, attack: str, *expected: str, args: tuple = ()) -> str:
        """verify_audit fails naming `expected`, and the audit page shows the failure;
        recorded in the run's table."""
        err = StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("verify_audit", *args, stdout=StringIO(), stderr=err)
        self.assertEqual(caught.exception.returncode, 1)
        for text in expected:
            self.assertIn(text, err.getvalue())
        self.client.force_login(self.staff)
        page = self.client.get(reverse("proposals:audit_log"))
        self.assertContains(page, "Verification failed")
        for text in expected:
            self.assertContains(page, text)
        self.table.append((attack, True, expected[0]))
        return err.getvalue()

    def assertIntact(self) -> None:
        out = StringIO()
        call_command("verify_audit", stdout=out, stderr=StringIO())
        self.assertIn("Audit chain intact", out.getvalue())


class EditingAndDeletingTests(AttackTestCase):
    def test_it_passes_the_log_as_written(self):
        self.assertGreaterEqual(len(self.events), 9)
        self.assertEqual(Checkpoint.objects.count(), 3)
        self.assertIntact()

    def test_it_catches_one_edited_event(self):
        edited = self.events[4]
        with triggers_lifted():
            run_sql("UPDATE proposals_event SET reason = 'rewritten' WHERE id = %s", [edited.pk])

        self.detected("edit one event", f"event #{edited.pk} was edited after it was written")

    def test_it_catches_an_event_deleted_in_the_middle(self):
        deleted, following = self.events[3], self.events[4]
        with triggers_lifted():
            run_sql("DELETE FROM proposals_event WHERE id = %s", [deleted.pk])

        self.detected(
            "delete one in the middle", f"event #{following.pk} does not follow the event before it"
        )

    def _cut_newest(self, count: int) -> None:
        with triggers_lifted():
            for event in self.events[-count:]:
                run_sql("DELETE FROM proposals_event WHERE id = %s", [event.pk])

    def test_it_catches_the_newest_event_deleted(self):
        self._cut_newest(1)

        self.detected(
            "delete the newest event",
            f"covered {len(self.events)} events but the log has only {len(self.events) - 1}",
        )

    def test_it_catches_the_newest_five_deleted(self):
        self._cut_newest(5)

        self.detected(
            "delete the newest 5 events",
            f"covered {len(self.events)} events but the log has only {len(self.events) - 5}",
        )

    def test_it_catches_all_but_one_deleted(self):
        self._cut_newest(len(self.events) - 1)

        self.detected("delete all events but the first", "but the log has only 1")

    def test_it_catches_two_events_reordered(self):
        first, second = self.events[5], self.events[6]
        with triggers_lifted():
            # Swap the two rows' places in the log (their ids), contents unchanged.
            run_sql("UPDATE proposals_event SET id = %s WHERE id = %s", [-first.pk, first.pk])
            run_sql("UPDATE proposals_event SET id = %s WHERE id = %s", [first.pk, second.pk])
            run_sql("UPDATE proposals_event SET id = %s WHERE id = %s", [second.pk, -first.pk])

        self.detected("reorder two events", f"event #{first.pk} does not follow")

    def test_it_catches_an_edit_after_dropping_the_triggers(self):
        edited = self.events[-2]
        statements = [
            "DROP TRIGGER IF EXISTS proposals_event_no_update",
            "DROP TRIGGER IF EXISTS proposals_event_no_update_delete ON proposals_event",
        ]
        for statement in statements[:1] if connection.vendor == "sqlite" else statements[1:]:
            run_sql(statement)
        try:
            run_sql("UPDATE proposals_event SET to_state = 'accepted' WHERE id = %s", [edited.pk])
        finally:
            audit_triggers.install(connection)

        self.detected("drop the triggers and edit", f"event #{edited.pk} was edited")

    @pytest.mark.postgres
    @pytest.mark.usefixtures("postgres_only")
    def test_it_catches_an_edit_behind_session_replication_role(self):
        edited = self.events[2]
        run_sql("SET CONSTRAINTS ALL IMMEDIATE")
        run_sql("SET session_replication_role = replica")  # triggers do not fire
        try:
            run_sql("UPDATE proposals_event SET reason = 'replica' WHERE id = %s", [edited.pk])
        finally:
            run_sql("SET session_replication_role = origin")

        self.detected("edit behind session_replication_role", f"event #{edited.pk} was edited")

    def test_it_catches_one_event_rewritten_and_every_later_one_rehashed(self):
        """The chain alone cannot see this (every link holds again); the seals (the
        attacker cannot re-sign the new hashes) and the checkpoints (their heads are
        gone) do."""
        rewritten = self.events[3]
        later = Event.objects.filter(id__gte=rewritten.pk).order_by("id")
        previous = self.events[2].hash
        with triggers_lifted():
            for event in later:
                if event.pk == rewritten.pk:
                    event.reason = "rewritten"
                event.prev_hash = previous
                event.hash = previous = event.compute_hash()
                run_sql(
                    "UPDATE proposals_event SET reason = %s, prev_hash = %s, hash = %s "
                    "WHERE id = %s",
                    [event.reason, event.prev_hash, "x" + event.hash[1:], event.pk],
                )
            # Unique columns: written in two passes so no intermediate value collides.
            for event in later:
                run_sql(
                    "UPDATE proposals_event SET hash = %s WHERE id = %s", [event.hash, event.pk]
                )

        err = self.detected(
            "rewrite one event and re-hash every later one",
            f"the seal of events #{rewritten.pk}",
        )
        self.assertNotIn("the chain is broken", err)
        self.assertIn("is no longer in the chain", err)


class ForgedWritesTests(AttackTestCase):
    def _append_forged(self, *, seal: str = "") -> Event:
        """An event appended straight into the database, with a correct hash."""
        head = Event.objects.order_by("-id").first()
        forged = Event(
            at=timezone.now(),
            recorded_at=timezone.now(),
            actor=self.chair,
            actor_name=self.chair.username,
            action="proposal.close_vote",
            committee=self.committee,
            proposal=self.proposal,
            from_state="voting",
            to_state="accepted",
            reason="forged",
            payload={},
            prev_hash=head.hash,
        )
        forged.hash = forged.compute_hash()
        forged.seal = seal
        Event.objects.bulk_create([forged])  # no audit.record(): past the application
        return Event.objects.get(hash=forged.hash)

    def test_it_catches_a_forged_event_with_a_correct_hash_at_the_next_checkpoint(self):
        forged = self._append_forged()

        # The checkpoint job (every AUDIT_CHECKPOINT_MINUTES) refuses to vouch for it
        # and stores the failure at once: the alarm comes within that interval.
        self.assertIsNone(verification.checkpoint_job())
        self.assertEqual(Checkpoint.objects.count(), 3)
        check, _ = verification.audit_alerts.latest_trusted()
        self.assertFalse(check.ok)
        self.assertIn(f"event #{forged.pk} carries no seal", check.problem)
        self.detected(
            f"append a forged event (caught within {CHECKPOINT_MINUTES} min)",
            f"event #{forged.pk} carries no seal",
        )

    def test_it_catches_a_forged_event_with_a_seal_by_another_key(self):
        other = Ed25519PrivateKey.generate()
        forged = self._append_forged(seal=base64.b64encode(other.sign(b"x")).decode())

        self.detected(
            "append a forged event with a made-up seal", f"the seal of event #{forged.pk}"
        )

    def test_it_catches_a_forged_checkpoint(self):
        attacker = signing.build_keyring(
            signing_key=base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
        )
        forged = Checkpoint(
            sequence=4,
            events=2,
            head=self.events[1].hash,
            signed_at=timezone.now(),
            key_id=attacker.key_id,
            public_key=signing.public_text(attacker.public),
        )
        forged.signature = attacker.sign(checkpoints.statement(forged))[1]
        forged.save()

        self.detected(
            "forge a checkpoint without the private key",
            "checkpoint #4 is not signed by a trusted key",
        )

    def test_it_ignores_and_reports_an_inserted_verification_result(self):
        edited = self.events[4]
        with triggers_lifted():
            run_sql("UPDATE proposals_event SET reason = 'rewritten' WHERE id = %s", [edited.pk])
        with self.assertRaises(CommandError):
            call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
        fake = AuditCheck.objects.create(
            checked_at=timezone.now() + datetime.timedelta(seconds=1),
            ok=True,
            events=len(self.events),
            head=self.events[-1].hash,
            signature=base64.b64encode(b"\0" * 64).decode(),
            key_id=signing.keyring().key_id,
        )

        self.client.force_login(self.staff)
        page = self.client.get(reverse("proposals:audit_log"))
        self.assertContains(page, "Verification failed")
        self.assertNotContains(page, '<strong class="badge state-accepted">Verified</strong>')
        self.assertContains(page, "1 newer verification result in the database is not signed")
        self.detected(
            "insert a fake verification result", f"verification result row #{fake.pk} is not"
        )

    def test_it_catches_an_unsigned_result_slipped_in_under_an_old_number(self):
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
        fake = AuditCheck.objects.create(
            pk=0, checked_at=timezone.now(), ok=True, events=1, head=self.events[0].hash
        )

        self.detected(
            "insert a fake result under an old number", f"verification result row #{fake.pk} is"
        )


class RowsBehindTheLogTests(AttackTestCase):
    """Rows changed with the log left alone: the chain, the seals and the checkpoints all
    hold, and the replay of the log against the rows names what disagrees."""

    def test_it_catches_a_vote_row_flipped(self):
        vote = Vote.objects.get(proposal=self.proposal, voter=self.chair)
        Vote.objects.filter(pk=vote.pk).update(value=-1, reason="flipped")

        self.detected(
            "flip a vote row",
            f"vote by chair on proposal #{self.proposal.pk} (round 1) is -1; its events say +1",
        )

    def test_it_catches_a_proposal_state_flipped(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(state="accepted")

        self.detected(
            "flip a proposal's state",
            f"proposal #{self.proposal.pk} is accepted; its events end in voting",
        )


class CheckpointTamperingTests(AttackTestCase):
    def test_it_catches_a_checkpoint_deleted_from_the_middle(self):
        with triggers_lifted():
            run_sql("DELETE FROM proposals_checkpoint WHERE sequence = 2")

        self.detected("delete a checkpoint", "checkpoint #2 missing from the sequence")

    @override_settings(AUDIT_CHECKPOINT_MAX_AGE=0)
    def test_it_catches_the_newest_checkpoints_deleted_once_events_wait_too_long(self):
        # AUDIT_CHECKPOINT_MAX_AGE=0 stands for "longer than the limit has passed".
        with triggers_lifted():
            run_sql("DELETE FROM proposals_checkpoint WHERE sequence >= 2")

        self.detected(
            "delete the newest checkpoints",
            "have waited more than 0 minutes for a checkpoint",
        )

    @override_settings(AUDIT_CHECKPOINT_MAX_AGE=0)
    def test_it_catches_every_checkpoint_deleted_once_events_wait_too_long(self):
        with triggers_lifted():
            run_sql("DELETE FROM proposals_checkpoint")

        self.detected("delete every checkpoint", "written after the first sealed event have waited")

    def test_it_passes_events_that_wait_less_than_the_limit(self):
        actions.do_cast_vote(proposal=self.proposal, actor=self.member, value=1)

        self.assertIntact()

    def test_it_catches_an_old_backup_restored_under_newer_checkpoints(self):
        # The event table restored from a backup taken after the second checkpoint; the
        # checkpoints (kept elsewhere, or restored later) are newer than the chain.
        covered = Checkpoint.objects.get(sequence=2).events
        with triggers_lifted():
            run_sql("DELETE FROM proposals_event WHERE id > %s", [self.events[covered - 1].pk])

        self.detected(
            "restore an old backup (checkpoints newer)",
            "checkpoint #3 (signed",
            f"but the log has only {covered}",
        )

    def test_it_catches_a_whole_old_backup_with_a_copy_kept_outside(self):
        # Events and checkpoints restored alike: nothing in the database is newer than
        # the backup, so only a copy of the published checkpoints can tell.
        self.client.force_login(self.staff)
        published = self.client.get(reverse("proposals:audit_checkpoints")).content
        path = tmp_file(self, "checkpoints.json")
        path.write_bytes(published)
        covered = Checkpoint.objects.get(sequence=2).events
        with triggers_lifted():
            run_sql("DELETE FROM proposals_event WHERE id > %s", [self.events[covered - 1].pk])
            run_sql("DELETE FROM proposals_checkpoint WHERE sequence = 3")

        self.detected(
            "restore a whole old backup (with a kept copy)",
            "the copy of checkpoint #3",
            args=("--checkpoint", str(path)),
        )


class PublishedCheckpointsTests(AttackTestCase):
    def test_it_publishes_every_checkpoint_and_the_public_key(self):
        response = self.client.get(reverse("proposals:audit_checkpoints"))

        self.assertEqual(response.status_code, 200)
        data = json.loads(response.content)
        self.assertEqual([c["sequence"] for c in data["checkpoints"]], [1, 2, 3])
        keys = signing.keyring()
        self.assertEqual(data["trusted_keys"][0]["public_key"], signing.public_text(keys.public))
        copy = checkpoints.from_json(data["checkpoints"][-1])
        self.assertTrue(checkpoints.is_signed(copy, keys))
        self.assertEqual(copy.head, self.events[-1].hash)

    def test_it_shows_the_checkpoints_and_public_key_on_the_audit_page(self):
        page = self.client.get(reverse("proposals:audit_log"))

        self.assertContains(page, signing.public_text(signing.keyring().public))
        self.assertContains(page, "checkpoints.json")
        self.assertContains(page, f"<td>{len(self.events)}</td>")

    def test_it_passes_a_copy_the_log_still_holds(self):
        path = tmp_file(self, "copy.json")
        path.write_bytes(self.client.get(reverse("proposals:audit_checkpoints")).content)
        actions.do_cast_vote(proposal=self.proposal, actor=self.member, value=1)

        out = StringIO()
        call_command("verify_audit", "--checkpoint", str(path), stdout=out, stderr=StringIO())
        self.assertIn("and 3 copied one(s)", out.getvalue())

    def test_it_publishes_the_checkpoints_after_a_number(self):
        response = self.client.get(reverse("proposals:audit_checkpoints"), {"after": 2})

        self.assertEqual([c["sequence"] for c in response.json()["checkpoints"]], [3])
        bad = self.client.get(reverse("proposals:audit_checkpoints"), {"after": "x"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("after must be a checkpoint's sequence number", bad.json()["error"])

    @override_settings(PMC_PUBLIC_READ=False)
    def test_it_publishes_them_to_whoever_may_read_the_audit_page(self):
        url = reverse("proposals:audit_checkpoints")

        self.assertEqual(self.client.get(url).status_code, 302)  # asked to sign in
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.member)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_signs_a_checkpoint_at_every_verification(self):
        self.assertIntact()

        newest = Checkpoint.objects.order_by("-sequence").first()
        self.assertEqual(newest.sequence, 4)
        self.assertEqual(newest.events, len(self.events))

    def test_it_refuses_changes_to_stored_checkpoints(self):
        from django.db import DatabaseError

        with self.assertRaises(DatabaseError), transaction.atomic():
            run_sql("UPDATE proposals_checkpoint SET events = 1")
        with self.assertRaises(DatabaseError), transaction.atomic():
            run_sql("DELETE FROM proposals_checkpoint")
        self.assertEqual(Checkpoint.objects.count(), 3)


def test_hash_is_a_pure_function_of_the_fields():
    fields = {"prev": "0" * 64, "action": "x", "payload": {"b": 1, "a": "é"}}
    assert hash_fields(fields) == hash_fields(dict(reversed(list(fields.items()))))
