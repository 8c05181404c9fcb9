"""The structure of a notes file: its lines classified (headings, code, references),
sections, and the statements (headings, list items, sentences, table rows) that items
are read from."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from pmc.notes.links import Ref, parse_inline

_I = re.IGNORECASE

# The document: lines classified once, shared by the team-report and lifecycle readers.

_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})[ \t]+(?P<title>.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?P<task>\[[ xX]\][ \t]*)?"
    r"(?P<text>.*)$"
)
_REFERENCE = re.compile(r"^ {0,4}\[(?P<label>[^\]]+)\]:[ \t]*<?(?P<url>[^\s>]+)>?")
_BOLD_LINE = re.compile(r"^ {0,3}(?:\*\*|__)(?P<title>[^*_\s][^*_]*?)(?:\*\*|__)[ \t]*:?[ \t]*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-{2,}[\s:|-]*\|?\s*$")

_LINK_TEXT = re.compile(r"!?\[(?P<text>[^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<https?://[^>\s]+>")

_UNDER_REVIEW = re.compile(
    r"^\W*(?:under\s+review|proposed(?:\s+projects?)?|incubation\s+proposals?)\W*$", re.I
)

_BUSINESS_SECTION = re.compile(
    r"lifecycle|proposals?\b|agenda|announcements?|discussion|new business|old business"
    r"|other business|open topics|decisions?|votes?|attic|incubat|graduat|retire|action items",
    _I,
)
_IGNORED_SECTION = re.compile(
    r"^\W*(?:attendees|attendance|participants|present|roll ?call|zoom|dial|call info"
    r"|meeting info|logistics|chat)\b",
    _I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[`*_\"'(])")
MAX_STATEMENT = 1500


@dataclass
class _Heading:
    index: int
    level: int
    title: str
    bold: bool = False

    @functools.cached_property
    def plain(self) -> str:
        return plain_heading(self.title)

    @functools.cached_property
    def ignored(self) -> bool:
        """A section that holds no business: attendees, dial-in details."""
        return bool(_IGNORED_SECTION.match(self.plain))

    @functools.cached_property
    def under_review(self) -> bool:
        """A status section of projects proposed for incubation ("_Under Review_")."""
        return bool(_UNDER_REVIEW.match(self.plain))

    @functools.cached_property
    def business(self) -> bool:
        """A section where the meeting handles business: agenda, lifecycle, proposals."""
        return bool(_BUSINESS_SECTION.search(self.plain))


class Document:
    """The lines of a notes file, classified: headings, code, list items, references."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.code = [False] * len(self.lines)
        self.headings: list[_Heading] = []
        self.heading_at: dict[int, _Heading] = {}
        self.references: dict[str, str] = {}
        self._classify()

    def _classify(self) -> None:
        lines = self.lines
        fences = self._fences()
        previous_text = False
        for index, line in enumerate(lines):
            if index in fences:
                self.code[index] = True
                previous_text = False
                continue
            if self.code[index]:
                continue
            heading = _HEADING.match(line)
            if heading and heading["title"].strip():
                self._add_heading(index, len(heading["hashes"]), heading["title"].strip())
                previous_text = False
                continue
            if (
                previous_text
                and _SETEXT.match(line)
                and not _ITEM.match(lines[index - 1])
                and not lines[index - 1].startswith(("    ", "\t"))
            ):
                level = 1 if line.strip().startswith("=") else 2
                self._add_heading(index - 1, level, lines[index - 1].strip())
                self.code[index] = True  # the underline itself says nothing
                previous_text = False
                continue
            reference = _REFERENCE.match(line)
            if reference:
                self.references.setdefault(reference["label"].strip().casefold(), reference["url"])
                self.code[index] = True
                previous_text = False
                continue
            previous_text = bool(line.strip()) and not _RULE.match(line)

    def _fences(self) -> set[int]:
        """Indexes of lines inside fenced code (fence lines included). A fence left open
        at the end of a (truncated) file is not a fence: the text after it is notes."""
        inside: set[int] = set()
        opened: tuple[int, str] | None = None
        for index, line in enumerate(self.lines):
            match = _FENCE.match(line)
            if opened is None:
                if match:
                    opened = (index, match["fence"])
            elif (
                match
                and match["fence"][0] == opened[1][0]
                and len(match["fence"]) >= len(opened[1])
            ):
                inside.update(range(opened[0], index + 1))
                opened = None
        for index in inside:
            self.code[index] = True
        return inside

    def _add_heading(self, index: int, level: int, title: str) -> None:
        heading = _Heading(index, level, title)
        if self.headings and self.headings[-1].index == index:
            return
        self.headings.append(heading)
        self.heading_at[index] = heading

    def title(self) -> str:
        for heading in self.headings:
            if heading.level == 1:
                return plain_heading(heading.title)
            break
        for line in self.lines:
            if line.strip():
                return plain_heading(line.strip().lstrip("#").strip())
        return ""


def plain_heading(title: str) -> str:
    """A heading's text without links, autolinks and wrapping emphasis (code spans stay)."""
    title = _LINK_TEXT.sub(lambda m: m["text"], title)
    title = _AUTOLINK.sub("", title).strip()
    while len(title) > 2 and title[0] == title[-1] and title[0] in "*_":
        title = title[1:-1].strip()
    return title


