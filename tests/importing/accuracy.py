"""How the notes import compares with what a careful reader found: every accuracy figure,
for the parser and for the import, computed in one place for the tests and the
benchmark (benchmarks/notes_accuracy.py).

`expected/lifecycle.json` lists, per sample file, each item with its kind, subject, tier
(core, secondary, implicit) and `proposal_key`. An item is found when the parser reports
an item in the same file with the same kind about the same subject; subjects match when
they are the same name once case and punctuation are ignored, when one contains the
other, or when they share a distinctive word ("CF Eclipse Tooling", "Eclipse plugin").

The figures (`Figures.measure`; `Figures.rows` gives each beside its target):

- meetings: an expected meeting is right when its file reads as a meeting with the
  expected committee and date; any other file that reads as a meeting (a template, a
  README, ...) is counted against the target, which is all right and none other;
- team reports: an expected team report is found when the parser reports, in the same
  file, a team of exactly that name (one report for one expected; order aside); its lead
  is right when that report's lead is exactly the expected one ("" for none). Reports
  the reader did not list are counted and listed, but do not lower the figure;
- items found: per tier, the expected items for which the parser reports an item in the
  same file that matches it (the target is on `core`); the parser's own precision per
  tier is kept beside (an item is correct when it matches an expected item of its file);
- precision of the import: the share of the proposals the import created that match an
  expected item of any tier, where a proposal matches an item when one of the meetings
  it is linked to was imported from the item's file (`Meeting.source`) and the proposal,
  read as an item of its kind about its project (its name, each former name, the last
  part of each repository URL; its title when it has no project), matches the item;
- not_lifecycle passages that became a proposal: a passage became one when a proposal is
  linked to the meeting imported from the passage's file with an excerpt one of whose
  lines says the passage's text. Both are compared normalised: the targets of links
  (`(http...)`, `<http...>`) dropped, case folded, every run of characters other than
  letters and digits made one space (so list marks, `#`, `*`, `_` and brackets do not
  count); the line says the passage when the two are equal, or when the shorter of them
  has at least three words and the longer contains it;
- proposal keys that span meetings: a `proposal_key` of expected items in two or more
  files ends as one proposal when, in each of its files, some proposal linked to that
  file's meeting matches the key's item there, and all of those are the same proposal.

Per tier, the import's counts are kept too: the expected items matched by a proposal
linked to their file's meeting. Django is imported only where the database is read, so
that the benchmark can import this module before it sets Django up.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pmc.notes import LifecycleMention, MeetingNotes, Unreadable, normalized_name, read_notes

NOTES = Path(__file__).resolve().parent.parent / "fixtures" / "notes"
TIERS = ("core", "secondary", "implicit")
KINDS = {
    "attic/archive": "attic",
    "incubation": "incubation",
    "promotion to active": "promotion",
    "ownership change": "ownership",
    "rename": "rename",
    "other": "other",
}
# Words too common in project names to tell two subjects apart.
_COMMON = {
    "cf", "cloud", "foundry", "the", "a", "of", "for", "and", "project", "projects", "plugin",
    "client", "api", "release", "broker", "pmc", "tool", "tools", "tooling", "bot", "lib",
    "extensions", "extension", "service", "services", "server", "to", "in",
}  # fmt: skip


def expected_items() -> list[dict]:
    return json.loads((NOTES / "expected" / "lifecycle.json").read_text(encoding="utf-8"))


def expected_meetings() -> list[dict]:
    return json.loads((NOTES / "expected" / "meetings.json").read_text(encoding="utf-8"))


def read_sample(path: str) -> MeetingNotes:
    notes = read_notes(path, (NOTES / path).read_bytes())
    assert isinstance(notes, MeetingNotes), notes
    return notes


def subjects_match(expected: dict, mention: LifecycleMention) -> bool:
    ours = [mention.subject, mention.project]
    if mention.repository_url:
        ours.append(mention.repository_url.rstrip("/").rsplit("/", 1)[-1])
    theirs = [expected["subject"].split(" -> ")[0], expected["proposal_key"].split(":")[1]]
    for a in ours:
        for b in theirs:
            x, y = normalized_name(a), normalized_name(b)
            if x and y and (x == y or (min(len(x), len(y)) >= 3 and (x in y or y in x))):
                return True
    words = {w for s in ours for w in _words(s)}
    return bool(words & {w for s in theirs for w in _words(s)})


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[\W_]+", text.casefold()) if len(w) > 1} - _COMMON


def matches(expected: dict, mention: LifecycleMention) -> bool:
    return KINDS[expected["kind"]] == mention.kind and subjects_match(expected, mention)


def best_match(expected: dict, mentions) -> LifecycleMention | None:
    """The item that matches best: the same name before a shared word."""
    candidates = [mention for mention in mentions if matches(expected, mention)]
    wanted = {normalized_name(expected["subject"]), normalized_name(expected["proposal_key"])}
    wanted.add(normalized_name(expected["proposal_key"].split(":")[1]))
    exact = [m for m in candidates if normalized_name(m.subject) in wanted]
    return (exact or candidates or [None])[0]


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    reported: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0


def score() -> dict[str, Score]:
    """Recall per tier of the expected items; precision per tier the parser gave its
    items (an item is correct when it matches any expected item of its file)."""
    items = expected_items()
    files = sorted({item["file"] for item in items} | {m["file"] for m in expected_meetings()})
    scores = {tier: Score() for tier in (*TIERS, "all")}
    for path in files:
        mentions = read_sample(path).mentions
        wanted = [item for item in items if item["file"] == path]
        for item in wanted:
            found = any(matches(item, mention) for mention in mentions)
            for tier in (item["tier"], "all"):
                scores[tier].expected += 1
                scores[tier].found += found
                if not found:
                    scores[tier].missed.append(f"{path}:{item['line']} {item['subject']}")
        for mention in mentions:
            correct = any(matches(item, mention) for item in wanted)
            for tier in (mention.tier, "all"):
                scores[tier].reported += 1
                scores[tier].correct += correct
                if not correct:
                    scores[tier].extra.append(f"{path}:{mention.line} {mention.subject}")
    return scores


def report(scores: dict[str, Score] | None = None) -> str:
    scores = scores or score()
    lines = [
        "Lifecycle items in tests/fixtures/notes (against expected/lifecycle.json):",
        f"  {'tier':<10} {'expected':>8} {'found':>6} {'recall':>7} {'reported':>9} "
        f"{'correct':>8} {'precision':>9}",
    ]
    for tier, s in scores.items():
        lines.append(
            f"  {tier:<10} {s.expected:>8} {s.found:>6} {s.recall:>7.0%} {s.reported:>9} "
            f"{s.correct:>8} {s.precision:>9.0%}"
        )
    everything = scores["all"]
    if everything.missed:
        lines.append("  missed: " + "; ".join(everything.missed))
    if everything.extra:
        lines.append("  not expected: " + "; ".join(everything.extra))
    return "\n".join(lines)


# What was expected, parsed and imported, for a whole folder of notes.


@dataclass
class Expected:
    meetings: list[dict]
    items: list[dict]
    not_lifecycle: list[dict] | None  # None: the folder has no not_lifecycle.json

    @classmethod
    def load(cls, folder: Path = NOTES) -> Expected:
        def read(name: str):
            path = folder / "expected" / name
            return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

        return cls(read("meetings.json"), read("lifecycle.json"), read("not_lifecycle.json"))


def parse_folder(folder: Path = NOTES) -> dict[str, object]:
    """Every file of the folder (those the import reads) as the parser reads it, by its
    path from the folder."""
    from proposals.importing import collect_files

    parsed = {}
    for file in collect_files([folder]):
        path = Path(file.name).relative_to(folder).as_posix()
        try:
            parsed[path] = read_notes(path, file.read())
        except OSError as error:  # a FIFO, a device, ...: never opened
            parsed[path] = Unreadable(path, str(error))
    return parsed


def import_folder(folder: Path = NOTES) -> dict[str, int]:
    """Import every file of the folder as the system (`system:import`) does, into the
    database Django is set up with; the import's summary counts."""
    from proposals.importing import apply_import, collect_files

    result = apply_import(collect_files([folder]), on_file=lambda file_result: None)
    return result.counts()


