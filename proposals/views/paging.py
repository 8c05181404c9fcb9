"""Pages of a long list that cost the same at any depth.

The first pages are numbered (`?page=`), with a count that stops at `COUNT_CAP`: an exact
count reads every row the filters select, and "more than 1,000" says as much to a reader.
Past the numbered pages a list goes on with a cursor (`?after=`): the sort value and id
of the last row shown, from which the next page starts. With an index for the order, the
database reads a cursor page straight from the index, where `OFFSET` would read and
throw away every row before it.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1000


def capped_count(rows: QuerySet) -> tuple[int, bool]:
    """(How many `rows` there are, at most `COUNT_CAP`; whether there are more), reading
    at most `COUNT_CAP + 1` of them."""
    # Without the order: which rows are counted does not change how many there are.
    counted = rows.order_by()[: COUNT_CAP + 1].count()
    return min(counted, COUNT_CAP), counted > COUNT_CAP


class CappedPaginator(Paginator):
    """A paginator whose count reads at most `COUNT_CAP + 1` rows; `more` says when
    there are more than it counted. Its pages stop at the cap."""

    @cached_property
    def count(self) -> int:
        # Without the order: which rows are counted does not change how many there are.
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def more(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown_count(self) -> int:
        return min(self.count, COUNT_CAP)

    @cached_property
    def num_pages(self) -> int:
        if self.shown_count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(self.shown_count / self.per_page))


class BadCursor(ValueError):
    """An `?after=` value that is not one this list wrote."""


@dataclass
class CursorPage:
    """The rows after a cursor, with the cursor of the next page ("" at the end)."""

    rows: list
    next_cursor: str


@dataclass(frozen=True)
class _Key:
    name: str
    descending: bool
    nullable: bool


def _keys(rows: QuerySet) -> tuple[_Key, bool]:
    """The sort field of `rows` (ordered by one field, then by `-pk` or `pk`) and whether
    the ids go down."""
    first, last = rows.query.order_by
    name = first.lstrip("-")
    field = rows.model._meta.get_field(name)
    return _Key(name, first.startswith("-"), field.null), last.startswith("-")


def cursor_of(rows: QuerySet, row) -> str:
    """The cursor that starts a page after `row` of `rows`."""
    key, _ = _keys(rows)
    value = getattr(row, key.name)
    if isinstance(value, datetime.datetime):
        value = value.isoformat()  # to the microsecond, which DjangoJSONEncoder cuts off
    text = json.dumps([value, row.pk], cls=DjangoJSONEncoder)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def after(rows: QuerySet, cursor: str, size: int) -> CursorPage:
    """The `size` rows of `rows` that follow the cursor, in their order."""
    key, ids_descending = _keys(rows)
    value, pk = _decode(rows, key, cursor)
    later = _later(key, value)
    same = Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})
    same &= Q(pk__lt=pk) if ids_descending else Q(pk__gt=pk)
    condition = later | same
    if value is not None and not key.nullable:
        # The same rows, with a bound an index on the field can start from.
        condition &= Q(**{f"{key.name}__{'lte' if key.descending else 'gte'}": value})
    found = list(rows.filter(condition)[: size + 1])
    shown = found[:size]
    more = len(found) > size
    return CursorPage(shown, cursor_of(rows, shown[-1]) if more else "")


def _later(key: _Key, value) -> Q:
    """The rows whose sort value comes strictly after `value` in the order. NULLs sort
    as the largest value on PostgreSQL and as the smallest on SQLite."""
    nulls_largest = connection.features.nulls_order_largest
    nulls_after = nulls_largest != key.descending
    null = Q(**{f"{key.name}__isnull": True}) if key.nullable else Q(pk__in=[])
    if value is None:
        return Q(pk__in=[]) if nulls_after else ~null
    beyond = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
    return beyond | null if nulls_after else beyond


def _decode(rows: QuerySet, key: _Key, cursor: str) -> tuple[object, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value, pk = json.loads(text)
        # No row holds a NUL, and PostgreSQL refuses one in a query.
        if not isinstance(pk, int) or (isinstance(value, str) and "\x00" in value):
            raise BadCursor(cursor)
        field = rows.model._meta.get_field(key.name)
        return (None if value is None else field.to_python(value)), pk
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, ValidationError) as e:
        raise BadCursor(cursor) from e
