"""Every revision of a proposal's text, read back from the event log.

Each edit (`actions.do_edit_proposal`, also behind the admin and the readings review)
writes a `proposal.edited` event that holds every changed field's value before and
after, and the number of the revision it made. So the text as it stood at any
revision is the current one with the later edits undone, newest first: the log, which
is append-only and hash-chained, is where earlier texts live, and nothing is stored
twice. This has held since the first version, so the edits made before these pages
existed have their revisions too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from proposals import events
from proposals.actions.proposals import TEXT_FIELDS
from proposals.models import Event, Proposal
from proposals.text_diff import Row, diff_lines, diff_words

# How each revised field is named on the pages, in the order they are shown.
LABELS = {
    "title": "Title",
    "project": "Project",
    "new_name": "New name",
    "new_lead": "New lead",
    "condition": "Waiting for",
    "body": "Text",
}


@dataclass(frozen=True)
class Revision:
    """The proposal's text as one edit left it (or as it was filed, for revision 1)."""

    number: int
    fields: dict[str, str]
    event: Event | None  # the edit that made it; the filing for revision 1, if logged

    @property
    def at(self) -> datetime.datetime | None:
        return self.event.at if self.event else None

    @property
    def changed(self) -> list[str]:
        """The names of the fields this revision changed, in the order the pages show
        them."""
        if self.number == 1 or self.event is None:
            return []
        changed = self.event.payload.get("changed") or {}
        return [label for field, label in LABELS.items() if field in changed]


@dataclass(frozen=True)
class FieldChange:
    """One field of the text, before and after a revision."""

    field: str
    label: str
    before: str
    after: str
    rows: list[Row]


def revisions(proposal: Proposal) -> list[Revision]:
    """The proposal's revisions, oldest first, the last one its current text. One query
    (its filing and edits, with their actors)."""
    logged = list(
        proposal.events.filter(action__in=[events.PROPOSAL_CREATED, events.PROPOSAL_EDITED])
        .select_related("actor")
        .order_by("id")
    )
    filed = next((e for e in logged if e.action == events.PROPOSAL_CREATED), None)
    edits = [e for e in logged if e.action == events.PROPOSAL_EDITED and _revises(e)]
    text = {field: _current(proposal, field) for field in LABELS}
    found = []
    for edit in reversed(edits):
        found.append(Revision(edit.payload.get("revision", 0), dict(text), edit))
        for field, change in edit.payload["changed"].items():
            if field in text:
                text[field] = _plain(change.get("from"))
    found.append(Revision(1, text, filed))
    found.reverse()
    return found


def changes(revision: Revision, previous: Revision) -> list[FieldChange]:
    """What changed in each field from `previous` to `revision`, in page order."""
    found = []
    for field, label in LABELS.items():
        before, after = previous.fields[field], revision.fields[field]
        if before == after:
            continue
        rows = diff_lines(before, after) if field == "body" else list(diff_words(before, after))
        found.append(FieldChange(field, label, before, after, rows))
    return found


def _revises(edit: Event) -> bool:
    changed = edit.payload.get("changed") or {}
    return any(field in TEXT_FIELDS for field in changed)


def _current(proposal: Proposal, field: str) -> str:
    if field == "project":
        return proposal.project.name if proposal.project_id else ""
    return getattr(proposal, field)


def _plain(value) -> str:
    return "" if value is None else str(value)