@dataclass
class Proposal:
    """A proposal the import created: what it is, and where it was linked."""

    id: int
    kind: str
    title: str
    names: list[str]  # the project's name, its former names, or the title
    urls: list[str]
    links: list[tuple[str, str]] = field(default_factory=list)  # (meeting source, excerpt)

    def as_items(self) -> list[LifecycleMention]:
        """The proposal read as the parser's items, one per name and repository URL."""
        return [
            LifecycleMention(self.kind, name, self.names[0], 0, "", "", repository_url=url)
            for name in self.names
            for url in self.urls or [""]
        ]

    def matches(self, item: dict) -> bool:
        return any(matches(item, mention) for mention in self.as_items())

    def files(self) -> list[str]:
        return sorted({source for source, _ in self.links})

    def describe(self) -> str:
        return f"#{self.id} {self.kind} {self.title!r} ({', '.join(self.files()) or 'no meeting'})"


@dataclass
class Imported:
    proposals: list[Proposal]
    meetings: set[str]  # the sources of the meetings imported

    @classmethod
    def load(cls) -> Imported:
        """The proposals and meetings in the database, as the import left them."""
        from pmc.models import Meeting
        from proposals.models import Proposal as ProposalRow
        from proposals.models import ProposalMeeting

        proposals = {}
        for row in ProposalRow.objects.select_related("project").order_by("id"):
            project = row.project
            names = [project.name, *project.former_names] if project else [row.title]
            urls = list(project.repository_urls) if project else []
            proposals[row.pk] = Proposal(row.pk, row.kind, row.title, names, urls)
        for link in ProposalMeeting.objects.select_related("meeting").order_by("id"):
            proposals[link.proposal_id].links.append((link.meeting.source, link.excerpt))
        sources = set(Meeting.objects.values_list("source", flat=True))
        return cls(list(proposals.values()), sources)

    def linked_in(self, source: str) -> list[Proposal]:
        return [p for p in self.proposals if any(s == source for s, _ in p.links)]


