"""Sealing uploaded notes files between the preview and the import.

Between the two requests the files travel in the page itself: their bytes, compressed,
in a hidden field signed with a `TimestampSigner` together with the chair's and the
committee's ids. The apply request imports exactly the bytes that were previewed, only
for the user they were previewed for, within an hour; anything else is refused. Nothing
is kept on the server between the two requests.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import zlib

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


def _signer() -> TimestampSigner:
    return TimestampSigner(salt=SALT)


def seal(user, committee: Committee, files: list[NoteFile], *, signer=None) -> str:
    """The files' names and bytes, with who may import them where, compressed and signed."""
    header = {
        "user": user.pk,
        "committee": committee.pk,
        "files": [[file.name, len(file.data)] for file in files],
    }
    blob = json.dumps(header).encode() + b"\n" + b"".join(file.data for file in files)
    packed = base64.urlsafe_b64encode(zlib.compress(blob, 9)).decode("ascii")
    return (signer or _signer()).sign(packed)


def unseal(token: str, user) -> tuple[int, list[NoteFile]]:
    """The committee id and the files sealed for `user`, or UploadRefused.

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
    except (binascii.Error, zlib.error, ValueError, KeyError, TypeError):
        raise UploadRefused(
            "The previewed files could not be read back. Upload them again."
        ) from None
    if header.get("user") != user.pk:
        raise PermissionDenied(
            "These files were previewed by another user; only they can import them. "
            "Upload the files yourself to import them."
        )
    return header["committee"], files
