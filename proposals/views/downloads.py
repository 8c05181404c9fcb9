"""Files the pages offer for download: CSV that spreadsheets open safely, streamed."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """`value` as a cell a spreadsheet shows as text: a quote before a formula's start."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(fieldnames: list[str], rows: Iterable[dict]) -> Iterable[str]:
    """The CSV text of `rows`, line by line, every cell made safe."""
    writer = csv.DictWriter(_Echo(), fieldnames=fieldnames)
    # The byte-order mark tells spreadsheets the file is UTF-8 (the header says so to
    # everything else); without it non-ASCII names come out garbled.
    yield "\ufeff"
    yield writer.writeheader()
    for row in rows:
        yield writer.writerow({key: csv_safe(value) for key, value in row.items()})


def attachment(content, content_type: str, name: str, extension: str) -> StreamingHttpResponse:
    """A download of `content` (an iterable of text) named `name-<UTC time>.<extension>`."""
    response = StreamingHttpResponse(content, content_type=content_type)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{extension}"'
    return response