# The figures.


@dataclass
class Tier:
    expected: int = 0
    found: int = 0  # by the parser
    reported: int = 0  # items the parser reported
    correct: int = 0
    imported: int = 0  # expected items matched by a proposal linked to their meeting


@dataclass(frozen=True)
class Figure:
    """One figure beside its target: `value` is a share (0 to 1) or, for a figure that
    counts what should not happen, a count; `at_most` says the target is a ceiling.
    `value` is None when the folder cannot measure it."""

    name: str
    label: str
    value: float | None
    shown: str
    target: float
    target_shown: str
    at_most: bool = False

    def reaches(self, level: float) -> bool:
        if self.value is None:
            return False
        return self.value <= level if self.at_most else self.value >= level

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.reaches(self.target)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    meetings: int = 0
    meetings_right: int = 0
    meetings_extra: int = 0
    team_reports: int = 0
    teams_found: int = 0
    leads_right: int = 0
    teams_extra: int = 0
    tiers: dict[str, Tier] = field(default_factory=dict)
    proposals: int = 0
    proposals_right: int = 0
    passages: int | None = None
    passages_proposed: int = 0
    keys: int = 0
    keys_one: int = 0
    sources: set[str] = field(default_factory=set)  # of the meetings imported
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def measure(cls, expected: Expected, parsed: dict, imported: Imported) -> Figures:
        figures = cls(tiers={tier: Tier() for tier in (*TIERS, "all")}, sources=imported.meetings)
        figures.measure_meetings(expected.meetings, parsed)
        figures.measure_items(expected.items, parsed, imported)
        figures.measure_precision(expected.items, imported)
        if expected.not_lifecycle is not None:
            figures.measure_passages(expected.not_lifecycle, imported)
        figures.measure_keys(expected.items, imported)
        return figures

    def rows(self) -> list[Figure]:
        """Each figure beside the target set for it."""
        core = self.tiers["core"]
        return [
            Figure(
                "meetings",
                "meetings, right committee and date",
                # a file wrongly read as a meeting counts against the share
                _ratio(self.meetings_right, self.meetings + self.meetings_extra),
                f"{_share(self.meetings_right, self.meetings)} "
                f"({self.meetings_right}/{self.meetings}, {self.meetings_extra} other)",
                1.0,
                "100%, no other",
            ),
            Figure(
                "team_reports",
                "team reports found",
                _ratio(self.teams_found, self.team_reports),
                f"{_share(self.teams_found, self.team_reports)} "
                f"({self.teams_found}/{self.team_reports})",
                0.99,
                ">= 99%",
            ),
            Figure(
                "leads",
                "team leads right",
                _ratio(self.leads_right, self.team_reports),
                f"{_share(self.leads_right, self.team_reports)} "
                f"({self.leads_right}/{self.team_reports})",
                0.97,
                ">= 97%",
            ),
            Figure(
                "core_items",
                "core items found, kind and subject",
                _ratio(core.found, core.expected),
                f"{_share(core.found, core.expected)} ({core.found}/{core.expected})",
                0.95,
                ">= 95%",
            ),
            Figure(
                "precision",
                "precision of created proposals",
                _ratio(self.proposals_right, self.proposals),
                f"{_share(self.proposals_right, self.proposals)} "
                f"({self.proposals_right}/{self.proposals})",
                0.90,
                ">= 90%",
            ),
            Figure(
                "not_lifecycle",
                "not_lifecycle passages proposed",
                None if self.passages is None else self.passages_proposed,
                "not measured"
                if self.passages is None
                else f"{self.passages_proposed} of {self.passages}",
                0,
                "0",
                at_most=True,
            ),
            Figure(
                "keys",
                "keys spanning meetings, one proposal",
                _ratio(self.keys_one, self.keys),
                f"{_share(self.keys_one, self.keys)} ({self.keys_one}/{self.keys})",
                0.95,
                ">= 95%",
            ),
        ]

    def miss(self, what: str, line: str) -> None:
        self.misses[what].append(line)

    def measure_meetings(self, meetings: list[dict], parsed: dict) -> None:
        listed = {meeting["file"] for meeting in meetings}
        for meeting in meetings:
            path = meeting["file"]
            notes = parsed.get(path)
            self.meetings += 1
            if not isinstance(notes, MeetingNotes):
                why = getattr(notes, "reason", "no such file")
                self.miss("meetings not right", f"{path}: not read as a meeting ({why})")
            elif (notes.committee, notes.date.isoformat()) != (meeting["pmc"], meeting["date"]):
                self.miss(
                    "meetings not right",
                    f"{path}: {notes.committee} {notes.date}, expected "
                    f"{meeting['pmc']} {meeting['date']}",
                )
            else:
                self.meetings_right += 1
            self.measure_team_reports(path, notes, meeting["team_reports"])
        for path, notes in sorted(parsed.items()):
            if isinstance(notes, MeetingNotes) and path not in listed:
                self.meetings_extra += 1
                self.miss("meetings not right", f"{path}: read as a meeting, not one expected")

    def measure_team_reports(self, path: str, notes, wanted: list[dict]) -> None:
        reported = list(notes.team_reports) if isinstance(notes, MeetingNotes) else []
        for report in wanted:
            lead = report["lead"] or ""
            self.team_reports += 1
            same = [r for r in reported if r.team == report["team"]]
            if not same:
                self.miss("team reports not found", f"{path}: team {report['team']!r} not reported")
                continue
            ours = next((r for r in same if r.lead == lead), same[0])
            reported.remove(ours)
            self.teams_found += 1
            if ours.lead == lead:
                self.leads_right += 1
            else:
                self.miss(
                    "leads not right",
                    f"{path}: {report['team']!r} led by {ours.lead!r}, expected {lead!r}",
                )
        for extra in reported:
            self.teams_extra += 1
            self.miss("team reports not expected", f"{path}: {extra.team!r} ({extra.lead!r})")

    def measure_items(self, items: list[dict], parsed: dict, imported: Imported) -> None:
        files = sorted({item["file"] for item in items} | set(parsed))
        for path in files:
            notes = parsed.get(path)
            mentions = notes.mentions if isinstance(notes, MeetingNotes) else ()
            wanted = [item for item in items if item["file"] == path]
            linked = imported.linked_in(path) if wanted else []
            for item in wanted:
                found = any(matches(item, mention) for mention in mentions)
                in_import = any(proposal.matches(item) for proposal in linked)
                for tier in (item["tier"], "all"):
                    self.tiers[tier].expected += 1
                    self.tiers[tier].found += found
                    self.tiers[tier].imported += in_import
                described = f"{path}:{item['line']} {item['kind']} {item['subject']!r}"
                if not found:
                    self.miss(f"{item['tier']} items the parser missed", described)
                if not in_import:
                    self.miss(f"{item['tier']} items no imported proposal matches", described)
            for mention in mentions:
                correct = any(matches(item, mention) for item in wanted)
                for tier in (mention.tier, "all"):
                    self.tiers[tier].reported += 1
                    self.tiers[tier].correct += correct
                if not correct:
                    self.miss(
                        "parser items not expected",
                        f"{path}:{mention.line} {mention.tier} {mention.kind} {mention.subject!r}",
                    )

    def measure_precision(self, items: list[dict], imported: Imported) -> None:
        by_file = defaultdict(list)
        for item in items:
            by_file[item["file"]].append(item)
        for proposal in imported.proposals:
            self.proposals += 1
            if any(proposal.matches(item) for path in proposal.files() for item in by_file[path]):
                self.proposals_right += 1
            else:
                self.miss("proposals matching no expected item", proposal.describe())

    def measure_passages(self, passages: list[dict], imported: Imported) -> None:
        self.passages = len(passages)
        for passage in passages:
            quote = _plain(passage["quote"])
            became = [
                proposal
                for proposal in imported.linked_in(passage["file"])
                if any(
                    _says(line, quote)
                    for source, excerpt in proposal.links
                    if source == passage["file"]
                    for line in map(_plain, excerpt.splitlines())
                )
            ]
            if became:
                self.passages_proposed += 1
                self.miss(
                    "not_lifecycle passages that became a proposal",
                    f"{passage['file']}:{passage['line']} {passage['quote']!r} -> "
                    + "; ".join(proposal.describe() for proposal in became),
                )

    def measure_keys(self, items: list[dict], imported: Imported) -> None:
        keys = defaultdict(list)
        for item in items:
            keys[item["proposal_key"]].append(item)
        for key, mentions in sorted(keys.items()):
            files = sorted({item["file"] for item in mentions})
            if len(files) < 2:
                continue
            self.keys += 1
            per_file = {
                path: {
                    proposal.id
                    for proposal in imported.linked_in(path)
                    if any(proposal.matches(item) for item in mentions if item["file"] == path)
                }
                for path in files
            }
            ids = set().union(*per_file.values())
            if len(ids) == 1 and all(per_file.values()):
                self.keys_one += 1
            else:
                self.miss(
                    "proposal keys not one proposal linked to each meeting",
                    f"{key}: "
                    + ", ".join(
                        f"{path} -> {', '.join(f'#{i}' for i in sorted(found)) or 'none'}"
                        for path, found in per_file.items()
                    ),
                )


