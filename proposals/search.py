"""Search everywhere: proposals (title, text), meetings (title, notes), projects (name,
former names, lead) and team reports (team, lead, report), each group ranked.

On PostgreSQL it is full-text search: `websearch_to_tsquery` (quotes for phrases, `or`,
`-word`), matched with `@@` against the weighted documents of `pmc.search` (which the
GIN indexes hold), ranked by `ts_rank` (normalised by the document's length) and quoted
with `ts_headline`. On SQLite, which has neither, every word must occur (`icontains`) in
one of the fields; a word in the name or title counts more than one in the text, and
the whole query in the title more still. Projects also match part of a name on both
("diego" finds "diego-enabler").

On PostgreSQL the hits ranked are the newest `RANKED_AMONG` matches (ranking reads each
row's text again); on both, the count stops at `COUNTED_UP_TO` ("1000+": an exact count
reads every match). Each group costs two queries (its count and its rows), whatever it
finds. Snippets and
titles come back as HTML in which everything is escaped but the <mark> around the words
found (`marked_html`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pmc import search as documents
from pmc.models import Meeting, Project, TeamReport
from proposals.models import Proposal

MAX_QUERY_LENGTH = 200
OVERVIEW_SIZE = 5  # hits shown per group when searching everything
PAGE_SIZE = 20  # hits per page of one group
# On PostgreSQL, the matches ranked (the newest of them); every match is counted.
RANKED_AMONG = 100
# Matches counted at most, per group.
COUNTED_UP_TO = 1000
SNIPPET_CHARS = 240

# Where a match starts and stops in the text the database or `_excerpt` returns: two
# private-use characters that people do not type, turned into <mark> after escaping.
_START, _STOP = "\ue000", "\ue001"
# Fallback ranking: points for a word found in a field of weight A, B or C.
_POINTS = {"A": 4, "B": 2, "C": 1}
_PHRASE_POINTS = 4  # the whole query in an A field
_MAX_TERMS = 10


@dataclass(frozen=True)
class Source:
    """One kind of thing searched: where its rows come from and what a hit shows."""

    key: str  # the ?type= value
    label: str
    model_label: str  # as in pmc.search.DOCUMENTS
    rows: Callable[[], QuerySet]
    title_field: str
    snippet_field: str  # the long text quoted; "" for none
    newest: str  # the order among equal ranks
    substring: tuple[str, ...] = ()  # fields also matched as part of a word (projects)
    deferred: tuple[str, ...] = ()  # never shown: not loaded

    @property
    def weights(self) -> tuple[tuple[str, str], ...]:
        return documents.DOCUMENTS[self.model_label]


SOURCES = (
    Source(
        key="proposals",
        label="Proposals",
        model_label="proposals.Proposal",
        rows=lambda: Proposal.objects.select_related("committee", "project"),
        title_field="title",
        snippet_field="body",
        newest="-updated_at",
        deferred=("body_html", "vote_rules"),
    ),
    Source(
        key="meetings",
        label="Meetings",
        model_label="pmc.Meeting",
        rows=lambda: Meeting.objects.select_related("committee"),
        title_field="title",
        snippet_field="notes",
        newest="-date",
        deferred=("notes_html", "original_notes"),
    ),
    Source(
        key="projects",
        label="Projects",
        model_label="pmc.Project",
        rows=lambda: Project.objects.select_related("committee"),
        title_field="name",
        snippet_field="",
        newest="name",
        substring=("name", "former_names"),
    ),
    Source(
        key="team_reports",
        label="Team reports",
        model_label="pmc.TeamReport",
        rows=lambda: TeamReport.objects.select_related("meeting", "meeting__committee"),
        title_field="team",
        snippet_field="body",
        newest="-meeting__date",
        deferred=("meeting__notes", "meeting__notes_html", "meeting__original_notes"),
    ),
)
BY_KEY = {source.key: source for source in SOURCES}


@dataclass
class Hit:
    """A row found, with its title and snippet as safe HTML."""

    obj: object
    title: SafeString
    snippet: SafeString


@dataclass
class Group:
    source: Source
    count: int  # at most COUNTED_UP_TO
    hits: list[Hit] = field(default_factory=list)
    page: Page | None = None  # when this group alone is shown
    count_more: bool = False  # more than COUNTED_UP_TO matched


def run(q: str, *, only: str = "", page: str | int | None = None) -> list[Group]:
    """Every group's count, with the first hits of each, or, with `only` (a source's
    key), that group's hits on `page`."""
    engine = _Postgres(q) if connection.vendor == "postgresql" else _Fallback(q)
    groups = []
    for source in SOURCES:
        matches = engine.matches(source)
        counted = (
            engine.narrow(source.rows().model.objects.all(), source)
            .order_by()[: COUNTED_UP_TO + 1]
            .count()
        )
        found = min(counted, COUNTED_UP_TO)
        if only == source.key:
            shown = Paginator(matches, PAGE_SIZE).get_page(page)
            group = Group(source, found, page=shown, count_more=counted > found)
            rows = list(shown.object_list)
        else:
            group = Group(source, found, count_more=counted > found)
            rows = [] if only else list(matches[:OVERVIEW_SIZE])
        group.hits = [engine.hit(source, row) for row in rows]
        groups.append(group)
    return groups


