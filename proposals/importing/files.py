"""The notes files to import: named by path or uploaded (`NoteFile`), found in the
folders named (`collect_files`); a path that is missing or not a regular file (a FIFO, a
device, a socket) is refused without being opened, and notes of a meeting dated after
today are refused once read (`dated_after_today`)."""

from __future__ import annotations

import datetime
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone


@dataclass(frozen=True)
class NoteFile:
    """A notes file to import: its path (or an upload's name) and its bytes, read when
    needed when only the path is given."""

    name: str
    data: bytes | None = None
    path: Path | None = None
    problem: str = ""  # why a path named cannot be read: missing, a FIFO, ...

    def read(self) -> bytes:
        """The bytes; OSError for a path that is missing or not a regular file (a FIFO,
        device or socket is never opened: reading one could wait forever)."""
        if self.data is not None:
            return self.data
        path = Path(self.path or self.name)
        problem = _not_regular(path)
        if problem:
            raise OSError(problem)
        return path.read_bytes()


def _not_regular(path: Path) -> str:
    """Why `path` cannot be read as a notes file ("" when it is a regular file)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"no such file or folder: {path}"
    except OSError as error:
        return f"cannot read {path}: {error.strerror}"
    if stat.S_ISREG(mode):
        return ""
    for test, what in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return f"not a regular file: {path} is {what}; it was not read"
    return f"not a regular file: {path}; it was not read"


def collect_files(paths: Iterable[str | os.PathLike]) -> list[NoteFile]:
    """The files named, and the files in the folders named (recursing), by path."""
    files: list[NoteFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_dir() or any(
                    part.startswith(".") and part not in (".", "..")
                    for part in found.relative_to(path).parts[:-1]
                ):
                    continue
                if found.is_file():
                    files.append(NoteFile(str(found), path=found))
                elif found.exists():  # a FIFO, socket or device: reported, never opened
                    files.append(NoteFile(str(found), path=found, problem=_not_regular(found)))
        else:
            files.append(NoteFile(str(given), path=path, problem=_not_regular(path)))
    return files


def dated_after_today(date: datetime.date) -> str:
    """Why notes of a meeting on `date` are refused: the meeting is after today in the
    site's time zone, so its notes cannot record it yet ("" when it is not)."""
    today = timezone.localdate()
    if date <= today:
        return ""
    return (
        f"the meeting is dated {date:%Y-%m-%d}, after today ({today:%Y-%m-%d}): import the "
        "notes after the meeting, or correct the date in the file name. Nothing of the file "
        "was imported."
    )
