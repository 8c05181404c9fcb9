"""Markdown to safe HTML, done once when a row is saved.

Python-Markdown passes raw HTML and `javascript:` links straight through, so its output
always goes through nh3 (the Ammonia sanitiser) with an allowlist of tags and URL schemes.

Every text a user or a notes file supplies is rendered here, so the cost of rendering is
bounded here too (see `check_markup`): a text longer than the limit, nested deeper than
`MAX_DEPTH` lists or blockquotes, or with more than `MAX_ABBREVIATIONS` abbreviations
is refused with `MarkupTooComplex`, whose message says the limit and what to do.
Shapes Python-Markdown takes quadratic time on are neutralised instead, without changing
how ordinary texts render: its scans for the end of a link (`[...](...)`) or of a code
span, and its rebuilding of a paragraph after each inline match, draw on a budget
proportional to the text's length, after which the rest of the text renders as plain
text; and a `<` opening a start or end tag (or a `[^` opening a footnote) that stays
unclosed for more than `_TAG_REACH` characters becomes `&lt;` (`&#91;^`) when there are
enough of them to make the HTML reader (the footnote pattern) quadratic.
"""

from __future__ import annotations

import contextlib
import contextvars
import html
import re
import threading

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    BacktickInlineProcessor,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "dd", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "input": {"type", "checked", "disabled"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"
EXTENSIONS = ["extra", "sane_lists"]


# Lists and blockquotes nested deeper than this are refused: Python-Markdown recurses once
# per level (about 1,000 levels exhaust Python's stack, fewer inside a web request), and
# notes or proposals nest a handful of levels.
MAX_DEPTH = 20
# Each abbreviation is tried at every word of the text: their number multiplies the time.
MAX_ABBREVIATIONS = 100
DEFAULT_MAX_CHARS = 100_000  # PMC_MARKDOWN_MAX_CHARS: a proposal's text, a preview
DEFAULT_NOTES_MAX_CHARS = 1_000_000  # PMC_NOTES_MAX_CHARS: a meeting's notes file
# Scanning budget per document, in characters: this many per character of the text plus
# a constant. Ordinary texts use a small fraction of it (the sample notes about 1 per
# character); only texts built to make the scans quadratic run out.
_BUDGET_PER_CHAR = 20
_BUDGET_BASE = 100_000
# Python-Markdown rebuilds a paragraph's text after each inline match: a copy in C, far
# cheaper per character than its scans in Python, so it is charged at 1/_COPY_RATE.
_COPY_RATE = 64
_TAG_REACH = 256  # a tag whose `>` is further than this from its `<` is not an ordinary tag


class MarkupTooComplex(ValueError):
    """A text too long or too deeply nested to render; the message says the limit and
    what to do."""


_max_chars: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "pmc_markup_max_chars", default=None
)


def max_chars() -> int:
    """The longest text `render_markdown` renders here: PMC_MARKDOWN_MAX_CHARS, or what
    `allow_chars` allows."""
    allowed = _max_chars.get()
    if allowed is not None:
        return allowed
    return _setting("PMC_MARKDOWN_MAX_CHARS", DEFAULT_MAX_CHARS)


def notes_max_chars() -> int:
    """The longest meeting notes file that is imported (PMC_NOTES_MAX_CHARS)."""
    return _setting("PMC_NOTES_MAX_CHARS", DEFAULT_NOTES_MAX_CHARS)


@contextlib.contextmanager
def allow_chars(limit: int):
    """Render texts up to `limit` characters inside the block (the notes import renders
    notes files, which are longer than what a form takes)."""
    token = _max_chars.set(limit)
    try:
        yield
    finally:
        _max_chars.reset(token)


def _setting(name: str, default: int) -> int:
    from django.conf import settings

    return getattr(settings, name, default) if settings.configured else default


_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
# The nesting a line opens: its indentation and the blockquote markers and list markers
# it starts with ("> > - 1. text").
_NESTING = re.compile(r"^([ \t]*)((?:>[ \t]*|(?:[-*+]|\d{1,9}[.)])[ \t]+)+)")
_MARKERS = re.compile(r">|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])")
_ABBREVIATION = re.compile(r"^[ \t]*\*\[[^\]\n]*\][ \t]*:", re.MULTILINE)


