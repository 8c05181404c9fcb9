"""Reading PMC meeting notes: markdown text in, plain data out.

The notes were written by hand over years, so the parser is lenient about heading
levels, dashes and where the lead's name sits. It only reads; turning the data into
rows is the importer's job, which is why nothing here imports from `proposals`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ftfy

_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_BACKLOG = re.compile(r"backlog", re.IGNORECASE)
# H2 headings that are meeting sections, not teams: they end a backlog section whose
# teams are written as H2 headings too (the 2015 template).
_MEETING_SECTION = re.compile(
    r"^(agenda|attendees|announcements?|pmc lifecycle|lifecycle|(open )?discussion|proposals?"
    r"|action items|new business|next meeting|zoom)\b",
    re.IGNORECASE,
)
_UPDATE_ON = re.compile(r"^update on\s+(?P<rest>.+)$", re.IGNORECASE)
_DASHED = re.compile(r"^(?P<team>.+?)\s+[-–—]\s+(?P<lead>.*)$")
_PARENTHESISED = re.compile(r"^(?P<team>.+?)\s*\((?P<lead>[^()]*)\)$")
_INCUBATING = re.compile(r"\s*\(incubating\)", re.IGNORECASE)
_NO_LEAD = {"", "?", "vacant", "tbd", "none", "n/a"}


@dataclass(frozen=True)
class TeamReportData:
    """One team's report in a meeting's backlog review."""

    team: str
    lead: str
    body: str


def fix_encoding(text: str) -> str:
    """Repair text that was decoded with the wrong codec ("KÃ¶per" -> "Köper")."""
    return ftfy.fix_encoding(text)


def parse_team_reports(text: str) -> list[TeamReportData]:
    """The team reports of a meeting's backlog review, in the order they appear.

    Teams are the H3 headings under an H2 heading that names the backlog ("Backlog
    Reviews", "Current Backlogs and Priorities"), H2 headings that follow such a
    section until the next meeting section, and "## Update on Team (Lead)" headings.
    A heading reads "Team - Lead" (any dash) or "Team (Lead)"; without a lead, or
    with "(vacant)" or "(?)", the lead is "".
    """
    lines = text.splitlines()
    reports: list[TeamReportData] = []
    current: tuple[str, str, int, int] | None = None  # team, lead, level, first body line
    in_backlog = False

    def close(end: int) -> None:
        if current is not None:
            team, lead, _, start = current
            reports.append(TeamReportData(team, lead, "\n".join(lines[start:end]).strip()))

    for index, level, title in _headings(lines):
        if current is not None and level <= current[2]:
            close(index)
            current = None
        if level == 2:
            update = _UPDATE_ON.match(title)
            if _BACKLOG.search(title):
                in_backlog = True
                continue
            if update is None and (not in_backlog or _MEETING_SECTION.match(title)):
                in_backlog = False
                continue
            team, lead = _team_and_lead(update["rest"] if update else title)
        elif level == 3 and in_backlog:
            team, lead = _team_and_lead(title)
        else:
            continue
        current = (team, lead, level, index + 1)
    close(len(lines))
    return reports


def _headings(lines: list[str]):
    """(line index, level, title) of each ATX heading outside fenced code."""
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            yield index, len(match["hashes"]), match["title"]


def _team_and_lead(title: str) -> tuple[str, str]:
    title = _INCUBATING.sub("", title).strip()
    match = _DASHED.match(title)
    if match is None:
        match = _PARENTHESISED.match(title)
        # "(BBR)" is the team's acronym, not its lead.
        if match is not None and match["lead"].isupper():
            match = None
    if match is None:
        return title, ""
    lead = match["lead"].strip().strip("()").strip()
    return match["team"].strip(), "" if lead.lower() in _NO_LEAD else lead
