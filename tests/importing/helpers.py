"""Shared helpers for the import tests: the sample files, a temporary notes folder, the
command, and a count of every row the import may write."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from django.core.management import call_command

from pmc.models import Committee, Meeting, Project, TeamReport
from proposals.importing import NoteFile, collect_files
from proposals.models import ChecklistItem, Event, Proposal, ProposalMeeting
from tests.importing.accuracy import NOTES

COUNTED = [Committee, Meeting, TeamReport, Project, Proposal, ProposalMeeting, ChecklistItem, Event]


def sample_files() -> list[NoteFile]:
    return collect_files([NOTES])


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


class NotesFolder:
    """A writable copy of the sample notes (or an empty folder) that is removed after."""

    def __init__(self, *, samples: bool = True) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pmc-notes-"))
        if samples:
            shutil.copytree(NOTES, self.root, dirs_exist_ok=True, copy_function=shutil.copyfile)

    def write(self, path: str, content: str | bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
        return target

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def import_notes(*args: str) -> tuple[str, str]:
    """Run the command; returns its stdout and stderr. Raises CommandError on failure."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_notes", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def summary(out: str) -> dict[str, int]:
    """The summary table at the end of the command's output, as {row: number}."""
    table = out[out.rindex("Summary") :].splitlines()[1:]
    return {line.rsplit(None, 1)[0].strip(): int(line.rsplit(None, 1)[1]) for line in table}
