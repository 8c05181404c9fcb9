"""A backup restored into a new database still verifies: `dumpdata`/`loaddata` (every
time keeps its microseconds, which the hashes cover), and on PostgreSQL `pg_dump` and
`pg_restore`; a restore that lost the newest events is caught by the head noted
before (`verify_audit --expect-head`).

The restores run the real commands in other processes against databases the tests
create and drop, as an operator would (README, "Backup and restore")."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import unittest
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from proposals import actions, audit, checkpoints
from proposals.models import Event, Proposal, Vote
from proposals.states import State
from tests.base import AppendOnlyTransactionTestCase

ROOT = Path(settings.BASE_DIR)
DUMPDATA_ARGS = ["--natural-foreign", "--exclude", "contenttypes", "--exclude", "auth.permission"]


def postgres_url(name: str) -> str:
    """The URL of database `name` on the server the tests run on."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    )


def postgres_env() -> dict[str, str]:
    """What the PostgreSQL client programs need to reach that server."""
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "localhost", "PGPORT": str(db["PORT"] or 5432)}
    env["PGUSER"] = db["USER"]
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def run(*command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the tests' own commands
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def manage(url: str, *args: str) -> subprocess.CompletedProcess:
    """`manage.py ARGS` in another process, on the database at `url`."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return run(sys.executable, "manage.py", *args, env=env)


@contextlib.contextmanager
def new_database() -> Iterator[str]:
    """An empty database of the kind the tests run on, dropped afterwards: its URL."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
        env = postgres_env()
        created = run("createdb", "--template", "template0", name, env=env)
        assert created.returncode == 0, created.stderr
        try:
            yield postgres_url(name)
        finally:
            run("dropdb", "--if-exists", "--force", name, env=env)
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/restored.sqlite3"


def assert_ok(test, done: subprocess.CompletedProcess) -> str:
    test.assertEqual(done.returncode, 0, done.stdout + done.stderr)
    return done.stdout


def head_and_count() -> tuple[str, int]:
    report = audit.verify_chain()
    assert report.ok, report.problem
    return report.head, report.checked


class DumpdataLoaddataTests(TestCase):
    def test_a_dumpdata_backup_loaded_into_a_new_database_verifies(self):
        call_command("seed_demo", allow_production=True, stdout=io.StringIO())
        # A vote cast now: its times have microseconds that Django's encoder would cut.
        voting = Proposal.objects.get(state=State.VOTING)
        voter = Vote.objects.filter(proposal=voting, value=1).first().voter
        now = timezone.now().replace(microsecond=123457)
        cast = actions.do_cast_vote(proposal=voting, actor=voter, value=0, at=now)
        event = Event.objects.get(action="vote.changed", payload__vote=cast.pk)
        self.assertEqual(event.at.microsecond, 123457)
        head, count = head_and_count()

        with tempfile.TemporaryDirectory() as folder, new_database() as url:
            backup = Path(folder) / "backup.json"
            call_command("dumpdata", *DUMPDATA_ARGS, output=str(backup), stdout=io.StringIO())
            assert_ok(self, manage(url, "migrate", "--no-input"))
            assert_ok(self, manage(url, "loaddata", str(backup)))
            out = assert_ok(self, manage(url, "verify_audit", "--expect-head", head))
            replayed = "from proposals import replay; print(replay.disagreements())"
            rows = assert_ok(self, manage(url, "shell", "--no-imports", "-c", replayed))

        self.assertIn(f"Audit chain intact: {count} events checked.", out)
        self.assertIn(f"Head: {head}", out)
        self.assertEqual(rows.strip(), "[]")


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (pg_dump, pg_restore): run with DATABASE_URL=postgres://...",
)
class PgDumpRestoreTests(AppendOnlyTransactionTestCase):
    """pg_dump reads what is committed, so these tests commit their rows."""

    def pg_dump(self, path: Path) -> None:
        done = run(
            "pg_dump", "--format=custom", f"--file={path}", connection.settings_dict["NAME"],
            env=postgres_env(),
        )  # fmt: skip
        self.assertEqual(done.returncode, 0, done.stderr)

    def pg_restore(self, path: Path, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        done = run("pg_restore", "--no-owner", f"--dbname={name}", str(path), env=postgres_env())
        self.assertEqual(done.returncode, 0, done.stderr)

    def test_a_pg_dump_restored_into_a_new_database_verifies_and_a_cut_one_is_caught(self):
        call_command("seed_demo", allow_production=True, stdout=io.StringIO())
        old_head, old_count = head_and_count()
        with tempfile.TemporaryDirectory() as folder:
            old_backup = Path(folder) / "old.dump"
            self.pg_dump(old_backup)
            # Life goes on: the open vote is stopped, the text edited, a new vote cast.
            voting = Proposal.objects.get(state=State.VOTING)
            chair = get_user_model().objects.get(username="eric.malm")
            actions.do_return_to_discussion(proposal=voting, actor=chair)
            actions.do_edit_proposal(proposal=voting, actor=chair, condition="after 2.0")
            actions.do_start_vote(proposal=voting, actor=chair)
            actions.do_cast_vote(proposal=voting, actor=chair, value=1)
            head, count = head_and_count()
            self.assertGreater(count, old_count)
            # The checkpoint the jobs sign, as an outsider keeps a copy of it.
            checkpoints.sign()
            kept = Path(folder) / "checkpoints.json"
            kept.write_bytes(self.client.get(reverse("proposals:audit_checkpoints")).content)
            backup = Path(folder) / "backup.dump"
            self.pg_dump(backup)

            with new_database() as url:
                self.pg_restore(backup, url)
                out = assert_ok(self, manage(url, "verify_audit", "--expect-head", head))
                self.assertIn(f"Audit chain intact: {count} events checked.", out)
                self.assertIn(f"Head: {head}", out)
                # The append-only triggers came with the dump.
                refused = run(
                    "psql", "--dbname", url.rsplit("/", 1)[1], "--command",
                    "UPDATE proposals_event SET reason = 'rewritten'", env=postgres_env(),
                )  # fmt: skip
                self.assertIn("proposals_event is append-only", refused.stderr)

            # The old backup, restored as if it were the latest: a valid, shorter chain
            # with its own older checkpoints. Alone it verifies; the head noted at the
            # last verification catches it, and so does the kept copy of a checkpoint.
            with new_database() as url:
                self.pg_restore(old_backup, url)
                alone = assert_ok(self, manage(url, "verify_audit"))
                self.assertIn(f"Audit chain intact: {old_count} events checked.", alone)
                caught = manage(url, "verify_audit", "--expect-head", head)
                by_copy = manage(url, "verify_audit", "--checkpoint", str(kept))

        self.assertNotEqual(caught.returncode, 0)
        self.assertIn(
            f"The chain is intact ({old_count} events, head {old_head}) but no event has "
            f"the expected head {head}: events were removed from the end of the log",
            caught.stderr,
        )
        self.assertIn("restore the database from the last backup", caught.stderr)
        self.assertNotEqual(by_copy.returncode, 0)
        self.assertIn("the copy of checkpoint", by_copy.stderr)
        print(
            f"\nbackup and restore: {count} events restored and verified; a restore "
            f"missing the newest {count - old_count} event(s) caught by --expect-head and "
            "by a kept copy of the published checkpoints (--checkpoint)"
        )
