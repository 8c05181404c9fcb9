"""A person's page: who `@username` names, and the seats they hold and held."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F
from django.http import Http404
from django.shortcuts import render

from pmc.models import Membership
from proposals.page_cache import kept_page
from proposals.views.access import readable


@readable
@kept_page
def person(request, username: str):
    """Where a mention links: the person's name and their committee seats. Only active
    people have a page (only they become mention links)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Http404("No such person.")
    seats = (
        Membership.objects.filter(user=user)
        .select_related("committee")
        .order_by(F("ended_on").desc(nulls_first=True), "committee__name")
    )
    return render(request, "proposals/person.html", {"person": user, "seats": seats})
