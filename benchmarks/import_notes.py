"""Benchmark the notes import: files per second, time against rendering, peak memory.

    .venv/bin/python benchmarks/import_notes.py [FOLDER] [--scales 1 5 20] [--repeat 3]

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

Figures are the best of `--repeat` runs, after one untimed warm-up import. Nothing
outside the temporary folder and database is touched.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT / "tests" / "fixtures" / "notes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="pmc-import-bench-"))
    try:
        _setup_django(work)
        return _run(Path(options.folder), options.scales, options.repeat, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _setup_django(work: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmc.settings"
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["PMC_VAR_DIR"] = str(work)
    import django

    django.setup()


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


if __name__ == "__main__":
    sys.exit(main())