def measure_folder(folder: Path = NOTES) -> tuple[Figures, dict[str, int]]:
    """Parse the folder, import it into the database Django is set up with (as the
    system), and measure every figure; with the import's summary counts."""
    expected = Expected.load(folder)
    parsed = parse_folder(folder)
    counts = import_folder(folder)
    return Figures.measure(expected, parsed, Imported.load()), counts


def figures_table(rows: list[Figure], floors: dict[str, float] | None = None) -> list[str]:
    """The figures as a table: each one's value, target and whether it is met (and,
    given `floors`, the floor a test holds it to)."""
    floors = floors or {}
    header = f"{'figure':<38} {'value':<26} {'target':<15}"
    header += f" {'floor':<7}" if floors else ""
    header += " result"
    lines = [header, "-" * len(header)]
    for row in rows:
        met = row.met
        result = "not measured" if met is None else "met" if met else "NOT met"
        line = f"{row.label:<38} {row.shown:<26} {row.target_shown:<15}"
        if floors:
            floor = floors.get(row.name)
            shown = "" if floor is None else f"{floor:g}" if row.at_most else f"{floor:.2%}"
            line += f" {shown:<7}"
        lines.append(f"{line} {result}")
    return lines


_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|\(https?://[^)]*\)")


def _plain(text: str) -> str:
    """Text reduced for comparison: link targets dropped, case folded, every run of
    characters other than letters and digits one space."""
    return " ".join(re.split(r"[\W_]+", _LINK_TARGET.sub("] ", text).casefold())).strip()


def _says(line: str, quote: str) -> bool:
    """Whether an excerpt's line says a passage (both reduced by `_plain`)."""
    if not line or not quote:
        return False
    if line == quote:
        return True
    shorter, longer = sorted((line, quote), key=len)
    return len(shorter.split()) >= 3 and shorter in longer
