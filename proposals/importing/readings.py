"""The readings of one imported file (`FileReadings`): each lifecycle item the import
read, recorded with its evidence and the proposal it became, and what a chair made of
the items read before (a dismissed one is not imported again, a corrected one is
imported as corrected, a merged one goes to the proposal it was merged into).

The readings of a file are read in one query and written together, in bulk, once the
file's items are imported. A reading the edited file no longer has is kept, marked as no
longer in the notes (`in_notes`); it comes back if the item does.
"""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from pmc.models import Meeting
from pmc.notes import LifecycleMention
from proposals import audit, events
from proposals.models import Reading
from proposals.states import ReadingStatus

LEFT_OUT = "Left out when the notes were uploaded."

# What a new import of the file says about an item it read before.
_AS_READ = (
    "kind",
    "subject",
    "outcome",
    "new_name",
    "new_lead",
    "tier",
    "confidence",
    "rule",
    "line",
    "section",
    "quote",
)
# What importing the item did.
_DONE = ("proposal", "held", "taken", "created_proposal", "in_notes")
# What leaving an item out records.
_REVIEW = ("status", "reviewed_by", "reviewed_at", "review_reason")

# The fields of an item a chair's correction may change, as `correction` stores them.
CORRECTABLE = ("kind", "project", "new_name", "new_lead", "outcome")


def _limited(field: str, text: str) -> str:
    return text[: Reading._meta.get_field(field).max_length]


def _as_read(mention: LifecycleMention) -> dict:
    return {
        "kind": mention.kind,
        "subject": _limited("subject", mention.project or mention.subject),
        "outcome": mention.outcome,
        "new_name": _limited("new_name", mention.new_name),
        "new_lead": _limited("new_lead", mention.new_lead),
        "tier": mention.tier,
        "confidence": mention.confidence,
        "rule": _limited("rule", mention.rule),
        "line": max(mention.line, 0),
        "section": _limited("section", mention.section),
        "quote": mention.excerpt,
    }


def corrected(mention: LifecycleMention, reading: Reading) -> LifecycleMention:
    """The item as a chair corrected its reading (the item itself if they did not)."""
    if reading.status != ReadingStatus.CORRECTED or not reading.correction:
        return mention
    changes = {
        field: reading.correction[field]
        for field in CORRECTABLE
        if reading.correction.get(field) is not None
    }
    if "project" in changes:
        # Found by the corrected name, not by the repository or subject read.
        changes.update(subject=changes["project"], repository_url="")
    return dataclasses.replace(mention, **changes)


class FileReadings:
    """The readings of one file's items: those recorded by an earlier import of it, by
    key, and those recorded now; `save` writes them."""

    def __init__(self, meeting: Meeting, *, actor, new: bool, leave_out: set[str]) -> None:
        self.meeting, self.actor, self.leave_out = meeting, actor, leave_out
        self.before: dict[str, Reading] = {}
        if not new:  # a meeting created now has no readings yet
            self.before = {reading.key: reading for reading in meeting.readings.all()}
        self.now: dict[str, Reading] = {}
        self.left_out: list[tuple[Reading, str]] = []  # with its status before

    def read(self, mention: LifecycleMention) -> Reading:
        """The item's reading, as the file has it now: the one recorded before or a new
        one. A second item of the same key in the file shares the first one's."""
        key = mention.key
        if key in self.now:
            return self.now[key]
        reading = self.before.get(key) or Reading(meeting=self.meeting, key=key)
        for field, value in _as_read(mention).items():
            setattr(reading, field, value)
        reading.in_notes = True
        if key in self.leave_out and reading.status != ReadingStatus.DISMISSED:
            self.left_out.append((reading, reading.status))
            reading.status = ReadingStatus.DISMISSED
            reading.reviewed_by = None if getattr(self.actor, "is_system", False) else self.actor
            reading.reviewed_at = timezone.now()
            reading.review_reason = LEFT_OUT
        self.now[key] = reading
        return reading

    def save(self) -> None:
        """Write the readings of the file: new ones in one query, those read before in
        another; those the file no longer has are marked so."""
        Reading.objects.bulk_create([r for r in self.now.values() if r.pk is None])
        again = [r for r in self.now.values() if r.key in self.before]
        if again:
            Reading.objects.bulk_update(again, [*_AS_READ, *_DONE, *_REVIEW])
        gone = [r.pk for key, r in self.before.items() if key not in self.now and r.in_notes]
        if gone:
            Reading.objects.filter(pk__in=gone).update(in_notes=False)
        if self.left_out:
            self.record_left_out()

    def record_left_out(self) -> None:
        meeting = self.meeting
        audit.record_many(
            [
                audit.new_event(
                    action=events.READING_DISMISSED,
                    actor=self.actor,
                    committee=meeting.committee,
                    reason=LEFT_OUT,
                    payload={
                        "reading": reading.pk,
                        "meeting": meeting.pk,
                        "date": meeting.date.isoformat(),
                        "key": reading.key,
                        "left_out": True,
                        "before": {"status": str(status)},
                        "after": {"status": ReadingStatus.DISMISSED.value},
                    },
                )
                for reading, status in self.left_out
            ]
        )
