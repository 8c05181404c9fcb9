"""Benchmark the notes import: files per second, time against rendering, peak memory.

    .venv/bin/python benchmarks/import_notes.py [FOLDER] [--scales 1 5 20] [--repeat 3]
                                                [--breakdown] [--floor]

For each scale N the folder's notes are copied N times into a temporary folder (copy i
of committee `Runtime` becomes the committee `Runtime-i`, so every copy is a new meeting
while the projects it names are the same, as when several committees discuss one
project), then imported with `import_notes`' code into a fresh temporary SQLite
database. In the same run the same files are only rendered with Python-Markdown, which is
the floor an import cannot go below: it stores each meeting's rendered HTML. The baseline
is the library's own one-call API, `markdown.markdown(text, ...)`, once per file, with the
extensions and output format the application uses (so the HTML is the same as the
import's); it leaves out the sanitiser (nh3), which the import runs on each meeting's
HTML as part of its own cost. Reported per scale:

- import: seconds and files per second for the first import into the fresh database;
- render: seconds to render the same files with `markdown` alone, and import / render;
- parse: seconds the notes parser alone takes on the same files (part of the import);
- re-import: seconds for importing the same files again (all "unchanged");
- peak memory of the import (tracemalloc, measured in a separate run, since tracing
  slows the code down).

Figures are the best of `--repeat` runs, after one untimed warm-up import. With
`--breakdown`, the largest scale is imported once more with its main steps timed
(parsing, rendering, each kind of row written, the audit events), to show where the
time goes. With `--floor`, the rows that import stores are written once more with the
fewest ORM statements and no rules, lookups or rendering, and parsing and rendering are
added: the least any import through the ORM could cost on this machine. Nothing outside
the temporary folder and database is touched.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import temporary_site  # benchmarks/temporary_site.py: run as a script, its folder is on the path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT / "tests" / "fixtures" / "notes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="then import the largest scale once more, timing where the time goes",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="then time the fewest ORM writes that store what the largest scale's import does",
    )
    options = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="pmc-import-bench-"))
    try:
        temporary_site.setup(work)
        status = _run(Path(options.folder), options.scales, options.repeat, work)
        if options.breakdown:
            _breakdown(Path(options.folder), max(options.scales), work)
        if options.floor:
            _floor(max(options.scales), work)
        return status
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fresh_database(work: Path, name: str) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    settings.DATABASES["default"]["NAME"] = str(work / f"{name}.sqlite3")
    connections["default"].settings_dict["NAME"] = settings.DATABASES["default"]["NAME"]
    call_command("migrate", verbosity=0)


def _replicate(source: Path, target: Path, copies: int) -> None:
    """Copy each committee folder `copies` times: Runtime, Runtime-2, Runtime-3, ..."""
    for committee in sorted(p for p in source.iterdir() if p.is_dir()):
        for i in range(1, copies + 1):
            name = committee.name if i == 1 else f"{committee.name}-{i}"
            shutil.copytree(committee, target / name, copy_function=shutil.copyfile)


def _render(files) -> float:
    import markdown

    from pmc.markup import EXTENSIONS

    start = time.perf_counter()
    for file in files:
        if file.name.endswith(".md"):
            text = file.read().decode("utf-8", "replace")
            markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    return time.perf_counter() - start


def _parse(files) -> float:
    from pmc.notes import read_notes

    start = time.perf_counter()
    for file in files:
        read_notes(file.name, file.read())
    return time.perf_counter() - start


def _import(files):
    from proposals.importing import apply_import

    start = time.perf_counter()
    # As the command runs it: each file's result is handed on, only totals are kept.
    result = apply_import(files, on_file=lambda file_result: None)
    return time.perf_counter() - start, result


def _warm_up(folder: Path, work: Path) -> None:
    """Import and render once, untimed: imports, regex and query compilation are paid
    here rather than by the first scale measured."""
    from proposals.importing import collect_files

    files = collect_files([folder])
    _fresh_database(work, "warm-up")
    _render(files)
    _import(files)


def _run(folder: Path, scales: list[int], repeat: int, work: Path) -> int:
    from proposals.importing import collect_files

    source_files = [p for p in folder.rglob("*") if p.is_file()]
    print(f"Notes: {folder} ({len(source_files)} files)")
    print(f"Best of {repeat} runs; SQLite database created fresh for every import.\n")
    header = (
        f"{'scale':>5} {'files':>6} {'meetings':>8} {'import s':>9} {'files/s':>8} "
        f"{'render s':>9} {'import/render':>13} {'parse s':>8} {'re-import s':>11} "
        f"{'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    _warm_up(folder, work)
    ok = True
    for scale in scales:
        notes = work / f"notes-{scale}"
        notes.mkdir()
        _replicate(folder, notes, scale)
        files = collect_files([notes])
        imports, renders, parses, reimports = [], [], [], []
        for attempt in range(repeat):
            _fresh_database(work, f"time-{scale}-{attempt}")
            gc.collect()
            renders.append(_render(files))
            parses.append(_parse(files))
            seconds, result = _import(files)
            imports.append(seconds)
            ok = ok and result.ok
            reimports.append(_import(files)[0])
        _fresh_database(work, f"memory-{scale}")
        gc.collect()
        tracemalloc.start()
        _import(files)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        best_import, best_render = min(imports), min(renders)
        print(
            f"{scale:>5} {len(files):>6} {result.count('created'):>8} {best_import:>9.3f} "
            f"{len(files) / best_import:>8.1f} {best_render:>9.3f} "
            f"{best_import / best_render:>12.2f}x {min(parses):>8.3f} {min(reimports):>11.3f} "
            f"{peak / 1e6:>8.2f}"
        )
        counts = result.counts()
    print(
        "\nLast import: "
        + ", ".join(f"{value} {key}" for key, value in counts.items() if value)
        + ("" if ok else " (some files failed)")
    )
    return 0 if ok else 1


# Where an import spends its time: (label, module, class or "", function) of the steps
# timed. A step called inside another timed one is subtracted from the outer one.
_IMPORTER = "proposals.importing.importer"
_TIMED = [
    ("parse the notes", _IMPORTER, "", "read_notes"),
    ("render and sanitise", "pmc.models", "", "render_markdown"),
    ("render and sanitise", "proposals.models", "", "render_markdown"),
    ("meeting and team report rows", "proposals.actions", "", "do_import_meeting"),
    ("find projects and proposals", _IMPORTER, "Importer", "find_or_create"),
    ("find projects and proposals", _IMPORTER, "Importer", "prefetch_proposals"),
    ("link proposals to meetings", "proposals.actions", "", "do_link_meetings"),
    ("link proposals to meetings", "proposals.actions", "", "do_unlink_meeting_notes"),
    ("move proposals (transitions)", _IMPORTER, "Importer", "advance"),
    ("create committees", "proposals.actions", "", "do_create_committee"),
    ("write the events (chain)", "proposals.audit", "", "_append"),
    ("skip unchanged files", _IMPORTER, "Importer", "unchanged"),
]


def _breakdown(folder: Path, scale: int, work: Path) -> None:
    """Import the largest scale once more with the main steps timed (timing adds a
    little overhead of its own), and print where the time went."""
    import functools
    import importlib

    from proposals.importing import collect_files

    spent: dict[str, float] = {}
    running: list[list] = []

    def timed(label: str, function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            running.append([label, 0.0])
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                _, inner = running.pop()
                spent[label] = spent.get(label, 0.0) + took - inner
                if running:
                    running[-1][1] += took

        return run

    originals = []
    for label, module_name, class_name, name in _TIMED:
        owner = importlib.import_module(module_name)
        if class_name:
            owner = getattr(owner, class_name)
        originals.append((owner, name, getattr(owner, name)))
        setattr(owner, name, timed(label, getattr(owner, name)))
    try:
        files = collect_files([work / f"notes-{scale}"])
        _fresh_database(work, "breakdown")
        gc.collect()
        total, _ = _import(files)
    finally:
        for owner, attribute, original in reversed(originals):
            setattr(owner, attribute, original)
    print(f"\nWhere the time goes (scale {scale}, one timed import of {total:.3f} s):")
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {label:<32} {seconds:7.3f} s  {seconds / total:5.1%}")
    rest = total - sum(spent.values())
    print(f"  {'everything else':<32} {rest:7.3f} s  {rest / total:5.1%}")


def _floor(scale: int, work: Path) -> None:
    """The least an import through Django's ORM could cost: the rows the import stores
    for each meeting (the meeting, its team reports, its links, one audit event per
    change), written with the fewest ORM statements, one transaction per file, from
    notes parsed beforehand, with no permission checks, no lookups and no rendering
    (the HTML is a copy of the text). Parsing and rendering are then added as measured
    above (rendering with one converter per thread, as the import does)."""
    from django.db import transaction

    from pmc.markup import render_markdown
    from pmc.models import Committee, Meeting, TeamReport
    from pmc.notes import MeetingNotes, read_notes
    from proposals import audit
    from proposals.actors import IMPORT
    from proposals.importing import collect_files
    from proposals.models import Proposal, ProposalMeeting

    files = collect_files([work / f"notes-{scale}"])
    start = time.perf_counter()
    notes = [
        n for n in (read_notes(f.name, f.read()) for f in files) if isinstance(n, MeetingNotes)
    ]
    parse = time.perf_counter() - start
    start = time.perf_counter()
    for meeting in notes:
        render_markdown(meeting.text)
    render = time.perf_counter() - start
    _fresh_database(work, "floor")
    committees, proposals = {}, {}
    for meeting in notes:  # untimed: the rows every meeting refers to
        if meeting.committee not in committees:
            committees[meeting.committee] = Committee.objects.create(
                name=meeting.committee, slug=f"c{len(committees)}"
            )
        for mention in meeting.mentions:
            key = (mention.kind, mention.project)
            if key not in proposals:
                proposals[key] = Proposal.objects.create(
                    committee=committees[meeting.committee], kind=mention.kind, title=key[1][:300]
                )
    gc.collect()
    start = time.perf_counter()
    for meeting in notes:
        with transaction.atomic():
            row = Meeting(
                committee=committees[meeting.committee],
                date=meeting.date,
                title=meeting.title[:300],
                notes=meeting.text,
                notes_html=meeting.text,
                original_notes=meeting.original,
                source=meeting.source[:500],
                source_sha256=meeting.sha256,
            )
            row._rendered_notes = meeting.text
            row.save()
            TeamReport.objects.bulk_create(
                TeamReport(meeting=row, position=i, team=r.team, lead=r.lead, body=r.body)
                for i, r in enumerate(meeting.team_reports)
            )
            linked = {proposals[(m.kind, m.project)]: m for m in meeting.mentions}
            ProposalMeeting.objects.bulk_create(
                ProposalMeeting(proposal=p, meeting=row, section=m.section, excerpt=m.excerpt)
                for p, m in linked.items()
            )
            events = [audit.new_event(action="meeting.imported", actor=IMPORT)]
            events += [
                audit.new_event(action="proposal.meeting_linked", actor=IMPORT, proposal=p)
                for p in linked
            ]
            audit.record_many(events)
    writes = time.perf_counter() - start
    with_render = _render([f for f in files if f.name.endswith(".md")])
    least = parse + render + writes
    print(f"\nThe least an ORM import could cost (scale {scale}, {len(notes)} meetings):")
    print(
        f"  parse {parse:.3f} s + render and sanitise {render:.3f} s + fewest writes {writes:.3f} s"
    )
    print(
        f"  = {least:.3f} s, {least / with_render:.2f}x the rendering alone ({with_render:.3f} s)"
    )


if __name__ == "__main__":
    sys.exit(main())