def check_markup(text: str | None, *, limit: int | None = None) -> None:
    """Raise `MarkupTooComplex` if `text` is longer than `limit` characters (by default
    `max_chars()`), nests lists or blockquotes deeper than `MAX_DEPTH`, or defines more
    than `MAX_ABBREVIATIONS` abbreviations. Linear in the text's length."""
    text = text or ""
    limit = max_chars() if limit is None else limit
    if len(text) > limit:
        raise MarkupTooComplex(
            f"The text is {len(text):,} characters long; at most {limit:,} can be "
            "rendered. Shorten it, or split it into several texts."
        )
    depth, line_number = _deepest(text)
    if depth > MAX_DEPTH:
        raise MarkupTooComplex(
            f"Line {line_number} nests lists or blockquotes {depth} levels deep; at most "
            f"{MAX_DEPTH} can be rendered. Flatten the nesting (or put the text in a code "
            "block)."
        )
    abbreviations = len(_ABBREVIATION.findall(text))
    if abbreviations > MAX_ABBREVIATIONS:
        raise MarkupTooComplex(
            f"The text defines {abbreviations} abbreviations (*[ABBR]: ...); at most "
            f"{MAX_ABBREVIATIONS} can be rendered. Remove some of them."
        )


def _deepest(text: str) -> tuple[int, int]:
    """The deepest nesting of lists and blockquotes a line opens, and that line's
    number, outside fenced code blocks."""
    deepest, where, fence = 0, 0, ""
    for number, line in enumerate(text.splitlines(), start=1):
        opened = _FENCE.match(line)
        if opened:
            marker = opened[1]
            if not fence:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = ""
            continue
        if fence:
            continue
        nesting = _NESTING.match(line)
        if nesting is None:
            continue
        indent = len(nesting[1].expandtabs(4)) // 4
        depth = indent + len(_MARKERS.findall(nesting[2]))
        if depth > deepest:
            deepest, where = depth, number
    return deepest, where


def render_markdown(text: str) -> str:
    """Render markdown to HTML that is safe to show unescaped. Raises
    `MarkupTooComplex` for a text `check_markup` refuses."""
    return sanitize_html(markdown_html(text))


def markdown_html(text: str) -> str:
    """Python-Markdown's HTML for `text`, not yet sanitised: the rendering step of
    `render_markdown` alone, with its limits (`check_markup`) and its cost bounded. One
    converter per thread, reset between documents (as Python-Markdown documents for
    many documents): building one per call costs more than a short text's rendering,
    and leaves reference cycles for the collector."""
    text = text or ""
    check_markup(text)
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=[*EXTENSIONS, _BoundedScans()], output_format="html"
        )
    converter.reset()
    converter.pmc_budget = _BUDGET_BASE + _BUDGET_PER_CHAR * len(text)
    try:
        return converter.convert(_neutralise_tags(text))
    except BaseException as error:
        # A conversion that failed half-way leaves the converter's state inconsistent
        # (a RecursionError leaves it rendering every later text wrong): start afresh.
        _converters.markdown = None
        if not isinstance(error, RecursionError):
            raise
        raise MarkupTooComplex(
            f"The text nests too deeply to render (at most {MAX_DEPTH} levels of lists, "
            "blockquotes or inline markup). Flatten the nesting."
        ) from None


_TAG_OPEN = re.compile(r"<(?=/?[A-Za-z])")  # a start or an end tag
_FOOTNOTE_OPEN = re.compile(r"\[(?=\^)")


def _neutralise_tags(text: str) -> str:
    """`text` with the openers that regular expressions scan from to a distant closer
    written as entities, which render the same: `<` opening a tag whose `>` is more
    than `_TAG_REACH` characters away (the HTML reader scans from each to the next `>`)
    as `&lt;`, `[^` whose `]` is as far (the footnote pattern scans to the next `]`) as
    `&#91;^`. Only done when the scans would add up to more than the budget, which
    ordinary texts never approach."""
    text = _neutralise(text, "<", _TAG_OPEN, ">", "&lt;")
    return _neutralise(text, "[^", _FOOTNOTE_OPEN, "]", "&#91;")


