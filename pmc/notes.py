"""Reading PMC meeting notes: markdown text in, plain data out.

The notes were written by hand over years, so the parser is lenient about heading
levels, dashes and where the lead's name sits. It only reads; turning the data into
rows is the importer's job, which is why nothing here imports from `proposals`.

`read_notes(name, data)` takes a file's path (or an uploaded file's name) and bytes and
returns one of:

- `MeetingNotes`: the committee (from the `<PMC>/[<year>/]` folders), the date (from the
  file name; a title's date is not trusted), the title, the text as read and as repaired,
  the team reports of the backlog review and the lifecycle items found anywhere in it;
- `NotMeeting`: a template, README, image, ... with the reason it was skipped;
- `Unreadable`: a file that should be a meeting but cannot be read, and why.

The structure is read line by line rather than through a markdown parser: what matters
is headings, list items and their nesting, paragraphs and link references, and the
notes break the rules a parser relies on (stray `# ...` lines pasted from release notes,
mis-levelled headings, unclosed code fences in truncated files).
"""

from __future__ import annotations

import codecs
import datetime
import functools
import hashlib
import re
from dataclasses import dataclass, field

import ftfy

# Files

NOTES_SUFFIXES = (".md", ".markdown")
_IMAGE_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".ico", ".tif", ".tiff", ".heic",
}  # fmt: skip
_DOCUMENTATION = re.compile(
    r"^(readme|license|licence|contributing|changelog|code[-_ ]of[-_ ]conduct|security|notice"
    r"|index|maintainers|owners)\b",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(r"template", re.IGNORECASE)
_PLACEHOLDER_DATE = re.compile(r"y{2,4}[-_. ]?mm[-_. ]?dd|mm[-_. ]?dd[-_. ]?y{2,4}", re.IGNORECASE)
_YEAR_FOLDER = re.compile(r"^(?:19|20)\d\d$")
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)([-_.])(\d{1,2})\2(\d{1,2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)")
_US_DATE = re.compile(r"(?<!\d)(\d{1,2})([-_.])(\d{1,2})\2((?:19|20)\d\d)(?!\d)")
# Non-ASCII characters that occur in notes typed on Windows; anything else in a file that
# is not UTF-8 means it is not text we can trust.
_PLAUSIBLE_PUNCTUATION = set("–—‘’‚“”„…•·°€£¥§©®™±×÷«»¡¿\u00a0")


class UnreadableNotes(ValueError):
    """The bytes of a notes file cannot be read as text."""


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

    @property
    def key(self) -> str:
        """What identifies the proposal: its kind and its project's name, normalised."""
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


def fix_encoding(text: str) -> str:
    """Repair text that was decoded with the wrong codec ("KÃ¶per" -> "Köper")."""
    if text.isascii():
        return text
    return ftfy.fix_encoding(text)


def normalized_name(name: str) -> str:
    """A project name reduced for comparison: "Diego-Enabler" and "diego enabler" match."""
    return re.sub(r"[\W_]+", "", name.casefold())


def skip_reason(name: str) -> str | None:
    """Why the file called `name` is not meeting notes, or None if it may be."""
    base = _basename(name)
    if not base:
        return "not a file"
    if base.startswith("."):
        return f"hidden file ({base}), not meeting notes"
    suffix = ("." + base.rsplit(".", 1)[1].lower()) if "." in base else ""
    if suffix in _IMAGE_SUFFIXES:
        return "an image, not meeting notes"
    if suffix not in NOTES_SUFFIXES:
        return f"not a markdown file ({suffix or 'no extension'})"
    stem = base[: -len(suffix)]
    if _TEMPLATE.search(stem):
        return "a template, not meeting notes"
    if _PLACEHOLDER_DATE.search(stem):
        return "a template (a YYYY-MM-DD placeholder in its name), not meeting notes"
    documentation = _DOCUMENTATION.match(stem)
    if documentation:
        return f"a {documentation[1].upper()} file, not meeting notes"
    return None


def meeting_date(name: str) -> datetime.date | None:
    """The date in a file name: YYYY-MM-DD (any of - _ .), YYYYMMDD or MM-DD-YYYY."""
    base = _basename(name)
    for pattern, order in ((_ISO_DATE, (1, 3, 4)), (_COMPACT_DATE, (1, 2, 3))):
        for match in pattern.finditer(base):
            year, month, day = (int(match[i]) for i in order)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                continue
    for match in _US_DATE.finditer(base):
        try:
            return datetime.date(int(match[4]), int(match[1]), int(match[3]))
        except ValueError:
            continue
    return None


def committee_from_path(name: str) -> str | None:
    """The committee of notes kept as `<PMC>/[<year>/]<file>.md`: the nearest folder
    that is not a year."""
    for part in reversed(_path_parts(name)[:-1]):
        if part not in ("", ".", "..", "~") and not _YEAR_FOLDER.match(part):
            return part
    return None


def source_path(name: str, committee: str | None = None) -> str:
    """The file's path from its committee folder on, e.g. Runtime/2017/2017-05-16-runtime.md."""
    parts = _path_parts(name)
    folder = committee_from_path(name)
    if folder is not None and (committee is None or folder.casefold() == committee.casefold()):
        index = len(parts) - 2
        while index >= 0 and parts[index] != folder:
            index -= 1
        return "/".join(parts[index:])
    return parts[-1] if parts else name


def decode_notes(data: bytes) -> tuple[str, tuple[str, ...]]:
    """The text of a notes file and what decoding it took, or UnreadableNotes."""
    if not data.strip():
        raise UnreadableNotes("empty file")
    repairs: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked_text(data.decode("utf-16")), ("decoded as UTF-16",)
        except UnicodeDecodeError:
            raise UnreadableNotes("starts like UTF-16 but is not valid UTF-16") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        where = f"byte 0x{data[error.start]:02x} at offset {error.start}"
        text = _windows_1252(data)
        if text is None:
            raise UnreadableNotes(
                f"not UTF-8 ({where}) and not repairable: read as Windows-1252/Latin-1 it is "
                "not plausible text either"
            ) from None
        repairs.append(f"decoded as Windows-1252: not valid UTF-8 ({where})")
    return _checked_text(text), tuple(repairs)


def read_notes(
    name: str, data: bytes, *, committee: str | None = None
) -> MeetingNotes | NotMeeting | Unreadable:
    """Read one file: `name` is its path (its folders name the committee unless
    `committee` is given), `data` its bytes."""
    reason = skip_reason(name)
    if reason is not None:
        return NotMeeting(name, reason)
    date = meeting_date(name)
    if date is None:
        return Unreadable(name, "no date in the file name (expected YYYY-MM-DD or MM-DD-YYYY)")
    committee = (committee or "").strip() or committee_from_path(name)
    if not committee:
        return Unreadable(name, "no committee: the file is not in a <PMC>/ folder; name one")
    try:
        original, repairs = decode_notes(data)
    except UnreadableNotes as error:
        return Unreadable(name, str(error))
    return parse_notes(
        original,
        name=name,
        committee=committee,
        date=date,
        sha256=hashlib.sha256(data).hexdigest(),
        repairs=repairs,
    )


def parse_notes(
    original: str,
    *,
    name: str,
    committee: str,
    date: datetime.date,
    sha256: str = "",
    repairs: tuple[str, ...] = (),
) -> MeetingNotes:
    """Parse decoded notes: repair their encoding, then read reports and lifecycle items."""
    repaired = fix_encoding(original)
    if repaired != original:
        changed = sum(
            1
            for before, after in zip(original.splitlines(), repaired.splitlines(), strict=False)
            if before != after
        )
        repairs = (*repairs, f"repaired mis-decoded characters on {changed} line(s)")
    text = repaired.replace("\r\n", "\n").replace("\r", "\n")
    document = _Document(text)
    cancelled = document.cancelled()
    reports = document.team_reports()
    if cancelled:
        reports = [report for report in reports if report.body]
    return MeetingNotes(
        name=name,
        committee=committee,
        date=date,
        title=document.title()[:300],
        text=text,
        original=original,
        sha256=sha256,
        source=source_path(name, committee),
        repairs=tuple(repairs),
        cancelled=cancelled,
        team_reports=tuple(reports),
        mentions=tuple(_LifecycleReader(document).mentions()),
    )


def parse_team_reports(text: str) -> list[TeamReportData]:
    """The team reports of a meeting's backlog review, in the order they appear.

    Teams are the H3 headings under an H2 heading that names the backlog ("Backlog
    Reviews", "Current Backlogs and Priorities"), project updates ("Updates") or a
    project status ("_Incubating_", "_Under Review_", or any H2 under "# Projects"); H2
    headings that follow a backlog section until the next meeting section; and
    "## Update on Team (Lead)" headings anywhere. A heading reads "Team - Lead" (any
    dash) or "Team (Lead)"; without a lead, or with "(vacant)" or "(?)", the lead is "".
    Text pasted into a report keeps its stray headings ("# v6.30.0", "## Bug fixes",
    "### Highlights") in the report's body.
    """
    return _Document(text).team_reports()


def parse_lifecycle(text: str) -> list[LifecycleMention]:
    """The lifecycle items in a meeting's notes, one per proposal."""
    return _LifecycleReader(_Document(text)).mentions()


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _path_parts(name: str) -> list[str]:
    return [part.strip() for part in name.replace("\\", "/").split("/")]


def _windows_1252(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    non_ascii = sum(1 for char in text if ord(char) > 127)
    if non_ascii > max(8, len(text) // 20):
        return None
    for run in re.findall(r"[^\x00-\x7f]+", text):
        if len(run) > 3 or not all(c.isalpha() or c in _PLAUSIBLE_PUNCTUATION for c in run):
            return None
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _checked_text(text: str) -> str:
    if not text.strip():
        raise UnreadableNotes("empty file")
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 200):
        raise UnreadableNotes("binary data (control characters), not text")
    return text


# The document: lines classified once, shared by the team-report and lifecycle readers.

_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?P<task>\[[ xX]\][ \t]*)?"
    r"(?P<text>.*)$"
)
_REFERENCE = re.compile(r"^ {0,4}\[(?P<label>[^\]]+)\]:[ \t]*<?(?P<url>[^\s>]+)>?")
_BOLD_LINE = re.compile(r"^ {0,3}(?:\*\*|__)(?P<title>[^*_\s][^*_]*?)(?:\*\*|__)[ \t]*:?[ \t]*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-{2,}[\s:|-]*\|?\s*$")

