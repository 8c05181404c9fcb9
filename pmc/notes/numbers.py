"""Items the notes name by their proposal's number: a line opening with `[#12]` (as the
agenda the site writes lists each proposal) is about proposal 12, with certainty.

No words are guessed from: the number says which proposal, and the line (with the lines
nested under it) says what became of it, read with the same decision wording as any other
item (`decisions`). Notes without such numbers, as every file written by hand so far, read
exactly as before.
"""

from __future__ import annotations

import re

from pmc.notes import rules
from pmc.notes.decisions import DECIDED, DECISION_LABEL, OUTCOME_RANK, decided
from pmc.notes.model import LifecycleMention
from pmc.notes.structure import Document

NUMBER = re.compile(r"\[#(?P<number>[1-9]\d{0,8})\]")
# The number opening a line (after a list's bullet), as the agenda writes it: not a link
# to an issue elsewhere ("[#104](org/repo#104)", "[[#151419854](...)]"), which the
# foundation's notes have plenty of.
_OPENING = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\[#(?P<number>[1-9]\d{0,8})\](?![(\[:])")
# The agenda's reference links ("[#12]: https://..."), which say where, not what.
_DEFINITION = re.compile(r"^\s{0,3}\[#\d+\]:\s")
# A part of a line set off by a dash, a colon or a sentence's end, and the outcome it
# starts with.
_PARTS = re.compile(r"\s[—–-]+\s|[.;:)]\s+")
_SAID = re.compile(
    r"^\W*(?:approved|accepted|agreed|passed|carried|rejected|declined|deferred|postponed"
    r"|tabled)\b",
    re.IGNORECASE,
)
_MAX_EXCERPT = 1200


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _section(document: Document, index: int) -> str:
    heading = None
    for candidate in document.headings:
        if candidate.index > index:
            break
        heading = candidate
    return heading.title[:300] if heading is not None else ""


def _outcome(text: str) -> tuple[str, str]:
    """What a line records about its item: the outcome and the words that say it,
    on the whole line or on a part of it set off as the agenda's lines are written
    ("... (voting, closes 2026-12-10) — accepted")."""
    plain = NUMBER.sub("", text).strip(" \t-*+")
    label = DECISION_LABEL.match(plain)
    if label is not None:
        return decided(label["text"]), plain
    if DECIDED.search(plain) or any(_SAID.match(part) for part in _PARTS.split(plain)):
        return decided(plain), plain
    return "pending", ""


def numbered_items(document: Document) -> list[LifecycleMention]:
    """One item per line that carries a proposal's number (outside code), with the
    lines nested under it; a number written twice is one item, its firmest outcome."""
    lines = document.lines
    found: dict[int, LifecycleMention] = {}
    for index, line in enumerate(lines):
        if document.code[index]:
            continue
        match = _OPENING.match(line)
        if match is None:
            continue
        block = [index]
        for below in range(index + 1, len(lines)):
            text = lines[below]
            if text.strip() and (_indent(text) <= _indent(line) or _OPENING.match(text)):
                break
            if _DEFINITION.match(text):
                break
            if text.strip() and not document.code[below]:
                block.append(below)
        outcome, decision = "pending", ""
        for i in block:
            said, words = _outcome(lines[i])
            if OUTCOME_RANK[said] > OUTCOME_RANK[outcome]:
                outcome, decision = said, words
        number = int(match["number"])
        earlier = found.get(number)
        if earlier is not None and OUTCOME_RANK[earlier.outcome] >= OUTCOME_RANK[outcome]:
            continue
        found[number] = LifecycleMention(
            kind="other",
            subject=f"#{number}",
            project="",
            line=index + 1,
            section=_section(document, index),
            excerpt="\n".join(lines[i].rstrip() for i in block)[:_MAX_EXCERPT],
            outcome=outcome,
            decision=decision[:1000],
            summary=" ".join(line.split())[:200],
            lines=tuple(i + 1 for i in block),
            confidence="high",
            rule=rules.PROPOSAL_NUMBER,
            number=number,
        )
    return list(found.values())


def without_numbered(
    mentions: list[LifecycleMention], numbered: list[LifecycleMention]
) -> list[LifecycleMention]:
    """The items read from the words, less those raised on a numbered line or nested
    under one: what such a line says is the numbered proposal's, never a guess."""
    taken = {line for item in numbered for line in item.lines}
    return [m for m in mentions if m.line not in taken]
