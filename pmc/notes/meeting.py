"""One meeting's notes read whole: a file's name and bytes, or decoded text, in;
`MeetingNotes` (or why the file is not one) out."""

from __future__ import annotations

import datetime
import hashlib
import re

from pmc.notes.files import (
    UnreadableNotes,
    committee_from_path,
    decode_notes,
    fix_encoding,
    meeting_date,
    skip_reason,
    source_path,
)
from pmc.notes.lifecycle import LifecycleReader
from pmc.notes.model import MeetingNotes, NotMeeting, Unreadable
from pmc.notes.numbers import numbered_items, without_numbered
from pmc.notes.structure import Document
from pmc.notes.team_reports import TeamReader

_CANCELLED = re.compile(
    r"^\W*(?:the\s+)?(?:pmc\s+)?(?:meeting\s+|call\s+)?(?:was\s+|is\s+|has\s+been\s+)?cancel+ed\b"
    r"|\b(?:meeting|call)\s+(?:was\s+|is\s+|has\s+been\s+)?cancel+ed\b"
    r"|^\W*no\s+(?:pmc\s+)?(?:meeting|call)\b"
    r"|\(cancel+ed\)|\bcancel+ing\s+(?:this|today'?s)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# In the title, the word alone says it: "# Runtime PMC Meeting 2018-03-06 - CANCELLED".
_CANCELLED_TITLE = re.compile(r"\bcancel+ed\b", re.IGNORECASE)


def read_notes(
    name: str, data: bytes, *, committee: str | None = None
) -> MeetingNotes | NotMeeting | Unreadable:
    """Read one file: `name` is its path (its folders name the committee unless
    `committee` is given), `data` its bytes."""
    reason = skip_reason(name)
    if reason is not None:
        return NotMeeting(name, reason)
    date = meeting_date(name)
    if date is None:
        return Unreadable(name, "no date in the file name (expected YYYY-MM-DD or MM-DD-YYYY)")
    committee = (committee or "").strip() or committee_from_path(name)
    if not committee:
        return Unreadable(name, "no committee: the file is not in a <PMC>/ folder; name one")
    try:
        original, repairs = decode_notes(data)
    except UnreadableNotes as error:
        return Unreadable(name, str(error))
    return parse_notes(
        original,
        name=name,
        committee=committee,
        date=date,
        sha256=hashlib.sha256(data).hexdigest(),
        repairs=repairs,
    )


def parse_notes(
    original: str,
    *,
    name: str,
    committee: str,
    date: datetime.date,
    sha256: str = "",
    repairs: tuple[str, ...] = (),
) -> MeetingNotes:
    """Parse decoded notes: repair their encoding, then read reports and lifecycle items."""
    repaired = fix_encoding(original)
    if repaired != original:
        changed = sum(
            1
            for before, after in zip(original.splitlines(), repaired.splitlines(), strict=False)
            if before != after
        )
        repairs = (*repairs, f"repaired mis-decoded characters on {changed} line(s)")
    text = repaired.replace("\r\n", "\n").replace("\r", "\n")
    document = Document(text)
    teams = TeamReader(document)
    # A cancelled meeting's notes that keep the empty template still list the teams due
    # to report, with their leads: those are its team reports (with empty bodies).
    cancelled = _cancelled(document, teams)
    reports = teams.team_reports()
    numbered = numbered_items(document)
    mentions = without_numbered(LifecycleReader(document, teams).mentions(), numbered)
    return MeetingNotes(
        name=name,
        committee=committee,
        date=date,
        title=document.title()[:300],
        text=text,
        original=original,
        sha256=sha256,
        source=source_path(name, committee),
        repairs=tuple(repairs),
        cancelled=cancelled,
        team_reports=tuple(reports),
        mentions=tuple([*mentions, *numbered]),
    )


def _cancelled(document: Document, teams: TeamReader) -> bool:
    """Whether the notes say the meeting did not take place."""
    first = document.headings[0] if document.headings else None
    if first is not None and first.level == 1 and _CANCELLED_TITLE.search(first.title):
        return True
    text = "\n".join(document.lines).lower()
    if "cancel" not in text and not re.search(r"no\s+(?:pmc\s+)?(?:meeting|call)", text):
        return False
    in_report = teams.team_line_map()
    for index, line in enumerate(document.lines):
        if document.code[index] or in_report[index] is not None:
            continue
        # A short sentence says so ("Meeting cancelled (KubeCon).", "NOTE: We are
        # cancelling this PMC meeting due to ... See you on ..."), not a long paragraph.
        for sentence in _SENTENCE_END.split(line.strip()):
            sentence = sentence.lstrip("#*_-> ").strip()
            if 0 < len(sentence) <= 100 and _CANCELLED.search(sentence):
                return True
    return False
