"""Signed checkpoints of the audit log, and the walk that checks the chain for them.

A checkpoint says, under the application's Ed25519 key: the log held N events, the last
with hash H, at time T. Once signed and published (the audit page, /audit/checkpoints.json)
it cannot be taken back: a log cut short, rewritten and re-hashed, or restored from an
older backup no longer has H at position N. The jobs sign one every
AUDIT_CHECKPOINT_MINUTES while events are written, and every verification signs one.

Signing first checks what the checkpoint vouches for, from the newest checkpoint on: the
event at its position still has its head, and every event after it links to the one
before, matches its hash and carries the application's seal. An event appended past the
application (a correct hash, but no seal) is therefore refused at the next checkpoint,
and the verification that follows raises the alarm.

Several processes may sign at once (web processes, workers, beat): they take the
chain's lock, as writers do, so each sees the one before, and the sequence number is
unique in the database besides.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from proposals import audit, signing
from proposals.models import GENESIS_HASH, Checkpoint, Event

logger = logging.getLogger(__name__)

JOB = "sign_audit_checkpoint"


class CheckpointRefused(Exception):
    """The log does not extend the newest checkpoint soundly; nothing was signed."""


def statement(checkpoint: Checkpoint) -> bytes:
    return signing.checkpoint_statement(
        sequence=checkpoint.sequence,
        events=checkpoint.events,
        head=checkpoint.head,
        signed_at=checkpoint.signed_at,
    )


def is_signed(checkpoint: Checkpoint, keys: signing.Keyring) -> bool:
    return keys.verifies(statement(checkpoint), checkpoint.signature, checkpoint.key_id)


def as_json(checkpoint: Checkpoint) -> dict:
    """A checkpoint as published, and as `verify_audit --checkpoint FILE` reads it back."""
    return {
        "sequence": checkpoint.sequence,
        "events": checkpoint.events,
        "head": checkpoint.head,
        "signed_at": signing.time_text(checkpoint.signed_at),
        "key_id": checkpoint.key_id,
        "public_key": checkpoint.public_key,
        "signature": checkpoint.signature,
    }


def from_json(data: dict) -> Checkpoint:
    """A published checkpoint (not saved); raises ValueError naming what is wrong."""
    missing = [
        name
        for name in ("sequence", "events", "head", "signed_at", "key_id", "signature")
        if name not in data
    ]
    if missing:
        raise ValueError(f"a checkpoint lacks {', '.join(missing)}")
    try:
        signed_at = datetime.datetime.fromisoformat(str(data["signed_at"]).replace("Z", "+00:00"))
        if signed_at.tzinfo is None:
            raise ValueError("signed_at has no time zone")
        return Checkpoint(
            sequence=int(data["sequence"]),
            events=int(data["events"]),
            head=str(data["head"]),
            signed_at=signed_at,
            key_id=str(data["key_id"]),
            public_key=str(data.get("public_key", "")),
            signature=str(data["signature"]),
        )
    except (TypeError, ValueError) as error:
        sequence = data.get("sequence", "?")
        raise ValueError(f"checkpoint {sequence} cannot be read: {error}") from error


# The walk


@dataclass
class Walk:
    """What a walk over (part of) the chain found. Positions count events from 1."""

    position: int = 0
    head: str = GENESIS_HASH
    broken_at: int | None = None
    problem: str = ""
    unsealed: list[int] = field(default_factory=list)
    bad_seals: list[int] = field(default_factory=list)
    sealing_began: int | None = None  # position of the first sealed event
    hashes: dict[int, str] = field(default_factory=dict)  # at the positions asked for
    # When the first event after `uncovered_after` written since sealing began was recorded.
    first_uncovered_at: datetime.datetime | None = None

    @property
    def sound(self) -> bool:
        return self.broken_at is None and not self.unsealed and not self.bad_seals


def walk(
    events,
    keys: signing.Keyring,
    *,
    start: int = 0,
    expected_prev: str = GENESIS_HASH,
    seals_from: int | None = None,
    keep: frozenset[int] | set[int] = frozenset(),
    uncovered_after: int | None = None,
    check_seals: bool = True,
) -> Walk:
    """Walk `events` (in id order, the first at position `start + 1`): links, hashes and
    seals. Every event from position `seals_from` on, and from the first sealed one on,
    must carry a seal by a trusted key: events unsealed before those were written before
    sealing began (`check_seals=False` leaves the seals be). Keeps the hash at the
    positions in `keep`."""
    found = Walk(position=start, head=expected_prev)
    verify_seals = check_seals and keys.can_verify
    for event in events:
        found.position += 1
        position = found.position
        if found.broken_at is None:
            if event.prev_hash != found.head:
                found.broken_at = event.pk
                found.problem = (
                    f"event #{event.pk} does not follow the event before it "
                    "(an event before it was deleted or its hash was changed)"
                )
            elif event.compute_hash() != event.hash:
                found.broken_at = event.pk
                found.problem = (
                    f"event #{event.pk} was edited after it was written (its content no "
                    "longer matches its hash)"
                )
            else:
                found.head = event.hash
        if position in keep:
            found.hashes[position] = event.hash
        if event.seal and found.sealing_began is None:
            found.sealing_began = position
        sealed_era = found.sealing_began is not None or (
            seals_from is not None and position >= seals_from
        )
        if event.seal:
            if verify_seals and not keys.verifies(signing.event_statement(event.hash), event.seal):
                found.bad_seals.append(event.pk)
        elif sealed_era and check_seals:
            found.unsealed.append(event.pk)
        if (
            sealed_era
            and found.first_uncovered_at is None
            and uncovered_after is not None
            and position > uncovered_after
        ):
            found.first_uncovered_at = event.recorded_at
    return found


def seal_problems(found: Walk) -> list[str]:
    """The seal findings in words."""
    problems = []
    if found.unsealed:
        problems.append(
            f"{_ids(found.unsealed)} carr{'ies' if len(found.unsealed) == 1 else 'y'} no seal: "
            "written past the application (straight into the database), or by a process "
            "that had no AUDIT_SIGNING_KEY"
        )
    if found.bad_seals:
        problems.append(
            f"the seal of {_ids(found.bad_seals)} does not match "
            f"{'its' if len(found.bad_seals) == 1 else 'their'} hash: the event was "
            "rewritten and re-hashed, or sealed by a key that is not trusted"
        )
    return problems


def _ids(ids: list[int]) -> str:
    shown = ", ".join(f"#{pk}" for pk in ids[:5])
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    return f"event{'s' if len(ids) > 1 else ''} {shown}{more}"


# Signing


def newest_signed(keys: signing.Keyring) -> Checkpoint | None:
    """The newest checkpoint whose signature holds (a forged one is no base)."""
    for checkpoint in Checkpoint.objects.order_by("-sequence").iterator(chunk_size=50):
        if is_signed(checkpoint, keys):
            return checkpoint
    return None


def sign(*, only_if_new: bool = False, now: datetime.datetime | None = None) -> Checkpoint | None:
    """Sign a checkpoint of the log as it is now, after checking the events since the
    newest checkpoint. `only_if_new`: none when no event was written since (the jobs).
    Raises `signing.KeyMissing` without a private key and `CheckpointRefused` (naming the
    problem) when the log does not soundly extend the newest checkpoint."""
    keys = signing.keyring()
    private = keys.require_private()
    try:
        with transaction.atomic():
            audit.lock_chain()
            return _sign_locked(keys, private, only_if_new, now or timezone.now())
    except IntegrityError:
        # Another process signed this sequence number meanwhile (only possible without
        # the chain's lock, e.g. a lock-free database): its checkpoint stands.
        logger.info("another process signed the audit checkpoint first")
        return None


def _sign_locked(keys, private, only_if_new: bool, now: datetime.datetime) -> Checkpoint | None:
    base = newest_signed(keys)
    covered = base.events if base else 0
    total = Event.objects.count()
    if base and covered > total:
        raise CheckpointRefused(
            f"checkpoint #{base.sequence} covered {covered} events but the log has only "
            f"{total}: events were deleted from its end, or an older backup was restored"
        )
    if base and only_if_new and total == covered:
        return None
    ordered = Event.objects.order_by("id")
    if covered:
        found = walk(
            ordered[covered - 1 :].iterator(chunk_size=2000),
            keys,
            start=covered - 1,
            expected_prev=_prev_of(ordered[covered - 1 : covered].first()),
            seals_from=covered + 1,
            keep={covered},
        )
        if found.hashes.get(covered) != base.head:
            raise CheckpointRefused(
                f"the log's event at position {covered} no longer has the head of checkpoint "
                f"#{base.sequence}: the events up to it were rewritten or removed"
            )
    else:
        found = walk(ordered.iterator(chunk_size=2000), keys)
    if not found.sound:
        raise CheckpointRefused("; ".join([found.problem, *seal_problems(found)]).strip("; "))
    if total == 0 and base is None and only_if_new:
        return None
    highest = Checkpoint.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    checkpoint = Checkpoint(
        sequence=(highest or 0) + 1,
        events=found.position,
        head=found.head,
        signed_at=now,
        key_id=keys.key_id,
        public_key=signing.public_text(private.public_key()),
    )
    checkpoint.signature = keys.sign(statement(checkpoint))[1]
    checkpoint.save(force_insert=True)
    return checkpoint


def _prev_of(event: Event | None) -> str:
    return event.prev_hash if event else GENESIS_HASH
