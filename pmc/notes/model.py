"""What the parser returns, as plain frozen data, and how project names are compared."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TeamReportData:
    """One team's report in a meeting's backlog review."""

    team: str
    lead: str
    body: str


@dataclass(frozen=True)
class LifecycleMention:
    """A lifecycle item raised in a meeting: what, about which project, and how it ended.

    `kind` is one of attic, incubation, promotion, ownership, rename, other. `outcome` is
    "pending" (raised, not decided), "approved", "rejected", "deferred" or "completed"
    (reported as done). `tier` says how explicit the text is: "core" (a proposal, vote,
    nomination or decision), "secondary" (a team reports a change as done or intended)
    or "implicit" (only where a project is listed says it).

    `confidence` is "high" when the wording leaves no doubt (an explicit proposal, vote,
    nomination or decision in a lifecycle section) and "low" otherwise (a passing mention
    in a team report, an item read from where a project is listed); `rule` names the
    reading rule that found the item, which is what justifies the confidence. `number`
    is the proposal's number when the line carries it (`[#12]`), 0 otherwise. The
    evidence is `line` (and `lines`), `section` and the quoted `excerpt`.
    """

    kind: str
    subject: str
    project: str
    line: int
    section: str
    excerpt: str
    tier: str = "core"
    outcome: str = "pending"
    decision: str = ""
    condition: str = ""
    proposing_team: str = ""
    new_name: str = ""
    new_lead: str = ""
    repository_url: str = ""
    committee_hint: str = ""
    summary: str = ""
    lines: tuple[int, ...] = ()
    confidence: str = "high"
    rule: str = ""
    number: int = 0

    @property
    def key(self) -> str:
        """What identifies the proposal: its number when the notes give it (`numbers`),
        else its kind and its project's name, normalised."""
        if self.number:
            return f"proposal:{self.number}"
        return f"{self.kind}:{normalized_name(self.project)}"


@dataclass(frozen=True)
class MeetingNotes:
    """One meeting's notes, read."""

    name: str
    committee: str
    date: datetime.date
    title: str
    text: str
    original: str
    sha256: str
    source: str
    repairs: tuple[str, ...] = ()
    cancelled: bool = False
    team_reports: tuple[TeamReportData, ...] = ()
    mentions: tuple[LifecycleMention, ...] = ()


@dataclass(frozen=True)
class NotMeeting:
    """A file that is not meeting notes (template, README, image, ...)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Unreadable:
    """A file that should be meeting notes but cannot be read."""

    name: str
    reason: str


def normalized_name(name: str) -> str:
    """A project name reduced for comparison: "Diego-Enabler" and "diego enabler" match."""
    return re.sub(r"[\W_]+", "", name.casefold())
