"""Close the votes whose deadline has passed: `manage.py close_expired_votes [--dry-run]`.

The same sweep that beat runs every minute (or the embedded jobs thread, without Redis):
each vote past its `closes_at` is closed through the engine, so a missed quorum extends
the vote once and then defers it, per the committee's rules frozen at the vote's start.
Safe to run while workers run the same sweep: each vote closes once.

`--dry-run` lists what would happen and changes nothing. Prints one line per vote and a
count; with `-v 0` only errors.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from proposals import deadlines


class Command(BaseCommand):
    help = (
        "Close every vote whose deadline has passed, as the system (extending a vote that "
        "missed quorum once, then deferring it). --dry-run only lists what would happen."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the votes that would be closed, and how, without changing anything.",
        )

    def handle(self, *args, dry_run: bool = False, verbosity: int = 1, **options) -> None:
        results = deadlines.preview() if dry_run else deadlines.close_expired_votes()
        for result in results:
            line = result.describe(dry_run=dry_run)
            if result.error:
                self.stderr.write(line)
            elif verbosity >= 1:
                self.stdout.write(line)
        if verbosity >= 1:
            done = sum(1 for result in results if not result.error)
            verb = "would be closed or extended" if dry_run else "closed or extended"
            self.stdout.write(f"{done} vote(s) {verb}.")
