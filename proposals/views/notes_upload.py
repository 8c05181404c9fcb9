"""A chair uploads meeting notes: first a preview of what importing them would do, then
the import itself.

The preview is `plan_import` (the dry run `manage.py import_notes --dry-run` prints);
applying is `apply_import`, both run as the chair, so every action checks the chair's
own permissions and the audit log names the chair; like the command's import, it sends
no notifications. A proposal of another committee that the notes mention is not linked
on the chair's authority: the report lists the links suggested to that committee's
chair instead. The committee is the one the chair picks among those they chair, and
it overrides whatever the files' names say.

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

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from pmc.models import Committee, Role
from proposals import permissions
from proposals.importing import ImportResult, NoteFile, apply_import, plan_import

MAX_FILES = 20
MAX_FILE_MB = 2
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_AGE = datetime.timedelta(hours=1)
SALT = "proposals.notes_upload"
# Room left in a request body for the CSRF token and the field names around the payload.
_FORM_OVERHEAD = 16 * 1024

_OUTCOMES = {
    True: {
        "created": "would be created",
        "updated": "would be updated",
        "unchanged": "unchanged",
        "skipped": "skipped",
        "failed": "would fail",
    },
    False: {
        "created": "created",
        "updated": "updated",
        "unchanged": "unchanged",
        "skipped": "skipped",
        "failed": "failed",
    },
}


class UploadRefused(Exception):
    """The signed files sent back for the import cannot be used; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def chaired_committees(user):
    """The committees the user chairs today."""
    roles = permissions.roles_by_committee(user)
    chaired = [pk for pk, role in roles.items() if role == Role.CHAIR]
    return Committee.objects.filter(pk__in=chaired).order_by("name")


# Sealing the files between the preview and the import


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


# The form


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if not uploads:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(
                f"Choose at most {MAX_FILES} files at a time (you chose {len(uploads)}); "
                "upload the rest afterwards."
            )
        too_large = [upload for upload in uploads if upload.size > MAX_FILE_BYTES]
        if too_large:
            raise forms.ValidationError(
                [
                    f"{upload.name} is {filesizeformat(upload.size)}; a notes file may be at "
                    f"most {MAX_FILE_MB} MB. Nothing was uploaded."
                    for upload in too_large
                ]
            )
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class NotesUploadForm(forms.Form):
    committee = forms.ModelChoiceField(
        queryset=Committee.objects.none(),
        empty_label=None,
        label="Committee",
        help_text="The meetings are imported into this committee, whatever the files are called.",
    )
    files = MultipleFileField(
        # An empty file is reported by the import, with its name, like any unreadable one.
        allow_empty_file=True,
        label="Notes files",
        help_text=(
            f"Markdown files named after the meeting's date, e.g. 2017-05-16-runtime.md: "
            f"at most {MAX_FILES} files of at most {MAX_FILE_MB} MB each."
        ),
        error_messages={"required": "Choose one or more notes files (.md) to upload."},
    )

    def __init__(self, *args, committees, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["files"].widget.attrs["accept"] = ".md,.markdown,text/markdown"


# The page


@login_required
def notes_upload(request):
    committees = chaired_committees(request.user)
    if not committees:
        raise PermissionDenied(
            "Only the chair of a committee can upload its meeting notes, and you chair none. "
            "Ask your committee's chair to upload them."
        )
    if request.method == "POST" and "apply" in request.POST:
        return _apply(request, committees)
    form = NotesUploadForm(request.POST or None, request.FILES or None, committees=committees)
    context = {"form": form}
    status = 200
    if request.method == "POST":
        if "committee" in form.errors:
            raise PermissionDenied(
                "You can upload notes only for a committee you chair: "
                f"{', '.join(c.name for c in committees)}."
            )
        if form.is_valid():
            committee = form.cleaned_data["committee"]
            uploads = form.cleaned_data["files"]
            files = [NoteFile(upload.name, data=upload.read()) for upload in uploads]
            token = seal(request.user, committee, files)
            budget = _payload_budget()
            if budget is not None and len(token) > budget:
                form.add_error(
                    "files",
                    f"Together these files are too large to preview and import in one go "
                    f"({filesizeformat(len(token))} once packed, at most "
                    f"{filesizeformat(budget)}). Upload fewer files at a time.",
                )
            else:
                result = plan_import(files, committee=committee, actor=request.user)
                context.update(_report(result, committee), token=token)
        if form.errors:
            status = 400
    return render(request, "proposals/notes_upload.html", context, status=status)


def _apply(request, committees):
    try:
        committee_id, files = unseal(request.POST.get("upload", ""), request.user)
    except UploadRefused as refused:
        form = NotesUploadForm(committees=committees)
        context = {"form": form, "refused": refused.message}
        return render(request, "proposals/notes_upload.html", context, status=400)
    committee = committees.filter(pk=committee_id).first()
    if committee is None:
        raise PermissionDenied(
            "You no longer chair the committee these files were previewed for, so you "
            "cannot import them. Nothing was changed."
        )
    result = apply_import(files, committee=committee, actor=request.user)
    context = {
        "form": NotesUploadForm(committees=committees),
        **_report(result, committee),
    }
    return render(request, "proposals/notes_upload.html", context)


def _report(result: ImportResult, committee: Committee) -> dict:
    outcomes = _OUTCOMES[result.dry_run]
    rows = [
        {
            "file": file,
            "outcome": outcomes.get(file.status, file.status),
            # A meeting previewed as created or updated is not there (yet).
            "link": bool(file.meeting_id) and (not result.dry_run or file.status == "unchanged"),
            "new": sum(1 for change in file.proposals if change.action == "created"),
            "linked": sum(1 for change in file.proposals if change.action in ("linked", "updated")),
            "suggested": sum(1 for change in file.proposals if change.action == "suggested"),
        }
        for file in result.files
    ]
    writes = result.count("created") + result.count("updated")
    # Proposals of other committees: not linked, but suggested to their chairs.
    suggested = [
        {"file": file, "change": change}
        for file in result.files
        for change in file.proposals
        if change.action == "suggested"
    ]
    return {
        "result": result,
        "rows": rows,
        "suggested": suggested,
        "summary": result.counts().items(),
        "committee": committee,
        "writes": writes,
    }


def _payload_budget() -> int | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else max(limit - _FORM_OVERHEAD, 0)
