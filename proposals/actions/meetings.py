"""Meetings: importing a committee's meeting and its team reports from a notes file."""

from __future__ import annotations

import datetime

from django.utils import timezone

from pmc.models import Committee, Meeting, TeamReport, meeting_time
from proposals import audit, events
from proposals.actions._base import _require_committee_admin, action
from proposals.actions.minutes import version_changed_notes

MEETING_IMPORT_FIELDS = ("title", "notes", "original_notes", "source", "source_sha256")


@action
def do_import_meeting(
    *,
    actor,
    committee: Committee,
    date: datetime.date,
    title: str,
    notes: str,
    original_notes: str = "",
    source: str = "",
    source_sha256: str = "",
    team_reports: tuple[tuple[str, str, str], ...] = (),
    reason: str = "",
) -> tuple[Meeting, str, list[str]]:
    """Create or update the meeting of `committee` on `date` from a notes file, with
    its team reports as (team, lead, body).

    A meeting scheduled ahead (`actions.scheduling`) is filled, not doubled: its first
    notes count as "created". Returns the meeting, "created", "updated" or "unchanged",
    and the fields that changed. A created meeting is recorded at its date; an update
    at the time it is made, with the fields and teams that changed.
    """
    _require_committee_admin(actor, committee)
    # One meeting per committee and day: unordered (the default ordering joins the
    # committees, whose row it would lock too).
    meeting = (
        Meeting.objects.select_for_update()
        .filter(committee=committee, date=date)
        .order_by()
        .first()
    )
    values = {
        "title": (title.strip() or f"{committee} meeting {date:%Y-%m-%d}")[:300],
        "notes": notes,
        "original_notes": original_notes,
        "source": source[:500],
        "source_sha256": source_sha256,
    }
    reports = [(team[:200], lead[:200], body) for team, lead, body in team_reports]
    created = meeting is None
    # A meeting scheduled ahead gets its first notes: they fill it, as a new import does.
    first_notes = created or meeting.is_scheduled
    if first_notes:
        meeting = meeting or Meeting(committee=committee, date=date)
        before: list[tuple[str, str, str]] = []
        changed = [field for field in MEETING_IMPORT_FIELDS if values[field]]
    else:
        before = list(meeting.team_reports.order_by("position", "id").values_list(
            "team", "lead", "body"
        ))  # fmt: skip
        changed = [
            field for field in MEETING_IMPORT_FIELDS if getattr(meeting, field) != values[field]
        ]
    if before != reports:
        changed.append("team_reports")
    if not changed:
        return meeting, "unchanged", []
    for field, value in values.items():
        setattr(meeting, field, value)
    meeting.imported_at = timezone.now()
    meeting.save()
    if not created and "notes" in changed:
        version_changed_notes(meeting, actor=actor)  # approved minutes: refused without a reason
    if "team_reports" in changed:
        if not first_notes:
            meeting.team_reports.all().delete()
        TeamReport.objects.bulk_create(
            TeamReport(meeting=meeting, position=i, team=team, lead=lead, body=body)
            for i, (team, lead, body) in enumerate(reports)
        )
    teams_before = [(team, lead) for team, lead, _ in before]
    teams_after = [(team, lead) for team, lead, _ in reports]
    audit.record(
        action=events.MEETING_IMPORTED if first_notes else events.MEETING_UPDATED,
        actor=actor,
        at=meeting_time(date) if first_notes else None,
        committee=committee,
        reason=reason,
        payload={
            "meeting": meeting.pk,
            "date": date.isoformat(),
            "source": meeting.source,
            "sha256": meeting.source_sha256,
            "changed": changed,
            "team_reports": len(reports),
            "teams_added": [_team_label(t) for t in teams_after if t not in teams_before],
            "teams_removed": [_team_label(t) for t in teams_before if t not in teams_after],
        },
    )
    return meeting, "created" if first_notes else "updated", changed


def _team_label(team_and_lead: tuple[str, str]) -> str:
    team, lead = team_and_lead
    return f"{team} ({lead or 'no lead'})"
