"""Scheduling: a chair schedules their committee's next meeting, edits or cancels it, and
puts points and proposals on its agenda before it is held.

A scheduled meeting is a `Meeting` with a start time and no notes yet; the notes, when
uploaded for the same committee and day, fill that very meeting (`do_import_meeting`
finds it by committee and date). A cancelled meeting stays, marked so.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from pmc.models import Committee, Meeting
from proposals import audit, events
from proposals.actions._base import (
    _apply_changes,
    _require_committee_admin,
    _single_line,
    action,
)
from proposals.errors import LifecycleError
from proposals.models import AgendaItem, Proposal
from proposals.states import FINAL_STATES

_HTTPS = URLValidator(schemes=["https"])
NOTE_MAX_CHARS = 2000


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise LifecycleError(
            f"“{name}” is no time zone; choose one by its place, e.g. Europe/Berlin or UTC."
        ) from None


def _checked(
    committee: Committee,
    *,
    starts_at: datetime.datetime,
    time_zone: str,
    call_link: str,
    note: str,
    meeting: Meeting | None = None,
) -> dict:
    """The meeting's fields from what the chair gave, or a refusal saying what to fix."""
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=_zone(time_zone))
    else:
        _zone(time_zone)
    if starts_at <= timezone.now():
        raise LifecycleError(
            "A meeting is scheduled ahead: choose a time in the future (to record a meeting "
            "already held, upload its notes)."
        )
    call_link = call_link.strip()
    if call_link:
        try:
            _HTTPS(call_link)
        except ValidationError:
            raise LifecycleError(
                "The call link must be a full https:// address, e.g. https://meet.example.org/pmc."
            ) from None
    note = note.strip()
    if len(note) > NOTE_MAX_CHARS:
        raise LifecycleError(
            f"The note is {len(note):,} characters; keep it to {NOTE_MAX_CHARS:,}."
        )
    date = starts_at.astimezone(_zone(time_zone)).date()
    taken = Meeting.objects.filter(committee=committee, date=date)
    if meeting is not None:
        taken = taken.exclude(pk=meeting.pk)
    if taken.exists():
        raise LifecycleError(
            f"{committee} already has a meeting on {date:%Y-%m-%d}; choose another day or edit "
            "that meeting."
        )
    return {
        "date": date,
        "starts_at": starts_at.astimezone(datetime.UTC),
        "time_zone": time_zone,
        "call_link": call_link,
        "schedule_note": note,
    }


def _payload(meeting: Meeting, **extra) -> dict:
    return {
        "meeting": meeting.pk,
        "date": meeting.date.isoformat(),
        "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else "",
        "time_zone": meeting.time_zone,
        "local": meeting.local_start_label,
        **extra,
    }


def _locked_scheduled(meeting: Meeting | int, verb: str) -> Meeting:
    """The meeting, locked, while it is still to be held: one whose notes are in or that
    was cancelled is no longer changed here."""
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    locked = Meeting.objects.select_for_update().select_related("committee").get(pk=pk)
    if locked.cancelled_at is not None:
        raise LifecycleError(
            f"The meeting of {locked.date:%Y-%m-%d} was cancelled; schedule a new one instead."
        )
    if not locked.is_scheduled:
        raise LifecycleError(
            f"The meeting of {locked.date:%Y-%m-%d} has its notes; only a scheduled meeting "
            f"can {verb}."
        )
    return locked


@action
def do_schedule_meeting(
    *,
    actor,
    committee: Committee,
    starts_at: datetime.datetime,
    time_zone: str,
    call_link: str = "",
    note: str = "",
) -> Meeting:
    """Schedule a meeting of `committee` (its chair, or an administrator). A naive
    `starts_at` is read in `time_zone`; the meeting's day is the day there."""
    _require_committee_admin(actor, committee, "schedule its meetings")
    fields = _checked(
        committee, starts_at=starts_at, time_zone=time_zone, call_link=call_link, note=note
    )
    meeting = Meeting.objects.create(
        committee=committee,
        title=f"{committee} meeting {fields['date']:%Y-%m-%d}",
        **fields,
    )
    audit.record(
        action=events.MEETING_SCHEDULED,
        actor=actor,
        committee=committee,
        payload=_payload(meeting, call_link=meeting.call_link),
    )
    return meeting


