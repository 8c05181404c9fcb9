"""What an import did, or would do: one lifecycle item's proposal (`ProposalChange`),
one file (`FileResult`) and the whole import with its summary table (`ImportResult`)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ProposalChange:
    """What importing one lifecycle item did (or would do) to its proposal."""

    kind: str
    project: str
    action: str  # created, linked, updated, unchanged, suggested, failed
    proposal_id: int | None = None
    title: str = ""
    state: str = ""
    steps: list[str] = field(default_factory=list)
    note: str = ""
    suggested_to: str = ""  # the committee whose chair is asked to confirm the link

    def line(self) -> str:
        text = f"{self.kind} {self.project}: proposal"
        text += f" #{self.proposal_id}" if self.proposal_id else ""
        text += f" {self.action}"
        if self.steps:
            text += f", {' -> '.join(self.steps)}"
        if self.state:
            text += f" ({self.state})"
        if self.note:
            text += f"; {self.note}"
        return text


@dataclass
class FileResult:
    """What importing one file did (or would do)."""

    name: str
    status: str  # created, updated, unchanged, skipped, failed
    reason: str = ""
    committee: str = ""
    date: datetime.date | None = None
    meeting_id: int | None = None
    team_reports: int = 0
    changed: list[str] = field(default_factory=list)
    repairs: tuple[str, ...] = ()
    proposals: list[ProposalChange] = field(default_factory=list)
    unlinked: int = 0  # proposals the edited notes no longer mention
    # The lifecycle items read in the file (`pmc.notes.LifecycleMention`), as read: what
    # a preview lists, each with its evidence, confidence and rule.
    readings: tuple = ()

    def lines(self, *, details: bool = True) -> list[str]:
        head = f"{self.status:<9} {self.name}"
        if self.status in ("skipped", "failed"):
            return [f"{head}: {self.reason}"]
        meeting = f"{self.committee} {self.date:%Y-%m-%d}" if self.date else self.committee
        parts = [meeting]
        if self.status != "unchanged":
            parts.append(f"{self.team_reports} team report(s)")
            created = sum(1 for p in self.proposals if p.action == "created")
            linked = sum(1 for p in self.proposals if p.action in ("linked", "updated"))
            items = f"{len(self.proposals)} lifecycle item(s): {created} new, {linked} linked"
            suggested = sum(1 for p in self.proposals if p.action == "suggested")
            if suggested:
                items += f", {suggested} suggested to another committee's chair"
            parts.append(items)
        if self.status == "updated" and self.changed:
            parts.append(f"changed: {', '.join(self.changed)}")
        if self.unlinked:
            parts.append(f"{self.unlinked} proposal(s) no longer mentioned, unlinked")
        if self.repairs:
            parts.append("; ".join(self.repairs))
        lines = [f"{head}: {', '.join(parts)}"]
        if details:
            lines += [f"          - {change.line()}" for change in self.proposals]
        return lines


_SUMMARY_ROWS = {
    "meetings created": "created",
    "meetings updated": "updated",
    "meetings unchanged": "unchanged",
    "files skipped": "skipped",
    "files failed": "failed",
    "team reports": "team reports",
    "proposals created": "proposals created",
    "proposals linked": "proposals linked",
}


@dataclass
class ImportResult:
    """The outcome of an import, or of a dry run (`dry_run`: nothing was kept).

    `files` holds every file's result, unless the import was told to hand each result
    to a callback instead (`on_file`), which keeps memory flat for large imports; the
    totals are kept either way.
    """

    dry_run: bool = False
    files: list[FileResult] = field(default_factory=list)
    totals: Counter = field(default_factory=Counter)

    def add(self, result: FileResult, *, keep: bool = True) -> None:
        self.totals[result.status] += 1
        self.totals["team reports"] += result.team_reports
        for change in result.proposals:
            if change.action == "created":
                self.totals["proposals created"] += 1
            elif change.action in ("linked", "updated"):
                self.totals["proposals linked"] += 1
        if keep:
            self.files.append(result)

    @property
    def ok(self) -> bool:
        return not self.totals["failed"]

    def count(self, status: str) -> int:
        return self.totals[status]

    def counts(self) -> dict[str, int]:
        return {row: self.totals[key] for row, key in _SUMMARY_ROWS.items()}

    def summary(self) -> str:
        counts = self.counts()
        width = max(len(key) for key in counts)
        digits = max(len(str(value)) for value in counts.values())
        title = "Summary (dry run: nothing was written)" if self.dry_run else "Summary"
        rows = [f"  {key:<{width}}  {value:>{digits}}" for key, value in counts.items()]
        return "\n".join([title, *rows])

    def lines(self, *, details: bool = True) -> list[str]:
        return [line for result in self.files for line in result.lines(details=details)]

    def __str__(self) -> str:
        return "\n".join([*self.lines(), self.summary()])
