"""Deciding the links a chair's upload suggested to another committee's chair: the
confirm and dismiss buttons on the proposal page, each one POST that calls one action."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from proposals import actions
from proposals.actions.link_suggestions import PENDING
from proposals.models import LinkSuggestion, ProposalMeeting
from proposals.views.access import run_action

DECISIONS = {
    "confirm": (True, "Confirmed: the proposal is linked to the meeting."),
    "dismiss": (False, "Dismissed: the proposal is not linked to the meeting."),
}


class DecideSuggestionForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)
    expected_state = forms.ChoiceField(choices=[(PENDING, PENDING)], widget=forms.HiddenInput)


def pending_suggestions(**filters):
    """Pending suggestions (those of a proposal linked to the meeting meanwhile, by the
    import or an administrator, left out), with what their listing shows."""
    linked = ProposalMeeting.objects.filter(
        proposal=OuterRef("proposal_id"), meeting=OuterRef("meeting_id")
    )
    return (
        LinkSuggestion.objects.filter(~Exists(linked), accepted__isnull=True, **filters)
        .select_related("meeting__committee", "suggested_by")
        .order_by("meeting__date", "id")
    )


@require_POST
@login_required
def decide_link_suggestion(request, pk: int, decision: str):
    if decision not in DECISIONS:
        raise Http404("No such decision.")
    suggestion = get_object_or_404(LinkSuggestion.objects.select_related("proposal"), pk=pk)
    proposal = suggestion.proposal
    form = DecideSuggestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was incomplete. Reload the page and try again.")
        return redirect(proposal)
    accept, success = DECISIONS[decision]
    run_action(
        request,
        actions.do_decide_link_suggestion,
        success=success,
        suggestion=suggestion,
        accept=accept,
        **form.cleaned_data,
    )
    return redirect(f"{proposal.get_absolute_url()}#meetings-h")