@action
def do_reschedule_meeting(
    *,
    actor,
    meeting: Meeting | int,
    starts_at: datetime.datetime,
    time_zone: str,
    call_link: str = "",
    note: str = "",
    reason: str = "",
) -> Meeting:
    """Change a scheduled meeting's time, link or note; the event lists what changed."""
    meeting = _locked_scheduled(meeting, "be edited")
    _require_committee_admin(actor, meeting.committee, "reschedule its meetings")
    fields = _checked(
        meeting.committee,
        starts_at=starts_at,
        time_zone=time_zone,
        call_link=call_link,
        note=note,
        meeting=meeting,
    )
    changed = _apply_changes(meeting, fields, shown=str)
    if not changed:
        raise LifecycleError("Nothing changed: change the time, the link or the note.")
    if "date" in changed:
        meeting.title = f"{meeting.committee} meeting {meeting.date:%Y-%m-%d}"
    meeting.save()
    audit.record(
        action=events.MEETING_RESCHEDULED,
        actor=actor,
        committee=meeting.committee,
        reason=reason,
        payload=_payload(meeting, changed=changed),
    )
    return meeting


@action
def do_cancel_meeting(*, actor, meeting: Meeting | int, reason: str = "") -> Meeting:
    """Cancel a scheduled meeting: it stays, marked cancelled, with its agenda."""
    meeting = _locked_scheduled(meeting, "be cancelled")
    _require_committee_admin(actor, meeting.committee, "cancel its meetings")
    _single_line(reason=reason)
    meeting.cancelled_at = timezone.now()
    meeting.save(update_fields=["cancelled_at"])
    audit.record(
        action=events.MEETING_CANCELLED,
        actor=actor,
        committee=meeting.committee,
        reason=reason.strip(),
        payload=_payload(meeting),
    )
    return meeting


@action
def do_add_agenda_item(*, actor, meeting: Meeting | int, text: str) -> AgendaItem:
    """Put a point (one line) on a scheduled meeting's agenda."""
    meeting = _locked_scheduled(meeting, "take agenda items")
    _require_committee_admin(actor, meeting.committee, "add to its agendas")
    text = " ".join(text.split())
    if not text:
        raise LifecycleError("Write the point to put on the agenda.")
    limit = AgendaItem._meta.get_field("text").max_length
    if len(text) > limit:
        raise LifecycleError(f"An agenda point is one line of at most {limit} characters.")
    item = AgendaItem.objects.create(meeting=meeting, text=text, added_by=actor)
    audit.record(
        action=events.AGENDA_ITEM_ADDED,
        actor=actor,
        committee=meeting.committee,
        payload=_payload(meeting, item=item.pk, text=text),
    )
    return item


@action
def do_put_proposal_on_agenda(
    *, actor, meeting: Meeting | int, proposal: Proposal | int
) -> AgendaItem:
    """Put one of the committee's open proposals on a scheduled meeting's agenda."""
    meeting = _locked_scheduled(meeting, "take agenda items")
    _require_committee_admin(actor, meeting.committee, "add to its agendas")
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    proposal = Proposal.objects.filter(pk=pk).first()
    if proposal is None or proposal.committee_id != meeting.committee_id:
        raise LifecycleError(f"#{pk} is no proposal of {meeting.committee}.")
    if proposal.state in FINAL_STATES:
        raise LifecycleError(
            f"#{proposal.pk} is {proposal.get_state_display().lower()}; only open proposals go "
            "on an agenda."
        )
    if AgendaItem.objects.filter(meeting=meeting, proposal=proposal).exists():
        raise LifecycleError(f"#{proposal.pk} is on the agenda already.")
    item = AgendaItem.objects.create(meeting=meeting, proposal=proposal, added_by=actor)
    audit.record(
        action=events.AGENDA_PROPOSAL_ADDED,
        actor=actor,
        committee=meeting.committee,
        proposal=proposal,
        payload=_payload(meeting, item=item.pk, title=proposal.title),
    )
    return item
