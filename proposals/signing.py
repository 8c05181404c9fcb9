"""The audit log's signing key: Ed25519, its private half from the environment only.

The application signs three kinds of statements with it: each event's hash as it is
written (its seal), checkpoints (how many events, the head hash, when) and the result of
each verification. Whoever holds only the public key can check all three; nobody with
only the database can make them, so rows written past the application (a leaked
database password) are caught by what they cannot sign.

Where the private key comes from, in order: `AUDIT_SIGNING_KEY` (a PEM private key, or
the 32 raw bytes in base64), the file named by `AUDIT_SIGNING_KEY_FILE`, and, only with
`DEBUG=1`, a fixed development key that the audit page names as such. Verifiers trust
the public half of that key, `AUDIT_PUBLIC_KEY`, and every key in `AUDIT_TRUSTED_KEYS`
(the keys that signed before a rotation). `manage.py audit_key --new` makes a key pair.

The statements are plain text with one `name=value` per line, so that anyone can check a
published checkpoint with any Ed25519 library.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# Known to everyone who reads this file: a development key proves nothing, which is why
# the audit page says so whenever it is the one in use.
_DEVELOPMENT_SEED = hashlib.sha256(b"pmc-lifecycle development audit key; not secret").digest()

HOW_TO_CREATE = (
    "Create one with `python manage.py audit_key --new`, then set AUDIT_SIGNING_KEY (or "
    "AUDIT_SIGNING_KEY_FILE) in the environment of every web, worker and beat process and "
    "of management commands (see README, Audit)."
)


class AuditKeyError(Exception):
    """A key that is missing or cannot be read; the message says what to do."""


class KeyMissing(AuditKeyError):
    pass


class BadKey(AuditKeyError):
    pass


# Encoding


def public_text(public: Ed25519PublicKey) -> str:
    """A public key as published: its 32 raw bytes in base64."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of SHA-256 of its bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def private_text(private: Ed25519PrivateKey) -> str:
    """A private key as PEM (PKCS#8, unencrypted), for AUDIT_SIGNING_KEY or its file."""
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def parse_private(text: str, where: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as error:
        raise BadKey(
            f"{where} is not an Ed25519 private key ({error}): give a PEM private key or "
            f"its 32 raw bytes in base64. {HOW_TO_CREATE}"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise BadKey(f"{where} is not an Ed25519 key. {HOW_TO_CREATE}")
    return key


def parse_public(text: str, where: str = "the public key") -> Ed25519PublicKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as error:
        raise BadKey(
            f"{where} is not an Ed25519 public key ({error}): give the base64 text that "
            "`manage.py audit_key` prints (or a PEM public key)."
        ) from error
    if not isinstance(key, Ed25519PublicKey):
        raise BadKey(f"{where} is not an Ed25519 key.")
    return key


def split_keys(text: str) -> list[str]:
    """AUDIT_TRUSTED_KEYS: base64 keys separated by commas or white space."""
    return [part for part in text.replace(",", " ").split() if part]


# The keys in use


@dataclass(frozen=True)
class Keyring:
    """The private key (when this process may sign) and the public keys it trusts."""

    private: Ed25519PrivateKey | None
    trusted: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    development: bool = False
    problem: str = ""

    @property
    def public(self) -> Ed25519PublicKey | None:
        return self.private.public_key() if self.private else None

    @property
    def key_id(self) -> str:
        public = self.public
        return key_id(public) if public else ""

    @property
    def can_verify(self) -> bool:
        return bool(self.trusted)

    def require_private(self) -> Ed25519PrivateKey:
        if self.private is None:
            raise KeyMissing(self.problem or f"No audit signing key is configured. {HOW_TO_CREATE}")
        return self.private

    def sign(self, statement: bytes) -> tuple[str, str]:
        """(key id, base64 signature) of `statement`."""
        private = self.require_private()
        return self.key_id, base64.b64encode(private.sign(statement)).decode()

    def verifies(self, statement: bytes, signature: str, signed_by: str = "") -> bool:
        """Whether `signature` over `statement` is by a trusted key (`signed_by`, the key
        id stored beside it, when given; any trusted key otherwise)."""
        if not signature:
            return False
        try:
            raw = base64.b64decode(signature, validate=True)
        except (ValueError, binascii.Error):
            return False
        keys = [self.trusted[signed_by]] if signed_by in self.trusted else []
        if not signed_by:
            keys = list(self.trusted.values())
        for public in keys:
            try:
                public.verify(raw, statement)
            except InvalidSignature:
                continue
            return True
        return False


def build_keyring(
    *,
    signing_key: str = "",
    signing_key_file: str = "",
    public_key: str = "",
    trusted_keys: str = "",
    debug: bool = False,
) -> Keyring:
    """The keyring for these settings. A key that cannot be read is not used and is
    named in `problem` (the system check and verification say so); the site still runs."""
    private, development, problems = None, False, []
    try:
        if signing_key.strip():
            private = parse_private(signing_key, "AUDIT_SIGNING_KEY")
        elif signing_key_file.strip():
            path = Path(signing_key_file.strip())
            try:
                text = path.read_text()
            except OSError as error:
                raise BadKey(
                    f"AUDIT_SIGNING_KEY_FILE names {path}, which cannot be read "
                    f"({error.strerror}). {HOW_TO_CREATE}"
                ) from error
            private = parse_private(text, f"AUDIT_SIGNING_KEY_FILE ({path})")
        elif debug:
            private, development = Ed25519PrivateKey.from_private_bytes(_DEVELOPMENT_SEED), True
        else:
            problems.append(
                f"No audit signing key is configured (AUDIT_SIGNING_KEY or "
                f"AUDIT_SIGNING_KEY_FILE): events are not sealed, no checkpoint is signed "
                f"and verification results cannot be trusted. {HOW_TO_CREATE}"
            )
    except BadKey as error:
        problems.append(str(error))
    trusted: dict[str, Ed25519PublicKey] = {}
    if private is not None:
        trusted[key_id(private.public_key())] = private.public_key()
    texts = [("AUDIT_PUBLIC_KEY", public_key)] if public_key.strip() else []
    texts += [("AUDIT_TRUSTED_KEYS", part) for part in split_keys(trusted_keys)]
    for name, text in texts:
        try:
            public = parse_public(text, f"{name} ({text[:12]}...)")
        except BadKey as error:
            problems.append(str(error))
            continue
        trusted[key_id(public)] = public
    return Keyring(private, trusted, development, " ".join(problems))


def keyring() -> Keyring:
    """The keyring of the current settings (read on each call, built once per value)."""
    from django.conf import settings

    return _cached_keyring(
        settings.AUDIT_SIGNING_KEY,
        settings.AUDIT_SIGNING_KEY_FILE,
        settings.AUDIT_PUBLIC_KEY,
        settings.AUDIT_TRUSTED_KEYS,
        bool(settings.DEBUG),
    )


@functools.lru_cache(maxsize=8)
def _cached_keyring(
    signing_key: str, signing_key_file: str, public_key: str, trusted_keys: str, debug: bool
) -> Keyring:
    return build_keyring(
        signing_key=signing_key,
        signing_key_file=signing_key_file,
        public_key=public_key,
        trusted_keys=trusted_keys,
        debug=debug,
    )


# The statements signed


def _statement(kind: str, **values) -> bytes:
    lines = [f"pmc-lifecycle {kind} v1"] + [f"{name}={value}" for name, value in values.items()]
    return ("\n".join(lines) + "\n").encode()


def time_text(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def event_statement(event_hash: str) -> bytes:
    """What an event's seal signs: its hash, which covers the hash before it."""
    return _statement("event", hash=event_hash)


def checkpoint_statement(
    *, sequence: int, events: int, head: str, signed_at: datetime.datetime
) -> bytes:
    return _statement(
        "checkpoint", sequence=sequence, events=events, head=head, signed_at=time_text(signed_at)
    )


def verification_statement(
    *,
    checked_at: datetime.datetime,
    ok: bool,
    events: int,
    head: str,
    broken_at: int | None,
    problem: str,
) -> bytes:
    return _statement(
        "verification",
        checked_at=time_text(checked_at),
        ok=int(ok),
        events=events,
        head=head,
        broken_at="" if broken_at is None else broken_at,
        problem=hashlib.sha256(problem.encode()).hexdigest(),
    )
