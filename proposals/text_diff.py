"""What changed between two texts, line by line and, within a changed line, word by word
(difflib), as plain data for a template to render escaped."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Unchanged lines shown around each change; longer runs of them are folded.
CONTEXT = 3
# Above this many words on either side, a changed line is shown whole, not word by word
# (comparing words costs up to the product of the two counts).
WORDS_COMPARED = 2000
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    """Part of a line: `changed` marks words removed (on a removed line) or added."""

    text: str
    changed: bool = False


@dataclass(frozen=True)
class Row:
    """One line of a diff: "same", "removed", "added", or "folded" (`text` then says how
    many unchanged lines are not shown)."""

    kind: str
    pieces: tuple[Piece, ...]


def diff_lines(old: str, new: str) -> list[Row]:
    """The rows of a diff of `old` and `new`, with CONTEXT unchanged lines around each
    change and the rest folded."""
    a, b = old.splitlines(), new.splitlines()
    # Trimming what both share at the ends first keeps the matcher's work to the part
    # that changed, which for an edit is usually small.
    head = _common_prefix(a, b)
    tail = _common_prefix(a[head:][::-1], b[head:][::-1])
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    matcher = difflib.SequenceMatcher(
        None, middle_a, middle_b, autojunk=len(middle_a) + len(middle_b) > 2000
    )
    opcodes = [("equal", 0, head, 0, head)] if head else []
    opcodes += [
        (tag, i1 + head, i2 + head, j1 + head, j2 + head)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    if tail:
        opcodes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return _rows(a, b, opcodes)


def diff_words(old: str, new: str) -> tuple[Row, Row]:
    """A one-line value before and after, each word removed or added marked."""
    return _word_pair(old, new)


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _rows(a: list[str], b: list[str], opcodes) -> list[Row]:
    rows: list[Row] = []
    last = len(opcodes) - 1
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            rows += _context(a[i1:i2], first=index == 0, last=index == last)
        elif tag == "replace":
            rows += _replaced(a[i1:i2], b[j1:j2])
        elif tag == "delete":
            rows += [Row("removed", (Piece(line, True),)) for line in a[i1:i2]]
        else:
            rows += [Row("added", (Piece(line, True),)) for line in b[j1:j2]]
    return rows


def _context(lines: list[str], *, first: bool, last: bool) -> list[Row]:
    """Unchanged lines: those near a change shown, the others folded into one row."""
    keep_before = 0 if first else CONTEXT
    keep_after = 0 if last else CONTEXT
    if len(lines) <= keep_before + keep_after + 1:
        return [Row("same", (Piece(line),)) for line in lines]
    folded = len(lines) - keep_before - keep_after
    shown_before = [Row("same", (Piece(line),)) for line in lines[:keep_before]]
    shown_after = [Row("same", (Piece(line),)) for line in lines[len(lines) - keep_after :]]
    note = f"{folded} unchanged line{'s' if folded != 1 else ''}"
    return [*shown_before, Row("folded", (Piece(note),)), *shown_after]


def _replaced(old: list[str], new: list[str]) -> list[Row]:
    """Lines replaced by others: paired in order and compared word by word; lines left
    over on either side are removed or added whole."""
    removed, added = [], []
    for index in range(max(len(old), len(new))):
        if index < len(old) and index < len(new):
            before, after = _word_pair(old[index], new[index])
            removed.append(before)
            added.append(after)
        elif index < len(old):
            removed.append(Row("removed", (Piece(old[index], True),)))
        else:
            added.append(Row("added", (Piece(new[index], True),)))
    return removed + added


def _word_pair(old: str, new: str) -> tuple[Row, Row]:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    if len(a) > WORDS_COMPARED or len(b) > WORDS_COMPARED:
        return Row("removed", (Piece(old, True),)), Row("added", (Piece(new, True),))
    before: list[Piece] = []
    after: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            before.append(Piece("".join(a[i1:i2])))
            after.append(Piece("".join(b[j1:j2])))
            continue
        if i2 > i1:
            before.append(Piece("".join(a[i1:i2]), True))
        if j2 > j1:
            after.append(Piece("".join(b[j1:j2]), True))
    return Row("removed", tuple(before)), Row("added", tuple(after))
