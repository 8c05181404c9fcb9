"""A chair uploads meeting notes: first a preview of what importing them would do, then
the import itself.

The preview is `plan_import` (the dry run `manage.py import_notes --dry-run` prints);
applying is `apply_import`, both run as the chair, so every action checks the chair's
own permissions and the audit log names the chair; like the command's import, it sends
no notifications. A proposal of another committee that the notes mention is not linked
on the chair's authority: the report lists the links suggested to that committee's
chair instead. The committee is the one the chair picks among those they chair, and
it overrides whatever the files' names say.

The preview lists each lifecycle item read in each file (kind, subject, outcome, how
sure the reading is and the rule that read it, the quoted evidence with its line and
section), each with an "import this reading" box, checked by default; the items the
chair unchecks are left out of the import (`apply_import(leave_out=...)`), recorded as
readings dismissed, so a later import of the file leaves them out too.

Between the two requests the files, and the items the preview read in them, travel in
the page itself, sealed (`upload_signing`); the boxes kept checked must name items of
that sealed upload (`LeaveOutForm`), or the import is refused.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from pmc.models import Committee, Role
from proposals import permissions
from proposals.forms import LeaveOutForm, NotesUploadForm, reading_choice
from proposals.importing import FileResult, ImportResult, NoteFile, apply_import, plan_import
from proposals.upload_signing import UploadRefused, seal, unseal

# Room left in a request body for the CSRF token and the field names around the payload.
_FORM_OVERHEAD = 16 * 1024
# The apply request's fields besides the boxes: the CSRF token, upload, apply, choosing.
_OTHER_FIELDS = 4

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


def chaired_committees(user):
    """The committees the user chairs today."""
    roles = permissions.roles_by_committee(user)
    chaired = [pk for pk, role in roles.items() if role == Role.CHAIR]
    return Committee.objects.filter(pk__in=chaired).order_by("name")


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
            _preview(request, form, context)
        if form.errors:
            status = 400
    return render(request, "proposals/notes_upload.html", context, status=status)


def _preview(request, form: NotesUploadForm, context: dict) -> None:
    """The dry run of the uploaded files, with the items read in them sealed beside them
    for the import; or the form's error when the import request could not carry them."""
    committee = form.cleaned_data["committee"]
    files = [NoteFile(upload.name, data=upload.read()) for upload in form.cleaned_data["files"]]
    problem = _too_large(len(seal(request.user, committee, files)))
    if problem:
        form.add_error("files", problem)
        return
    report = _report(plan_import(files, committee=committee, actor=request.user), committee)
    readings = {
        row["file"].name: [group["key"] for group in row["readings"]]
        for row in report["rows"]
        if row["readings"]
    }
    token = seal(request.user, committee, files, readings=readings)
    boxes = sum(len(keys) for keys in readings.values())
    problem = _too_large(len(token) + _boxes_size(report["rows"])) or _too_many(boxes)
    if problem:
        form.add_error("files", problem)
        return
    context.update(report, token=token)


def _apply(request, committees):
    try:
        sealed = unseal(request.POST.get("upload", ""), request.user)
    except UploadRefused as refused:
        return _refused(request, committees, refused.message)
    committee = committees.filter(pk=sealed.committee_id).first()
    if committee is None:
        raise PermissionDenied(
            "You no longer chair the committee these files were previewed for, so you "
            "cannot import them. Nothing was changed."
        )
    chosen = LeaveOutForm(
        request.POST, files=[file.name for file in sealed.files], readings=sealed.readings
    )
    if not chosen.is_valid():
        return _refused(request, committees, " ".join(chosen.errors["keep"]))
    result = apply_import(
        sealed.files, committee=committee, actor=request.user, leave_out=chosen.leave_out()
    )
    context = {
        "form": NotesUploadForm(committees=committees),
        **_report(result, committee),
    }
    return render(request, "proposals/notes_upload.html", context)


def _refused(request, committees, message: str):
    form = NotesUploadForm(committees=committees)
    context = {"form": form, "refused": message}
    return render(request, "proposals/notes_upload.html", context, status=400)


def _readings(file: FileResult, position: int) -> list[dict]:
    """The lifecycle items a file's preview read, one entry per item key (the import
    keeps or leaves out an item by its key), each with the readings of it and its box."""
    if file.status not in ("created", "updated"):
        return []  # nothing of the file is imported: nothing to choose
    groups: dict[str, dict] = {}
    for mention in file.readings:
        group = groups.get(mention.key)
        if group is None:
            group = groups[mention.key] = {
                "key": mention.key,
                "value": reading_choice(file.name, mention.key),
                "id": f"reading-{position}-{len(groups) + 1}",
                "mentions": [],
                "low": False,
            }
        group["mentions"].append(mention)
        group["low"] = group["low"] or mention.confidence != "high"
    return list(groups.values())


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
            "readings": _readings(file, position) if result.dry_run else [],
        }
        for position, file in enumerate(result.files, start=1)
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
        "readings": any(row["readings"] for row in rows),
    }


def _payload_budget() -> int | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else max(limit - _FORM_OVERHEAD, 0)


def _boxes_size(rows: list[dict]) -> int:
    """The bytes the checked boxes add to the apply request (`keep=<value>&` each)."""
    return sum(
        len("keep=&") + len(quote_plus(group["value"])) for row in rows for group in row["readings"]
    )


def _too_many(boxes: int) -> str:
    """Why an apply request with `boxes` checked boxes could not be sent ("" when it can):
    a request of more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS is refused whole."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is None or boxes + _OTHER_FIELDS <= limit:
        return ""
    return (
        f"Together these files hold {boxes} lifecycle items, more than one import can list "
        f"(at most {limit - _OTHER_FIELDS}). Upload fewer files at a time."
    )


def _too_large(size: int) -> str:
    """Why an apply request of `size` bytes could not be sent ("" when it can)."""
    budget = _payload_budget()
    if budget is None or size <= budget:
        return ""
    return (
        f"Together these files are too large to preview and import in one go "
        f"({filesizeformat(size)} once packed, at most {filesizeformat(budget)}). "
        "Upload fewer files at a time."
    )