@dataclass
class Statement:
    """A heading, list item, sentence or table row: the unit items are read from."""

    index: int
    kind: str  # heading, item, sentence, row
    text: str
    lines: list[int]
    indent: int = 0
    parent: Statement | None = None
    container: int = -1  # sentences of one paragraph share it
    children: list[Statement] = field(default_factory=list)
    section: _Heading | None = None
    path: tuple[_Heading, ...] = ()
    references: dict[str, str] = field(default_factory=dict, repr=False)
    heading_level: int = 0
    phrase: str = ""  # the words that name its subject, when it names one

    @functools.cached_property
    def _inline(self) -> tuple[str, list[Ref]]:
        return parse_inline(self.text[:MAX_STATEMENT], self.references)

    @property
    def plain(self) -> str:
        """The text without markup: links as their text, repository URLs as the name."""
        return self._inline[0]

    @property
    def refs(self) -> list[Ref]:
        """The links, repository URLs and code spans in the text."""
        return self._inline[1]

    def release(self) -> None:
        """Drop the links to other statements and the cached inline text, so that a parse
        is freed as soon as its reader is done with it."""
        self.parent = None
        self.children = []
        self.__dict__.pop("_inline", None)


def read_statements(document: Document) -> list[Statement]:
    """The statements of a document in order: headings, list items (nested under the item,
    or the sentence ending in ":", that they follow), sentences and table rows."""
    lines = document.lines
    statements: list[Statement] = []
    path: list[_Heading] = []
    items: list[Statement] = []  # open list items, outermost first
    paragraph: list[int] = []
    intro: Statement | None = None  # a sentence ending in ":" that a list follows
    containers = iter(range(1, 1 << 30))
    previous_blank = True

    def flush() -> None:
        nonlocal intro
        if not paragraph:
            return
        sentences = _sentences(document, paragraph, next(containers), path)
        statements.extend(sentences)
        paragraph.clear()
        last = sentences[-1] if sentences else None
        intro = last if last is not None and last.text.rstrip().endswith(":") else None

    for index, line in enumerate(lines):
        if document.code[index] and index not in document.heading_at:
            continue
        heading = document.heading_at.get(index)
        if heading is not None:
            flush()
            items.clear()
            intro = None
            while path and path[-1].level >= heading.level:
                path.pop()
            path.append(heading)
            statements.append(
                Statement(
                    index,
                    "heading",
                    heading.title,
                    [index],
                    section=heading,
                    path=tuple(path),
                    heading_level=heading.level,
                )
            )
            previous_blank = False
            continue
        if not line.strip():
            flush()
            previous_blank = True
            continue
        bold = _BOLD_LINE.match(line)
        if bold and not items:
            flush()
            intro = None
            level = (path[-1].level if path else 1) + 1
            pseudo = _Heading(index, level, bold["title"].strip(), bold=True)
            while path and path[-1].bold:
                path.pop()
            path.append(pseudo)
            statements.append(
                Statement(index, "heading", pseudo.title, [index], section=pseudo,
                          path=tuple(path), heading_level=level)
            )  # fmt: skip
            previous_blank = False
            continue
        if _RULE.match(line):
            flush()
            items.clear()
            intro = None
            previous_blank = True
            continue
        item = _ITEM.match(line)
        if item:
            flush()
            indent = len(item["indent"].expandtabs(4))
            while items and items[-1].indent >= indent:
                items.pop()
            parent = items[-1] if items else intro
            statement = Statement(
                index,
                "item",
                item["text"].strip(),
                [index],
                indent=indent,
                parent=parent,
                section=path[-1] if path else None,
                path=tuple(path),
            )
            if parent is not None:
                parent.children.append(statement)
            statements.append(statement)
            items.append(statement)
            previous_blank = False
            continue
        if _TABLE_ROW.match(line):
            flush()
            if not _TABLE_RULE.match(line):
                cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
                statements.append(
                    Statement(index, "row", " | ".join(c for c in cells if c), [index],
                              section=path[-1] if path else None, path=tuple(path))
                )  # fmt: skip
            previous_blank = False
            continue
        indent = len(line) - len(line.lstrip())
        if items and (indent > items[-1].indent or not previous_blank):
            current = items[-1]  # a continuation of the item
            current.text = f"{current.text}\n{line.strip()}"
            current.lines.append(index)
        else:
            if previous_blank and not paragraph:
                items.clear()
            paragraph.append(index)
        previous_blank = False
    flush()
    for statement in statements:
        statement.references = document.references
    return statements


def _sentences(
    document: Document, indexes: list[int], container: int, path: list[_Heading]
) -> list[Statement]:
    lines = document.lines
    joined = ""
    starts: list[tuple[int, int]] = []
    for index in indexes:
        starts.append((len(joined), index))
        joined += lines[index].strip() + " "
    sentences = []
    position = 0
    parts = _SENTENCE_END.split(joined[: MAX_STATEMENT * 4])
    for part in parts:
        first = max(i for offset, i in starts if offset <= position) if starts else 0
        end = position + len(part)
        covered = [i for offset, i in starts if position <= offset < end] or [first]
        if first not in covered:
            covered.insert(0, first)
        if part.strip():
            sentences.append(
                Statement(first, "sentence", part.strip(), covered, container=container,
                          section=path[-1] if path else None, path=tuple(path))
            )  # fmt: skip
        position = end
        while position < len(joined) and joined[position] == " ":
            position += 1
    return sentences
