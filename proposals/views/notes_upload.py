"""A chair uploads meeting notes: first a preview of what importing them would do, then
the import itself.

The preview is `plan_import` (the dry run `manage.py import_notes --dry-run` prints);
applying is `apply_import`, both run as the chair, so every action checks the chair's
own permissions and the audit log names the chair; like the command's import, it sends
no notifications. A proposal of another committee that the notes mention is not linked
on the chair's authority: the report lists the links suggested to that committee's
chair instead. The committee is the one the chair picks among those they chair, and
it overrides whatever the files' names say.

Between the two requests the files travel in the page itself, sealed (`upload_signing`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from pmc.models import Committee, Role
from proposals import permissions
from proposals.forms import NotesUploadForm
from proposals.importing import ImportResult, NoteFile, apply_import, plan_import
from proposals.upload_signing import UploadRefused, seal, unseal

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
