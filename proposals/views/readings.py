"""Readings to review: a committee's page of what imports read in its notes, for its
chair and staff, with a POST per review (confirm, correct, merge, dismiss) that calls
one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pmc.models import Committee
from proposals import actions, permissions
from proposals.models import Reading
from proposals.reading_forms import REVIEW_FORMS, ReadingFilterForm, review_form
from proposals.views.access import run_action

_PER_PAGE = 25

_REVIEWS = {
    "confirm": (actions.do_confirm_reading, "Confirmed: the steps the notes record are taken."),
    "correct": (actions.do_correct_reading, "Corrected: the reading belongs to its proposal now."),
    "merge": (actions.do_merge_reading, "Merged: the meeting is linked to that proposal."),
    "dismiss": (actions.do_dismiss_reading, "Dismissed: the meeting is unlinked."),
}


def _committee_for_reviewer(user, slug: str) -> Committee:
    committee = get_object_or_404(Committee, slug=slug)
    if not permissions.has_perm("proposals.review_readings", user, committee):
        raise PermissionDenied(
            f"Readings to review are for the chair of {committee} and staff only."
        )
    return committee


@login_required
def reading_list(request, slug: str):
    committee = _committee_for_reviewer(request.user, slug)
    form = ReadingFilterForm(request.GET)
    show = form.cleaned_data.get("show") if form.is_valid() else ""
    readings = Reading.objects.filter(meeting__committee=committee)
    if show != "all":
        readings = readings.to_review()
    readings = readings.select_related("meeting", "proposal", "reviewed_by").order_by(
        "meeting__date", "line", "id"
    )
    page = Paginator(readings, _PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"reading": reading, "forms": {name: review_form(name, reading) for name in REVIEW_FORMS}}
        for reading in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/readings.html",
        {
            "committee": committee,
            "page": page,
            "rows": rows,
            "show": show or "to_review",
            "query": query.urlencode(),
            "here": request.get_full_path(),
        },
    )


@require_POST
@login_required
def review_reading(request, slug: str, pk: int, decision: str):
    if decision not in _REVIEWS:
        raise Http404("No such review.")
    committee = _committee_for_reviewer(request.user, slug)
    reading = get_object_or_404(Reading, pk=pk, meeting__committee=committee)
    back = reverse("proposals:readings", args=[committee.slug])
    if request.GET:
        back += f"?{request.GET.urlencode()}"
    form = review_form(decision, reading, request.POST)
    if not form.is_valid():
        errors = [error for field in form.errors.values() for error in field]
        messages.error(request, " ".join(errors) or "The form was incomplete. Try again.")
        return redirect(back)
    action, success = _REVIEWS[decision]
    run_action(request, action, success=success, reading=reading, **form.cleaned_data)
    return redirect(back)
