"""`apply_import` and `plan_import`: the files imported oldest meeting first, each in its
own transaction, or all in one transaction rolled back for a dry run; nobody is
notified of what old notes record."""

from __future__ import annotations

import datetime
import gc
from collections.abc import Callable, Iterable

from django.db import transaction

from pmc.models import Committee
from pmc.notes import committee_from_path, meeting_date
from proposals import audit, notifications
from proposals.actors import IMPORT
from proposals.importing.files import NoteFile
from proposals.importing.importer import Importer
from proposals.importing.results import FileResult, ImportResult

Progress = Callable[[int, int, str], None]

_COLLECT_EVERY = 200


def plan_import(
    files: Iterable[NoteFile],
    *,
    committee: str | Committee | None = None,
    progress: Progress | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    actor=IMPORT,
    leave_out: Iterable[tuple[str, str]] = (),
) -> ImportResult:
    """What importing the files would do, found by importing them in a transaction that
    is rolled back: nothing is written."""
    return apply_import(
        files,
        committee=committee,
        progress=progress,
        on_file=on_file,
        dry_run=True,
        actor=actor,
        leave_out=leave_out,
    )


def apply_import(files: Iterable[NoteFile], **options) -> ImportResult:
    """Import the files (see `_apply_import` for the options). Old notes are history,
    not news: whoever imports them, the import notifies nobody."""
    with notifications.silenced():
        return _apply_import(files, **options)


def _apply_import(
    files: Iterable[NoteFile],
    *,
    committee: str | Committee | None = None,
    progress: Progress | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    dry_run: bool = False,
    actor=IMPORT,
    leave_out: Iterable[tuple[str, str]] = (),
) -> ImportResult:
    """Import the files, oldest meeting first, each in its own transaction. With
    `dry_run` everything runs inside one transaction that is rolled back at the end.

    `committee` names (or is) the committee of every file (else each file's `<PMC>/`
    folder does). `progress(done, total, name)` is called after each file.
    `on_file(result)`, when given, receives each file's result as soon as it is known,
    and the returned `ImportResult` keeps only the totals. `actor` is who the changes
    are recorded as, and whose permissions every action checks: the import itself
    (`system:import`) unless a user is given.

    `leave_out` holds `(file name, key)` pairs (`NoteFile.name`, `LifecycleMention.key`)
    of items not to import: each is recorded as a reading dismissed by the actor ("Left
    out when the notes were uploaded."), so a later import of the file leaves it out too.
    """
    name = committee.name if isinstance(committee, Committee) else committee
    ordered = sorted(files, key=lambda f: _order(f, name))
    importer = Importer(committee=committee, actor=actor, dry_run=dry_run, leave_out=leave_out)
    result = ImportResult(dry_run=dry_run)

    def run() -> None:
        for done, file in enumerate(ordered, start=1):
            outcome = importer.one(file)
            result.add(outcome, keep=on_file is None)
            if on_file is not None:
                on_file(outcome)
            if progress is not None:
                progress(done, len(ordered), file.name)
            if done % _COLLECT_EVERY == 0:
                # A few reference cycles are left behind per file (closures in Django's
                # query compiler and in Python-Markdown); collecting them now and then
                # keeps a long import's memory flat.
                gc.collect()

    if dry_run:
        # All in one transaction, rolled back: later files see what earlier ones would
        # create. Nothing is kept, so no events are written and no lock is taken that
        # would make other changes wait for the preview.
        with transaction.atomic(), audit.deferred(write=False):
            run()
            transaction.set_rollback(True)
    else:
        run()
    return result


def _order(file: NoteFile, committee: str | None) -> tuple:
    date = meeting_date(file.name) or datetime.date.max
    return (date, (committee or committee_from_path(file.name) or "").casefold(), file.name)
