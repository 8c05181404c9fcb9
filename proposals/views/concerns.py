"""Blocking concerns and watching on the web: raise and resolve a concern, Watch and
Unwatch a proposal, and what the proposal page shows of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pmc.models import Role
from proposals import actions, concerns, permissions, watching
from proposals.concern_forms import RaiseConcernForm, ResolveConcernForm, WatchForm
from proposals.errors import NotPermitted
from proposals.models import Concern, Proposal
from proposals.states import State
from proposals.views.access import run_action


def concern_context(user, proposal: Proposal, role: str | None) -> dict:
    """What the proposal page shows of concerns and watching: the concerns (open ones
    hold the vote back, and are named where "Start the vote" would be), who may raise
    or resolve one, and whether the reader watches. At most three queries, however many
    concerns."""
    all_concerns = list(
        Concern.objects.filter(proposal=proposal)
        .select_related("raised_by", "resolved_by")
        .order_by("raised_at", "id")
    )
    open_ = [c for c in all_concerns if c.is_open]
    chair = role == Role.CHAIR
    for concern in all_concerns:
        # The rule `proposals.resolve_concern`, read without a query per concern.
        concern.may_resolve = concern.is_open and (
            chair or (user.is_authenticated and concern.raised_by_id == user.pk)
        )
    before_vote = proposal.state in (State.DISCUSSION, State.DEFERRED)
    blocked = concerns.blocking_message(open_) if before_vote else ""
    return {
        "concerns": all_concerns,
        "open_concerns": open_,
        "vote_blocked": blocked,
        "vote_blocked_for_chair": bool(blocked) and chair and proposal.state == State.DISCUSSION,
        "may_raise_concern": user.is_authenticated
        and permissions.has_perm("proposals.raise_concern", user, proposal),
        "concern_form": RaiseConcernForm(auto_id="concern_%s"),
        "watching": watching.is_watching(user, proposal),
    }


def _proposal(pk: int) -> Proposal:
    return get_object_or_404(Proposal.objects.select_related("committee", "project"), pk=pk)


def _refuse(request, refusal, proposal: Proposal):
    """A refusal for who the reader is becomes a 403 page saying why; one for the
    proposal's state a message on its page."""
    if isinstance(refusal, NotPermitted):
        raise PermissionDenied(refusal.message)
    messages.error(request, refusal.message)
    return redirect(f"{proposal.get_absolute_url()}#concerns")


@login_required
def raise_concern(request, pk: int):
    """The form to raise a concern (also inline on the proposal page). A form with
    errors, or a refusal, comes back with what was typed."""
    proposal = _proposal(pk)
    refusal = actions.raise_refusal(request.user, proposal)
    if refusal is not None:
        return _refuse(request, refusal, proposal)
    form = RaiseConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        concern = run_action(
            request,
            actions.do_raise_concern,
            success=lambda c: (
                f"Your concern “{c.title}” is raised: the vote waits until it is resolved."
            ),
            proposal=proposal,
            **form.cleaned_data,
        )
        if concern is not None:
            return redirect(f"{proposal.get_absolute_url()}#concern-{concern.pk}")
    return render(request, "proposals/concern_raise.html", {"proposal": proposal, "form": form})


@login_required
def resolve_concern(request, pk: int, concern_pk: int):
    """The form to resolve a concern, for the member who raised it or the chair."""
    concern = get_object_or_404(
        Concern.objects.select_related("proposal__committee", "raised_by", "resolved_by"),
        pk=concern_pk,
        proposal_id=pk,
    )
    proposal = concern.proposal
    if not permissions.has_perm("proposals.resolve_concern", request.user, concern):
        raise PermissionDenied(
            f"Only {concern.raised_by.get_full_name() or concern.raised_by.get_username()}, "
            f"who raised it, or the chair of {proposal.committee} may resolve this concern."
        )
    if not concern.is_open:
        messages.info(request, f"The concern “{concern.title}” is already resolved.")
        return redirect(f"{proposal.get_absolute_url()}#concern-{concern.pk}")
    form = ResolveConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resolved = run_action(
            request,
            actions.do_resolve_concern,
            success=lambda c: f"The concern “{c.title}” is resolved.",
            concern=concern,
            reason=form.cleaned_data["reason"],
        )
        if resolved is not None:
            return redirect(f"{proposal.get_absolute_url()}#concern-{concern.pk}")
    return render(
        request,
        "proposals/concern_resolve.html",
        {"proposal": proposal, "concern": concern, "form": form},
    )


@require_POST
@login_required
def watch(request, pk: int):
    """Watch (`watching=1`) or Unwatch (`watching=0`) a proposal."""
    proposal = _proposal(pk)
    form = WatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Press Watch or Unwatch on the proposal's page.")
        return redirect(proposal)
    watching_now = bool(form.cleaned_data["watching"])
    run_action(
        request,
        actions.do_watch,
        success="You watch this proposal: you hear of its new comments and concerns."
        if watching_now
        else "You no longer watch this proposal; taking part again does not change that.",
        proposal=proposal,
        watching=watching_now,
    )
    return redirect(f"{proposal.get_absolute_url()}#watch")
