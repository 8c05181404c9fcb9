"""The audit signing key: from the environment only, a development key that says so,
a site that runs without one, verifiers with the public key only, and rotation."""

from __future__ import annotations

import base64
import os
import stat
import tempfile
from io import StringIO
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from proposals import checkpoints, signing, verification
from proposals.models import AuditCheck, Checkpoint, Event
from proposals.system_checks import audit_signing_key
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user


def new_key() -> tuple[str, str]:
    """(private key as AUDIT_SIGNING_KEY, public key as AUDIT_PUBLIC_KEY)."""
    private = Ed25519PrivateKey.generate()
    return signing.private_text(private), signing.public_text(private.public_key())


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue()


def verify_fails(test) -> str:
    err = StringIO()
    with test.assertRaises(CommandError):
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    return err.getvalue()


class KeyringTests(LifecycleTestCase):
    def test_it_reads_a_pem_key_a_base64_key_and_a_key_file(self):
        private = Ed25519PrivateKey.generate()
        raw = base64.b64encode(private.private_bytes_raw()).decode()
        with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as file:
            file.write(signing.private_text(private))
        self.addCleanup(os.unlink, file.name)

        for keys in (
            signing.build_keyring(signing_key=signing.private_text(private)),
            signing.build_keyring(signing_key=raw),
            signing.build_keyring(signing_key_file=file.name),
        ):
            self.assertEqual(keys.key_id, signing.key_id(private.public_key()))
            self.assertEqual(keys.problem, "")

    def test_it_names_a_key_it_cannot_read_and_says_how_to_make_one(self):
        keys = signing.build_keyring(signing_key="not a key")

        self.assertIsNone(keys.private)
        self.assertIn("AUDIT_SIGNING_KEY is not an Ed25519 private key", keys.problem)
        self.assertIn("manage.py audit_key --new", keys.problem)
        missing = signing.build_keyring(signing_key_file="/nonexistent/audit.pem")
        self.assertIn("AUDIT_SIGNING_KEY_FILE names /nonexistent/audit.pem", missing.problem)

    def test_it_uses_the_development_key_only_with_debug(self):
        self.assertTrue(signing.build_keyring(debug=True).development)
        without = signing.build_keyring(debug=False)
        self.assertIsNone(without.private)
        self.assertIn("No audit signing key is configured", without.problem)


@override_settings(AUDIT_SIGNING_KEY="", DEBUG=True)
class DevelopmentKeyTests(LifecycleTestCase):
    def test_it_says_plainly_on_the_audit_page_that_the_key_proves_nothing(self):
        make_proposal(self.committee, self.member)

        page = self.client.get(reverse("proposals:audit_log"))

        self.assertContains(page, "signs with the public development key")
        self.assertContains(page, "prove nothing")
        self.assertTrue(Event.objects.exclude(seal="").exists())


@override_settings(AUDIT_SIGNING_KEY="", DEBUG=False)
class NoKeyTests(LifecycleTestCase):
    def test_it_keeps_writing_without_a_key(self):
        proposal = make_proposal(self.committee, self.member, state="discussion")

        self.assertEqual(proposal.events.count(), 2)
        self.assertFalse(Event.objects.exclude(seal="").exists())

    def test_it_warns_at_start_and_fails_verification_saying_how_to_make_a_key(self):
        make_proposal(self.committee, self.member)

        warnings = audit_signing_key()
        self.assertEqual([w.id for w in warnings], ["proposals.W001"])
        err = verify_fails(self)
        self.assertIn("no public key is configured", err)
        self.assertIn("manage.py audit_key --new", err)
        with self.assertRaises(signing.KeyMissing) as caught:
            checkpoints.sign()
        self.assertIn("audit_key --new", str(caught.exception))
        self.assertFalse(Checkpoint.objects.exists())
        self.assertEqual(AuditCheck.objects.get().signature, "")

    def test_staff_see_on_every_page_that_the_key_is_missing(self):
        staff = make_user("operator", is_staff=True)
        self.client.force_login(staff)

        page = self.client.get(reverse("proposals:home"))

        self.assertContains(page, "Operators: No audit signing key is configured")
        self.client.force_login(self.chair)
        self.assertNotContains(self.client.get(reverse("proposals:home")), "Operators: No audit")


