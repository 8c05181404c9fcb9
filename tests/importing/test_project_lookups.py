"""Finding or creating the projects of a big lifecycle table costs the same per row
however many projects there are: no lookup per row scans the project table. A project
created or renamed by another action after the import read its projects is still found
by its name, not created a second time."""

from __future__ import annotations

import datetime
import json
import re
import unittest
from unittest import mock

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from pmc.models import Project
from proposals import actions
from proposals.actors import SYSTEM
from proposals.errors import ConditionNotMet
from proposals.importing import NoteFile, apply_import
from proposals.models import Proposal
from tests.base import AppendOnlyTransactionTestCase
from tests.factories import make_committee
from tests.proposals.test_concurrency import run_together


def notes_file(date: datetime.date, projects: list[str]) -> NoteFile:
    """Runtime's notes of `date` with a lifecycle table: each project moved to the attic."""
    lines = [
        "# Runtime PMC Meeting",
        "",
        "## PMC Lifecycle Activities",
        "",
        "| Project | Proposal | Status |",
        "|---|---|---|",
        *(f"| {name} | move to the attic | approved |" for name in projects),
    ]
    return NoteFile(f"Runtime/{date:%Y-%m-%d}-runtime.md", data=("\n".join(lines) + "\n").encode())


def _full_scans_sqlite(sql: str) -> int:
    names = {"pmc_project", *re.findall(r'"pmc_project" (\w+)', sql)}
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        details = [row[-1] for row in cursor.fetchall()]
    return sum(1 for detail in details if re.match(rf"SCAN ({'|'.join(names)})\b", detail))