_BACKLOG = re.compile(r"backlog", re.IGNORECASE)
# Headings that are meeting sections, not teams: they end a backlog section whose teams
# are written as H2 headings too (the 2015 template).
_MEETING_SECTION = re.compile(
    r"^\W*(agenda|attendees|attendance|participants|present|roll ?call|announcements?"
    r"|pmc lifecycle|lifecycle|(open )?discussions?|proposals?|action items|new business"
    r"|old business|other business|any other|other topics|next meeting|zoom|dial|call info"
    r"|meeting info|logistics|chat|q ?& ?a|questions|notes|minutes|recording|links"
    r"|resources)\b",
    re.IGNORECASE,
)
# H2 headings whose H3 headings are teams or projects reporting.
_REPORT_SECTION = re.compile(
    r"^(?:(?:team |project |status )?updates?|(?:team |project )?(?:status|reports?)"
    r"|projects?|teams?|incubating|active|graduated|under review|attic|retired"
    r"|to be retired|archived|misc)$",
    re.IGNORECASE,
)
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
_PARENTHESISED = re.compile(r"^(?P<team>.+?)\s*\((?P<lead>[^()]*)\)$")
_INCUBATING = re.compile(r"\s*\(incubating\)", re.IGNORECASE)
_NO_LEAD = {"", "?", "??", "vacant", "tbd", "tba", "none", "n/a", "na", "open", "nobody", "-"}
_NOT_A_LEAD = re.compile(
    r"^(?:aka|a\.k\.a|formerly|was|see|incl|incubating|graduated|attic|retired|deprecated|"
    r"archived|new|beta|alpha|experimental|wip)\b",
    re.IGNORECASE,
)
_LINK_TEXT = re.compile(r"!?\[(?P<text>[^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<https?://[^>\s]+>")
_STRUCK = re.compile(r"~~.*?~~")
_UNDER_REVIEW = re.compile(
    r"^\W*(?:under\s+review|proposed(?:\s+projects?)?|incubation\s+proposals?)\W*$", re.I
)
_PROPOSAL_TALK = re.compile(r"\bpropos(?:al|als|ed|es|ing)\b|\bvot(?:e|ed|es|ing)\b", re.I)
_CANCELLED = re.compile(
    r"^\W*(?:the\s+)?(?:pmc\s+)?(?:meeting\s+|call\s+)?(?:was\s+|is\s+|has\s+been\s+)?cancel+ed\b"
    r"|\b(?:meeting|call)\s+(?:was\s+|is\s+|has\s+been\s+)?cancel+ed\b|^\W*no\s+meeting\b"
    r"|\(cancel+ed\)",
    re.IGNORECASE,
)


@dataclass
class _Heading:
    index: int
    level: int
    title: str
    bold: bool = False

    @functools.cached_property
    def plain(self) -> str:
        return _plain_heading(self.title)

    @functools.cached_property
    def ignored(self) -> bool:
        """A section that holds no business: attendees, dial-in details."""
        return bool(_IGNORED_SECTION.match(self.plain))

    @functools.cached_property
    def under_review(self) -> bool:
        """A status section of projects proposed for incubation ("_Under Review_")."""
        return bool(_UNDER_REVIEW.match(self.plain))

    @functools.cached_property
    def business(self) -> bool:
        """A section where the meeting handles business: agenda, lifecycle, proposals."""
        return bool(_BUSINESS_SECTION.search(self.plain))


@dataclass
class _Team:
    team: str
    lead: str
    level: int
    index: int
    end: int = -1


class _Document:
    """The lines of a notes file, classified: headings, code, list items, references."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.code = [False] * len(self.lines)
        self.headings: list[_Heading] = []
        self.heading_at: dict[int, _Heading] = {}
        self.references: dict[str, str] = {}
        self._classify()
        self._teams: list[_Team] | None = None
        self._owners: list[_Team | None] | None = None

    def _classify(self) -> None:
        lines = self.lines
        fences = self._fences()
        previous_text = False
        for index, line in enumerate(lines):
            if index in fences:
                self.code[index] = True
                previous_text = False
                continue
            if self.code[index]:
                continue
            heading = _HEADING.match(line)
            if heading and heading["title"].strip():
                self._add_heading(index, len(heading["hashes"]), heading["title"].strip())
                previous_text = False
                continue
            if (
                previous_text
                and _SETEXT.match(line)
                and not _ITEM.match(lines[index - 1])
                and not lines[index - 1].startswith(("    ", "\t"))
            ):
                level = 1 if line.strip().startswith("=") else 2
                self._add_heading(index - 1, level, lines[index - 1].strip())
                self.code[index] = True  # the underline itself says nothing
                previous_text = False
                continue
            reference = _REFERENCE.match(line)
            if reference:
                self.references.setdefault(reference["label"].strip().casefold(), reference["url"])
                self.code[index] = True
                previous_text = False
                continue
            previous_text = bool(line.strip()) and not _RULE.match(line)

    def _fences(self) -> set[int]:
        """Indexes of lines inside fenced code (fence lines included). A fence left open
        at the end of a (truncated) file is not a fence: the text after it is notes."""
        inside: set[int] = set()
        opened: tuple[int, str] | None = None
        for index, line in enumerate(self.lines):
            match = _FENCE.match(line)
            if opened is None:
                if match:
                    opened = (index, match["fence"])
            elif (
                match
                and match["fence"][0] == opened[1][0]
                and len(match["fence"]) >= len(opened[1])
            ):
                inside.update(range(opened[0], index + 1))
                opened = None
        for index in inside:
            self.code[index] = True
        return inside

    def _add_heading(self, index: int, level: int, title: str) -> None:
        heading = _Heading(index, level, title)
        if self.headings and self.headings[-1].index == index:
            return
        self.headings.append(heading)
        self.heading_at[index] = heading

    def title(self) -> str:
        for heading in self.headings:
            if heading.level == 1:
                return _plain_heading(heading.title)
            break
        for line in self.lines:
            if line.strip():
                return _plain_heading(line.strip().lstrip("#").strip())
        return ""

    def cancelled(self) -> bool:
        """Whether the notes say the meeting did not take place."""
        first = self.headings[0] if self.headings else None
        if first is not None and first.level == 1 and _CANCELLED.search(first.title):
            return True
        if not re.search(r"cancel|no\s+meeting", "\n".join(self.lines), re.IGNORECASE):
            return False
        in_report = self.team_line_map()
        for index, line in enumerate(self.lines):
            stripped = line.strip()
            if (
                not self.code[index]
                and in_report[index] is None
                and 0 < len(stripped) <= 100
                and _CANCELLED.search(stripped.lstrip("#*_-> ").strip())
            ):
                return True
        return False

    # Team reports

    def teams(self) -> list[_Team]:
        if self._teams is None:
            self._teams = self._read_teams()
        return self._teams

    def team_reports(self) -> list[TeamReportData]:
        reports = []
        for team in self.teams():
            body = "\n".join(self.lines[team.index + 1 : team.end]).strip()
            reports.append(TeamReportData(team.team, team.lead, body))
        return reports

    def team_line_map(self) -> list[_Team | None]:
        """For each line, the team whose report it belongs to (or None)."""
        if self._owners is None:
            self._owners = [None] * len(self.lines)
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
        first = True

        def close(index: int) -> None:
            nonlocal current
            if current is not None:
                current.end = index
                teams.append(current)
                current = None

        for heading in self.headings:
            level, title = heading.level, _plain_heading(heading.title)
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
                elif _BACKLOG.search(title) and not _MEETING_SECTION.match(title):
                    role = "backlog"
                elif _is_status_title(heading.title) or _REPORT_SECTION.match(title):
                    role = "report"
                elif _MEETING_SECTION.match(title):
                    role = "section"
                elif current is not None and (
                    pasted or (_SUBTOPIC.match(title) and not _has_lead(title))
                ):
                    continue  # a heading inside the team's report
                elif projects:
                    role = "report"
                elif flat:
                    role = "team"
                else:
                    role = "section"
                close(heading.index)
                pasted = False
                if role == "team":
                    team, lead = _team_and_lead(update["rest"] if update else title)
                    current = _Team(team, lead, 2, heading.index)
                    continue
                report = role in ("backlog", "report")
                flat = role == "backlog"
                continue
            if level == 3:
                if current is not None and current.level == 2:
                    continue  # a sub-heading of an H2 team
                if not report:
                    continue
                if current is not None and not _has_lead(title) and _SUBTOPIC.match(title):
                    continue  # a mis-levelled sub-heading inside the team's report
                close(heading.index)
                pasted = False
                team, lead = _team_and_lead(title)
                current = _Team(team, lead, 3, heading.index)
        close(len(self.lines))
        return [team for team in teams if team.team]


def _structural(title: str) -> bool:
    return bool(
        _MEETING_SECTION.match(title)
        or _BACKLOG.search(title)
        or _REPORT_SECTION.match(title)
        or _PROJECTS_H1.match(title)
    )


def _is_status_title(title: str) -> bool:
    """An emphasised heading such as "_Incubating_" or "*Under Review*"."""
    title = title.strip()
    return len(title) > 2 and title[0] in "_*" and title[-1] in "_*" and title.strip("_* ") != ""


def _plain_heading(title: str) -> str:
    """A heading's text without links, autolinks and wrapping emphasis (code spans stay)."""
    title = _LINK_TEXT.sub(lambda m: m["text"], title)
    title = _AUTOLINK.sub("", title).strip()
    while len(title) > 2 and title[0] == title[-1] and title[0] in "*_":
        title = title[1:-1].strip()
    return title


def _has_lead(title: str) -> bool:
    title = _plain_heading(title)
    if re.search(r"\(\s*(?:\?+|vacant|tbd|none)\s*\)\s*$", title, re.IGNORECASE):
        return True
    return bool(_team_and_lead(title)[1]) or bool(_DASHED.match(_INCUBATING.sub("", title)))


