"""Reading PMC meeting notes: markdown text in, plain data out.

The notes were written by hand over years, so the parser is lenient about heading
levels, dashes and where the lead's name sits. It only reads; turning the data into
rows is the importer's job, which is why nothing here imports from `proposals`.

`read_notes(name, data)` takes a file's path (or an uploaded file's name) and bytes and
returns one of:

- `MeetingNotes`: the committee (from the `<PMC>/[<year>/]` folders), the date (from the
  file name; a title's date is not trusted), the title, the text as read and as repaired,
  the team reports of the backlog review and the lifecycle items found anywhere in it;
- `NotMeeting`: a template, README, image, ... with the reason it was skipped;
- `Unreadable`: a file that should be a meeting but cannot be read, and why.

The structure is read line by line rather than through a markdown parser: what matters
is headings, list items and their nesting, paragraphs and link references, and the
notes break the rules a parser relies on (stray `# ...` lines pasted from release notes,
mis-levelled headings, unclosed code fences in truncated files).

The modules, from the bottom up:

- `files`: which files are meeting notes, their committee and date, decoding;
- `model`: the data returned (`MeetingNotes`, `TeamReportData`, `LifecycleMention`, ...);
- `links`: links and code spans in inline markdown;
- `structure`: the lines classified (headings, code, references) and the statements;
- `team_reports`: the teams reporting in the backlog review;
- `rules`: the names of the reading rules that find lifecycle items, and the confidence
  each reading can claim (every item says which rule read it, and how sure it is);
- `kinds`, `subjects`, `people`, `decisions`: the words of lifecycle items;
- `lifecycle`: the lifecycle items found in a document, one per proposal, wherever they
  are written (lifecycle sections, agenda, announcements, discussion, status sections,
  team reports) and in every layout (several projects on one line, lists under a label,
  heading or topic that states the change);
- `meeting`: `read_notes` and `parse_notes`, a meeting's file read whole.
"""

from pmc.notes.files import (
    NOTES_SUFFIXES,
    UnreadableNotes,
    committee_from_path,
    decode_notes,
    fix_encoding,
    meeting_date,
    skip_reason,
    source_path,
)
from pmc.notes.kinds import ATTIC, INCUBATION, KINDS, OTHER, OWNERSHIP, PROMOTION, RENAME
from pmc.notes.lifecycle import parse_lifecycle
from pmc.notes.meeting import parse_notes, read_notes
from pmc.notes.model import (
    LifecycleMention,
    MeetingNotes,
    NotMeeting,
    TeamReportData,
    Unreadable,
    normalized_name,
)
from pmc.notes.team_reports import parse_team_reports

__all__ = (
    "ATTIC",
    "INCUBATION",
    "KINDS",
    "NOTES_SUFFIXES",
    "OTHER",
    "OWNERSHIP",
    "PROMOTION",
    "RENAME",
    "LifecycleMention",
    "MeetingNotes",
    "NotMeeting",
    "TeamReportData",
    "Unreadable",
    "UnreadableNotes",
    "committee_from_path",
    "decode_notes",
    "fix_encoding",
    "meeting_date",
    "normalized_name",
    "parse_lifecycle",
    "parse_notes",
    "parse_team_reports",
    "read_notes",
    "skip_reason",
    "source_path",
)
