"""Filing a proposal: its kind first, then a form with only that kind's fields; a warning
before a second open proposal of one kind about one project; a project added to the
registry on the way, without losing what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from pmc.models import Committee
from proposals import actions, permissions
from proposals.forms import ProjectForm, ProposalForm
from proposals.kinds import KINDS
from proposals.models import Proposal
from proposals.page_cache import kept_page
from proposals.states import Kind
from proposals.views.access import run_action

# Forms put aside while their author adds a project, by form token, in the session (the
# database): the form comes back as it was, with the new project chosen.
SET_ASIDE = "proposal_forms_set_aside"
SET_ASIDE_KEPT = 5


@login_required
@kept_page
def proposal_create(request):
    committees = list(permissions.roles_by_committee(request.user))
    if not committees:
        raise PermissionDenied("Only members of a committee can file proposals.")
    kind = request.POST.get("kind") or request.GET.get("kind")
    if kind not in KINDS:
        return _choose_kind(request, unknown=bool(kind))
    if request.method == "POST":
        form = ProposalForm(request.POST, committees=committees, kind=kind)
        if "add_project" in request.POST:
            return _add_project_first(request, form, committees)
    else:
        form = ProposalForm(initial=_taken_back(request), committees=committees, kind=kind)
    context = {
        "form": form,
        "preview": None,
        "kind": Kind(kind),
        "rules": KINDS[kind],
        "may_add_project": "project" in form.fields and bool(_registries(request.user, committees)),
    }
    if request.method == "POST" and "preview" in request.POST:
        valid = form.is_valid()
        if "body" in form.cleaned_data:
            context["preview"] = form.preview()
        context["duplicates"] = form.open_duplicates() if valid else []
    elif request.method == "POST" and form.is_valid():
        return _save(request, form, context)
    return render(request, "proposals/proposal_form.html", context)


def _choose_kind(request, *, unknown: bool):
    """The first step: which kind of proposal, each with what it is for and needs."""
    kinds = [(k, Kind(k).label, KINDS[k].summary, _needs_text(KINDS[k])) for k in Kind.values]
    return render(request, "proposals/proposal_kind.html", {"kinds": kinds, "unknown": unknown})


def _save(request, form: ProposalForm, context: dict):
    """File the draft, unless this form filed one already (then show that one), or the
    project has an open proposal of this kind the proposer has not yet been shown."""
    token = form.cleaned_data.get("form_token") or ""
    filed = Proposal.objects.filed_with_form(request.user, token) if token else None
    if filed is not None:
        messages.info(request, f"This form was already saved as the draft “{filed}”: here it is.")
        return redirect(filed)
    duplicates = form.open_duplicates()
    # "Save anyway" confirms the warning about this project, not another chosen since.
    if duplicates and request.POST.get("file_anyway") != str(duplicates[0].project_id):
        context.update(duplicates=duplicates, confirm_duplicate=True)
        return render(request, "proposals/proposal_form.html", context)
    proposal = run_action(
        request, actions.do_create_proposal, success="Draft saved.", **form.cleaned_data
    )
    if proposal is None:
        return render(request, "proposals/proposal_form.html", context)
    return redirect(proposal)


def _needs_text(rules) -> str:
    """What a kind needs, as the first step says it: "a title, a project and the new lead"."""
    parts = ["a title"] + ["a project"] * rules.needs_project
    if rules.detail:
        parts.append(rules.detail.wording)
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _registries(user, committees) -> list[int]:
    """The committees among `committees` whose registry `user` may add projects to."""
    chaired = actions.chaired_committee_ids(user)
    return [pk for pk in committees if chaired is None or pk in chaired]


def _add_project_first(request, form: ProposalForm, committees):
    """Put the form aside and go to the add-project form, for the committee chosen (or
    the first one the user may add projects to)."""
    allowed = _registries(request.user, committees)
    committee = _int_or_none(form.data.get("committee")) or (allowed[0] if allowed else None)
    if committee not in allowed:
        name = Committee.objects.filter(pk=committee).first() or "your committee"
        raise PermissionDenied(
            f"Only the chair of {name} or an administrator may add projects to its registry. "
            "Ask them, or choose a project already listed."
        )
    token = form.data.get("form_token") or ""
    if token:
        kept = request.session.get(SET_ASIDE, {})
        kept.pop(token, None)
        kept[token] = {name: form.data.get(name, "") for name in form.fields}
        request.session[SET_ASIDE] = dict(list(kept.items())[-SET_ASIDE_KEPT:])
    query = urlencode({"committee": committee, "kind": form.kind, "form": token})
    return redirect(f"{reverse('proposals:project_create')}?{query}")


def _taken_back(request) -> dict:
    """The form put aside before adding a project ({} if none), with the project just
    added chosen."""
    token = request.GET.get("form", "")
    kept = request.session.get(SET_ASIDE, {})
    initial = kept.pop(token, None) if token else None
    if initial is not None:
        request.session[SET_ASIDE] = kept
    initial = initial or {}
    project = _int_or_none(request.GET.get("project"))
    if project is not None:
        initial["project"] = project
    return initial


@login_required
def project_create(request):
    """Add a project to a committee's registry, then return to the proposal form."""
    committee = get_object_or_404(Committee, pk=_int_or_none(request.GET.get("committee")))
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else Kind.OTHER
    token = request.GET.get("form", "")
    back = reverse("proposals:create") + "?" + urlencode({"kind": kind, "form": token})
    if not _registries(request.user, [committee.pk]):
        raise PermissionDenied(
            f"Only the chair of {committee} or an administrator may add projects to its registry."
        )
    form = ProjectForm(request.POST or None, initial={"status": KINDS[kind].new_project_status})
    if request.method == "POST" and form.is_valid():
        project = run_action(
            request,
            actions.do_create_project,
            success=f"{form.cleaned_data['name']} is now in {committee}'s registry.",
            committee=committee,
            reason="Added while filing a proposal.",
            **form.cleaned_data,
        )
        if project is not None:
            return redirect(f"{back}&project={project.pk}")
    return render(
        request,
        "proposals/project_form.html",
        {"form": form, "committee": committee, "back": back},
    )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
