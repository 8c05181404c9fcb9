"""Benchmark rendering and importing pathological markdown: time against size.

    .venv/bin/python benchmarks/pathological_markup.py [--sizes 4000 8000 16000 32000]
        [--shapes NAME ...] [--rows 1250 2500 5000 10000] [--max-seconds 10]
        [--no-import | --no-render] [--repeat 1]

Each shape is a text that some markdown parsers take more than linear time on (nested or
unclosed brackets, deep lists and blockquotes, runs of `*` and `_`, unclosed backticks,
`<` that open no tag, many abbreviations, big tables). For each size (in characters) the
text is rendered with `pmc.markup.render_markdown`, as a proposal's body or a meeting's
notes are, best of `--repeat` runs; a text the renderer refuses is shown as `refused`.
Then notes files with a lifecycle table of `--rows` rows are imported with
`import_notes`' code into a fresh temporary SQLite database (each row is a lifecycle
item: a project, a proposal, its link to the meeting and their events).

Printed per size: seconds, and the growth against the size before: the exponent k in
time ~ size^k (1 is linear, 2 quadratic). A shape stops growing once one run takes more
than `--max-seconds`. Nothing outside the temporary folder and database is touched.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

import temporary_site  # benchmarks/temporary_site.py: run as a script, its folder is on the path

ROOT = Path(__file__).resolve().parent.parent


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def _nested_list(size: int) -> str:
    # One item per level, each indented four spaces more than the one before: the depth
    # grows with the square root of the size.
    lines, used, depth = [], 0, 0
    while used < size:
        line = "    " * depth + "- item\n"
        lines.append(line)
        used += len(line)
        depth += 1
    return "".join(lines)


def _ticks(size: int) -> str:
    # Backtick runs of growing length, none closed: each opens a code span never closed.
    parts, used, run = [], 0, 1
    while used < size:
        parts.append("`" * run + " x ")
        used += run + 3
        run += 1
    return "".join(parts)


def _abbreviations(size: int) -> str:
    count = size // 40
    return "".join(f"*[AB{i}]: abbreviation {i}\n" for i in range(count)) + _repeat(
        "AB1 text ", size // 2
    )


SHAPES = {
    "nested brackets [[[x](((": lambda n: "[" * (n // 3) + "x" + "](" * (n // 3),
    "unclosed [": lambda n: _repeat("[", n),
    "unclosed [a": lambda n: _repeat("[a", n),
    "unclosed ![": lambda n: _repeat("![", n),
    "unclosed [^": lambda n: _repeat("[^", n),
    "links [x](": lambda n: _repeat("[x](", n),
    "CDATA <![CDATA[": lambda n: _repeat("<![CDATA[", n),
    "nested list - - - x": lambda n: _repeat("- ", n) + "x",
    "nested list 1. 1. 1. x": lambda n: _repeat("1. ", n) + "x",
    "nested list, indented": _nested_list,
    "blockquote > > >": lambda n: _repeat("> ", n),
    "blockquote, one level a line": lambda n: "".join(
        "> " * i + "x\n\n" for i in range(int(math.sqrt(n)))
    ),
    "emphasis run ***": lambda n: _repeat("*", n) + "x",
    "emphasis *a ": lambda n: _repeat("*a ", n),
    "emphasis _a ": lambda n: _repeat("_a ", n),
    "emphasis nested *_": lambda n: _repeat("*_", n),
    "backticks ` ": lambda n: _repeat("` ", n),
    "backtick runs ` `` ```": _ticks,
    "unclosed tag <a ": lambda n: _repeat("<a ", n),
    "unclosed link <http://": lambda n: _repeat("<http://", n),
    "unclosed end tag </a ": lambda n: _repeat("</a ", n),
    "less-than <": lambda n: _repeat("<", n),
    "abbreviations *[AB]:": _abbreviations,
    "table rows": lambda n: "| a | b |\n|---|---|\n" + _repeat("| x | y |\n", n),
    "paragraph of words": lambda n: _repeat("The PMC met and voted. ", n),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 8000, 16000, 32000])
    parser.add_argument("--shapes", nargs="+", metavar="NAME", help="only shapes containing NAME")
    parser.add_argument("--rows", type=int, nargs="+", default=[1250, 2500, 5000, 10000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=10.0)
    parser.add_argument(
        "--notes",
        action="store_true",
        help="render as a meeting's notes are (up to PMC_NOTES_MAX_CHARS, not a form's limit)",
    )
    parser.add_argument("--no-import", action="store_true", help="time the rendering only")
    parser.add_argument(
        "--no-render", action="store_true", help="time the import of big tables only"
    )
    options = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="pmc-markup-bench-"))
    try:
        temporary_site.setup(work)
        if not options.no_render:
            _render(options)
        if not options.no_import:
            _import(options, work)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _growth(previous: tuple[int, float] | None, size: int, seconds: float) -> str:
    if previous is None or previous[1] <= 0 or seconds <= 0:
        return ""
    return f"{math.log(seconds / previous[1]) / math.log(size / previous[0]):.2f}"


def _render(options) -> None:
    from pmc import markup

    shapes = {
        name: make
        for name, make in SHAPES.items()
        if not options.shapes or any(part in name for part in options.shapes)
    }
    sizes = options.sizes
    limit = markup.notes_max_chars() if options.notes else markup.max_chars()
    what = "a meeting's notes" if options.notes else "a proposal's text"
    print(f"Rendering (pmc.markup.render_markdown) as {what}, up to {limit:,} characters;")
    print("seconds per size in characters;")
    print("k: time ~ size^k against the size before (1 linear, 2 quadratic).\n")
    header = f"{'shape':<30}" + "".join(f"{size:>10} {'k':>5}" for size in sizes)
    print(header)
    print("-" * len(header))
    markup.render_markdown("warm *up* [x](y)")
    refusal = getattr(markup, "MarkupTooComplex", ValueError)
    for name, make in shapes.items():
        cells, previous, stop = [], None, False
        for size in sizes:
            if stop:
                cells.append(f"{'-':>10} {'':>5}")
                continue
            text = make(size)
            best, refused = math.inf, False
            for _ in range(options.repeat):
                start = time.perf_counter()
                try:
                    with markup.allow_chars(limit):
                        markup.render_markdown(text)
                except refusal:
                    refused = True
                except RecursionError:
                    refused = "RecursionError"
                best = min(best, time.perf_counter() - start)
            if refused:
                label = "refused" if refused is True else "RecErr"
                cells.append(f"{label:>10} {'':>5}")
                previous = None
            else:
                cells.append(f"{best:>10.3f} {_growth(previous, size, best):>5}")
                previous = (size, best)
            stop = best > options.max_seconds
        print(f"{name:<30}" + "".join(cells), flush=True)


def _notes_table(rows: int, offset: int) -> bytes:
    lines = [
        "# Runtime PMC Meeting",
        "",
        "## PMC Lifecycle Activities",
        "",
        "| Project | Proposal | Status |",
        "|---|---|---|",
    ]
    lines += [f"| bench-project-{offset + i} | move to the attic | approved |" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _import(options, work: Path) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from pmc.notes import read_notes
    from proposals.importing import NoteFile, apply_import

    print("\nImporting a notes file with a lifecycle table (apply_import, fresh SQLite):\n")
    header = (
        f"{'rows':>6} {'KB':>7} {'parse s':>8} {'k':>5} {'import s':>9} {'k':>5} "
        f"{'ms/row':>7} {'proposals':>9}"
    )
    print(header)
    print("-" * len(header))
    prev_parse = prev_import = None
    for rows in options.rows:
        connections.close_all()
        settings.DATABASES["default"]["NAME"] = str(work / f"rows-{rows}.sqlite3")
        connections["default"].settings_dict["NAME"] = settings.DATABASES["default"]["NAME"]
        call_command("migrate", verbosity=0)
        name = "Runtime/2021-01-05-runtime.md"
        data = _notes_table(rows, 0)
        start = time.perf_counter()
        read_notes(name, data)
        parse = time.perf_counter() - start
        start = time.perf_counter()
        result = apply_import([NoteFile(name, data=data)], on_file=lambda r: None)
        seconds = time.perf_counter() - start
        created = result.counts().get("proposals created", 0)
        failed = "" if result.ok else " (failed)"
        print(
            f"{rows:>6} {len(data) / 1000:>7.0f} {parse:>8.3f} "
            f"{_growth(prev_parse, rows, parse):>5} {seconds:>9.2f} "
            f"{_growth(prev_import, rows, seconds):>5} {seconds / rows * 1000:>7.2f} "
            f"{created:>9}{failed}",
            flush=True,
        )
        prev_parse, prev_import = (rows, parse), (rows, seconds)
        if seconds > options.max_seconds * 20:
            break


if __name__ == "__main__":
    sys.exit(main())