def _team_and_lead(title: str) -> tuple[str, str]:
    title = _INCUBATING.sub("", _plain_heading(title)).strip()
    match = _DASHED.match(title)
    if match is None:
        match = _PARENTHESISED.match(title)
        # "(BBR)" is the team's acronym and "(aka Kubo)" another name, not leads.
        if match is not None and not _could_be_lead(match["lead"]):
            match = None
    if match is None:
        return _unemphasised(title.replace("~~", "")), ""
    lead = _STRUCK.sub("", match["lead"]).replace("~~", "")
    lead = _unemphasised(lead).strip("()").strip()
    team = _unemphasised(match["team"].replace("~~", ""))
    return team, "" if lead.casefold() in _NO_LEAD else lead


def _unemphasised(text: str) -> str:
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text).strip()


def _could_be_lead(text: str) -> bool:
    text = text.strip()
    if text.casefold() in _NO_LEAD:
        return True
    if text.isupper() or _NOT_A_LEAD.match(text) or re.search(r"\d", text):
        return False
    return not text[:1].islower()


# Lifecycle items

ATTIC, INCUBATION, PROMOTION = "attic", "incubation", "promotion"
OWNERSHIP, RENAME, OTHER = "ownership", "rename", "other"
KINDS = (ATTIC, INCUBATION, PROMOTION, OWNERSHIP, RENAME, OTHER)
_OUTCOME_RANK = {"pending": 0, "deferred": 1, "approved": 2, "rejected": 2, "completed": 3}

_I = re.IGNORECASE
_INLINE = re.compile(
    r"(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|\[(?P<link_text>[^\]]*)\]\((?P<link_url>[^)\s]*)(?:\s+\"[^\"]*\")?\)"
    r"|\[(?P<ref_text>[^\]]+)\]\[(?P<ref_label>[^\]]*)\]"
    r"|<(?P<autolink>https?://[^>\s]+)>"
    r"|(?P<bare>https?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"])"
    r"|`(?P<code>[^`]+)`"
    r"|\[(?P<short>[^\]\[]+)\](?![(\[:])"
)
_GITHUB_REPO = re.compile(r"github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)", _I)
_ORGANISATION = re.compile(
    r"^(?:cloudfoundry(?:-[\w]+)?|pivotal(?:-cf)?(?:-[\w]+)?|cf-buildpacks|cfibmers|sap|suse"
    r"|github|cloudfoundry-incubator|cloudfoundry-attic)$",
    _I,
)
_DOCUMENT_WORDS = re.compile(
    r"\b(?:propos\w*|doc|docs|document\w*|notes|here|link|slides?|pr|prs|pull\s+request|issues?"
    r"|story|stories|blog|post|thread|message|e-?mail|announcement|discussion|agenda|recording"
    r"|video|meeting|details|rfc|spec|design|readme|wiki|page|survey|form|release|releases"
    r"|changelog|see|more|this|plan|roadmap)\b",
    _I,
)
_SPEAKER = re.compile(r"^\s*\[[^\]]{1,24}\]\s*")
_PROPOSAL_LABEL = re.compile(r"^\W*(?:new\s+)?proposals?\s*[:\-–—]\s*", _I)
_DECISION_LABEL = re.compile(
    r"^\W*(?:final\s+)?(?:decision|decided|resolution|resolved|outcome|result|conclusion"
    r"|vote|voted|votes|agreed|approved|accepted|rejected)\s*[:\-–—]\s*(?P<text>.*)$",
    _I,
)

# Words that say which kind of change an item is. "Strong" words mean a lifecycle change
# wherever they are written; "weak" ones only where the meeting handles such business
# (not inside a team's report of its work, where "archive" and "retire" are technical).
_STRONG_CUES = [
    (RENAME, re.compile(r"\brenam(?:e|ed|es|ing)\b|\bname\W{0,2}\s+\W?change\W?\s+from\b", _I)),
    (ATTIC, re.compile(r"\battic\b", _I)),
    (
        PROMOTION,
        re.compile(
            r"\b(?:to|into)\s+(?:the\s+)?active\b(?!-)|\bgraduat(?:e|ed|es|ing|ion)\b"
            r"|\bout\s+of\s+incubation\b|\bexit(?:s|ed|ing)?\s+incubation\b",
            _I,
        ),
    ),
    (
        INCUBATION,
        re.compile(
            r"\bincubat(?:e|ed|es|ion)\b|^\W*incubating\s+(?!\))"
            r"|\b(?:accepted|admitted|approved|proposed|entered|entering|accept)\s+(?:as|for|into)"
            r"\s+(?:an?\s+)?incubat"
            r"|\b(?:in|into|to)\s+(?:the\s+)?cloudfoundry-incubator\b",
            _I,
        ),
    ),
    (
        OWNERSHIP,
        re.compile(
            r"\b(?:project\s+)?lead(?:er)?(?:ship)?\s+(?:nominations?|opening|election|change"
            r"|vacancy|handover|transition)\b|\bnominat(?:e|ed|es|ing|ion|ions)\b"
            r"|\bnew\s+(?:project\s+)?(?:lead|leader|owner|maintainer)s?\b"
            r"|\bneeds?\s+(?:a\s+)?(?:new\s+)?(?:owner|maintainer|lead)s?\b|\bownership\b"
            r"|\b(?:step(?:s|ping|ped)?\s+down|tak(?:e|es|ing)\s+over|hand(?:s|ed|ing)?"
            r"\s+(?:\w+\s+)?over)\b(?=.*\b(?:lead|owner|maintain\w*|project)\b)"
            r"|^\W*welcome\s+\S"
            r"|\bas\s+(?:the\s+)?(?:new\s+)?(?:[\w.-]+\s+){0,4}?(?:project\s+)?lead(?:er)?\b"
            r"|\b(?:pm|project\s+manager|product\s+manager|lead|leader|owner|maintainer)s?\s+"
            r"(?:is\s+|are\s+|will\s+be\s+)?(?:chang\w+|mov\w+|transition\w*|switch\w*|hand\w*)"
            r"\s+(?:over\s+)?to\b",
            _I,
        ),
    ),
]
# Every cue below contains one of these words: a statement without any is skipped fast
# (matched against lower-cased text: much faster than an IGNORECASE alternation).
_ANY_CUE = re.compile(
    r"renam|attic|active|graduat|incubat|lead|nominat|owner|maintain|hand|welcome|archiv"
    r"|retir|sunset|decommission|promot|mov|transfer|donat|step|tak|name\W{0,3}\s*\W?chang"
    r"|\bpm\b|manager"
)
# ... and every decision contains one of these.
_ANY_DECISION = re.compile(
    r"decid|decision|agree|approv|accept|reject|declin|objection|consensus|vot|let|we\s"
    r"|resol|outcome|result|conclu"
)
_LEAVES_INCUBATION = re.compile(r"\b(?:out\s+of|exit\w*|from)\s+incubat", _I)
_WEAK_CUES = [
    (
        ATTIC,
        re.compile(
            r"\b(?:archiv(?:e|ed|es|ing)|retir(?:e|ed|es|ing|ement)|sunset(?:ting|ted)?"
            r"|decommission(?:ed|ing)?)\b",
            _I,
        ),
    ),
    (PROMOTION, re.compile(r"\bpromot(?:e|ed|es|ing|ion)\b(?=.*\b(?:active|project)\b)", _I)),
    (
        OTHER,
        re.compile(
            r"\b(?:mov(?:e|ed|es|ing)|transfer(?:s|red|ring)?|donat(?:e|ed|es|ing))\b"
            r".{0,160}?\b(?:in)?to\s+(?:the\s+)?(?:[\w.-]+\s+){0,2}?(?:foundation|org|"
            r"organi[sz]ation|github\s+org)\b",
            _I,
        ),
    ),
]
# Not lifecycle business, even under "PMC Lifecycle Activities".
_NOT_LIFECYCLE = re.compile(
    r"\bmeetings?\s+(?:time|times|schedule|slot|cadence|day|invite)s?\b"
    r"|\b(?:mov\w*|chang\w*|shift\w*|reschedul\w*)\s+(?:the\s+|our\s+)?(?:pmc\s+)?"
    r"(?:meeting|call|sync)s?\b"
    r"|\b(?:meeting|call)s?\s+(?:will\s+|to\s+)?(?:now\s+)?(?:be\s+)?(?:held\s+)?(?:mov\w*|every"
    r"|bi-?weekly|monthly|weekly)\b"
    r"|\bevery\s+(?:other|two|second|four|fourth)\s+weeks?\b|\bbi-?weekly\b"
    r"|\bdeprecat\w*\b"
    r"|\b(?:retir\w*|archiv\w*|sunset\w*|remov\w*)\s+(?:of\s+)?(?:the\s+)?(?:[\w.`-]+\s+){0,3}?"
    r"(?:apis?|endpoints?|features?|flags?|propert(?:y|ies)|commands?|options?|fields?"
    r"|support|stacks?|stemcells?|versions?|parameters?|manifests?|jobs?|metrics?|headers?"
    r"|settings?|logs?|data|builds?|pipelines?|environments?|envs?|vms?|tiles?)\b"
    r"|\brestructur\w*|\breorgani[sz]\w*\s+(?:the\s+)?releases?"
    r"|\brelease\s+(?:cadence|process|schedule|train|strategy|structure)\b"
    r"|\bsplit(?:ting)?\s+(?:\S+\s+){0,4}into\s+(?:separate|multiple|smaller)\b"
    r"|\bmailing\s+list\b",
    _I,
)
_FEATURE_NOUNS = re.compile(
    r"\b(?:propert(?:y|ies)|flags?|commands?|fields?|variables?|endpoints?|jobs?|metrics?"
    r"|columns?|parameters?|methods?|functions?|files?|director(?:y|ies)|folders?|branch(?:es)?"
    r"|channels?|teams?|keys?|tables?|params?|env(?:ironment)?\s+vars?|ops-files?|options?)\b",
    _I,
)

