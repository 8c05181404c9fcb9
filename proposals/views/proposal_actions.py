"""Changing proposals from the web: each view checks the form, calls one action, redirects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from proposals import actions, lifecycle, permissions
from proposals.forms import ProposalForm, VoteForm, transition_form
from proposals.models import ChecklistItem, Proposal
from proposals.states import EDITABLE_STATES, State
from proposals.views.access import run_action
from proposals.views.proposal_pages import detail_context


@require_POST
@login_required
def transition(request, pk: int, name: str):
    proposal = get_object_or_404(_proposals(), pk=pk)
    if name not in actions.TRANSITIONS:
        raise Http404("No such transition.")
    form = transition_form(name, proposal, request.POST)
    if not form.is_valid():
        return _form_again(request, proposal, form, bound={name: form})
    run_action(
        request,
        actions.TRANSITIONS[name],
        success=SUCCESS.get(name, lambda _: f"Done: {lifecycle.LABELS[name].lower()}."),
        proposal=proposal,
        **form.cleaned_data,
    )
    return redirect(proposal)


def _vote_closed(proposal: Proposal) -> str:
    """What closing the vote did, in words."""
    tally = proposal.tally()
    counts = f"{tally.counts_text}; {tally.quorum_text}"
    if proposal.state == State.VOTING:
        until = f"{timezone.localtime(proposal.closes_at):%Y-%m-%d %H:%M %Z}"
        return f"The vote missed its quorum ({counts}), so it is extended until {until}."
    if proposal.state == State.DEFERRED:
        return f"The vote closed without a quorum, so the proposal is deferred ({counts})."
    return f"The vote closed: {proposal.get_state_display().lower()} ({counts})."


# What each transition's success says, from the proposal it returns; the others say
# "Done: <label>."
SUCCESS = {
    "start_vote": lambda proposal: (
        f"The vote is open until {timezone.localtime(proposal.closes_at):%Y-%m-%d %H:%M %Z}."
    ),
    "close_vote": _vote_closed,
}


@require_POST
@login_required
def vote(request, pk: int):
    proposal = get_object_or_404(_proposals(), pk=pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _form_again(request, proposal, form, vote_form=form)
    run_action(
        request,
        actions.do_cast_vote,
        success="Your vote is recorded. You can change it until the vote closes.",
        proposal=proposal,
        value=form.cleaned_data["value"],
        reason=form.cleaned_data["reason"],
    )
    return redirect(f"{proposal.get_absolute_url()}#vote")


def _proposals():
    return Proposal.objects.select_related("committee", "project", "proposer", "decided_in")


def _form_again(request, proposal: Proposal, form, **bound):
    """The proposal's page again with `form` and its errors where it was filled in, so
    nothing typed is lost (the form's action ends in the anchor of its place). A form
    the reader is not offered there gets its errors as a message instead."""
    context = detail_context(request, proposal, **bound)
    shown = (
        context.get("may_vote")
        if "vote_form" in bound
        else any(t["form"] is form for t in context["transitions"])
    )
    if not shown:
        messages.error(request, _form_errors(form))
        return redirect(proposal)
    return render(request, "proposals/proposal_detail.html", context)


@require_POST
@login_required
def recuse(request, pk: int):
    proposal = get_object_or_404(Proposal, pk=pk)
    run_action(
        request,
        actions.do_recuse,
        success="You have recused yourself from this vote.",
        proposal=proposal,
        reason=request.POST.get("reason", ""),
    )
    return redirect(f"{proposal.get_absolute_url()}#vote")


@require_POST
@login_required
def checklist_item(request, pk: int, item_pk: int):
    item = get_object_or_404(ChecklistItem, pk=item_pk, proposal_id=pk)
    done = request.POST.get("done") == "1"
    run_action(
        request,
        actions.do_set_checklist_item,
        success="Checklist updated.",
        item=item,
        done=done,
    )
    return redirect(f"{item.proposal.get_absolute_url()}#checklist")


@login_required
def proposal_edit(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("committee"), pk=pk)
    if not permissions.has_perm("proposals.edit_proposal", request.user, proposal):
        raise PermissionDenied(f"Only the proposer or the chair may edit “{proposal}”.")
    if request.method != "POST" and proposal.state not in EDITABLE_STATES:
        messages.error(
            request,
            f"“{proposal}” is {proposal.get_state_display().lower()}; its text can only "
            "change in draft or discussion.",
        )
        return redirect(proposal)
    form = ProposalForm(request.POST or None, instance=proposal, committees=[proposal.committee_id])
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = form.preview()
        else:
            edited = run_action(
                request,
                actions.do_edit_proposal,
                success="Proposal updated.",
                proposal=proposal,
                reason=request.POST.get("edit_reason", ""),
                expected_revision=_int_or_none(request.POST.get("revision")),
                **form.cleaned_data,
            )
            if edited is not None:
                return redirect(proposal)
    return render(
        request,
        "proposals/proposal_form.html",
        {"form": form, "preview": preview, "proposal": proposal},
    )


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
