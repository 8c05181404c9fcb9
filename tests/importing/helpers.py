"""Shared helpers for the import tests: the sample files, a temporary notes folder, the
command, and a count of every row the import may write."""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.core.management import call_command

from pmc.models import Committee, Meeting, Project, TeamReport
from proposals.importing import NoteFile, collect_files
from proposals.models import ChecklistItem, Event, Proposal, ProposalMeeting
from tests.importing.accuracy import NOTES, expected_items, expected_meetings

COUNTED = [Committee, Meeting, TeamReport, Project, Proposal, ProposalMeeting, ChecklistItem, Event]

# The nine meetings the table of tests/fixtures/notes/README.md describes, each for the
# defects it shows: the set the tests of the import's report, counts and links are about.
TABLE_SAMPLES = (
    "Runtime/2017/2017-05-16-runtime.md",
    "Runtime/2015/2015-06-16-runtime.md",
    "Runtime/2017/2017-01-11-runtime.md",
    "Runtime/2020/2020-04-28-runtime.md",
    "Extensions/2017/10-30-2017.md",
    "Extensions/2020/2020-09-28-extensions.md",
    "Bosh/2019-03-21-bosh.md",
    "Buildpacks/2015-07-27-buildpacks.md",
    "Utilities/2015-05-19-utilities.md",
)
# Beside them, the files of the folder that are not meeting notes.
NOT_NOTES = ("README.md", "expected/lifecycle.json", "expected/meetings.json")


def sample_files() -> list[NoteFile]:
    return collect_files([NOTES])


def table_items() -> list[dict]:
    """What a careful reader found in the nine table samples (expected/lifecycle.json)."""
    return [item for item in expected_items() if item["file"] in TABLE_SAMPLES]


def table_meetings() -> list[dict]:
    """The nine table samples' meetings as expected/meetings.json has them."""
    return [meeting for meeting in expected_meetings() if meeting["file"] in TABLE_SAMPLES]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


class NotesFolder:
    """A writable copy of the sample notes (or an empty folder) that is removed after.
    `only` copies just those files of tests/fixtures/notes, byte for byte, at the same
    `<PMC>/[<year>/]` paths (e.g. `TABLE_SAMPLES + NOT_NOTES`)."""

    def __init__(self, *, samples: bool = True, only: Iterable[str] | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pmc-notes-"))
        if only is not None:
            for path in only:
                self.write(path, (NOTES / path).read_bytes())
        elif samples:
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