_DECIDED = re.compile(
    r"^\W*(?:agreed|approved|accepted|unanimous(?:ly)?|decided)\b"
    r"|\b(?:it\s+was\s+(?:decided|agreed)|we\s+(?:decided|agreed)|(?:was|were|is|are|has\s+been"
    r"|have\s+been|got)\s+(?:officially\s+|unanimously\s+)?(?:approved|accepted|rejected"
    r"|declined)|no\s+objections?|(?:officially|unanimously)\s+(?:accepted|approved)"
    r"|accepted\s+(?:for|as|into)\s+(?:an?\s+)?incubat\w*|vote\s+(?:passed|carried|failed)"
    r"|voted\s+(?:to|in\s+favou?r|for|against)|consensus|let'?s\s+(?:just\s+)?(?:move|go|do"
    r"|accept|approve|proceed|incubate|archive|retire|rename|promote)|we\s+(?:will|should|shall"
    r"|are\s+going\s+to)\s+(?:move|retire|archive|rename|promote|incubate|graduate|transfer))\b",
    _I,
)
_NEGATIVE = re.compile(
    r"\b(?:rejected|declined|decided\s+(?:not|against)|not\s+(?:be\s+)?(?:approved|accepted"
    r"|moved|incubated|promoted|archived|retired)|vetoed|objections?\s+(?:was|were)\s+raised"
    r"|no\s+consensus|vote\s+failed|voted\s+against)\b",
    _I,
)
_DEFERRED = re.compile(
    r"\b(?:defer(?:red)?|postpon\w+|tabled|on\s+hold|put\s+off|later\s+date)\b", _I
)
_DONE = re.compile(
    r"\b(?:has\s+been|have\s+been|was|were|got)\s+(?:moved|renamed|archived|retired|promoted"
    r"|graduated|transferred|incubated)\b|^\W*(?:we\s+)?(?:have\s+)?(?:moved|renamed|archived"
    r"|retired|promoted|graduated|transferred)\b|^\W*welcome\b"
    r"|\bis\s+now\s+(?:active|in\s+the\s+attic|called|named|known\s+as)\b"
    r"|(?<!be )(?<!to )\b(?:moved|renamed|archived|retired|transferred|graduated|promoted)\s+"
    r"(?:in)?to\b",
    _I,
)
_STILL_OPEN = re.compile(
    r"\b(?:awaiting|pending|propos\w+|consider\w*|nominations?\s+(?:are\s+)?(?:open|due)"
    r"|open\s+until|request\s+approval|vot(?:e|ing)\s+on)\b|\?",
    _I,
)
_PROPOSAL_WORDS = re.compile(
    r"\b(?:propos\w+|vot(?:e|ed|es|ing)|nominat\w+|decid\w+|decision|agreed|approv\w+"
    r"|accept\w+|consider\w*|should|suggest\w*|objections?|welcome|needs?)\b|\?",
    _I,
)
_CONDITION = re.compile(
    r"\b(?P<condition>(?:at\s+the\s+same\s+time(?:\s+as|\s+that)?|when|once|after|as\s+soon\s+as"
    r"|unless|provided\s+that|as\s+long\s+as)\s+[^.;!?:]{3,200})",
    _I,
)
_NOT_A_CONDITION = re.compile(
    r"^\w+\s+(?:(?:a|the|some|this|our|today'?s)\s+)?(?:brief\s+|short\s+|some\s+|long\s+)?"
    r"(?:discussion|meeting|call|summit|today|now)\b",
    _I,
)
_PROPOSING_TEAM = re.compile(
    r"\b(?:[Tt]he\s+)?(?P<team>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}\s+team)\s+(?:is\s+)?"
    r"(?:propos\w+|would\s+like|wants?|suggests?|plans?|intends?|asks?|requests?)\b"
)
_PROPOSING_PERSON = re.compile(
    r"^\W*(?P<person>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})\s+(?:is\s+)?(?:propos(?:es|ed|ing)"
    r"|would\s+like\s+to\s+propose|suggest(?:s|ed|ing))\b"
)
# "Proposal to move X to the attic (Amit)"
_PROPOSED_BY = re.compile(
    r"^\W*[Pp]ropos\w*\b.*\((?P<person>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,2})\)\W*$"
)
_COMMITTEE_HINT = re.compile(r"\b(?:in|into|to|of)\s+the\s+(?P<name>[A-Z][\w-]*)\s+PMC\b")
_PERSON = r"(?P<person>(?:Dr\.\s+)?[A-Z][\w'.-]*(?:\s+(?:van|de|von|der)?\s*[A-Z][\w'.-]*){0,3})"
_NEW_LEAD = [
    re.compile(r"\bnominat(?:ed|es|ing)\s+" + _PERSON),
    re.compile(
        _PERSON + r"\s+(?:(?:is|was|has\s+been|will\s+be|as)\s+)?(?:nominated|elected|appointed"
        r"|the\s+new|taking\s+over|new)"
    ),
    re.compile(
        r"\bnew\s+(?:project\s+)?(?:lead|leader|owner|maintainer)\s*(?:is|:|-)\s*" + _PERSON
    ),
    re.compile(r"\b(?:lead|leader|owner|maintainer)\s*:\s*" + _PERSON),
    re.compile(r"!\s*" + _PERSON + r"\s*$"),
    re.compile(r"\b(?:approve|appoint|elect|confirm|welcome|nominate)\s+" + _PERSON + r"\s+as\b"),
    re.compile(
        _PERSON + r"\s+(?:(?:is|was|has\s+been)\s+)?(?:confirmed|approved|appointed)\s+as\b"
    ),
    re.compile(
        r"\b(?:chang\w+|mov\w+|transition\w*|switch\w*|hand\w*)\s+(?:over\s+)?to\s+" + _PERSON
    ),
]
_NOT_A_PERSON = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March"
    r"|April|May|June|July|August|September|October|November|December|The|This|We|It|PMC"
    r"|CF|Cloud|Foundry)\b"
)

