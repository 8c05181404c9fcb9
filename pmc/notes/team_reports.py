"""Team reports: the teams that report in a meeting's backlog review, their leads, and
the lines of each report."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pmc.notes.model import TeamReportData, normalized_name
from pmc.notes.people import lead_names, looks_like_name
from pmc.notes.structure import Document, plain_heading

_BACKLOG = re.compile(r"backlog", re.IGNORECASE)
# Headings that are meeting sections, not teams: they end a backlog section whose teams
# are written as H2 headings too (the 2015 template).
MEETING_SECTION = re.compile(
    r"^\W*(agenda|attendees|attendance|participants|present|roll ?call|announcements?"
    r"|pmc lifecycle|lifecycle|(open )?discussions?|proposals?|action items|new business"
    r"|old business|other business|any other|other topics|next meeting|zoom|dial|call info"
    r"|meeting info|logistics|chat|q ?& ?a|questions|notes|minutes|recording|links"
    r"|resources|appendix|appendices|when|where)\b",
    re.IGNORECASE,
)
# H2 headings whose H3 headings are teams or projects reporting.
REPORT_SECTION = re.compile(
    r"^(?:(?:team |project |status )?updates?|(?:team |project )?(?:status|reports?)"
    r"|projects?|teams?|incubating|active|graduated|under review|attic|retired"
    r"|to be retired|archived|misc)$",
    re.IGNORECASE,
)
# A status report that opens with a table of contents has a team in each H2 heading after.
_CONTENTS = re.compile(r"^\W*(?:table\s+of\s+)?contents\W*$", re.IGNORECASE)
# "### [Service Fabrik](https://github.com/...)": a heading that is a link names a project.
_LINKED = re.compile(r"^\W*\[[^\]]+\]\([^)\s]+\)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?P<text>\S.*)$")
_PROJECTS_H1 = re.compile(r"^\W*(projects?|teams?|project updates|team updates)\W*$", re.I)
_UPDATE_ON = re.compile(r"^update on\s+(?P<rest>.+)$", re.IGNORECASE)
# Sub-headings of a team's report, even when written at the team headings' level.
_SUBTOPIC = re.compile(
    r"^\W*(?:v?\d+(?:\.\d+)+|v\d+\b|\d{1,4}[-/]\d{1,2}|`|\(?as of\b"
    r"|(?:release notes?|releases?|highlights|(?:new )?features?|bug ?fixes|fixes|bugs"
    r"|improvements|enhancements|changes|changelog|breaking changes|known issues|notes"
    r"|upcoming|next(?: steps| up)?|in progress|in flight|done|completed|recent(?: work)?"
    r"|current(?: work)?|plans?|roadmap|priorities|blockers|asks|help wanted|questions"
    r"|misc(?:ellaneous)?|other|updates?|status|this (?:week|sprint|iteration)"
    r"|last (?:week|sprint|iteration)|since (?:the )?last|security|cves?|deprecations?"
    r"|what'?s (?:new|changed)|new contributors|full changelog|contributors|assets"
    r"|installation|upgrad(?:e|ing)|compatibility|dependencies|acknowledg\w*|summary"
    r"|details|background|thanks)\b)",
    re.IGNORECASE,
)
_DASHED = re.compile(r"^(?P<team>.+?)\s+[-–—]+\s+(?P<lead>.*)$")
# "Team (Lead)", also with a remark in the lead's own parentheses: "(Lead (OOO until 9/13))".
_PARENTHESISED = re.compile(r"^(?P<team>.+?)\s*\((?P<lead>[^()]*(?:\([^()]*\)?[^()]*)?)\)$")
# "(incubating)", "(proposed incubating)", "(proposed)": the team's status, not its name.
_INCUBATING = re.compile(
    r"\s*\(\s*(?:proposed\s+(?:for\s+)?)?(?:incubat(?:ing|ion)|proposed)(?:\s+proposal)?\s*\)",
    re.IGNORECASE,
)
_NO_LEAD = {"", "?", "??", "vacant", "tbd", "tba", "none", "n/a", "na", "open", "nobody", "-"}
_NOT_A_LEAD = re.compile(
    r"^(?:aka|a\.k\.a|formerly|was|see|incl|incubating|graduated|attic|retired|deprecated|"
    r"archived|new|beta|alpha|experimental|wip)\b",
    re.IGNORECASE,
)

_STRUCK = re.compile(r"~~.*?~~")


def parse_team_reports(text: str) -> list[TeamReportData]:
    """The team reports of a meeting's backlog review, in the order they appear.

    Teams are the H3 headings under an H2 heading that names the backlog ("Backlog
    Reviews", "Current Backlogs and Priorities"), project updates ("Updates") or a
    project status ("_Incubating_", "_Under Review_", or any H2 under "# Projects"); H2
    headings that follow a backlog section until the next meeting section (but after H3
    teams, an H2 heading without a lead, such as "## Appendix", ends the backlog); the H2
    headings after a "## Table of Contents"; and "## Update on Team (Lead)" headings
    anywhere. A heading reads "Team - Lead" (any dash) or "Team (Lead)"; without a lead,
    or with "(vacant)" or "(?)", the lead is "". A status ("(incubating)", "(proposed
    incubating)") or a colon after the team is not its name; the lead is the people's
    names, without their organisation or a remark (`people.lead_names`). Text pasted into
    a report keeps its stray headings ("# v6.30.0", "## Bug fixes", "### Highlights") in
    the report's body, and "### Releases" is a sub-heading where "### Release
    Integration" is a team.
    """
    return TeamReader(Document(text)).team_reports()


@dataclass
class _Team:
    team: str
    lead: str
    level: int
    index: int
    end: int = -1


class TeamReader:
    """Finds the team reports in a document: the headings that are teams, and the lines
    each report holds."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._teams: list[_Team] | None = None
        self._owners: list[_Team | None] | None = None

    def teams(self) -> list[_Team]:
        if self._teams is None:
            self._teams = self._read_teams()
        return self._teams

    def team_reports(self) -> list[TeamReportData]:
        reports = []
        for team in self.teams():
            body = "\n".join(self.document.lines[team.index + 1 : team.end]).strip()
            reports.append(TeamReportData(team.team, team.lead, body))
        return reports

    def team_line_map(self) -> list[_Team | None]:
        """For each line, the team whose report it belongs to (or None)."""
        if self._owners is None:
            self._owners = [None] * len(self.document.lines)
            for team in self.teams():
                for index in range(team.index, team.end):
                    self._owners[index] = team
        return self._owners

    def _read_teams(self) -> list[_Team]:
        teams: list[_Team] = []
        current: _Team | None = None
        report = False  # H3 headings are teams here
        flat = False  # a backlog section: the H2 headings after it are teams too
        pasted = False  # inside text pasted into a report, with its own stray headings
        projects = False  # under "# Projects"
        # The section's H3 teams, and how many name a lead: where most do, an H3 heading
        # without one in text pasted into a report is the pasted text's own. After H3
        # teams, an H2 section such as "## Appendix" ends the backlog, unless it reads
        # "Team - Lead" or H2 teams have begun (h2_teams).
        h3_count = h3_led = 0
        h2_teams = False
        listed: set[str] = set()  # the teams a table of contents names
        first = True

        def close(index: int) -> None:
            nonlocal current
            if current is not None:
                current.end = index
                teams.append(current)
                current = None

        for heading in self.document.headings:
            level, title = heading.level, plain_heading(heading.title)
            is_first, first = first, False
            if level == 1:
                structural = _structural(title)
                if not structural and (is_first or current is not None):
                    pasted = current is not None
                    continue
                close(heading.index)
                pasted = False
                projects = bool(_PROJECTS_H1.match(title))
                report = bool(_BACKLOG.search(title)) or projects
                flat = False
                continue
            if level == 2:
                update = _UPDATE_ON.match(title)
                if update:
                    role = "team"
                elif _BACKLOG.search(title) and not MEETING_SECTION.match(title):
                    role = "backlog"
                elif _is_status_title(heading.title) or REPORT_SECTION.match(title):
                    role = "report"
                elif MEETING_SECTION.match(title):
                    role = "section"
                elif _CONTENTS.match(title):
                    role = "contents"
                    listed = self._contents(heading.index)
                elif flat and listed and _listed_name(title) in listed:
                    role = "team"  # even after release notes pasted into the last report
                elif current is not None and (
                    (pasted and not (flat and _names_a_lead(title)))
                    or (_is_subtopic(title) and not _has_lead(title))
                ):
                    continue  # a heading inside the team's report
                elif projects:
                    role = "report"
                elif flat and (h2_teams or not h3_count or _has_lead(title)):
                    role = "team"
                else:
                    role = "section"
                close(heading.index)
                pasted = False
                if role == "team":
                    team, lead = team_and_lead(update["rest"] if update else title)
                    current = _Team(team, lead, 2, heading.index)
                    h2_teams = h2_teams or flat
                    continue
                report = role in ("backlog", "report")
                flat = role in ("backlog", "contents")
                h3_count = h3_led = 0
                h2_teams = False
                continue
            if level == 3:
                if current is not None and current.level == 2:
                    continue  # a sub-heading of an H2 team
                if not report:
                    continue
                if (
                    current is not None
                    and not _has_lead(title)
                    and (
                        _is_subtopic(title)
                        or (pasted and h3_led * 2 > h3_count and not _LINKED.match(heading.title))
                    )
                ):
                    continue  # a mis-levelled or pasted sub-heading inside the team's report
                close(heading.index)
                pasted = False
                team, lead = team_and_lead(title)
                current = _Team(team, lead, 3, heading.index)
                h3_count += 1
                h3_led += _has_lead(title)
        close(len(self.document.lines))
        return [team for team in teams if team.team]

    def _contents(self, index: int) -> set[str]:
        """The names a table of contents lists, from its heading at `index` on."""
        names = set()
        lines = self.document.lines
        for line_index in range(index + 1, len(lines)):
            if line_index in self.document.heading_at:
                break
            item = _LIST_ITEM.match(lines[line_index])
            if item:
                names.add(_listed_name(item["text"]))
        names.discard("")
        return names


def _listed_name(title: str) -> str:
    """A team's name as a table of contents or a heading lists it ("Update on Stacks")."""
    title = plain_heading(title)
    update = _UPDATE_ON.match(title)
    return normalized_name(team_and_lead(update["rest"] if update else title)[0])


def _structural(title: str) -> bool:
    return bool(
        MEETING_SECTION.match(title)
        or _BACKLOG.search(title)
        or REPORT_SECTION.match(title)
        or _PROJECTS_H1.match(title)
    )


def _is_subtopic(title: str) -> bool:
    """A heading that names a part of a report ("Releases", "Bug fixes", "v6.30.0"), not
    a team. A word such as "Release" that runs on into a capitalised name ("Release
    Integration") is a team's name."""
    match = _SUBTOPIC.match(title)
    if match is None:
        return False
    words, rest = match[0].lstrip(" *_-#>"), title[match.end() :]
    if not (words[:1].isalpha() and words[-1:].isalpha()) or not re.match(r"\s+[A-Z]", rest):
        return True
    return bool(_SUBTOPIC.match(rest.strip()))


def _names_a_lead(title: str) -> bool:
    """Whether the heading reads "Team - Lead" with a person's name as its lead (where a
    pasted "## v6.30.0 - 2018-02-01" does not)."""
    lead = team_and_lead(title)[1]
    return bool(lead) and looks_like_name(re.split(r"\s*(?:&|/|,|\band\b)\s*", lead)[0])


def _is_status_title(title: str) -> bool:
    """An emphasised heading such as "_Incubating_" or "*Under Review*"."""
    title = title.strip()
    return len(title) > 2 and title[0] in "_*" and title[-1] in "_*" and title.strip("_* ") != ""


@functools.lru_cache(maxsize=4096)
def _has_lead(title: str) -> bool:
    title = plain_heading(title)
    if re.search(r"\(\s*(?:\?+|vacant|tbd|none)\s*\)\s*$", title, re.IGNORECASE):
        return True
    return bool(team_and_lead(title)[1]) or bool(_DASHED.match(_INCUBATING.sub("", title)))


@functools.lru_cache(maxsize=4096)
def team_and_lead(title: str) -> tuple[str, str]:
    title = _INCUBATING.sub("", plain_heading(title)).strip()
    match = _DASHED.match(title)
    if match is None:
        match = _PARENTHESISED.match(title)
        # "(BBR)" is the team's acronym and "(aka Kubo)" another name, not leads.
        if match is not None and not _could_be_lead(lead_names(match["lead"])):
            match = None
    if match is None:
        return _team_name(title), ""
    lead = _STRUCK.sub("", match["lead"]).replace("~~", "")
    lead = lead_names(_unemphasised(lead)).strip("()").strip()
    team = _team_name(match["team"])
    return team, "" if lead.casefold() in _NO_LEAD else lead


def _team_name(text: str) -> str:
    """The team's name without strike-through, emphasis and a colon after it ("Stratos:")."""
    return _unemphasised(text.replace("~~", "")).rstrip(":").strip()


def _unemphasised(text: str) -> str:
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text).strip()


def _could_be_lead(text: str) -> bool:
    text = text.strip()
    if text.casefold() in _NO_LEAD:
        return True
    if text.isupper() or _NOT_A_LEAD.match(text) or re.search(r"\d", text):
        return False
    return not text[:1].islower()
