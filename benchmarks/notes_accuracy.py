"""Measure the notes import's accuracy on a folder of notes, beside the targets set for it.

    .venv/bin/python benchmarks/notes_accuracy.py [NOTES_DIR] [--details]

NOTES_DIR (default: tests/fixtures/notes) holds notes as `<PMC>/[<year>/]<file>.md` and
what a careful reader found in them: `expected/meetings.json`, `expected/lifecycle.json`
and, if there is one, `expected/not_lifecycle.json` (without it that figure is skipped,
and the output says so). Every file of the folder is read with the notes parser
(`pmc.notes.read_notes`, by its path from NOTES_DIR), and the folder is imported, as
`import_notes` imports it (`proposals.importing.apply_import`, as `system:import`), into
a fresh temporary SQLite database. Lifecycle items are matched by the rules of
`tests.importing.accuracy`: the same kind, and subjects that are the same name once case
and punctuation are ignored, contain one another or share a distinctive word.

The figures, each printed beside its target with "met" or "NOT met":

- meetings: an expected meeting is right when its file reads as a meeting with the
  expected committee and date; any other file that reads as a meeting (a template, a
  README, ...) is counted against the target, which is all right and none other;
- team reports: an expected team report is found when the parser reports, in the same
  file, a team of exactly that name (one report for one expected; order aside); its lead
  is right when that report's lead is exactly the expected one ("" for none). Reports
  the reader did not list are counted and listed, but do not lower the figure;
- items found: per tier, the expected items for which the parser reports an item in the
  same file that matches it (the target is on `core`); the parser's own precision per
  tier is shown beside (an item is correct when it matches an expected item of its file);
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

Per tier, the counts are also shown for the import: the expected items matched by a
proposal linked to their file's meeting. `--details` lists the misses (file, line,
expected kind and subject) and the false positives. The exit status is 0 whatever the
figures: this is a measurement, not a test. Nothing outside the temporary database is
written.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import temporary_site  # benchmarks/temporary_site.py: run as a script, its folder is on the path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT / "tests" / "fixtures" / "notes"
sys.path.insert(0, str(ROOT))

from pmc.notes import LifecycleMention, MeetingNotes, Unreadable, read_notes  # noqa: E402
from tests.importing.accuracy import TIERS, matches  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER), metavar="NOTES_DIR")
    parser.add_argument(
        "--details",
        action="store_true",
        help="list the misses (file, expected kind and subject) and the false positives",
    )
    options = parser.parse_args(argv)
    folder = Path(options.folder)
    for name in ("meetings.json", "lifecycle.json"):
        if not (folder / "expected" / name).is_file():
            parser.error(f"{folder} has no expected/{name}: nothing to measure against")
    expected = Expected.load(folder)

    work = Path(tempfile.mkdtemp(prefix="pmc-notes-accuracy-"))
    try:
        _setup_django(work)
        parsed = _parse(folder)
        start = time.perf_counter()
        counts = _import(folder)
        seconds = time.perf_counter() - start
        imported = Imported.load()
        figures = Figures.measure(expected, parsed, imported)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(work, ignore_errors=True)
    _print(folder, expected, parsed, counts, seconds, figures, details=options.details)
    return 0


def _setup_django(work: Path) -> None:
    temporary_site.setup(work, "accuracy.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# What was expected, parsed and imported.


@dataclass
class Expected:
    meetings: list[dict]
    items: list[dict]
    not_lifecycle: list[dict] | None  # None: the folder has no not_lifecycle.json

    @classmethod
    def load(cls, folder: Path) -> Expected:
        def read(name: str):
            path = folder / "expected" / name
            return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

        return cls(read("meetings.json"), read("lifecycle.json"), read("not_lifecycle.json"))


def _parse(folder: Path) -> dict[str, object]:
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


def _import(folder: Path) -> dict[str, int]:
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


# The output.


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def _print(folder, expected, parsed, counts, seconds, figures, *, details: bool) -> None:
    f = figures
    imported = sum(meeting["file"] in f.sources for meeting in expected.meetings)
    meetings = sum(isinstance(notes, MeetingNotes) for notes in parsed.values())
    print(
        f"Notes: {folder} ({len(parsed)} files; expected: {len(expected.meetings)} meetings, "
        f"{len(expected.items)} lifecycle items"
        + (
            f", {len(expected.not_lifecycle)} not_lifecycle passages)"
            if expected.not_lifecycle is not None
            else "; no not_lifecycle.json)"
        )
    )
    print(f"Parsed with pmc.notes.read_notes: {meetings} read as meetings.")
    print(
        f"Imported into a fresh SQLite database in {seconds:.2f} s: "
        + ", ".join(f"{value} {key}" for key, value in counts.items() if value)
        + f"; {imported} of the {len(expected.meetings)} expected meetings found by source.\n"
    )
    core = f.tiers["core"]
    rows = [
        (
            "meetings, right committee and date",
            f"{_share(f.meetings_right, f.meetings)} ({f.meetings_right}/{f.meetings}, "
            f"{f.meetings_extra} other)",
            "100%, no other",
            f.meetings_right == f.meetings and not f.meetings_extra,
        ),
        (
            "team reports found",
            f"{_share(f.teams_found, f.team_reports)} ({f.teams_found}/{f.team_reports})",
            ">= 99%",
            f.teams_found * 100 >= 99 * f.team_reports,
        ),
        (
            "team leads right",
            f"{_share(f.leads_right, f.team_reports)} ({f.leads_right}/{f.team_reports})",
            ">= 97%",
            f.leads_right * 100 >= 97 * f.team_reports,
        ),
        (
            "core items found, kind and subject",
            f"{_share(core.found, core.expected)} ({core.found}/{core.expected})",
            ">= 95%",
            core.found * 100 >= 95 * core.expected,
        ),
        (
            "precision of created proposals",
            f"{_share(f.proposals_right, f.proposals)} ({f.proposals_right}/{f.proposals})",
            ">= 90%",
            f.proposals_right * 100 >= 90 * f.proposals,
        ),
    ]
    if f.passages is None:
        rows.append(("not_lifecycle passages proposed", "not measured", "0", "skipped"))
    else:
        rows.append(
            (
                "not_lifecycle passages proposed",
                f"{f.passages_proposed} of {f.passages}",
                "0",
                f.passages_proposed == 0,
            )
        )
    rows.append(
        (
            "keys spanning meetings, one proposal",
            f"{_share(f.keys_one, f.keys)} ({f.keys_one}/{f.keys})",
            ">= 95%",
            f.keys_one * 100 >= 95 * f.keys if f.keys else None,
        )
    )
    header = f"{'figure':<38} {'value':<26} {'target':<15} result"
    print(header)
    print("-" * len(header))
    for label, value, target, met in rows:
        if isinstance(met, str):
            result = met
        else:
            result = "met" if met else "n/a" if met is None else "NOT met"
        print(f"{label:<38} {value:<26} {target:<15} {result}")
    if f.passages is None:
        print("(no expected/not_lifecycle.json in this folder: not_lifecycle not measured)")
    print(f"Team reports the reader did not list: {f.teams_extra}.")

    print("\nLifecycle items by tier (parser: same file, kind and subject; import: a proposal")
    print("linked to the item's meeting matches it):")
    header = (
        f"{'tier':<10} {'expected':>8} {'found':>6} {'recall':>7} {'reported':>9} "
        f"{'correct':>8} {'precision':>9} {'imported':>9} {'recall':>7}"
    )
    print(header)
    print("-" * len(header))
    for tier, t in f.tiers.items():
        print(
            f"{tier:<10} {t.expected:>8} {t.found:>6} {_share(t.found, t.expected):>7} "
            f"{t.reported:>9} {t.correct:>8} {_share(t.correct, t.reported):>9} "
            f"{t.imported:>9} {_share(t.imported, t.expected):>7}"
        )
    if details:
        _print_details(f)
    elif any(f.misses.values()):
        print("\n--details lists the misses and the false positives.")


def _print_details(figures: Figures) -> None:
    order = [
        "meetings not right",
        "team reports not found",
        "leads not right",
        "team reports not expected",
        *(f"{tier} items the parser missed" for tier in TIERS),
        "parser items not expected",
        *(f"{tier} items no imported proposal matches" for tier in TIERS),
        "proposals matching no expected item",
        "not_lifecycle passages that became a proposal",
        "proposal keys not one proposal linked to each meeting",
    ]
    if not any(figures.misses.values()):
        print("\nNo misses and no false positives.")
    for what in order:
        lines = figures.misses.get(what, [])
        if lines:
            print(f"\n{what[0].upper() + what[1:]} ({len(lines)}):")
            for line in lines:
                print(f"  {line}")


if __name__ == "__main__":
    sys.exit(main())