_NOISE_WORDS = {
    "a", "an", "the", "our", "their", "to", "of", "no", "objections",
    "objection", "having", "have", "has", "move", "moving", "moved", "voting", "vote", "on",
    "officially", "proposal", "proposals", "propose", "proposed", "proposing", "proposes",
    "for", "about", "regarding", "discuss", "discussion", "re", "we", "will", "should", "also",
    "still", "using", "use", "plan", "plans", "and", "consider", "considering", "suggest",
    "suggests", "put", "placing", "place", "bring", "bringing", "maybe", "possibly",
    "please", "request", "requesting", "request:", "agenda", "item", "decision", "decided",
    "retire", "retiring", "archive", "archiving", "incubate", "incubating", "promote",
    "promoting", "rename", "renaming", "transfer", "transferring", "new", "is", "are",
    "be", "being", "been", "was", "were", "it's", "let's", "just", "then", "so", "whether",
    "if", "in", "into", "from", "with", "by", "as", "or", "all",
}  # fmt: skip
_TRAILING_NOISE = {"project", "repo", "repository", "now", "too", "also", "itself", "team"}
_PRONOUN = re.compile(
    r"^(?:it|this|that|these|those|them|they|one|"
    r"(?:(?:the|this|that|our|its|their)\s+)?(?:repo|repository|project|plugin|tool|library"
    r"|client|cli|sdk|one|code(?:base)?|release|component|extension|broker))$",
    _I,
)
_GENERIC_PLURAL = re.compile(
    r"\b(?:projects|repos|repositories|plugins|libraries|tools|releases|components|extensions)"
    r"\s*$|^(?:several|some|all|these|those|the\s+following|following|both|multiple|two|three"
    r"|four|five|various|other|the\s+other)\b",
    _I,
)
_GENERIC_NOUN = re.compile(
    r"^(?:(?:the|this|that|our|its)\s+)?(?P<noun>plugin|tool|tools|library|client|cli|sdk"
    r"|extension|release|component|broker)$",
    _I,
)
_LABEL = re.compile(
    r"^\W*(?:(?:move|moving|moved|proposed|proposals?|candidates?|nominated|ready)\s+)?"
    r"(?:(?:to|for|into)\s+)(?:the\s+)?(?:be\s+)?(?P<label>attic|archive|archived|archival"
    r"|retired?|retirement|active|incubation|incubator|incubated|graduation|graduated"
    r"|promotion|promoted|rename|renamed|renaming)\W*$"
    r"|^\W*(?P<noun>renames|lead\s+changes?|ownership\s+changes?|new\s+leads?)\W*$",
    _I,
)
_LABEL_KINDS = {
    "attic": ATTIC, "archive": ATTIC, "archived": ATTIC, "archival": ATTIC, "retire": ATTIC,
    "retired": ATTIC, "retirement": ATTIC, "active": PROMOTION, "graduation": PROMOTION,
    "graduated": PROMOTION, "promotion": PROMOTION, "promoted": PROMOTION,
    "incubation": INCUBATION, "incubator": INCUBATION, "incubated": INCUBATION,
    "rename": RENAME, "renamed": RENAME, "renaming": RENAME, "renames": RENAME,
}  # fmt: skip
_BUSINESS_SECTION = re.compile(
    r"lifecycle|proposals?\b|agenda|announcements?|discussion|new business|old business"
    r"|other business|open topics|decisions?|votes?|attic|incubat|graduat|retire|action items",
    _I,
)
_IGNORED_SECTION = re.compile(
    r"^\W*(?:attendees|attendance|participants|present|roll ?call|zoom|dial|call info"
    r"|meeting info|logistics|chat)\b",
    _I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[`*_\"'(])")
_MAX_STATEMENT = 1500
_MAX_EXCERPT = 1200


@dataclass
class _Ref:
    text: str
    url: str
    start: int
    end: int
    code: bool = False

    @property
    def slug(self) -> str:
        repo = _GITHUB_REPO.search(self.url) if self.url else None
        if repo:
            return re.sub(r"\.git$", "", repo["repo"])
        if self.code and "/" in self.text and " " not in self.text:
            return self.text.rstrip("/").rsplit("/", 1)[-1]
        return ""

    @property
    def name(self) -> str:
        """The project's name as the notes write it."""
        text = self.text.strip()
        if not text or text.startswith(("http://", "https://")) or text == self.url:
            return self.slug
        if self.code and "/" in text and " " not in text:
            return self.slug
        return text

    def is_project(self) -> bool:
        name = self.name
        if not name or _ORGANISATION.match(name) or len(name) > 60:
            return False
        # A link to a document, not to a repository: its text must read as a name.
        document = self.url and not _GITHUB_REPO.search(self.url)
        if document and (len(name.split()) > 3 or _DOCUMENT_WORDS.search(name)):
            return False
        return bool(self.slug) or len(name.split()) <= 4


@dataclass
class _Subject:
    name: str
    url: str = ""
    slug: str = ""

    @property
    def project(self) -> str:
        """The registry name: the name without a trailing parenthetical aside."""
        bare = re.sub(r"\s*\([^)]*\)\s*$", "", self.name).strip()
        return bare or self.name


@dataclass
class _Statement:
    """A heading, list item, sentence or table row: the unit items are read from."""

    index: int
    kind: str  # heading, item, sentence, row
    text: str
    lines: list[int]
    indent: int = 0
    parent: _Statement | None = None
    container: int = -1  # sentences of one paragraph share it
    children: list[_Statement] = field(default_factory=list)
    section: _Heading | None = None
    path: tuple[_Heading, ...] = ()
    mentions: list[_Mention] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict, repr=False)
    heading_level: int = 0
    phrase: str = ""  # the words that name its subject, when it names one

    @functools.cached_property
    def _inline(self) -> tuple[str, list[_Ref]]:
        return _inline(self.text[:_MAX_STATEMENT], self.references)

    @property
    def plain(self) -> str:
        """The text without markup: links as their text, repository URLs as the name."""
        return self._inline[0]

    @property
    def refs(self) -> list[_Ref]:
        """The links, repository URLs and code spans in the text."""
        return self._inline[1]


@dataclass
class _Mention:
    kind: str
    subject: _Subject
    statement: _Statement
    tier: str = "core"
    outcome: str = "pending"
    decision: str = ""
    condition: str = ""
    proposing_team: str = ""
    new_name: str = ""
    new_lead: str = ""
    committee_hint: str = ""
    also: list[_Statement] = field(default_factory=list)


class _LifecycleReader:
    """Finds lifecycle items in a document: statements whose words say a kind of change
    ("to the attic", "incubation", "rename X to Y", "project lead nomination"), lists under
    labels ("To Attic", "_To Be Retired_"), and the decisions recorded about them."""

    def __init__(self, document: _Document) -> None:
        self.document = document
        self.teams = document.team_line_map()
        self.team_headings = {team.index for team in document.teams()}
        self.statements = self._statements()
        self.found: list[_Mention] = []
        self._kinds: dict[int, tuple[str | None, re.Match | None]] = {}

    def mentions(self) -> list[LifecycleMention]:
        for statement in self.statements:
            self._read(statement)
        try:
            return self._merged()
        finally:
            self._release()

    def _release(self) -> None:
        """Break the statements' links to each other, so that a file's parse is freed as
        soon as it is done rather than at the next full garbage collection (which keeps
        the memory of a long import flat)."""
        for statement in self.statements:
            statement.parent = None
            statement.children = []
            statement.mentions = []
            statement.__dict__.pop("_inline", None)
        self.found = []
        self._kinds = {}
        self.statements = []

    # Statements

    def _statements(self) -> list[_Statement]:
        document = self.document
        lines = document.lines
        statements: list[_Statement] = []
        path: list[_Heading] = []
        items: list[_Statement] = []  # open list items, outermost first
        paragraph: list[int] = []
        intro: _Statement | None = None  # a sentence ending in ":" that a list follows
        containers = iter(range(1, 1 << 30))
        previous_blank = True

        def flush() -> None:
            nonlocal intro
            if not paragraph:
                return
            sentences = self._sentences(paragraph, next(containers), path)
            statements.extend(sentences)
            paragraph.clear()
            last = sentences[-1] if sentences else None
            intro = last if last is not None and last.text.rstrip().endswith(":") else None

        for index, line in enumerate(lines):
            if document.code[index] and index not in document.heading_at:
                continue
            heading = document.heading_at.get(index)
            if heading is not None:
                flush()
                items.clear()
                intro = None
                while path and path[-1].level >= heading.level:
                    path.pop()
                path.append(heading)
                statements.append(
                    _Statement(
                        index,
                        "heading",
                        heading.title,
                        [index],
                        section=heading,
                        path=tuple(path),
                        heading_level=heading.level,
                    )
                )
                previous_blank = False
                continue
            if not line.strip():
                flush()
                previous_blank = True
                continue
            bold = _BOLD_LINE.match(line)
            if bold and not items:
                flush()
                intro = None
                level = (path[-1].level if path else 1) + 1
                pseudo = _Heading(index, level, bold["title"].strip(), bold=True)
                while path and path[-1].bold:
                    path.pop()
                path.append(pseudo)
                statements.append(
                    _Statement(index, "heading", pseudo.title, [index], section=pseudo,
                               path=tuple(path), heading_level=level)
                )  # fmt: skip
                previous_blank = False
                continue
            if _RULE.match(line):
                flush()
                items.clear()
                intro = None
                previous_blank = True
                continue
            item = _ITEM.match(line)
            if item:
                flush()
                indent = len(item["indent"].expandtabs(4))
                while items and items[-1].indent >= indent:
                    items.pop()
                parent = items[-1] if items else intro
                statement = _Statement(
                    index,
                    "item",
                    item["text"].strip(),
                    [index],
                    indent=indent,
                    parent=parent,
                    section=path[-1] if path else None,
                    path=tuple(path),
                )
                if parent is not None:
                    parent.children.append(statement)
                statements.append(statement)
                items.append(statement)
                previous_blank = False
                continue
            if _TABLE_ROW.match(line):
                flush()
                if not _TABLE_RULE.match(line):
                    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
                    statements.append(
                        _Statement(index, "row", " | ".join(c for c in cells if c), [index],
                                   section=path[-1] if path else None, path=tuple(path))
                    )  # fmt: skip
                previous_blank = False
                continue
            indent = len(line) - len(line.lstrip())
            if items and (indent > items[-1].indent or not previous_blank):
                current = items[-1]  # a continuation of the item
                current.text = f"{current.text}\n{line.strip()}"
                current.lines.append(index)
            else:
                if previous_blank and not paragraph:
                    items.clear()
                paragraph.append(index)
            previous_blank = False
        flush()
        for statement in statements:
            statement.references = document.references
        return statements

    def _sentences(
        self, indexes: list[int], container: int, path: list[_Heading]
    ) -> list[_Statement]:
        lines = self.document.lines
        joined = ""
        starts: list[tuple[int, int]] = []
        for index in indexes:
            starts.append((len(joined), index))
            joined += lines[index].strip() + " "
        sentences = []
        position = 0
        parts = _SENTENCE_END.split(joined[: _MAX_STATEMENT * 4])
        for part in parts:
            first = max(i for offset, i in starts if offset <= position) if starts else 0
            end = position + len(part)
            covered = [i for offset, i in starts if position <= offset < end] or [first]
            if first not in covered:
                covered.insert(0, first)
            if part.strip():
                sentences.append(
                    _Statement(first, "sentence", part.strip(), covered, container=container,
                               section=path[-1] if path else None, path=tuple(path))
                )  # fmt: skip
            position = end
            while position < len(joined) and joined[position] == " ":
                position += 1
        return sentences

    # Reading one statement

    def _read(self, statement: _Statement) -> None:
        if statement.index in self.team_headings:
            return
        if any(heading.ignored for heading in statement.path):
            return
        lowered = statement.text.lower()
        # The cheap test first: most text names no change.
        if not _ANY_CUE.search(lowered) and not self._proposed_here(statement):
            if _ANY_DECISION.search(lowered):
                self._attach_decision(statement)
            return
        if not statement.plain.strip():
            return
        if self._read_label(statement):
            return
        kind, cue = self._kind(statement)
        if kind is None:
            self._attach_decision(statement)
            return
        subjects = self._subjects(kind, statement, cue)
        if subjects is None:  # refers to the items listed after it
            listed = self._listed(statement)
            for child in listed:
                self._add(kind, self._head_subject(child), child, source=statement)
            if listed:
                return
            subjects = []
        if not subjects:
            inherited = self._inherit(statement, kind)
            if inherited:
                return
            context = self._context_subject(statement)
            subjects = [context] if context is not None else []
        for subject in subjects:
            self._add(kind, subject, statement)

    def _kind(self, statement: _Statement) -> tuple[str | None, re.Match | None]:
        """The kind of change the statement's words name, and the words."""
        key = id(statement)
        if key not in self._kinds:
            self._kinds[key] = self._find_kind(statement)
        return self._kinds[key]

    def _find_kind(self, statement: _Statement) -> tuple[str | None, re.Match | None]:
        plain = statement.plain
        if not _ANY_CUE.search(plain.lower()):
            if self._proposed_here(statement):
                return INCUBATION, _PROPOSAL_TALK.search(plain)
            return None, None
        business = self._is_business(statement)
        excluded = _NOT_LIFECYCLE.search(plain)
        for kind, pattern in _STRONG_CUES:
            match = pattern.search(plain)
            if match is None:
                continue
            if kind == INCUBATION and _LEAVES_INCUBATION.search(plain):
                continue
            # Strong words survive an exclusion ("move the deprecated X to the attic"),
            # except for attic-less ones or a meeting-time change.
            if excluded and (_is_meeting_change(plain) or kind not in (ATTIC, RENAME, INCUBATION)):
                return None, None
            if kind == OWNERSHIP and statement.kind == "heading":
                continue
            if kind == RENAME and _renames_a_feature(plain, match):
                return None, None  # a property, flag or command renamed, not a project
            return kind, match
        if excluded:
            return None, None
        for kind, pattern in _WEAK_CUES:
            match = pattern.search(plain)
            if match is None:
                continue
            if kind == OTHER:
                destination = plain[match.start() : match.end()].casefold()
                if "incubator" in destination or "attic" in destination:
                    continue
                return kind, match
            if business or statement.parent is not None and self._is_business(statement.parent):
                return kind, match
        return None, None

    def _proposed_here(self, statement: _Statement) -> bool:
        """A proposal or vote mentioned under "_Under Review_", where the projects
        proposed for incubation are listed: the section says what is proposed."""
        return (
            statement.kind != "heading"
            and any(heading.under_review for heading in statement.path)
            and bool(_PROPOSAL_TALK.search(statement.text))
        )

    def _is_business(self, statement: _Statement) -> bool:
        """Whether the statement is where the meeting handles business (agenda,
        lifecycle, proposals, announcements, discussion) rather than a team's report."""
        if self.teams[statement.index] is not None:
            return False
        return any(heading.business for heading in statement.path)

    def _read_label(self, statement: _Statement) -> bool:
        """A label such as "To Attic" or "_To Be Retired_": the projects listed under it
        are items of that kind."""
        plain = statement.plain.strip()
        if len(plain) > 40:
            return False
        label = _LABEL.match(plain)
        if label is None:
            return False
        kind = _LABEL_KINDS.get((label["label"] or "").casefold())
        if kind is None:
            noun = (label["noun"] or "").casefold()
            kind = RENAME if noun.startswith("rename") else OWNERSHIP
        if statement.kind == "heading":
            listed = self._section_items(statement)
            lifecycle = any(heading.business for heading in statement.path[:-1])
            tier = "core" if lifecycle else "implicit"
        else:
            listed = statement.children
            tier = "core"
        found = False
        for child in listed:
            if self._kind(child)[0] is not None:
                continue  # it says more than a name: read on its own
            subject = self._head_subject(child, loose=True)
            if subject is not None:
                self._add(kind, subject, child, tier=tier, source=statement)
                found = True
        return found or statement.kind != "heading"

    def _section_items(self, heading: _Statement) -> list[_Statement]:
        listed = []
        start = self.statements.index(heading)
        for statement in self.statements[start + 1 :]:
            if statement.kind == "heading":
                if statement.heading_level <= heading.heading_level:
                    break
                listed.append(statement)
            elif statement.kind == "item" and statement.parent is None:
                listed.append(statement)
        return listed

    def _listed(self, statement: _Statement) -> list[_Statement]:
        """The items a statement about "these projects" refers to: its sub-items, or for
        a heading the items of its section."""
        if statement.kind == "heading":
            # The section's own list items, and those listed after its sentences ("Several
            # repositories are being incubated:").
            candidates = [c for c in self._section_items(statement) if c.kind == "item"]
            candidates += [
                child
                for other in self.statements
                if other.kind == "sentence" and other.section is statement.section
                for child in other.children
            ]
        else:
            candidates = statement.children
        listed = []
        for child in candidates:
            if self._kind(child)[0] is not None:
                continue
            if self._head_subject(child) is not None and child not in listed:
                listed.append(child)
        return listed

    # Subjects

    def _subjects(self, kind: str, statement: _Statement, cue: re.Match) -> list[_Subject] | None:
        """The projects a statement is about; [] when it names none (a pronoun, or no
        name at all), None when it refers to the items listed under it."""
        plain = _PROPOSAL_LABEL.sub("", statement.plain)
        if kind == OWNERSHIP and re.match(r"^\W*welcome\s", plain, _I):
            return self._welcomed(statement, plain)
        phrase = _subject_phrase(kind, plain)
        if phrase is None:
            return []
        statement.phrase = phrase
        if _GENERIC_PLURAL.search(phrase):
            refs = [ref for ref in statement.refs if ref.is_project()]
            return [_subject_of(ref) for ref in refs] or None
        if _PRONOUN.match(phrase) or _GENERIC_NOUN.match(phrase):
            return []
        refs = self._refs_within(statement, phrase)
        if refs:
            return [_subject_of(ref) for ref in refs]
        name = _clean_subject(phrase)
        if not _valid_subject(name):
            return []
        return [_Subject(name)]

    def _refs_within(self, statement: _Statement, phrase: str) -> list[_Ref]:
        """The links or code spans that the phrase naming the subject consists of."""
        wanted = normalized_name(phrase)
        if not wanted:
            return []
        refs = [ref for ref in statement.refs if ref.is_project()]
        inside = [ref for ref in refs if normalized_name(ref.text) and normalized_name(ref.text)
                  in wanted]  # fmt: skip
        if inside:
            return inside
        for child in statement.children:
            for ref in child.refs:
                slug = normalized_name(ref.slug or ref.name)
                if ref.is_project() and slug and (slug in wanted or wanted in slug):
                    return [ref]
        return []

    def _welcomed(self, statement: _Statement, plain: str) -> list[_Subject]:
        match = re.match(r"^\W*welcome\s+(?P<names>[^!.]+)", plain, _I)
        if match is None:
            return []
        names = re.split(r"\s*,\s*|\s+and\s+|\s*&\s*", match["names"].strip())
        subjects = []
        for name in names:
            name = _clean_subject(name)
            ref = next((r for r in statement.refs if r.text.strip() == name), None)
            if ref is not None:
                subjects.append(_subject_of(ref))
            elif name and (re.search(r"[-_/.]", name) or name[:1].islower()):
                subjects.append(_Subject(name))
        return subjects

    def _head_subject(self, statement: _Statement, *, loose: bool = False) -> _Subject | None:
        """The project a list item or heading starts with: "[CF Swagger](...) - was ...",
        a bare repository URL, "`cflocal`"; with `loose`, also a short plain name."""
        plain = statement.plain.strip()
        for ref in statement.refs:
            if not ref.is_project():
                continue
            if ref.start <= 24 or _GITHUB_REPO.search(ref.url or ""):
                return _subject_of(ref)
        if statement.kind == "heading":
            name = _team_and_lead(statement.text)[0] if loose else ""
        else:
            name = re.split(r"\s+[-–—:]\s+|\s*[:(]", plain, maxsplit=1)[0] if loose else ""
        name = _clean_subject(name)
        if loose and _valid_subject(name) and len(name.split()) <= 4:
            return _Subject(name)
        return None

    def _context_subject(self, statement: _Statement) -> _Subject | None:
        """What "it" or an unnamed item refers to: the item it is nested in, an earlier
        sentence of its paragraph, the team whose report it is in, or its heading."""
        own = self._head_subject(statement) if statement.kind in ("sentence", "item") else None
        if own is not None:  # "The [binary buildpack][b] was ... moved into ..."
            return own
        parent = statement.parent
        while parent is not None:
            subject = self._head_subject(parent)
            if subject is not None:
                return subject
            parent = parent.parent
        if statement.kind == "sentence":
            for other in self.statements:
                if other is statement:
                    break
                if other.container == statement.container:
                    refs = [ref for ref in other.refs if ref.is_project()]
                    if refs:
                        return _subject_of(refs[0])
        team = self.teams[statement.index]
        if team is not None:
            name = team.team
            noun = _GENERIC_NOUN.match(statement.phrase)
            if noun is not None:
                words = name.split()
                for i, word in enumerate(words):
                    if word.casefold().startswith(noun["noun"].casefold()):
                        name = " ".join(words[: i + 1])
                        break
            return _Subject(_plain_heading(name))
        for heading in reversed(statement.path):
            if heading.level == 1 and not heading.bold:
                break
            title = _plain_heading(heading.title)
            if _MEETING_SECTION.match(title) or _REPORT_SECTION.match(title):
                continue
            plain, refs = _inline(heading.title, self.document.references)
            refs = [ref for ref in refs if ref.is_project()]
            if refs:
                return _subject_of(refs[0])
            for kind, pattern in _STRONG_CUES:
                if pattern.search(plain):
                    phrase = _subject_phrase(kind, plain)
                    if phrase and not _PRONOUN.match(phrase):
                        name = _clean_subject(phrase)
                        if _valid_subject(name) and not _GENERIC_PLURAL.search(phrase):
                            return _Subject(name)
            name = _clean_subject(title)
            if _valid_subject(name) and len(name.split()) <= 3:
                return _Subject(name)
            return None
        return None

    # Recording

    def _add(
        self,
        kind: str,
        subject: _Subject | None,
        statement: _Statement,
        *,
        tier: str | None = None,
        source: _Statement | None = None,
    ) -> None:
        if subject is None or not _valid_subject(subject.name):
            return
        said = source or statement
        plain = _PROPOSAL_LABEL.sub("", said.plain)
        mention = _Mention(kind, subject, statement)
        if source is not None:
            mention.also.append(source)
        mention.tier = tier or self._tier(said, plain)
        self._judge(mention, said)
        kind_cue = self._kind(said)[1]
        condition = self._condition(said.plain, kind_cue.end() if kind_cue else len(said.plain))
        if condition:
            mention.condition = condition
            if mention.outcome == "approved":
                mention.outcome = "deferred"
        team = (
            _PROPOSING_TEAM.search(plain)
            or _PROPOSING_PERSON.search(plain)
            or _PROPOSED_BY.search(said.plain)
        )
        if team is not None:
            mention.proposing_team = (team.groupdict().get("team") or team["person"]).strip()
        elif self.teams[said.index] is not None and re.search(r"\bwe\b", plain, _I):
            mention.proposing_team = f"{self.teams[said.index].team} team"
        hint = _COMMITTEE_HINT.search(plain)
        if hint is not None:
            mention.committee_hint = hint["name"]
        if kind == RENAME:
            mention.new_name = _new_name(plain)
        if kind == OWNERSHIP:
            mention.new_lead = _new_lead(plain)
        statement.mentions.append(mention)
        if source is not None and source is not statement:
            source.mentions.append(mention)
        self.found.append(mention)

    def _tier(self, statement: _Statement, plain: str) -> str:
        if self._is_business(statement) or statement.kind == "heading":
            return "core"
        if _PROPOSAL_WORDS.search(plain) or _DECIDED.search(plain):
            return "core"
        return "secondary"

    def _judge(self, mention: _Mention, statement: _Statement) -> None:
        """The outcome the statement records, if any."""
        plain = _PROPOSAL_LABEL.sub("", statement.plain)
        label = _DECISION_LABEL.match(plain)
        if label is not None:
            mention.decision = statement.plain.strip()
            mention.outcome = _decided(label["text"])
        elif _DECIDED.search(plain):
            mention.decision = statement.plain.strip()
            mention.outcome = _decided(plain)
        elif _DONE.search(plain) and not _STILL_OPEN.search(plain):
            mention.decision = statement.plain.strip()
            mention.outcome = "completed"

    def _condition(self, plain: str, after: int = 0) -> str:
        """What the change waits for, said after the words that name the change."""
        for match in _CONDITION.finditer(plain, after):
            condition = match["condition"].strip().rstrip(",:;-– ")
            if not _NOT_A_CONDITION.match(condition):
                return condition[:500]
        return ""

    def _inherit(self, statement: _Statement, kind: str) -> bool:
        """A statement with a kind's words but no name of its own ("Decision: Moved to
        active projects!", "Pivotal nominated Zach Robinson") adds to the item it is
        nested in."""
        parent = statement.parent
        while parent is not None and not parent.mentions:
            parent = parent.parent
        if parent is None:
            return False
        targets = [m for m in parent.mentions if m.kind == kind] or parent.mentions
        for mention in targets:
            self._update(mention, statement)
        return True

    def _attach_decision(self, statement: _Statement) -> None:
        """A decision recorded without naming what it decides applies to the item it is
        nested in, or to the items raised before it in the same section."""
        plain = statement.plain
        if not (_DECISION_LABEL.match(plain) or _DECIDED.search(plain)):
            return
        parent = statement.parent
        while parent is not None and not parent.mentions:
            parent = parent.parent
        if parent is not None:
            targets = parent.mentions
        else:
            if statement.kind == "item" and statement.parent is not None:
                return
            targets = [
                m
                for m in self.found
                if m.statement.section is statement.section
                and m.statement.index < statement.index
                and m.outcome == "pending"
            ]
        for mention in targets:
            self._update(mention, statement)

    def _update(self, mention: _Mention, statement: _Statement) -> None:
        mention.also.append(statement)
        plain = _PROPOSAL_LABEL.sub("", statement.plain)
        judged = _Mention(mention.kind, mention.subject, statement)
        self._judge(judged, statement)
        if _OUTCOME_RANK[judged.outcome] > _OUTCOME_RANK[mention.outcome]:
            mention.outcome, mention.decision = judged.outcome, judged.decision
        if mention.kind == OWNERSHIP and not mention.new_lead:
            mention.new_lead = _new_lead(plain)
        if mention.kind == RENAME and not mention.new_name:
            mention.new_name = _new_name(plain)
        if not mention.condition:
            cue = self._kind(statement)[1]
            mention.condition = self._condition(statement.plain, cue.end() if cue else 0)
            if mention.condition and mention.outcome == "approved":
                mention.outcome = "deferred"

    # Merging mentions of the same proposal

    def _merged(self) -> list[LifecycleMention]:
        groups: dict[str, list[_Mention]] = {}
        aliases: dict[str, str] = {}
        in_report: dict[tuple[int, str], list[tuple[str, str]]] = {}
        for mention in self.found:
            names = [normalized_name(mention.subject.project)]
            if mention.subject.slug:
                names.append(normalized_name(mention.subject.slug))
            keys = [f"{mention.kind}:{name}" for name in names]
            group = next((aliases[k] for k in keys if k in aliases), None)
            team = self.teams[mention.statement.index]
            if group is None and team is not None:
                # In the report of the team "Stratos-UI", "stratos" is the same project.
                own = normalized_name(team.team)
                for name, other in in_report.get((team.index, mention.kind), []):
                    shorter, longer = sorted((name, names[0]), key=len)
                    if own in (name, names[0]) and len(shorter) >= 4 and longer.startswith(shorter):
                        group = other
                        break
            group = group or keys[0]
            for key in keys:
                aliases.setdefault(key, group)
            if team is not None:
                in_report.setdefault((team.index, mention.kind), []).append((names[0], group))
            groups.setdefault(group, []).append(mention)
        return [self._combine(group) for group in groups.values()]

    def _combine(self, group: list[_Mention]) -> LifecycleMention:
        def weight(m: _Mention) -> tuple:
            return (
                _OUTCOME_RANK[m.outcome] > 0 and bool(m.decision),
                self._is_business(m.statement) or m.statement.kind == "heading",
                m.tier == "core",
                -m.statement.index,
            )

        primary = max(group, key=weight)
        outcome_from = max(group, key=lambda m: (_OUTCOME_RANK[m.outcome], -m.statement.index))
        statements: list[_Statement] = []
        for mention in sorted(group, key=lambda m: m.statement.index):
            for statement in [mention.statement, *mention.also]:
                if statement not in statements:
                    statements.append(statement)
        statements.sort(key=lambda s: s.index)
        lines = sorted({i for s in statements for i in s.lines})
        excerpt = self._excerpt(primary.statement, statements)
        tier = min((m.tier for m in group), key=("core", "secondary", "implicit").index)

        def first(attribute: str) -> str:
            return next((getattr(m, attribute) for m in group if getattr(m, attribute)), "")

        subject = primary.subject
        if not subject.url:
            subject = next((m.subject for m in group if m.subject.url), subject)
        section = next(
            (_plain_heading(h.title) if h.bold else h.title for h in primary.statement.path
             if h.level >= 2 and not h.bold), ""
        ) or (primary.statement.path[-1].title if primary.statement.path else "")  # fmt: skip
        return LifecycleMention(
            kind=primary.kind,
            subject=primary.subject.name,
            project=subject.project if subject is not primary.subject else primary.subject.project,
            line=primary.statement.index + 1,
            section=section[:300],
            excerpt=excerpt,
            tier=tier,
            outcome=outcome_from.outcome,
            decision=outcome_from.decision[:1000],
            condition=first("condition"),
            proposing_team=first("proposing_team")[:200],
            new_name=first("new_name")[:200],
            new_lead=first("new_lead")[:200],
            repository_url=subject.url,
            committee_hint=first("committee_hint"),
            summary=" ".join(primary.statement.plain.split())[:200],
            lines=tuple(i + 1 for i in lines),
        )

    def _excerpt(self, primary: _Statement, statements: list[_Statement]) -> str:
        lines = self.document.lines
        chosen: list[int] = []
        for statement in [primary, *statements]:
            indexes = list(statement.lines)
            if statement is primary:
                indexes += [i for child in statement.children for i in child.lines]
            for index in indexes:
                if index not in chosen:
                    chosen.append(index)
        chosen.sort()
        parts: list[str] = []
        previous = None
        for index in chosen:
            if previous is not None and index > previous + 1:
                parts.append("…")
            parts.append(lines[index].rstrip())
            previous = index
        return "\n".join(parts).strip()[:_MAX_EXCERPT]


def _renames_a_feature(plain: str, cue: re.Match) -> bool:
    """Whether what is renamed is a property, flag, command, ... rather than a project:
    the words just before "renamed" or between "rename" and "to" name one."""
    after = re.split(r"\s(?:to|as|into)\s", plain[cue.end() : cue.end() + 160], maxsplit=1)[0]
    if re.match(r"\s+(?:to|as)\s", plain[cue.end() :]):  # "X was renamed to Y"
        after = " ".join(plain[: cue.start()].split()[-4:])
    return bool(_FEATURE_NOUNS.search(after))


def _is_meeting_change(plain: str) -> bool:
    return bool(
        re.search(
            r"\bmeetings?\s+(?:time|times|schedule|slot|cadence|day)\b|\b(?:meeting|call)s?\s+"
            r"(?:will\s+|to\s+)?(?:now\s+)?(?:be\s+)?(?:held\s+)?(?:mov\w*|every|bi-?weekly)\b"
            r"|\bmailing\s+list\b",
            plain,
            _I,
        )
    )


def _decided(text: str) -> str:
    if _NEGATIVE.search(text):
        return "rejected"
    if _DEFERRED.search(text):
        return "deferred"
    return "approved"


def _inline(text: str, references: dict[str, str]) -> tuple[str, list[_Ref]]:
    """Markdown inline text as plain text, and the links and code spans in it."""
    pieces: list[str] = []
    refs: list[_Ref] = []
    length = 0
    position = 0
    for match in _INLINE.finditer(text):
        literal = text[position : match.start()]
        pieces.append(literal)
        length += len(literal)
        position = match.end()
        shown, url, code = "", "", False
        if match["image"]:
            continue
        if match["link_url"] is not None and match["link_text"] is not None:
            shown, url = match["link_text"], match["link_url"]
        elif match["ref_text"] is not None:
            label = (match["ref_label"] or match["ref_text"]).strip().casefold()
            shown, url = match["ref_text"], references.get(label, "")
        elif match["autolink"] or match["bare"]:
            url = match["autolink"] or match["bare"]
            repo = _GITHUB_REPO.search(url)
            shown = re.sub(r"\.git$", "", repo["repo"]) if repo else ""
        elif match["code"] is not None:
            shown, code = match["code"].strip(), True
        elif match["short"] is not None:
            label = match["short"].strip().casefold()
            if label not in references:
                pieces.append(match[0])
                length += len(match[0])
                continue
            shown, url = match["short"], references[label]
        shown = shown.strip()
        if shown or url:
            refs.append(_Ref(shown, url, length, length + len(shown), code))
        pieces.append(shown)
        length += len(shown)
    pieces.append(text[position:])
    plain = "".join(pieces)
    plain = plain.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    plain = re.sub(r"\*\*|__|~~", "", plain)
    plain = re.sub(r"(?<!\w)[*_]+(?=\w)|(?<=\w)[*_]+(?!\w)", "", plain)
    plain = _SPEAKER.sub("", plain)
    return plain, [ref for ref in refs if ref.text or ref.slug]


def _subject_of(ref: _Ref) -> _Subject:
    return _Subject(_clean_subject(ref.name) or ref.name, ref.url, ref.slug)


_NAME = r"(?P<s>(?:[^.;:!?]|\.(?=\S)){1,120}?)"
_SUBJECT_PATTERNS: dict[str, list[re.Pattern]] = {
    RENAME: [
        re.compile(r"\bchange\W?\s+from\s+" + _NAME + r"\s+to\s", _I),
        re.compile(r"\brenam\w*\s+(?:of\s+)?(?:the\s+)?" + _NAME + r"\s+(?:to|as|into)\s", _I),
        re.compile(
            r"(?P<s>[\w`.()\-]+(?:\s+[\w`.()\-]+){0,4}?)\s+(?:was|has\s+been|is\s+being|will\s+be"
            r"|to\s+be|be|is|are|were|got|gets)\s+renamed\b",
            _I,
        ),
        re.compile(r"\brenam\w*\s+(?:of\s+)?(?:the\s+)?" + _NAME + r"\s*(?:[,.;:!?(]|$)", _I),
    ],
    ATTIC: [
        re.compile(
            r"\b(?:mov\w*|put\w*|plac\w*|send\w*|transfer\w*|push\w*|retir\w*|archiv\w*|go\w*)"
            r"\s+(?:of\s+)?" + _NAME + r"\s+(?:to|in|into)\s+(?:the\s+)?\W*(?:cloudfoundry-)?attic",
            _I,
        ),
        re.compile(
            _NAME + r"\s+(?:is|was|has\s+been|will\s+be|should\s+be|to\s+be|be|are|were|goes"
            r"|went|gets?|got)\s+(?:moved\s+|retired\s+|archived\s+|put\s+)?(?:to|in|into)\s+"
            r"(?:the\s+)?\W*(?:cloudfoundry-)?attic",
            _I,
        ),
        re.compile(_NAME + r"\s*(?:[:\-–—]\s*)?(?:to|->|→)\s+(?:the\s+)?attic", _I),
        re.compile(
            r"\b(?:retir\w*|archiv\w*|sunset\w*|decommission\w*)\s+(?:of\s+)?"
            + _NAME
            + r"(?:\s+(?:to|in|into|as|because|since|when|once|after|at|and)\b|[,;:!?(]|$)",
            _I,
        ),
    ],
    INCUBATION: [
        re.compile(
            r"\b(?:mov\w*|bring\w*|brought|transfer\w*|put\w*|hav\w*|add\w*|accept\w*)\s+"
            r"(?:a\s+|an\s+)?" + _NAME + r"\s+(?:from\s+(?:the\s+)?[\w`.-]+(?:\s+[\w`.-]+)?\s+)?"
            r"(?:in|into|to)\s+(?:the\s+)?(?:incubation|incubator|cloudfoundry-incubator)",
            _I,
        ),
        re.compile(
            r"\b(?:incubat(?:e|ing)|incubation\s+(?:of|for))\s+(?:of\s+)?"
            + _NAME
            + r"(?:\s+(?:as|in|into|under|to|within|by|at|for|and)\b|[,;:!?(]|$)",
            _I,
        ),
        re.compile(
            _NAME + r"\s+(?:project\s+)?(?:is|was|has\s+been|were|are|be|being|got|gets)?\s*"
            r"(?:officially\s+)?(?:being\s+)?(?:accepted|approved|admitted|proposed|voted\s+in"
            r"|entered|moved|incubated)\s*(?:(?:as|for|into|in|to)\s+(?:an?\s+)?(?:the\s+)?"
            r"incubat|\b)",
            _I,
        ),
        re.compile(_NAME + r"\s+(?:in|into|to)\s+(?:the\s+)?cloudfoundry-incubator", _I),
        re.compile(r"\bincubation\s+proposal\s+(?:for|of)\s+" + _NAME + r"(?:[,;:!?(]|\s|$)", _I),
        re.compile(_NAME + r"\s+incubation\s+proposal", _I),
        re.compile(
            _NAME + r"\s+(?:proposal|request|application)s?\s+(?:for|to)\s+(?:the\s+)?incubat", _I
        ),
    ],
    PROMOTION: [
        re.compile(
            r"\b(?:mov\w*|bring\w*|tak\w*|graduat\w*|promot\w*|get\w*)\s+(?:of\s+)?"
            + _NAME
            + r"\s+out\s+of\s+(?:the\s+)?incubat",
            _I,
        ),
        re.compile(_NAME + r"\s+(?:exits?|exited|leaves?|left)\s+(?:the\s+)?incubat", _I),
        re.compile(
            r"\b(?:mov\w*|promot\w*|graduat\w*|bring\w*|transition\w*)\s+(?:of\s+)?"
            + _NAME
            + r"\s+(?:to|into)\s+(?:the\s+)?active",
            _I,
        ),
        re.compile(
            _NAME + r"\s+(?:is|was|has\s+been|will\s+be|to\s+be|be|are|were|gets?|got)\s+"
            r"(?:now\s+)?(?:moved\s+|promoted\s+)?(?:to|into)\s+(?:the\s+)?active",
            _I,
        ),
        re.compile(_NAME + r"\s*(?:[:\-–—]\s*)?(?:to|->|→)\s+(?:the\s+)?active", _I),
        re.compile(
            _NAME + r"\s+(?:has\s+)?(?:graduated|graduates|was\s+promoted|is\s+now\s+active)", _I
        ),
        re.compile(
            r"\b(?:promot\w*|graduat\w*)\s+(?:of\s+)?"
            + _NAME
            + r"(?:\s+(?:to|from|out|as|into)\b|[,;:!?(]|$)",
            _I,
        ),
    ],
    OWNERSHIP: [
        re.compile(
            r"\b(?:project\s+)?lead(?:er)?(?:ship)?\s+(?:opening|nominations?|election|change"
            r"|vacancy|role|position|handover)s?\s+(?:for|of|on)\s+(?:the\s+)?"
            + _NAME
            + r"(?:\s+project\b|[.,;:!?(]|\s+(?:is|are|open|due|until|closes?)\b|$)",
            _I,
        ),
        re.compile(
            r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?lead(?:er)?(?:ship)?\s+"
            r"(?:opening|nominations?|election|change|vacancy|role|position|handover)",
            _I,
        ),
        re.compile(
            r"\bnew\s+(?:project\s+)?(?:lead|leader|owner|maintainer)s?\s+(?:for|of)\s+"
            r"(?:the\s+)?" + _NAME + r"(?:[.,;:!?(]|\s+(?:is|will|project)\b|$)",
            _I,
        ),
        re.compile(
            r"\b(?:lead|leader|owner|maintainer)\s+(?:for|of)\s+(?:the\s+)?"
            + _NAME
            + r"(?:[.,;:!?(]|\s+project\b|$)",
            _I,
        ),
        re.compile(_NAME + r"\s+needs?\s+(?:a\s+)?(?:new\s+)?(?:owner|maintainer|lead)", _I),
        re.compile(
            r"\bas\s+(?:the\s+)?(?:new\s+)?(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?"
            r"lead(?:er)?\b",
            _I,
        ),
        re.compile(
            r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?(?:ownership|leadership"
            r"|maintainership)\b",
            _I,
        ),
        re.compile(
            r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)(?:'s)?\s+(?:pm|project\s+manager|product\s+"
            r"manager|lead|leader|owner|maintainer)s?\s+(?:is\s+|are\s+|will\s+be\s+)?(?:chang"
            r"|mov|transition|switch|hand)",
            _I,
        ),
        re.compile(
            r"\bownership\s+of\s+(?:the\s+)?" + _NAME + r"(?:\s+(?:to|from)\b|[.,;:!?(]|$)", _I
        ),
    ],
    OTHER: [
        re.compile(
            r"\b(?:mov\w*|transfer\w*|donat\w*)\s+(?:of\s+)?" + _NAME + r"\s+(?:in)?to\s+"
            r"(?:the\s+)?(?:[\w.`-]+\s+){0,2}?(?:foundation|org|organi[sz]ation)\b",
            _I,
        ),
    ],
}