def _neutralise(text: str, cue: str, opener: re.Pattern, closer: str, entity: str) -> str:
    if cue not in text:
        return text
    opens = [match.start() for match in opener.finditer(text)]
    reach, closing = [], -1
    for position in opens:
        if closing < position:
            closing = text.find(closer, position)
            if closing < 0:
                closing = len(text)
        reach.append(closing - position)
    if sum(reach) <= _BUDGET_BASE + _BUDGET_PER_CHAR * len(text):
        return text
    far = [p for p, distance in zip(opens, reach, strict=True) if distance > _TAG_REACH]
    parts, last = [], 0
    for position in far:
        parts.append(text[last:position])
        parts.append(entity)
        last = position + 1
    parts.append(text[last:])
    return "".join(parts)


class _Budgeted:
    """Mixed into Python-Markdown's inline processors: each match draws on the
    document's budget (`md.pmc_budget`) for what it scans and for the paragraph's
    rebuilding; once the budget is spent, no further match is made."""

    def handleMatch(self, m, data):  # noqa: N802 (Python-Markdown's name)
        if self.md.pmc_budget <= 0:
            return None, None, None
        node, start, end = super().handleMatch(m, data)
        if start is not None:
            self.md.pmc_budget -= len(data) // _COPY_RATE + 1
        return node, start, end

    def getText(self, data, index):  # noqa: N802
        if self.md.pmc_budget <= 0:
            return "", index, False
        text, end, handled = super().getText(data, index)
        self.md.pmc_budget -= end - index + 1
        return text, end, handled

    def getLink(self, data, index):  # noqa: N802
        if self.md.pmc_budget <= 0:
            return "", None, index, False
        href, title, end, handled = super().getLink(data, index)
        self.md.pmc_budget -= (end if handled else len(data)) - index + 1
        return href, title, end, handled


class _BudgetedLink(_Budgeted, LinkInlineProcessor):
    pass


class _BudgetedImage(_Budgeted, ImageInlineProcessor):
    pass


class _BudgetedReference(_Budgeted, ReferenceInlineProcessor):
    pass


class _BudgetedImageReference(_Budgeted, ImageReferenceInlineProcessor):
    pass


class _BudgetedShortReference(_Budgeted, ShortReferenceInlineProcessor):
    pass


class _BudgetedShortImageReference(_Budgeted, ShortImageReferenceInlineProcessor):
    pass


_TICKS = re.compile(r"`+")


class _BudgetedBacktick(BacktickInlineProcessor):
    """Code spans: the scan for the closing run of backticks draws on the budget."""

    def __init__(self, pattern: str, md) -> None:
        super().__init__(pattern)
        self.md = md

    def find_code_spans(self, start: int, text: str):
        if self.md.pmc_budget <= 0:
            ticks = _TICKS.match(text, start)
            return (ticks.end() if ticks else start + 1), None
        begin, end = super().find_code_spans(start, text)
        ticks = _TICKS.match(text, start)
        exact = end is not None and ticks is not None and begin == ticks.end()
        self.md.pmc_budget -= (end if exact else len(text)) - start + 1
        return begin, end

    def handleMatch(self, m, data):  # noqa: N802
        node, start, end = super().handleMatch(m, data)
        if node is not None:
            self.md.pmc_budget -= len(data) // _COPY_RATE + 1
        return node, start, end


_BUDGETED = {
    "reference": _BudgetedReference,
    "link": _BudgetedLink,
    "image_link": _BudgetedImage,
    "image_reference": _BudgetedImageReference,
    "short_reference": _BudgetedShortReference,
    "short_image_ref": _BudgetedShortImageReference,
}


class _BoundedScans(Extension):
    """Python-Markdown's link, image, reference and code span processors, under the same
    names and priorities, drawing on the document's budget; every other inline
    processor's matches draw on it too (the rebuilding of the paragraph each costs)."""

    def extendMarkdown(self, md) -> None:  # noqa: N802
        md.pmc_budget = 0
        patterns = md.inlinePatterns
        priorities = {item.name: item.priority for item in patterns._priority}
        for name, cls in [*_BUDGETED.items(), ("backtick", _BudgetedBacktick)]:
            if name in patterns:
                patterns.register(cls(patterns[name].pattern, md), name, priorities[name])
        for processor in list(patterns):
            if not isinstance(processor, (_Budgeted, _BudgetedBacktick)) and hasattr(
                processor, "handleMatch"
            ):
                _charge_matches(processor, md)


