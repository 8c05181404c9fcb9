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

The figures, each printed beside its target with "met" or "NOT met", and the rules that
compute them are those of `tests.importing.accuracy` (its docstring says each one), which
the test suite shares (tests/importing/test_accuracy.py).

Per tier, the counts are also shown for the import: the expected items matched by a
proposal linked to their file's meeting. `--details` lists the misses (file, line,
expected kind and subject) and the false positives. The exit status is 0 whatever the
figures: this is a measurement, not a test. Nothing outside the temporary database is
written.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import temporary_site  # benchmarks/temporary_site.py: run as a script, its folder is on the path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT / "tests" / "fixtures" / "notes"
sys.path.insert(0, str(ROOT))

from pmc.notes import MeetingNotes  # noqa: E402
from tests.importing.accuracy import (  # noqa: E402
    TIERS,
    Expected,
    Figures,
    Imported,
    figures_table,
    import_folder,
    parse_folder,
)


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
        parsed = parse_folder(folder)
        start = time.perf_counter()
        counts = import_folder(folder)
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
    for line in figures_table(f.rows()):
        print(line)
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
