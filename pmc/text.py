"""Checks on the text people type into single-line fields."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

# Besides the C0 and C1 controls: the separators that end a line in Unicode.
_LINE_BREAKS = {"\u2028", "\u2029"}


def control_character_at(text: str) -> int | None:
    """The position of the first line break or control character in `text`, or None.
    A tab counts as a space."""
    for position, char in enumerate(text):
        if char == "\t":
            continue
        if char in _LINE_BREAKS or unicodedata.category(char) == "Cc":
            return position
    return None


def validate_single_line(value: str) -> None:
    """Refuse line breaks and control characters: single-line text goes into e-mail
    subjects, checklists and file names, where a line break would split it."""
    position = control_character_at(value or "")
    if position is not None:
        raise ValidationError(
            "Write this on one line: remove the line break or control character "
            "%(char)s at character %(position)s.",
            code="single_line",
            params={"char": f"U+{ord(value[position]):04X}", "position": position + 1},
        )


def one_line(text: str) -> str:
    """`text` with every run of whitespace and control characters made one space: for
    text that is shown on one line whatever it holds (an e-mail subject)."""
    cleaned = "".join(" " if control_character_at(char) == 0 else char for char in text)
    return " ".join(cleaned.split())
