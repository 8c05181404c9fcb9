"""Check that the audit log is intact: `manage.py verify_audit [--expect-head HASH]`.

Walks the hash chain from the first event to the last and recomputes every hash. An
edited event, or a gap left by a deleted one, breaks the chain at that event. Deleting
the newest events leaves a shorter chain that is still consistent, so only a head hash
noted earlier (for example in each backup's manifest) can reveal it: pass it as
`--expect-head`.

Exits 0 when the chain holds, non-zero with the first broken link otherwise, so it can
run from cron or a monitoring check. Each run is stored as an `AuditCheck`, which the
audit page shows as the last verification.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from proposals.audit import check_and_store
from proposals.models import Event

ADVICE = (
    "The audit log no longer matches what was written. Do not append to it until this is "
    "understood: investigate who could write to the database and when (database logs, "
    "access to the application's database account), then restore the event table from "
    "the last backup whose verify_audit passed."
)


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit log: every event must carry the hash of the one "
        "before it and match its own hash. Prints the number of events checked and the "
        "chain's head hash. Exits non-zero and names the first broken event otherwise. The "
        "chain alone cannot notice that the newest events were removed (what is left is "
        "still a valid chain): record the head hash, e.g. with each backup, and pass it "
        "back as --expect-head to catch that."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--expect-head",
            metavar="HASH",
            help=(
                "Fail unless the chain still contains this head, printed by an earlier run "
                "(events appended since are fine). Catches removal of the newest events, "
                "which the chain alone cannot show."
            ),
        )

    def handle(self, *args, expect_head: str | None = None, **options) -> None:
        report = check_and_store()
        if not report.ok:
            self.stderr.write(f"Audit chain broken at event #{report.broken_at}.")
            self.stderr.write(f"Problem: {report.problem}.")
            self.stderr.write(
                f"{report.events - 1} event(s) before it verified; last good hash {report.head}."
            )
            self.stderr.write(f"What to do: {ADVICE}")
            raise CommandError(f"audit chain broken at event #{report.broken_at}", returncode=1)

        appended = None
        if expect_head is not None:
            appended = self._events_after(expect_head.strip().lower(), report)
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.events} events checked.")
        )
        self.stdout.write(f"Head: {report.head}")
        if appended is not None:
            self.stdout.write(
                f"The expected head is still in the chain; {appended} event(s) since."
            )

    def _events_after(self, expected: str, report) -> int:
        """How many events follow the noted head; fails when the head is gone."""
        if expected == report.head:
            return 0
        found = Event.objects.filter(hash=expected).values_list("id", flat=True).first()
        if found is None:
            self.stderr.write(
                f"The chain is intact ({report.events} events, head {report.head}) but no "
                f"event has the expected head {expected}: events were removed from the end "
                "of the log (or the log was replaced), or the hash belongs to another database."
            )
            self.stderr.write(f"What to do: {ADVICE}")
            raise CommandError("the head given in --expect-head is missing", returncode=1)
        return Event.objects.filter(id__gt=found).count()
