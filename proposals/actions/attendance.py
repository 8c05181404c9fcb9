"""Attendance: who was at a committee's meeting, and the meeting quorum that decisions
recorded in it need."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from pmc.models import Attendance, Committee, Meeting, Membership
from proposals import audit, events
from proposals.actions._base import _require_committee_admin, _single_line, action
from proposals.errors import ConditionNotMet, LifecycleError


@dataclass(frozen=True)
class Presence:
    """How many binding members attended a meeting (None: nobody recorded who did), of
    how many held a seat on its date, and the committee's meeting quorum (0: none)."""

    present: int | None
    seated: int
    quorum: int

    @property
    def known(self) -> bool:
        return self.present is not None

    @property
    def quorate(self) -> bool:
        return self.quorum == 0 or (self.present is not None and self.present >= self.quorum)

    def payload(self) -> dict:
        """What a decision's event records of it."""
        return {"present": self.present, "seated": self.seated, "quorum": self.quorum}


def presence(meeting: Meeting) -> Presence:
    """Who counted at `meeting`: three queries, whatever the size of the committee. The
    quorum is read from the database, not from the meeting's committee as loaded, which
    may predate a change of the rules."""
    rows = list(meeting.attendance.values_list("binding", flat=True))
    return Presence(
        present=sum(rows) if rows else None,
        seated=_seated(meeting).values("user_id").distinct().count(),
        quorum=Committee.objects.values_list("meeting_quorum", flat=True).get(
            pk=meeting.committee_id
        ),
    )


def require_meeting_quorum(meeting: Meeting) -> Presence:
    """Refuse a decision taken in a meeting below its committee's quorum, saying what the
    chair can do about it."""
    seen = presence(meeting)
    if seen.quorate:
        return seen
    committee = meeting.committee
    needs = f"{committee} decides with at least {seen.quorum} present"
    if not seen.known:
        raise ConditionNotMet(
            f"Who attended {committee}'s meeting of {meeting.date:%Y-%m-%d} is not recorded; "
            f"{needs}. Record who attended, or decide by vote."
        )
    raise ConditionNotMet(
        f"{seen.present} of {seen.seated} members attended; {needs}. "
        "Record who attended, or decide by vote."
    )


def _seated(meeting: Meeting):
    return Membership.objects.active(on=meeting.date).filter(committee_id=meeting.committee_id)


@action
def do_record_attendance(
    *, meeting: Meeting, actor, members: Iterable = (), guests: Iterable[str] = ()
) -> list[Attendance]:
    """Record who attended `meeting`, replacing what was recorded before: `members`
    (users, or their ids) held a seat on the committee on the meeting's date and count
    for its quorum; `guests` are people without a seat, by name."""
    meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
    _require_committee_admin(actor, meeting.committee, "record who attended its meetings")
    member_ids = sorted({getattr(member, "pk", member) for member in members})
    seated = set(_seated(meeting).filter(user_id__in=member_ids).values_list("user_id", flat=True))
    unseated = [pk for pk in member_ids if pk not in seated]
    if unseated:
        names = ", ".join(
            str(user) for user in get_user_model().objects.filter(pk__in=unseated).order_by("pk")
        ) or ", ".join(map(str, unseated))
        raise LifecycleError(
            f"{names} held no seat on {meeting.committee} on {meeting.date:%Y-%m-%d}; "
            "add them as guests by name."
        )
    guest_names = []
    for name in guests:
        name = " ".join(name.split())
        if name and name.casefold() not in {g.casefold() for g in guest_names}:
            guest_names.append(name[:200])
    _single_line(guests=guest_names)
    before = _recorded(meeting)
    meeting.attendance.all().delete()
    rows = Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, user_id=pk, binding=True) for pk in member_ids]
        + [Attendance(meeting=meeting, guest_name=name) for name in guest_names]
    )
    usernames = dict(
        get_user_model().objects.filter(pk__in=member_ids).values_list("pk", "username")
    )
    after = {
        "members": [usernames[pk] for pk in member_ids],
        "guests": sorted(guest_names, key=str.casefold),
    }
    if after != before:
        audit.record(
            action=events.MEETING_ATTENDANCE_RECORDED,
            actor=actor,
            committee=meeting.committee,
            payload={
                "meeting": meeting.pk,
                "date": meeting.date.isoformat(),
                **after,
                "present": len(member_ids),
                "seated": _seated(meeting).values("user_id").distinct().count(),
                "before": before,
            },
        )
    return rows


def _recorded(meeting: Meeting) -> dict:
    rows = meeting.attendance.select_related("user").order_by("user_id", "guest_name")
    return {
        "members": [row.user.username for row in rows if row.user_id is not None],
        "guests": sorted((row.guest_name for row in rows if row.user_id is None), key=str.casefold),
    }
