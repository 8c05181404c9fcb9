"""Import PMC meeting notes: `manage.py import_notes PATH [PATH ...] [--committee NAME]
[--dry-run]`.

PATHs are notes files or folders (read recursively) kept as `<PMC>/[<year>/]<date>.md`;
the `<PMC>` folder names the committee unless `--committee` does. Each file gets one
report line (created, updated, unchanged, skipped, failed) followed by what happened to
the lifecycle items found in it; a summary table ends the run. `--dry-run` prints the
same without keeping anything. The exit status is 1 when any file could not be read or
imported; the other files are imported all the same.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from proposals.importing import FileResult, apply_import, collect_files, plan_import

# A progress bar is worth showing from this many files on.
PROGRESS_FROM = 6


class Command(BaseCommand):
    help = (
        "Import meeting notes (markdown files, or folders of them kept as "
        "<PMC>/[<year>/]<date>.md): meetings with their team reports, and the lifecycle "
        "proposals raised in them. Re-importing unchanged files changes nothing. "
        "--dry-run shows what would happen without writing. Exits with status 1 if any "
        "file failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Notes files or folders.")
        parser.add_argument(
            "--committee",
            metavar="NAME",
            help="The committee of every file, instead of the <PMC> folder each is in.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what the import would do, and write nothing.",
        )

    def handle(self, *args, paths, committee=None, dry_run=False, **options) -> None:
        verbosity = options["verbosity"]
        files = collect_files(paths)
        if not files:
            raise CommandError(f"No files found in {', '.join(paths)}.")
        show = len(files) >= PROGRESS_FROM and self.stderr.isatty()
        bar = _ProgressBar(self.stderr) if show else None
        if dry_run and verbosity >= 1:
            self.stdout.write("Dry run: nothing is written.")

        def report(result: FileResult) -> None:
            if verbosity < 1:
                return
            if bar is not None:
                bar.clear()
            for line in result.lines():
                self.stdout.write(self.style.ERROR(line) if result.status == "failed" else line)

        run = plan_import if dry_run else apply_import
        result = run(files, committee=committee, progress=bar, on_file=report)
        if bar is not None:
            bar.clear()
        self.stdout.write(result.summary())
        failed = result.count("failed")
        if failed:
            raise CommandError(
                f"{failed} file(s) could not be imported (see the lines marked failed); "
                "the others were imported." if not dry_run else
                f"{failed} file(s) would fail (see the lines marked failed).",
                returncode=1,
            )  # fmt: skip


class _ProgressBar:
    """A one-line bar on a terminal: [#####.....] 12/40 Runtime/2017/2017-05-16-runtime.md"""

    width = 30

    def __init__(self, stream) -> None:
        self.stream = stream

    def __call__(self, done: int, total: int, name: str) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r\033[K[{bar}] {done}/{total} {name[-60:]}", ending="")
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\033[K", ending="")
        self.stream.flush()