def _full_scans_postgresql(sql: str) -> int:
    def conditions(node: dict) -> list[str]:  # its own and its bitmap index scans'
        own = [node[key] for key in ("Index Cond",) if key in node]
        bitmaps = [child for child in node.get("Plans", []) if "Bitmap" in child["Node Type"]]
        return own + [cond for child in bitmaps for cond in conditions(child)]

    def scans(node: dict) -> int:
        # Reading pmc_project with no condition that narrows an index (`id IS NOT NULL`
        # reads every row) is reading it whole.
        own = node.get("Relation Name") == "pmc_project" and not any(
            re.search("[=<>]", cond) for cond in conditions(node)
        )
        return int(own) + sum(scans(child) for child in node.get("Plans", []))

    with connection.cursor() as cursor:
        # The tables are tiny: without this every plan would be a sequential scan.
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("RESET enable_seqscan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return scans(plan[0]["Plan"])


def full_scans(sql: str) -> int:
    """How many times the statement's plan reads the whole project table."""
    if not sql.lstrip().upper().startswith("SELECT") or '"pmc_project"' not in sql:
        return 0
    if connection.vendor == "postgresql":
        return _full_scans_postgresql(sql)
    return _full_scans_sqlite(sql)


class ImportLookupPlanTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        committee = make_committee("Runtime")
        for i in range(5):  # projects the import knows before it starts
            actions.do_create_project(
                committee=committee, actor=SYSTEM, name=f"Known-{i}", former_names=[f"old-{i}"]
            )

    def import_rows(self, rows: int, day: int) -> tuple[int, int]:
        """Import a table of `rows` projects nobody has heard of: (statements, full
        scans of the project table)."""
        names = [f"new-{day}-{i}" for i in range(rows)]
        file = notes_file(datetime.date(2021, 1, day), names)
        with CaptureQueriesContext(connection) as context:
            result = apply_import([file])
        self.assertTrue(result.ok, result)
        self.assertEqual(result.count("proposals created"), rows)
        statements = [query["sql"] for query in context.captured_queries]
        scans = sum(full_scans(sql) for sql in statements)
        # Events and readings are inserted in batches as big as the database takes: not
        # counted.
        batched = ('INSERT INTO "proposals_event"', 'INSERT INTO "proposals_reading"')
        return sum(1 for sql in statements if not sql.startswith(batched)), scans

    def test_each_new_project_costs_the_same_statements_and_none_scans_the_projects(self):
        small, medium, large = (
            self.import_rows(rows, day) for rows, day in ((20, 5), (40, 12), (60, 19))
        )

        # The count grows by the same number of statements for every 20 rows...
        self.assertEqual(large[0] - medium[0], medium[0] - small[0], (small, medium, large))
        # ...and the project table is read whole at most once per import (its index of
        # names), never once per row.
        self.assertEqual((small[1], medium[1], large[1]), (small[1],) * 3)
        self.assertLessEqual(small[1], 1)

    def test_the_free_name_check_uses_an_index(self):
        committee = Project.objects.first().committee
        refused = self.assertRaisesMessage(ConditionNotMet, "already has a project named")
        with CaptureQueriesContext(connection) as context, refused:
            actions.do_create_project(committee=committee, actor=SYSTEM, name="KNOWN-1")
        checks = [q["sql"] for q in context.captured_queries if '"pmc_project"' in q["sql"]]
        self.assertTrue(checks)
        self.assertEqual([full_scans(sql) for sql in checks], [0] * len(checks), checks)


class FreeNameSemanticsTests(TestCase):
    def test_a_name_is_taken_exactly_when_iexact_says_so_on_this_database(self):
        committee = make_committee("Runtime")
        pairs = [
            ("Diego", "DIEGO"),
            ("Café", "CAFÉ"),
            ("café", "CAFE"),
            ("ſtraße", "STRASSE"),
            ("ſ-tool", "S-TOOL"),
            ("ς-final", "σ-FINAL"),
            ("\u212a-kelvin", "k-kelvin"),
            ("100%", "100_"),
        ]
        for taken, asked in pairs:
            with self.subTest(taken=taken, asked=asked):
                project = Project.objects.create(committee=committee, name=taken)
                expected = Project.objects.filter(name__iexact=asked).exists()
                self.assertEqual(Project.objects.called(asked).exists(), expected)
                project.delete()


class ProjectsChangedDuringAnImportTests(TestCase):
    """Between two files of one import run, another action creates or renames a project
    the second file names: the import finds it and creates no second project."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.committee = make_committee("Runtime")
        cls.old = actions.do_create_project(committee=cls.committee, actor=SYSTEM, name="Old-Name")

    def import_two(self, first: list[str], second: list[str], between) -> list:
        files = [
            notes_file(datetime.date(2021, 1, 5), first),
            notes_file(datetime.date(2021, 2, 2), second),
        ]
        results = []

        def progress(done: int, total: int, name: str) -> None:
            if done == 1:
                between()

        apply_import(files, progress=progress, on_file=results.append)
        self.assertEqual([r.status for r in results], ["created", "created"], results)
        changes = [change for result in results for change in result.proposals]
        self.assertEqual([c.action for c in changes if c.action == "failed"], [], changes)
        return results

    def test_a_project_created_after_the_import_read_its_projects_is_found(self):
        def create() -> None:
            actions.do_create_project(committee=self.committee, actor=SYSTEM, name="Newcomer")

        results = self.import_two(["Old-Name"], ["NEWCOMER"], create)

        newcomer = Project.objects.get(name__iexact="newcomer")
        self.assertEqual(newcomer.name, "Newcomer")
        self.assertEqual(Project.objects.count(), 2)
        (change,) = results[1].proposals
        self.assertEqual(change.project, "Newcomer")
        self.assertEqual(Proposal.objects.get(pk=change.proposal_id).project, newcomer)

    def test_a_project_renamed_after_the_import_read_its_projects_is_found_by_its_new_name(self):
        def rename() -> None:
            actions.do_update_project(project=self.old, actor=SYSTEM, name="Brand-New")

        results = self.import_two(["Old-Name"], ["BRAND-NEW"], rename)

        self.assertEqual(list(Project.objects.values_list("name", flat=True)), ["Brand-New"])
        (change,) = results[1].proposals
        self.assertEqual(Proposal.objects.get(pk=change.proposal_id).project_id, self.old.pk)


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (concurrent connections): run with DATABASE_URL=postgres://...",
)
class ProjectCreatedDuringAFileTests(AppendOnlyTransactionTestCase):
    def test_a_project_another_connection_creates_while_a_file_is_imported_is_found(self):
        committee = make_committee("Runtime")
        create_proposal = actions.do_create_proposal
        created = []

        def elsewhere():
            return actions.do_create_project(committee=committee, actor=SYSTEM, name="Late-Comer")

        def first_proposal_then_elsewhere(**fields):
            proposal = create_proposal(**fields)
            if not created:  # after the first row: another connection commits a project
                created.extend(run_together(elsewhere))
            return proposal

        file = notes_file(datetime.date(2021, 1, 5), ["Early-Bird", "LATE-COMER"])
        with mock.patch.object(actions, "do_create_proposal", first_proposal_then_elsewhere):
            result = apply_import([file])

        self.assertEqual([kind for kind, _ in created], ["ok"], created)
        self.assertTrue(result.ok, result)
        changes = result.files[0].proposals
        self.assertEqual([c.action for c in changes], ["created", "created"], changes)
        late = Project.objects.get(name="Late-Comer")
        self.assertEqual(Project.objects.filter(name__iexact="late-comer").count(), 1)
        self.assertEqual(Proposal.objects.get(pk=changes[1].proposal_id).project, late)
