"""Sealing uploaded notes files between the preview and the import.

Between the two requests the files travel in the page itself: their bytes, compressed,
in a hidden field signed with a `TimestampSigner` together with the chair's and the
committee's ids and the lifecycle items the preview read in each file (their keys), which
the chair may leave out of the import. The apply request imports exactly the bytes that
were previewed, only for the user they were previewed for, within an hour; anything else
is refused. Nothing is kept on the server between the two requests.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import zlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner

from pmc.models import Committee
from proposals.importing import NoteFile

MAX_AGE = datetime.timedelta(hours=1)
# The salt names the page the payload was made for (kept as it was, so that payloads
# signed before it moved here still verify).
SALT = "proposals.notes_upload"


class UploadRefused(Exception):
    """The signed files sent back for the import cannot be used; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Sealed:
    """What a preview sealed: the committee, the files, and per file name the keys of
    the lifecycle items read in it (`LifecycleMention.key`) that the import may leave out."""

    committee_id: int
    files: list[NoteFile]
    readings: dict[str, frozenset[str]] = field(default_factory=dict)


def _signer() -> TimestampSigner:
    return TimestampSigner(salt=SALT)


def seal(
    user,
    committee: Committee,
    files: list[NoteFile],
    *,
    readings: dict[str, list[str]] | None = None,
    signer=None,
) -> str:
    """The files' names and bytes, with who may import them where and the keys of the
    items read in each (`readings`: file name -> keys), compressed and signed."""
    header = {
        "user": user.pk,
        "committee": committee.pk,
        "files": [[file.name, len(file.data)] for file in files],
        "readings": {name: sorted(keys) for name, keys in (readings or {}).items()},
    }
    blob = json.dumps(header).encode() + b"\n" + b"".join(file.data for file in files)
    packed = base64.urlsafe_b64encode(zlib.compress(blob, 9)).decode("ascii")
    return (signer or _signer()).sign(packed)


def unseal(token: str, user) -> Sealed:
    """The committee id, files and readings sealed for `user`, or UploadRefused.

    A payload sealed for another user raises PermissionDenied."""
    try:
        packed = _signer().unsign(token, max_age=MAX_AGE)
    except SignatureExpired:
        raise UploadRefused(
            "This preview is more than an hour old, so it can no longer be imported. "
            "Upload the files again to see a fresh preview; nothing was changed."
        ) from None
    except BadSignature:
        raise UploadRefused(
            "The files sent back for the import do not match the ones that were previewed "
            "(they were changed or damaged on the way). Upload the files again; nothing "
            "was changed."
        ) from None
    try:
        blob = zlib.decompress(base64.urlsafe_b64decode(packed))
        head, _, data = blob.partition(b"\n")
        header = json.loads(head)
        files, start = [], 0
        for name, size in header["files"]:
            files.append(NoteFile(name, data=data[start : start + size]))
            start += size
        readings = {
            str(name): frozenset(map(str, keys))
            for name, keys in header.get("readings", {}).items()
        }
    except (binascii.Error, zlib.error, ValueError, KeyError, TypeError, AttributeError):
        raise UploadRefused(
            "The previewed files could not be read back. Upload them again."
        ) from None
    if header.get("user") != user.pk:
        raise PermissionDenied(
            "These files were previewed by another user; only they can import them. "
            "Upload the files yourself to import them."
        )
    return Sealed(header["committee"], files, readings)
