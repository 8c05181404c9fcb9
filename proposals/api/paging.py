"""Cursor pagination for every list the API serves: never OFFSET.

A list is ordered by its view (or its model's Meta) either by id alone (`-pk` or `pk`) or
by one field then the id (`("-updated_at", "-pk")`), an order an index holds; a list in
any other order goes newest first by id. The cursor carries the sort value and the id
of the last row given, and the next page is read from the index from there
(`proposals.views.paging`, the keyset the site's long lists use), at the same cost at any
depth, where an OFFSET reads and throws away every row before the page.
"""

from __future__ import annotations

import base64
import binascii
import json

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from proposals.views import paging


class InvalidCursor(APIException):
    """A `cursor` the list did not give (forged, truncated, or of another order)."""

    status_code = status.HTTP_400_BAD_REQUEST
    kind = "invalid-cursor"
    default_detail = (
        "This page's cursor is not one the API gave: start from the list's first page and "
        "follow its `next` links."
    )


class Cursor(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-pk"
    cursor_query_description = "The `next` link of the page before: where this page starts."
    page_size_query_description = "Rows per page: 50 unless given, 200 at most."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        size = self.get_page_size(request)
        cursor = request.query_params.get(self.cursor_query_param, "")
        order = _order(queryset)
        if len(order) == 2:
            rows, self.next_cursor = self._by_field(queryset.order_by(*order), cursor, size)
        else:
            descending = not order or order[0].startswith("-")
            rows, self.next_cursor = self._by_id(queryset, descending, cursor, size)
        return rows

    def _by_field(self, queryset, cursor: str, size: int) -> tuple[list, str]:
        if cursor:
            try:
                page = paging.after(queryset, cursor, size)
            except paging.BadCursor as bad:
                raise InvalidCursor from bad
            return page.rows, page.next_cursor
        found = list(queryset[: size + 1])
        more = len(found) > size
        return found[:size], paging.cursor_of(queryset, found[size - 1]) if more else ""

    def _by_id(self, queryset, descending: bool, cursor: str, size: int) -> tuple[list, str]:
        queryset = queryset.order_by("-pk" if descending else "pk")
        if cursor:
            last = _decode_id(cursor)
            queryset = queryset.filter(Q(pk__lt=last) if descending else Q(pk__gt=last))
        found = list(queryset[: size + 1])
        more = len(found) > size
        return found[:size], id_cursor(found[size - 1].pk) if more else ""

    def get_next_link(self) -> str | None:
        if not self.next_cursor:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "The next page; null on the last one.",
                },
                "results": schema,
            },
        }


def _order(queryset) -> tuple[str, ...]:
    """The list's order, if one a cursor follows: a field then the id, or the id alone;
    () for any other (the list then goes newest first by id)."""
    order = tuple(queryset.query.order_by or queryset.model._meta.ordering)
    names = [key.lstrip("-") if isinstance(key, str) else "" for key in order]
    if len(order) == 1 and names[0] in ("pk", "id"):
        return order
    if len(order) == 2 and names[1] in ("pk", "id") and _plain_field(queryset, names[0]):
        return order
    return ()


def _plain_field(queryset, name: str) -> bool:
    """Whether `name` is a field of the list's rows holding a plain value (no relation)."""
    try:
        field = queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return not field.is_relation


def id_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([pk]).encode()).decode().rstrip("=")


def _decode_id(cursor: str) -> int:
    try:
        (pk,) = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as bad:
        raise InvalidCursor from bad
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise InvalidCursor
    return pk