def _subject_phrase(kind: str, plain: str) -> str | None:
    """The words naming what the statement is about, as written (None if it names none);
    a pronoun ("this", "the plugin") is returned as it is, for the caller to resolve."""
    for pattern in _SUBJECT_PATTERNS[kind]:
        match = pattern.search(plain[:_MAX_STATEMENT])
        if match is None:
            continue
        phrase = _clean_phrase(match["s"])
        if phrase:
            return phrase
    return None


_CLAUSE_BREAK = re.compile(
    r"[.!?:;]\s+|\s+[-–—]\s+|,\s+(?=(?:and\s+so|so|but|which|because|since|while|as|although"
    r"|though|then|and\s+then|and\s+(?:it|we|they|this|that))\b)",
    _I,
)


def _clean_phrase(phrase: str) -> str:
    """The last clause of a phrase, without leading filler words."""
    phrase = _CLAUSE_BREAK.split(phrase.strip())[-1]
    words = phrase.split()
    while words and words[0].casefold().strip(",\"'") in _NOISE_WORDS:
        words.pop(0)
    return " ".join(words).strip(" ,\"'")


def _clean_subject(name: str) -> str:
    name = re.sub(r"\s+", " ", name.replace("`", "").replace("*", "")).strip(" ,;:!?\"'-–—[]")
    name = name.rstrip(".")
    words = name.split()
    while words and words[0].casefold() in _NOISE_WORDS:
        words.pop(0)
    while words and words[-1].casefold().strip(".,") in _TRAILING_NOISE and len(words) > 1:
        words.pop()
    return " ".join(words).strip(" ,;:!?\"'-–—").rstrip(".")


