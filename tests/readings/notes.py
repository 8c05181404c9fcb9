"""A meeting's notes with three lifecycle items as the parser reads them: an attic move
decided in the lifecycle section (high confidence), another only proposed there (high),
and a rename a team report mentions in passing as done (low)."""

from __future__ import annotations

from proposals.importing import NoteFile, apply_import

NAME = "Runtime/2021-03-04-runtime.md"

NOTES = """# Runtime PMC meeting 2021-03-04

## PMC Lifecycle Activities
* Proposal: [Move garden-windows to the attic](https://lists.cloudfoundry.org/g/cf-dev/message/1)
  * Decision: Moved to the attic!
* Proposal: [Move diego-enabler to the attic](https://lists.cloudfoundry.org/g/cf-dev/message/2)

## Backlog review

### Networking - Ana Lopez
* We renamed the cf-networking-helpers repo to networking-helpers.
"""

DECIDED = "attic:gardenwindows"
PROPOSED = "attic:diegoenabler"
RENAMED = "rename:cfnetworkinghelpers"


def notes_file(text: str = NOTES, name: str = NAME) -> NoteFile:
    return NoteFile(name, data=text.encode())


def reimport(text: str = NOTES, **options):
    """Import the file again, edited so that the import does not skip it as unchanged."""
    return apply_import([notes_file(text + "\n<!-- edited -->\n")], **options)
