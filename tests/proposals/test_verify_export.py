"""`verify_audit --export FILE --public-key KEY`: an export checked without the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from proposals import actions, signing
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

ROOT = Path(__file__).resolve().parent.parent.parent


class VerifyExportTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.committee, cls.member, state="voting", chair=cls.chair)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.member, value=1)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.other_member, value=-1, reason="no")

    def setUp(self) -> None:
        directory = Path(tempfile.mkdtemp(prefix="pmc-export-"))
        self.path = directory / "lifecycle.json"
        self.addCleanup(lambda: [p.unlink() for p in directory.iterdir()] and directory.rmdir())
        call_command("export_lifecycle", "--output", str(self.path), stdout=StringIO())
        self.document = json.loads(self.path.read_text())
        self.public_key = signing.public_text(signing.keyring().public)

    def verify(self, *extra: str) -> str:
        out = StringIO()
        call_command(
            "verify_audit", "--export", str(self.path), *extra, stdout=out, stderr=StringIO()
        )
        return out.getvalue()

    def fails(self, *expected: str, key: str | None = None) -> None:
        self.path.write_text(json.dumps(self.document))
        err = StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command(
                "verify_audit",
                "--export",
                str(self.path),
                "--public-key",
                key or self.public_key,
                stdout=StringIO(),
                stderr=err,
            )
        self.assertEqual(caught.exception.returncode, 1)
        for text in expected:
            self.assertIn(text, err.getvalue())

    def test_it_passes_the_export_as_written(self):
        out = self.verify("--public-key", self.public_key)

        events = len(self.document["events"])
        self.assertGreaterEqual(events, 5)
        self.assertIn(f"Export verified: {events} events, chain intact.", out)
        self.assertIn(f"covers {events} of them", out)

    def test_it_fails_an_edited_event(self):
        event = self.document["events"][2]
        event["hashed"]["reason"] = "edited in the file"

        self.fails(f"event #{event['id']} was edited")

    def test_it_fails_an_edited_event_re_hashed_in_the_file(self):
        from proposals.chain import hash_fields

        previous = self.document["events"][1]["hash"]
        for row in self.document["events"][2:]:
            if row is self.document["events"][2]:
                row["hashed"]["reason"] = "edited"
            row["hashed"]["prev"] = previous
            row["hash"] = previous = hash_fields(row["hashed"])

        self.fails("the seal of event", "head is not the hash of event")

    def test_it_fails_an_event_removed_from_the_file(self):
        removed = self.document["events"].pop(1)

        self.fails(f"event #{removed['id'] + 1} does not follow the event before it")

    def test_it_fails_a_history_that_the_log_does_not_say(self):
        history = self.document["proposals"][0]["history"]
        history[-1]["reason"] = "a reason nobody gave"

        self.fails("history says reason 'a reason nobody gave'")

    def test_it_fails_with_another_public_key(self):
        other = signing.public_text(Ed25519PrivateKey.generate().public_key())

        self.fails("is not signed by the public key given", key=other)

    def test_it_fails_a_forged_checkpoint(self):
        self.document["audit"]["checkpoint"]["events"] -= 1

        self.fails("is not signed by the public key given")

    def test_it_fails_an_export_without_a_checkpoint(self):
        self.document["audit"]["checkpoint"] = None

        self.fails("the export carries no signed checkpoint")

    def test_it_refuses_an_unreadable_public_key(self):
        with self.assertRaises(CommandError) as caught:
            self.verify("--public-key", "not a key")

        self.assertIn("--public-key is not an Ed25519 public key", str(caught.exception))

    def test_it_needs_no_database(self):
        # A database that does not answer: the command must not ask it anything.
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pmc.settings",
            "DEBUG": "1",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        }
        result = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "verify_audit",
                "--export",
                str(self.path),
                "--public-key",
                self.public_key,
            ],  # fmt: skip
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Export verified", result.stdout)