class PublicKeyOnlyTests(LifecycleTestCase):
    def test_a_verifier_with_only_the_public_key_checks_what_was_signed(self):
        make_proposal(self.committee, self.member, state="discussion")
        checkpoints.sign()
        public = signing.public_text(signing.keyring().public)

        with override_settings(AUDIT_SIGNING_KEY="", AUDIT_PUBLIC_KEY=public):
            self.assertIn(f"Audit chain intact: {Event.objects.count()} events checked.", verify())
            # It cannot sign: its result is kept unsigned, never shown as trusted.
            self.assertEqual(AuditCheck.objects.get().signature, "")
        self.assertEqual(Checkpoint.objects.count(), 1)


class RotationTests(LifecycleTestCase):
    def test_what_the_old_key_signed_verifies_while_its_public_key_is_trusted(self):
        # The events the test's setup wrote were sealed by the suite's key: trusted too.
        first = signing.public_text(signing.keyring().public)
        old_private, old_public = new_key()
        new_private, _ = new_key()
        with override_settings(AUDIT_SIGNING_KEY=old_private, AUDIT_TRUSTED_KEYS=first):
            make_proposal(self.committee, self.member, state="discussion")
            checkpoints.sign()

        both = f"{first},{old_public}"
        with override_settings(AUDIT_SIGNING_KEY=new_private, AUDIT_TRUSTED_KEYS=both):
            make_proposal(self.committee, self.other_member)
            out = verify()
            self.assertIn(f"Audit chain intact: {Event.objects.count()} events checked.", out)
            self.assertEqual(
                [c.key_id for c in Checkpoint.objects.order_by("sequence")],
                [signing.key_id(signing.parse_public(old_public)), signing.keyring().key_id],
            )

        with override_settings(AUDIT_SIGNING_KEY=new_private, AUDIT_TRUSTED_KEYS=first):
            err = verify_fails(self)
        self.assertIn("checkpoint #1 is not signed by a trusted key", err)
        self.assertIn("add its public key to AUDIT_TRUSTED_KEYS", err)


class AuditKeyCommandTests(LifecycleTestCase):
    def test_it_makes_a_key_pair_that_signs_and_verifies(self):
        out = StringIO()
        call_command("audit_key", "--new", stdout=out)

        text = out.getvalue()
        pem = text[text.index("-----BEGIN") : text.index("-----END PRIVATE KEY-----") + 25]
        public = text.split("for verifiers): ")[1].split()[0]
        keys = signing.build_keyring(signing_key=pem)
        self.assertEqual(signing.public_text(keys.public), public)
        self.assertIn("AUDIT_TRUSTED_KEYS", text)

    def test_it_writes_the_private_key_to_a_file_only_its_owner_reads(self):
        directory = Path(tempfile.mkdtemp(prefix="pmc-key-"))
        path = directory / "audit.pem"
        self.addCleanup(lambda: [p.unlink() for p in directory.iterdir()] and directory.rmdir())

        call_command("audit_key", "--new", "--output", str(path), stdout=StringIO())

        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        self.assertEqual(signing.build_keyring(signing_key_file=str(path)).problem, "")
        with self.assertRaises(CommandError) as caught:
            call_command("audit_key", "--new", "--output", str(path), stdout=StringIO())
        self.assertIn("a key is never overwritten", str(caught.exception))

    def test_it_shows_the_key_in_use(self):
        out = StringIO()
        call_command("audit_key", stdout=out)

        self.assertIn(signing.public_text(signing.keyring().public), out.getvalue())


class VerificationWithoutTrustTests(LifecycleTestCase):
    def test_the_result_is_signed_and_a_forged_signature_is_not_believed(self):
        make_proposal(self.committee, self.member)
        verify()
        check = AuditCheck.objects.get()
        self.assertTrue(verification.audit_alerts.is_trusted(check))

        AuditCheck.objects.filter(pk=check.pk).update(events=check.events + 1)
        check.refresh_from_db()
        self.assertFalse(verification.audit_alerts.is_trusted(check))
        self.assertEqual(verification.audit_alerts.latest_trusted(), (None, 0))
