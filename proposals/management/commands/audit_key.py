"""Make or show the audit log's Ed25519 key: `manage.py audit_key --new [--output FILE]`.

`--new` prints a new private key (PEM) for AUDIT_SIGNING_KEY or the file that
AUDIT_SIGNING_KEY_FILE names, and its public half for AUDIT_PUBLIC_KEY and verifiers.
Without `--new`, prints the public key and id of the key configured now. The private key
is never stored in the database.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand, CommandError

from proposals import signing


class Command(BaseCommand):
    help = (
        "Create a new Ed25519 key pair for signing the audit log (--new), or show the "
        "public key configured now."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--new", action="store_true", help="Create a new key pair.")
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="With --new: write the private key to FILE (created readable by its owner "
            "only; refused if it exists) instead of printing it.",
        )

    def handle(self, *args, new: bool = False, output: str | None = None, **options) -> None:
        if not new:
            self._show()
            return
        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        pem = signing.private_text(private)
        if output:
            path = Path(output)
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError as error:
                raise CommandError(
                    f"{path} exists: choose another file (a key is never overwritten)."
                ) from error
            with os.fdopen(descriptor, "w") as file:
                file.write(pem)
            self.stdout.write(f"Private key written to {path}: set AUDIT_SIGNING_KEY_FILE={path}")
        else:
            self.stdout.write(
                "Private key (AUDIT_SIGNING_KEY; keep it secret, never in the database):"
            )
            self.stdout.write(pem.rstrip())
        self.stdout.write(
            f"Public key (AUDIT_PUBLIC_KEY, for verifiers): {signing.public_text(public)}"
        )
        self.stdout.write(f"Key id: {signing.key_id(public)}")
        self.stdout.write(
            "When this key replaces another, add the old public key to AUDIT_TRUSTED_KEYS so "
            "that what it signed still verifies."
        )

    def _show(self) -> None:
        keys = signing.keyring()
        if keys.problem:
            self.stderr.write(keys.problem)
        if keys.public is not None:
            note = " (the public development key: DEBUG=1 without AUDIT_SIGNING_KEY)"
            self.stdout.write(
                f"Signing key id {keys.key_id}{note if keys.development else ''}; public key "
                f"{signing.public_text(keys.public)}"
            )
        for key_id, public in keys.trusted.items():
            self.stdout.write(f"Trusted: {key_id} {signing.public_text(public)}")
        if not keys.trusted:
            raise CommandError("No audit key is configured. " + signing.HOW_TO_CREATE)
