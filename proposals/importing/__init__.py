"""Importing meeting notes: parsed notes (`pmc.notes`) become rows, through the actions.

    files = collect_files(["notes/Runtime"])          # or [NoteFile("x.md", data=...)]
    preview = plan_import(files, committee="Runtime")  # a dry run: nothing is kept
    print(preview)
    result = apply_import(files, committee="Runtime")

For each meeting file the import creates or updates the `Meeting` (its original text,
the repaired text it renders, which file and which version of it: path and SHA-256)
and its team reports; finds or creates each project a lifecycle item is about (by its
current or former name, or its repository); creates the item's `Proposal`, or finds the
one raised in an earlier meeting (same kind and project, in any committee) and links it
to this meeting; and moves the proposal through the state machine as far as the notes
record (submit, decide, defer, complete), at the meeting's date, as `system:import`
(or as the actor given: a chair uploading notes acts with the chair's own permissions).

A chair acts for the committees they chair only: a proposal of another committee that
their notes mention is neither linked nor moved on, and no proposal is filed there;
the link is suggested to that committee's chair instead (`LinkSuggestion`), and what
links that committee's proposals had to the meeting stay as they are.

Every change goes through `proposals.actions`, so the audit log records it. Files are
imported oldest meeting first (the date is in the file name), one transaction each: a
file that fails leaves nothing behind and the others are still imported. A file whose
bytes did not change since it was last imported is "unchanged" and not touched again.

Callers import from this package (`from proposals.importing import apply_import`); the
modules, from the bottom up:

- `results`: what an import did, or would do: `ProposalChange`, `FileResult`,
  `ImportResult` and its summary;
- `files`: the notes files to import (`NoteFile`, `collect_files`) and the paths that
  are refused without being opened;
- `locks`: imports running at once take turns file by file;
- `importer`: one file imported (`Importer`): its meeting, the projects and their
  index, the proposals, their links to the meeting and the links suggested;
- `apply`: `apply_import` and `plan_import`, the files in order, each in its
  transaction (or all in one, rolled back, for a dry run).
"""

from proposals.importing.apply import Progress, apply_import, plan_import
from proposals.importing.files import NoteFile, collect_files
from proposals.importing.results import FileResult, ImportResult, ProposalChange

__all__ = [
    "FileResult",
    "ImportResult",
    "NoteFile",
    "Progress",
    "ProposalChange",
    "apply_import",
    "collect_files",
    "plan_import",
]
