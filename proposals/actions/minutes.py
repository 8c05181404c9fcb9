"""Minutes: a meeting's notes proposed as its minutes, approved by the members present at
a later meeting, and frozen once approved: a later change to the notes becomes a new
version, which needs its reason."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
from collections.abc import Iterator

from django.utils import timezone

from pmc.models import Meeting, MinutesVersion
from proposals import audit, events
from proposals.actions._base import _nonblank, _require_committee_admin, action
from proposals.actions.attendance import require_meeting_quorum
from proposals.errors import ConditionNotMet, LifecycleError

# The reason for a change to approved minutes, given around a notes import
# (`reason_for_changes`): the import's own reason ("Imported from x.md") says where the
# text came from, not why approved minutes change, so it never counts as one.
_change_reason: contextvars.ContextVar[str] = contextvars.ContextVar("minutes_reason", default="")


@contextlib.contextmanager
def reason_for_changes(reason: str) -> Iterator[None]:
    """Give the reason for changing approved minutes to the notes imports inside."""
    token = _change_reason.set(reason)
    try:
        yield
    finally:
        _change_reason.reset(token)


def latest(meeting: Meeting) -> MinutesVersion | None:
    return meeting.minutes.order_by("-number").first()


def approved(meeting: Meeting) -> MinutesVersion | None:
    """The version of the minutes last approved, if any."""
    return meeting.minutes.filter(approved_at__isnull=False).order_by("-number").first()


def minutes_digest(text: str) -> str:
    """The SHA-256 of a version's notes, as `MinutesVersion.notes_sha256` holds it."""
    return hashlib.sha256(text.encode()).hexdigest()


def _payload(version: MinutesVersion, **more) -> dict:
    meeting = version.meeting
    return {
        "meeting": meeting.pk,
        "date": meeting.date.isoformat(),
        "version": version.number,
        "sha256": version.notes_sha256,
        **more,
    }


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)


@action
def do_propose_minutes(*, meeting: Meeting, actor) -> MinutesVersion:
    """The chair proposes the meeting's notes, as they stand, as its minutes."""
    meeting = _locked_meeting(meeting)
    _require_committee_admin(actor, meeting.committee, "propose the minutes of its meetings")
    if not meeting.notes.strip():
        raise ConditionNotMet(
            f"{meeting.committee}'s meeting of {meeting.date:%Y-%m-%d} has no notes yet: "
            "upload them first, then propose them as the minutes."
        )
    last = latest(meeting)
    if last is not None and last.notes == meeting.notes:
        state = "approved" if last.approved_at else "proposed"
        raise ConditionNotMet(
            f"These notes are already {state} as version {last.number} of the minutes."
        )
    version = MinutesVersion.objects.create(
        meeting=meeting,
        number=(last.number + 1) if last else 1,
        notes=meeting.notes,
        notes_sha256=minutes_digest(meeting.notes),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        action=events.MINUTES_PROPOSED,
        actor=actor,
        committee=meeting.committee,
        payload=_payload(version),
    )
    return version


@action
def do_approve_minutes(*, meeting: Meeting, actor, approved_in: Meeting) -> MinutesVersion:
    """Record that the members present at `approved_in`, a later meeting of the same
    committee whose attendance is recorded (and meets its meeting quorum), approved the
    minutes proposed for `meeting`."""
    meeting = _locked_meeting(meeting)
    committee = meeting.committee
    _require_committee_admin(actor, committee, "record the approval of its minutes")
    version = latest(meeting)
    if version is None or version.approved_at is not None:
        raise ConditionNotMet(
            f"No minutes of {committee}'s meeting of {meeting.date:%Y-%m-%d} wait for "
            "approval: propose the notes as the minutes first."
        )
    if version.notes != meeting.notes:
        raise ConditionNotMet(
            f"The notes changed after version {version.number} was proposed: propose them "
            "again, so that the members approve what the notes say now."
        )
    if approved_in.committee_id != committee.pk or approved_in.date <= meeting.date:
        raise LifecycleError(
            f"Minutes are approved at a later meeting of {committee}; {approved_in} is not one."
        )
    if approved_in.date > timezone.localdate():
        raise LifecycleError(
            f"The meeting of {approved_in.date:%Y-%m-%d} has not been held yet: record the "
            "approval once it has."
        )
    if not approved_in.attendance.exists():
        raise ConditionNotMet(
            f"Record who attended the meeting of {approved_in.date:%Y-%m-%d} first: the "
            "members present there approve the minutes."
        )
    seen = require_meeting_quorum(approved_in)
    version.approved_at = timezone.now()
    version.approved_in = approved_in
    version.approved_present = seen.present
    version.save(update_fields=["approved_at", "approved_in", "approved_present"])
    audit.record(
        action=events.MINUTES_APPROVED,
        actor=actor,
        committee=committee,
        payload=_payload(
            version,
            approved_in=approved_in.pk,
            approved_in_date=approved_in.date.isoformat(),
            present=seen.present,
            seated=seen.seated,
        ),
    )
    return version


def version_changed_notes(meeting: Meeting, *, actor, reason: str = "") -> None:
    """Called by the notes import once a meeting's notes changed (in its transaction):
    notes of approved minutes are frozen, so the change becomes the next version, with
    its reason (`reason`, or the one given around the import), or is refused."""
    last = latest(meeting)
    if last is None or approved(meeting) is None or last.notes == meeting.notes:
        return
    reason = (reason or _change_reason.get()).strip()
    frozen = approved(meeting)
    reason = _nonblank(
        reason,
        f"The minutes of {meeting.committee}'s meeting of {meeting.date:%Y-%m-%d} were "
        f"approved (version {frozen.number}), so its notes are frozen: a change is a new "
        "version of the minutes and needs a reason. Give the reason on the meeting's "
        "page, under “Change the approved minutes”.",
    )
    version = MinutesVersion.objects.create(
        meeting=meeting,
        number=last.number + 1,
        notes=meeting.notes,
        notes_sha256=minutes_digest(meeting.notes),
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        action=events.MINUTES_CHANGED,
        actor=actor,
        committee=meeting.committee,
        reason=reason,
        payload=_payload(version, approved_version=frozen.number),
    )
