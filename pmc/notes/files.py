"""Notes files: which are meeting notes, their committee and date from their paths,
and their bytes read as text (decoding, encoding repair)."""

from __future__ import annotations

import codecs
import datetime
import re

import ftfy

NOTES_SUFFIXES = (".md", ".markdown")
_IMAGE_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".ico", ".tif", ".tiff", ".heic",
}  # fmt: skip
_DOCUMENTATION = re.compile(
    r"^(readme|license|licence|contributing|changelog|code[-_ ]of[-_ ]conduct|security|notice"
    r"|index|maintainers|owners)\b",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(r"template", re.IGNORECASE)
# "YYYY-MM-DD", "2019-MM-DD", "2019-XX-XX", "MM-DD-YYYY": a date still to be filled in.
_PLACEHOLDER_DATE = re.compile(
    r"(?:y{2,4}|(?:19|20)\d\d)[-_. ]?(?:mm|xx)[-_. ]?(?:dd|xx)|mm[-_. ]?dd[-_. ]?y{2,4}",
    re.IGNORECASE,
)
_YEAR_FOLDER = re.compile(r"^(?:19|20)\d\d$")
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)([-_.])(\d{1,2})\2(\d{1,2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)")
_US_DATE = re.compile(r"(?<!\d)(\d{1,2})([-_.])(\d{1,2})\2((?:19|20)\d\d)(?!\d)")
# Non-ASCII characters that occur in notes typed on Windows; anything else in a file that
# is not UTF-8 means it is not text we can trust.
_PLAUSIBLE_PUNCTUATION = set("–—‘’‚“”„…•·°€£¥§©®™±×÷«»¡¿\u00a0")


class UnreadableNotes(ValueError):
    """The bytes of a notes file cannot be read as text."""


def fix_encoding(text: str) -> str:
    """Repair text that was decoded with the wrong codec ("KÃ¶per" -> "Köper")."""
    if text.isascii():
        return text
    # Line by line, as ftfy's own fix_text does: most lines are plain ASCII, and what
    # went wrong in one line says nothing about the next.
    return "".join(
        line if line.isascii() else ftfy.fix_encoding(line)
        for line in text.splitlines(keepends=True)
    )


def skip_reason(name: str) -> str | None:
    """Why the file called `name` is not meeting notes, or None if it may be."""
    base = _basename(name)
    if not base:
        return "not a file"
    if base.startswith("."):
        return f"hidden file ({base}), not meeting notes"
    suffix = ("." + base.rsplit(".", 1)[1].lower()) if "." in base else ""
    if suffix in _IMAGE_SUFFIXES:
        return "an image, not meeting notes"
    if suffix not in NOTES_SUFFIXES:
        return f"not a markdown file ({suffix or 'no extension'})"
    stem = base[: -len(suffix)]
    if _TEMPLATE.search(stem):
        return "a template, not meeting notes"
    if _PLACEHOLDER_DATE.search(stem):
        return "a template (a YYYY-MM-DD placeholder in its name), not meeting notes"
    documentation = _DOCUMENTATION.match(stem)
    if documentation:
        return f"a {documentation[1].upper()} file, not meeting notes"
    return None


def meeting_date(name: str) -> datetime.date | None:
    """The date in a file name: YYYY-MM-DD (any of - _ .), YYYYMMDD or MM-DD-YYYY."""
    base = _basename(name)
    for pattern, order in (
        (_ISO_DATE, (1, 3, 4)),
        (_COMPACT_DATE, (1, 2, 3)),
        (_US_DATE, (4, 1, 3)),
    ):
        for match in pattern.finditer(base):
            year, month, day = (int(match[i]) for i in order)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                continue
    return None


def committee_from_path(name: str) -> str | None:
    """The committee of notes kept as `<PMC>/[<year>/]<file>.md`: the nearest folder
    that is not a year."""
    for part in reversed(_path_parts(name)[:-1]):
        if part not in ("", ".", "..", "~") and not _YEAR_FOLDER.match(part):
            return part
    return None


def source_path(name: str, committee: str | None = None) -> str:
    """The file's path from its committee folder on, e.g. Runtime/2017/2017-05-16-runtime.md."""
    parts = _path_parts(name)
    folder = committee_from_path(name)
    if folder is not None and (committee is None or folder.casefold() == committee.casefold()):
        index = len(parts) - 2
        while index >= 0 and parts[index] != folder:
            index -= 1
        return "/".join(parts[index:])
    return parts[-1] if parts else name


def decode_notes(data: bytes) -> tuple[str, tuple[str, ...]]:
    """The text of a notes file and what decoding it took, or UnreadableNotes."""
    if not data.strip():
        raise UnreadableNotes("empty file")
    repairs: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked_text(data.decode("utf-16")), ("decoded as UTF-16",)
        except UnicodeDecodeError:
            raise UnreadableNotes("starts like UTF-16 but is not valid UTF-16") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.end == len(data) and error.reason == "unexpected end of data":
            # A truncated file that ends inside a character: what comes before is UTF-8.
            repairs.append("the file ends inside a character (truncated): its last bytes dropped")
            return _checked_text(data[: error.start].decode("utf-8")), tuple(repairs)
        where = f"byte 0x{data[error.start]:02x} at offset {error.start}"
        text = _windows_1252(data)
        if text is None:
            raise UnreadableNotes(
                f"not UTF-8 ({where}) and not repairable: read as Windows-1252/Latin-1 it is "
                "not plausible text either"
            ) from None
        repairs.append(f"decoded as Windows-1252: not valid UTF-8 ({where})")
    return _checked_text(text), tuple(repairs)


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _path_parts(name: str) -> list[str]:
    return [part.strip() for part in name.replace("\\", "/").split("/")]


def _windows_1252(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    non_ascii = sum(1 for char in text if ord(char) > 127)
    if non_ascii > max(8, len(text) // 20):
        return None
    for run in re.findall(r"[^\x00-\x7f]+", text):
        if len(run) > 3 or not all(c.isalpha() or c in _PLAUSIBLE_PUNCTUATION for c in run):
            return None
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _checked_text(text: str) -> str:
    if not text.strip():
        raise UnreadableNotes("empty file")
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 200):
        raise UnreadableNotes("binary data (control characters), not text")
    return text
