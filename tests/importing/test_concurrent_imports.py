"""Two imports of the same notes at the same time (a chair's upload while the command
runs) take turns file by file: nothing is created twice and the audit chain holds."""

from __future__ import annotations

import unittest
from collections import Counter

import pytest
from django.db import connection, transaction

from pmc.models import Committee
from proposals import actions, audit
from proposals.actors import SYSTEM
from proposals.importing import apply_import, collect_files, plan_import
from proposals.models import Event, Proposal
from tests.base import AppendOnlyTransactionTestCase
from tests.importing.helpers import TABLE_SAMPLES, NotesFolder, row_counts, sample_files
from tests.proposals.test_concurrency import run_together


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (concurrent connections): run with DATABASE_URL=postgres://...",
)
class ConcurrentImportTests(AppendOnlyTransactionTestCase):
    def test_two_imports_at_once_create_everything_once(self):
        folder = NotesFolder(only=TABLE_SAMPLES)  # nine meetings, no proposal raised twice
        self.addCleanup(folder.remove)
        files = collect_files([folder.root])

        outcomes = run_together(lambda: apply_import(files), lambda: apply_import(files))

        self.assertEqual([kind for kind, _ in outcomes], ["ok", "ok"], outcomes)
        results = [result for _, result in outcomes]
        self.assertTrue(all(result.ok for result in results))
        created = sum(result.count("created") for result in results)
        unchanged = sum(result.count("unchanged") for result in results)
        self.assertEqual((created, unchanged), (9, 9))
        per_key = Counter(Proposal.objects.values_list("kind", "project_id"))
        self.assertEqual([key for key, count in per_key.items() if count > 1], [])
        once = row_counts()
        apply_import(files)  # the same files again, alone
        self.assertEqual(row_counts(), once)
        self.assertTrue(audit.verify_chain().ok)

    def test_a_dry_run_does_not_hold_up_other_changes(self):
        outcomes: list[tuple[str, object]] = []

        def change_elsewhere():
            with transaction.atomic():
                with connection.cursor() as cursor:  # waiting longer counts as held up
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                return actions.do_create_committee(actor=SYSTEM, name="Elsewhere")

        def progress(done: int, total: int, name: str) -> None:
            if done == 3 and not outcomes:  # the preview has written three files by now
                outcomes.extend(run_together(change_elsewhere))

        preview = plan_import(sample_files(), progress=progress)

        self.assertEqual([kind for kind, _ in outcomes], ["ok"], outcomes)
        self.assertTrue(preview.ok)
        self.assertEqual(list(Committee.objects.values_list("name", flat=True)), ["Elsewhere"])
        self.assertEqual(
            list(Event.objects.values_list("action", flat=True)), ["committee.created"]
        )
        self.assertTrue(audit.verify_chain().ok)