def _charge_matches(processor, md) -> None:
    original = processor.handleMatch

    def handle_match(m, data):
        if md.pmc_budget <= 0:
            return None, None, None
        node, start, end = original(m, data)
        if start is not None:
            md.pmc_budget -= len(data) // _COPY_RATE + 1
        return node, start, end

    processor.handleMatch = handle_match


_converters = threading.local()  # Markdown instances keep state while converting


def sanitize_html(markup: str) -> str:
    """`markup` cleaned to the allowlist; what the cleaning leaves dead becomes plain
    text (`_dead_to_text`), and web addresses written out become links
    (`_link_bare_addresses`)."""
    cleaned = _dead_to_text(
        nh3.clean(
            markup,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel=LINK_REL,
        )
    )
    return _link_bare_addresses(cleaned)


# In nh3's output every attribute value is double-quoted and has no `"` of its own.
_ATTRIBUTES = r"((?:\s+[\w-]+(?:=\"[^\"]*\")?)*)\s*/?"
_LINK = re.compile(rf"<a{_ATTRIBUTES}>(.*?)</a>", re.S)
_IMAGE = re.compile(rf"<img{_ATTRIBUTES}>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def _dead_to_text(markup: str) -> str:
    """A link whose address the cleaning removed becomes its text, and a picture that
    would not show (its address removed, or not served over HTTPS, which the site's
    Content Security Policy requires) its alt text: no dead link, no broken image."""
    if "<a" in markup:
        markup = _LINK.sub(_link_or_text, markup)
    if "<img" in markup:
        markup = _IMAGE.sub(_image_or_text, markup)
    return markup


def _link_or_text(match: re.Match) -> str:
    attributes = dict(_ATTRIBUTE.findall(match[1]))
    return match[0] if attributes.get("href") else match[2]


def _image_or_text(match: re.Match) -> str:
    attributes = dict(_ATTRIBUTE.findall(match[1]))
    if html.unescape(attributes.get("src", "")).lower().startswith("https://"):
        return match[0]
    return html.escape(html.unescape(attributes.get("alt", "")), quote=False)


_TAG = re.compile(r"(<[^>]*>)")  # nh3 writes `<` and `>` in text and values as entities
_TAG_NAME = re.compile(r"</?([a-z0-9]+)")
_UNLINKED_IN = {"a", "code", "pre"}  # text that is a link already, or code as written
# A web address written out in escaped text: http or https, up to a space, a quote, a
# backtick or an escaped `<`/`>`; not right after a word character or a slash.
_BARE_ADDRESS = re.compile(r"(?<![\w/])https?://(?:(?!&[lg]t;)[^\s<>\"'`])+")
_TRAILING = ".,;:!?*_'\""  # punctuation after an address, not part of it


def _link_bare_addresses(markup: str) -> str:
    """Web addresses (http and https only) written out in the text, outside links and
    code, become links to themselves."""
    if "://" not in markup:
        return markup
    parts = _TAG.split(markup)
    inside = 0  # how many links or code elements the text is in
    for index, part in enumerate(parts):
        if index % 2:
            name = _TAG_NAME.match(part)
            if name and name[1] in _UNLINKED_IN:
                inside += -1 if part.startswith("</") else 1
        elif not inside and "://" in part:
            parts[index] = _BARE_ADDRESS.sub(_bare_link, part)
    return "".join(parts)


def _bare_link(match: re.Match) -> str:
    """The link for one address; punctuation after it, and a closing parenthesis it did
    not open, stay outside."""
    address = match[0]
    opened, closed = address.count("("), address.count(")")
    end = len(address)
    while end:
        if address.endswith("&amp;", 0, end):
            end -= len("&amp;")
        elif address[end - 1] in _TRAILING:
            end -= 1
        elif address[end - 1] == ")" and opened < closed:
            end, closed = end - 1, closed - 1
        else:
            break
    address, rest = address[:end], address[end:]
    if "." not in address.split("://", 1)[1]:
        return match[0]  # no host name worth a link ("https://" alone)
    href = html.escape(html.unescape(address), quote=True)
    return f'<a href="{href}" rel="{LINK_REL}">{address}</a>{rest}'