def ranked(q: str, key: str) -> QuerySet:
    """The rows of the source `key` that match `q`, best first, on this database."""
    engine = _Postgres(q) if connection.vendor == "postgresql" else _Fallback(q)
    return engine.matches(BY_KEY[key])


def matching(rows: QuerySet, q: str, key: str) -> QuerySet:
    """`rows` (of the source `key`) narrowed to those that match `q` as this page's search
    matches them, left in their own order: full text through the GIN index on
    PostgreSQL, every word in some field on SQLite."""
    engine = _Postgres(q) if connection.vendor == "postgresql" else _Fallback(q)
    return engine.narrow(rows, BY_KEY[key])


def ranked_query(q: str) -> SearchQuery:
    """What was typed, as PostgreSQL's full-text query of the search documents."""
    return SearchQuery(q, search_type="websearch", config=documents.CONFIG)


class _Postgres:
    def __init__(self, q: str) -> None:
        self.q = q
        self.query = ranked_query(q)

    def narrow(self, rows: QuerySet, source: Source) -> QuerySet:
        if not source.substring:
            return rows.alias(document=documents.document(source.model_label)).filter(
                document=self.query
            )
        # The text match as a subquery the GIN index answers: OR-ed with the substrings
        # in the same WHERE, each row's document would be computed again.
        text = (
            rows.model.objects.alias(document=documents.document(source.model_label))
            .filter(document=self.query)
            .values("pk")
        )
        found = Q(pk__in=text)
        for name in source.substring:
            found |= Q(**{f"{name}__icontains": self.q})
        return rows.filter(found)

    def matches(self, source: Source) -> QuerySet:
        exact = Value(0)
        if source.substring:
            # A project called what was typed comes first.
            exact = Case(
                When(**{f"{source.title_field}__iexact": self.q}, then=Value(1)), default=Value(0)
            )
        # Ranking reads each row's text again (the index holds no weights to rank by): it
        # is done among the newest RANKED_AMONG matches (by id: `id + 0`, so that the
        # matches come from the text index rather than a walk down the primary key
        # testing each row's text), not all of them.
        newest = self.narrow(source.rows().model.objects.all(), source).order_by(
            (F("pk") + 0).desc()
        )
        rows = (
            source.rows()
            .defer(*source.deferred, *([source.snippet_field] if source.snippet_field else []))
            .alias(document=documents.document(source.model_label))
            .filter(pk__in=newest.values("pk")[:RANKED_AMONG])
            .annotate(
                exact=exact,
                rank=SearchRank(F("document"), self.query, normalization=Value(1)),
                marked_title=self._headline(source.title_field, highlight_all=True),
            )
        )
        if source.snippet_field:
            rows = rows.annotate(
                marked_snippet=self._headline(
                    source.snippet_field,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
        return rows.order_by("-exact", "-rank", source.newest, "-pk")

    def _headline(self, field_name: str, **options) -> SearchHeadline:
        return SearchHeadline(
            field_name,
            self.query,
            config=documents.CONFIG,
            start_sel=_START,
            stop_sel=_STOP,
            **options,
        )

    def hit(self, source: Source, row) -> Hit:
        snippet = getattr(row, "marked_snippet", "")
        return Hit(row, marked_html(row.marked_title), marked_html(snippet))


class _Fallback:
    def __init__(self, q: str) -> None:
        self.q = q
        self.groups, self.excluded = _terms(q)
        self.terms = [term for group in self.groups for term in group]

    def narrow(self, rows: QuerySet, source: Source) -> QuerySet:
        fields = [name for name, _ in source.weights]
        found = Q(pk__in=[]) if not self.groups else Q()
        for group in self.groups:
            either = Q()
            for term in group:
                either |= _any_contains(fields, term)
            found &= either
        for term in self.excluded:
            found &= ~_any_contains(fields, term)
        return rows.filter(found)

    def matches(self, source: Source) -> QuerySet:
        points = [
            Case(When(**{f"{name}__icontains": term}, then=Value(_POINTS[weight])), default=0)
            for term in self.terms
            for name, weight in source.weights
        ]
        points.append(
            Case(
                When(**{f"{source.title_field}__icontains": self.q}, then=Value(_PHRASE_POINTS)),
                default=0,
            )
        )
        rank = points[0]
        for more in points[1:]:
            rank = rank + more
        return (
            self.narrow(source.rows().defer(*source.deferred), source)
            .annotate(rank=rank)
            .order_by("-rank", source.newest, "-pk")
        )

    def hit(self, source: Source, row) -> Hit:
        title = _mark_terms(getattr(row, source.title_field), self.terms)
        snippet = ""
        if source.snippet_field:
            snippet = _excerpt(getattr(row, source.snippet_field) or "", self.terms)
        return Hit(row, marked_html(title), marked_html(snippet))


def _any_contains(fields: list[str], term: str) -> Q:
    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__icontains": term})
    return match


def _terms(q: str) -> tuple[list[list[str]], list[str]]:
    """What `q` asks for as websearch_to_tsquery reads it: groups of words or "quoted
    phrases" of which one must occur ("a or b" is one group), and the -words that must
    not."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    either = False
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', q):
        if word.lower() == "or" and groups:
            either = True
            continue
        if word.startswith("-") and len(word) > 1:
            excluded.append(word[1:].strip('"'))
            continue
        term = (phrase or word).strip().strip('"')
        if not term:
            continue
        if either:
            groups[-1].append(term)
        else:
            groups.append([term])
        either = False
    return groups[:_MAX_TERMS], excluded[:_MAX_TERMS]


def _clean(text: str) -> str:
    """One line, without the characters that mark matches."""
    return re.sub(r"\s+", " ", text.replace(_START, "").replace(_STOP, "")).strip()


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    alternatives = sorted({re.escape(term) for term in terms}, key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _mark_terms(text: str, terms: list[str]) -> str:
    pattern = _pattern(terms)
    text = _clean(text)
    return pattern.sub(lambda m: _START + m.group(0) + _STOP, text) if pattern else text


def _excerpt(text: str, terms: list[str]) -> str:
    """About SNIPPET_CHARS of `text` around the first word found, with the words marked."""
    text = _clean(text)
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    start, end = 0, min(len(text), SNIPPET_CHARS)
    if first and first.start() > SNIPPET_CHARS // 3:
        # Start at a word a third of the snippet before the match.
        start = text.rfind(" ", 0, first.start() - SNIPPET_CHARS // 3) + 1
        end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text) and (space := text.rfind(" ", start, end)) > start:
        end = space  # end at a word too
    marked = _mark_terms(text[start:end], terms)
    return ("… " if start else "") + marked + (" …" if end < len(text) else "")


def marked_html(text: str) -> SafeString:
    """`text` escaped, with what lies between the match markers in <mark>. Markers that
    do not pair up (the text itself held one) are dropped: the result is always balanced
    HTML, whatever the text."""
    parts = []
    inside = False
    for piece in re.split(f"([{_START}{_STOP}])", re.sub(r"\s+", " ", text or "").strip()):
        if piece == _START:
            if not inside:
                parts.append("<mark>")
            inside = True
        elif piece == _STOP:
            if inside:
                parts.append("</mark>")
            inside = False
        else:
            parts.append(escape(piece))
    if inside:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above