def _valid_subject(name: str) -> bool:
    if not name or len(name) > 80 or not re.search(r"[A-Za-z]", name):
        return False
    words = name.split()
    if len(words) > 7 or all(word.casefold() in _NOISE_WORDS for word in words):
        return False
    return not (_PRONOUN.match(name) or _ORGANISATION.match(name))


def _new_name(plain: str) -> str:
    match = re.search(
        r"\brenam\w*\s+(?:.+?)\s+(?:to|as|into)\s+(?P<new>[^.;,!?()]+?)\s*(?:[.;,!?(]|\s+(?:then"
        r"|so|because|since|after|before|when|once)\b|$)"
        r"|\brenamed\s+(?:to\s+|as\s+)?(?P<new2>[^.;,!?()]+?)\s*(?:[.;,!?(]|\s+then\b|$)"
        r"|\bnow\s+(?:called|named|known\s+as)\s+(?P<new3>[^.;,!?()]+?)\s*(?:[.;,!?(]|$)"
        r"|\bchange\W?\s+from\s+.+?\s+to\s+(?P<new4>[^.;,!?()]+?)\s*(?:[.;,!?(]|$)",
        plain,
        _I,
    )
    if match is None:
        return ""
    new = match["new"] or match["new2"] or match["new3"] or match["new4"] or ""
    new = _clean_subject(new)
    if len(new.split()) > 4 and " and " in new:  # "X and posted it to bosh.io"
        new = new.split(" and ", 1)[0]
    return new if _valid_subject(new) and len(new.split()) <= 5 else ""


def _new_lead(plain: str) -> str:
    for pattern in _NEW_LEAD:
        match = pattern.search(plain)
        if match is None:
            continue
        person = match["person"].strip(" .,")
        if person and not _NOT_A_PERSON.match(person) and len(person.split()) <= 4:
            return person
    return ""
