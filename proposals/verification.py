"""Verifying the audit log without trusting the database, and keeping a signed result.

`verify()` checks, in this order: the hash chain; every event's seal (the application
signs each event's hash as it writes it, so an event written straight into the database
carries none); every stored checkpoint's signature, that their sequence has no gap and
that each one's head is still in the chain at its position; that no event has waited
longer than AUDIT_CHECKPOINT_MAX_AGE for a checkpoint; the checkpoints an outsider kept
(`verify_audit --checkpoint FILE`); that every stored verification result is signed; and
that the rows agree with what the log says (`replay.disagreements()`).

`verify_and_store()` keeps the result as a signed `AuditCheck` (the audit page and the
banner believe only a result whose signature holds), signs a checkpoint when the log is
sound, and notifies staff and chairs once when a failure begins.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from proposals import audit_alerts, checkpoints, replay, signing
from proposals.models import GENESIS_HASH, AuditCheck, Checkpoint, Event

logger = logging.getLogger(__name__)

JOB = "verify_audit"


@dataclass(frozen=True)
class Finding:
    text: str
    # Whether the log itself is unsound, so that no checkpoint may vouch for it. A gap in
    # the checkpoints' times or a forged result row is reported, yet the events are sound.
    blocks_checkpoint: bool = True


@dataclass
class Verification:
    events: int = 0
    head: str = GENESIS_HASH
    broken_at: int | None = None
    checkpoints: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def sound(self) -> bool:
        return not any(finding.blocks_checkpoint for finding in self.findings)

    @property
    def problem(self) -> str:
        return "; ".join(finding.text for finding in self.findings)

    def add(self, text: str, *, blocks_checkpoint: bool = True) -> None:
        self.findings.append(Finding(text, blocks_checkpoint))


def verify(
    *, outsider: Iterable[Checkpoint] = (), now: datetime.datetime | None = None
) -> Verification:
    now = now or timezone.now()
    keys = signing.keyring()
    result = Verification()
    if not keys.can_verify:
        result.add(
            "no public key is configured, so no seal, checkpoint or result can be checked: "
            + (keys.problem or signing.HOW_TO_CREATE)
        )
    stored = list(Checkpoint.objects.order_by("sequence"))
    outsider = list(outsider)
    signed = [checkpoint for checkpoint in stored if checkpoints.is_signed(checkpoint, keys)]
    newest = signed[-1] if signed else None
    seals_from = (signed[0].events + 1) if signed else None
    found = checkpoints.walk(
        Event.objects.order_by("id").iterator(chunk_size=2000),
        keys,
        keep={checkpoint.events for checkpoint in [*stored, *outsider]},
        uncovered_after=newest.events if newest else 0,
        seals_from=seals_from,
        check_seals=not signed,
    )
    if signed:
        _check_seals_after_anchor(found, signed, keys, seals_from)
    result.events, result.head, result.broken_at = found.position, found.head, found.broken_at
    result.checkpoints = len(stored)
    if found.broken_at is not None:
        result.add(f"the chain is broken: {found.problem}")
    for text in checkpoints.seal_problems(found):
        result.add(text)
    if keys.can_verify:
        # Without a key every signature would be reported as forged: the one finding
        # above (configure the key) says all there is to say about them.
        _check_stored(result, stored, keys, found)
        _check_age(result, newest, found, now)
        _check_outsider(result, outsider, stored, keys, found)
        _check_results(result, keys)
    for text in replay.disagreements():
        result.add(f"a row disagrees with the log: {text}")
    return result


def verify_since_checkpoint(*, now: datetime.datetime | None = None) -> Verification:
    """The events written since the newest signed checkpoint, and that checkpoint's place
    in the log: the event at its position still has the head it signed (and that event
    its own content). What the checkpoint covers was verified when it was signed and is
    fixed by its signature; an edit among those events that leaves their hashes alone is
    found by a full verification (`verify`), as is a row that disagrees with the log.
    Without a signed checkpoint to start from, this is the full verification."""
    now = now or timezone.now()
    keys = signing.keyring()
    stored = list(Checkpoint.objects.order_by("sequence"))
    signed = [checkpoint for checkpoint in stored if checkpoints.is_signed(checkpoint, keys)]
    if not keys.can_verify or not signed or not signed[-1].events:
        return verify(now=now)
    anchor = signed[-1]
    result = Verification(checkpoints=len(stored))
    at_anchor = Event.objects.order_by("id")[anchor.events - 1 : anchor.events].first()
    if (
        at_anchor is None
        or at_anchor.hash != anchor.head
        or at_anchor.compute_hash() != anchor.head
    ):
        result.events = Event.objects.count()
        result.add(
            f"checkpoint #{anchor.sequence} covered {anchor.events} events ending in the head "
            f"{anchor.head}, and the log no longer has that event there: verify in full "
            "(`manage.py verify_audit`) to find what was changed"
        )
        return result
    found = checkpoints.walk(
        Event.objects.filter(id__gt=at_anchor.pk).order_by("id").iterator(chunk_size=2000),
        keys,
        start=anchor.events,
        expected_prev=anchor.head,
        seals_from=anchor.events + 1,
        uncovered_after=anchor.events,
    )
    result.events, result.head, result.broken_at = found.position, found.head, found.broken_at
    if found.broken_at is not None:
        result.add(f"the chain is broken: {found.problem}")
    for text in checkpoints.seal_problems(found):
        result.add(text)
    _check_sequence(result, stored)
    _check_age(result, anchor, found, now)
    _check_results(result, keys)
    return result


def _check_seals_after_anchor(found, signed: list[Checkpoint], keys, seals_from: int) -> None:
    """The seals of the events after the newest signed checkpoint that the chain still
    holds. Those before it need no check: the checkpoint's head fixes their content as the
    application signed it (a seal lies outside the hash), and checking every seal of a
    long log costs far more than the chain (an Ed25519 verification per event)."""
    anchor = next(
        (
            checkpoint
            for checkpoint in reversed(signed)
            if checkpoint.events <= found.position
            and (not checkpoint.events or found.hashes.get(checkpoint.events) == checkpoint.head)
        ),
        None,
    )
    covered = anchor.events if anchor else 0
    sealed = checkpoints.walk(
        Event.objects.order_by("id")[covered:].iterator(chunk_size=2000),
        keys,
        start=covered,
        seals_from=covered + 1 if anchor else seals_from,
    )
    found.unsealed, found.bad_seals = sealed.unsealed, sealed.bad_seals


def _check_sequence(result: Verification, stored) -> None:
    sequences = {checkpoint.sequence for checkpoint in stored}
    if sequences:
        missing = sorted(set(range(1, max(sequences) + 1)) - sequences)
        if missing:
            shown = ", ".join(f"#{n}" for n in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            result.add(f"checkpoint{'s' if len(missing) > 1 else ''} {shown}{more} "
                       "missing from the sequence: deleted from the database")  # fmt: skip


def _check_stored(result: Verification, stored, keys, found) -> None:
    _check_sequence(result, stored)
    for checkpoint in stored:
        if not checkpoints.is_signed(checkpoint, keys):
            result.add(
                f"checkpoint #{checkpoint.sequence} is not signed by a trusted key: forged "
                "(or signed by a key no longer trusted: add its public key to "
                "AUDIT_TRUSTED_KEYS)"
            )
            continue
        _check_position(result, checkpoint, found, f"checkpoint #{checkpoint.sequence}")


def _check_position(result: Verification, checkpoint: Checkpoint, found, name: str) -> None:
    signed = f"{name} (signed {signing.time_text(checkpoint.signed_at)[:19]}Z)"
    if checkpoint.events > found.position:
        result.add(
            f"{signed} covered {checkpoint.events} events but the log has only "
            f"{found.position}: events were deleted from its end, or an older backup was "
            "restored"
        )
    elif checkpoint.events and found.hashes.get(checkpoint.events) != checkpoint.head:
        result.add(
            f"{signed} is no longer in the chain: the event at position {checkpoint.events} "
            "does not have the head it signed (the events up to it were rewritten, "
            "re-ordered or removed)"
        )


def _check_age(result: Verification, newest, found, now: datetime.datetime) -> None:
    limit = datetime.timedelta(minutes=settings.AUDIT_CHECKPOINT_MAX_AGE)
    waiting_since = found.first_uncovered_at
    if waiting_since is None or now - waiting_since <= limit:
        return
    since = f"checkpoint #{newest.sequence}" if newest else "the first sealed event"
    result.add(
        f"{found.position - (newest.events if newest else 0)} event(s) written after "
        f"{since} have waited more than {settings.AUDIT_CHECKPOINT_MAX_AGE} minutes for a "
        f"checkpoint (the oldest since {signing.time_text(waiting_since)[:19]}Z): newer "
        "checkpoints were deleted, or the jobs that sign them have stopped (see "
        "`manage.py check_services`)",
        blocks_checkpoint=False,
    )


def _check_outsider(result: Verification, outsider, stored, keys, found) -> None:
    by_sequence = {checkpoint.sequence: checkpoint for checkpoint in stored}
    for copy in outsider:
        name = f"the copy of checkpoint #{copy.sequence}"
        if not checkpoints.is_signed(copy, keys):
            result.add(f"{name} given is not signed by a trusted key, so it proves nothing")
            continue
        _check_position(result, copy, found, name)
        kept = by_sequence.get(copy.sequence)
        if kept is None:
            result.add(f"{name} is not among the stored checkpoints: deleted from the database")
        elif (kept.events, kept.head, kept.signature) != (copy.events, copy.head, copy.signature):
            result.add(f"the stored checkpoint #{copy.sequence} differs from {name}: replaced")


def _check_results(result: Verification, keys) -> None:
    """A stored result that the key did not sign was written past the application. Rows
    from before results were signed (before the first signed one, by number and time)
    are let be."""
    rows = [
        (check, audit_alerts.is_trusted(check, keys))
        for check in AuditCheck.objects.order_by("id").iterator(chunk_size=500)
    ]
    first = next((check for check, trusted in rows if trusted), None)
    forged = [
        check.pk
        for check, trusted in rows
        if not trusted
        and (
            check.signature
            or (first and (check.pk > first.pk or check.checked_at >= first.checked_at))
        )
    ]
    if forged:
        shown = ", ".join(f"#{pk}" for pk in forged[:5])
        result.add(
            f"verification result row{'s' if len(forged) > 1 else ''} {shown} "
            f"{'is' if len(forged) == 1 else 'are'} not signed by the key: written past the "
            "application (the audit page ignores them; delete them once investigated)",
            blocks_checkpoint=False,
        )


def verify_and_store(
    *,
    outsider: Iterable[Checkpoint] = (),
    now: datetime.datetime | None = None,
    since_checkpoint: bool = False,
) -> tuple[Verification, AuditCheck]:
    """Verify (in full, or `since_checkpoint`), keep the signed result, sign a checkpoint
    when the log is sound, and notify staff and chairs when a failure begins."""
    if since_checkpoint:
        result = verify_since_checkpoint(now=now)
    else:
        result = verify(outsider=outsider, now=now)
    keys = signing.keyring()
    check = AuditCheck(
        checked_at=now or timezone.now(),
        ok=result.ok,
        events=result.events,
        head=result.head,
        broken_at=result.broken_at,
        problem=result.problem,
    )
    if keys.private is not None:
        check.key_id, check.signature = keys.sign(audit_alerts.result_statement(check))
    check.save()
    if result.sound and keys.private is not None:
        try:
            checkpoints.sign()
        except checkpoints.CheckpointRefused as refused:
            # Written past the application between the walk and now: the next run says so.
            logger.warning("audit checkpoint refused after verification: %s", refused)
    if not result.ok:
        audit_alerts.notify_failure(check)
    return result, check


def checkpoint_job() -> checkpoints.Checkpoint | None:
    """The periodic job: sign a checkpoint if events were written since the last one. A
    log that no longer extends the last checkpoint is verified in full instead, which
    stores the failure and raises the alarm."""
    try:
        return checkpoints.sign(only_if_new=True)
    except checkpoints.CheckpointRefused as refused:
        logger.error("audit checkpoint refused: %s", refused)
        verify_and_store()
        return None
