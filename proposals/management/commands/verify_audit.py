"""Check that the audit log is intact, trusting nothing the database says about itself:
`manage.py verify_audit [--checkpoint FILE ...] [--expect-head HASH]`, or offline
`manage.py verify_audit --export FILE --public-key KEY`, or, on a long log, only what was
written since the newest signed checkpoint: `manage.py verify_audit --since-checkpoint`.

Walks the hash chain from the first event to the last, checks every event's seal (the
application's signature of its hash), every signed checkpoint (its signature, no gap in
the sequence, its head still in the chain at its position, none older than
AUDIT_CHECKPOINT_MAX_AGE with events waiting after it), the checkpoints an outsider kept
(`--checkpoint`, the JSON of /audit/checkpoints.json or one checkpoint of it), every
stored verification result's signature, and that the rows agree with the log.

Exits 0 when everything holds, 1 with each problem named otherwise, so it can run from
cron or a monitoring check. Each run is stored as a signed `AuditCheck` (the audit page
shows the newest signed one) and, when the log is sound, signs a new checkpoint.

`--export FILE` checks an `export_lifecycle` file instead, without the database: it
re-computes the chain from the exported events and checks the exported checkpoint's
signature against `--public-key` (or the keys configured) and that its head is in the
chain.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals import checkpoints, offline, signing, verification
from proposals.audit_alerts import ADVICE
from proposals.models import Event


class Command(BaseCommand):
    help = (
        "Verify the audit log: the hash chain, every event's seal, the signed checkpoints "
        "(and copies kept outside, --checkpoint FILE), the stored results and the rows "
        "against the log. Exits non-zero naming each problem. --export FILE --public-key KEY "
        "verifies an export_lifecycle file offline, without the database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            action="append",
            default=[],
            help="A copy of published checkpoints (/audit/checkpoints.json, or one checkpoint "
            "of it) kept outside the site: fails unless the log still holds each. Repeatable.",
        )
        parser.add_argument(
            "--expect-head",
            metavar="HASH",
            help="Fail unless the chain still contains this head, printed by an earlier run "
            "(events appended since are fine).",
        )
        parser.add_argument(
            "--export",
            metavar="FILE",
            help="Verify this export_lifecycle JSON file offline instead of the database.",
        )
        parser.add_argument(
            "--since-checkpoint",
            action="store_true",
            help="Verify only the events written since the newest signed checkpoint and that "
            "checkpoint's place in the log (seconds on a long log); the full verification "
            "also re-reads the events it covers and the rows.",
        )
        parser.add_argument(
            "--public-key",
            metavar="KEY",
            help="With --export: the public key (base64, as the audit page shows it, or a file "
            "holding it) to check the export's checkpoint against; the keys configured "
            "otherwise.",
        )

    def handle(self, *args, **options) -> None:
        if options["export"]:
            self._offline(options["export"], options["public_key"])
            return
        if options["public_key"]:
            raise CommandError("--public-key goes with --export; set AUDIT_PUBLIC_KEY otherwise.")
        since = options["since_checkpoint"]
        if since and options["checkpoint"]:
            raise CommandError(
                "--checkpoint copies are checked against the whole log: leave out "
                "--since-checkpoint."
            )
        outsider = [copy for name in options["checkpoint"] for copy in _read_copies(name)]
        result, check = verification.verify_and_store(outsider=outsider, since_checkpoint=since)
        if not result.ok:
            self._report_failure(result)
        appended = None
        if options["expect_head"] is not None:
            appended = self._events_after(options["expect_head"].strip().lower(), result)
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {result.events} events checked.")
        )
        if since:
            self.stdout.write(
                f"Since the newest signed checkpoint: the chain and seals, its place in the "
                f"log, the sequence of {result.checkpoints} stored checkpoint(s) and the "
                "stored results verified (the rows and the events it covers: without "
                "--since-checkpoint)."
            )
        else:
            self.stdout.write(
                f"Seals, {result.checkpoints} stored checkpoint(s)"
                f"{f' and {len(outsider)} copied one(s)' if outsider else ''}, the stored "
                "results and the rows verified."
            )
        self.stdout.write(f"Head: {result.head}")
        if appended is not None:
            self.stdout.write(
                f"The expected head is still in the chain; {appended} event(s) since."
            )

    def _report_failure(self, result) -> None:
        if result.broken_at is not None:
            self.stderr.write(f"Audit chain broken at event #{result.broken_at}.")
        self.stderr.write(f"Audit log failed verification ({result.events} events):")
        for finding in result.findings:
            self.stderr.write(f"Problem: {finding.text}.")
        if result.broken_at is not None:
            # The walk stops trusting the chain at the first break; the head is the last
            # event before it that verified.
            before = Event.objects.filter(id__lt=result.broken_at).count()
            self.stderr.write(
                f"{before} event(s) before it verified; last good hash {result.head}."
            )
        if not signing.keyring().can_verify and len(result.findings) == 1:
            self.stderr.write(f"What to do: {signing.HOW_TO_CREATE}")
        else:
            self.stderr.write(f"What to do: {ADVICE}")
        first = result.findings[0].text
        if result.broken_at is not None:
            raise CommandError(f"audit chain broken at event #{result.broken_at}", returncode=1)
        raise CommandError(f"audit log failed verification: {first}", returncode=1)

    def _events_after(self, expected: str, result) -> int:
        """How many events follow the noted head; fails when the head is gone."""
        if expected == result.head:
            return 0
        found = Event.objects.filter(hash=expected).values_list("id", flat=True).first()
        if found is None:
            self.stderr.write(
                f"The chain is intact ({result.events} events, head {result.head}) but no "
                f"event has the expected head {expected}: events were removed from the end "
                "of the log (or the log was replaced), or the hash belongs to another database."
            )
            self.stderr.write(f"What to do: {ADVICE}")
            raise CommandError("the head given in --expect-head is missing", returncode=1)
        return Event.objects.filter(id__gt=found).count()

    def _offline(self, name: str, public_key: str | None) -> None:
        try:
            data = json.loads(Path(name).read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read the export {name}: {error}") from error
        keys = _offline_keys(public_key)
        report = offline.verify_export(data, keys)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"Problem: {problem}.")
            self.stderr.write(
                "What to do: this file is not the log as the application wrote and signed "
                "it. Take a new export from the site, and keep the published checkpoints."
            )
            raise CommandError(f"export failed verification: {report.problems[0]}", returncode=1)
        self.stdout.write(
            self.style.SUCCESS(f"Export verified: {report.events} events, chain intact.")
        )
        self.stdout.write(
            f"Checkpoint #{report.checkpoint} (signed {report.signed_at}, key {report.key_id}) "
            f"covers {report.covered} of them; head {report.head}."
        )
        if report.events > report.covered:
            self.stdout.write(
                f"{report.events - report.covered} newer event(s) are vouched for by the "
                "chain only (no checkpoint was signed after them before the export)."
            )


def _offline_keys(public_key: str | None) -> signing.Keyring:
    if not public_key:
        keys = signing.keyring()
        if not keys.can_verify:
            raise CommandError(
                "Give the public key to check the export against: --public-key KEY (as the "
                "audit page shows it)."
            )
        return keys
    text = public_key
    path = Path(public_key)
    if len(public_key) < 4096 and path.is_file():
        text = path.read_text()
    try:
        public = signing.parse_public(text, "--public-key")
    except signing.AuditKeyError as error:
        raise CommandError(str(error)) from error
    return signing.Keyring(None, {signing.key_id(public): public})


def _read_copies(name: str):
    """The checkpoints in a copy: the published document, a list, or one checkpoint."""
    try:
        data = json.loads(Path(name).read_text())
    except (OSError, ValueError) as error:
        raise CommandError(f"cannot read the checkpoint file {name}: {error}") from error
    if isinstance(data, dict) and "checkpoints" in data:
        data = data["checkpoints"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data:
        raise CommandError(f"{name} holds no checkpoint (expected the JSON of checkpoints.json)")
    try:
        return [checkpoints.from_json(item) for item in data]
    except (ValueError, AttributeError) as error:
        raise CommandError(f"{name}: {error}") from error
