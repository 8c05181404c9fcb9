"""The calendars (`proposals.calendars`) as .ics answers, and the reset of a person's
secret calendar address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from pmc.models import Committee
from proposals import actions, calendars
from proposals.models import CalendarAddress
from proposals.page_cache import kept_page
from proposals.views.access import readable


def _ics(cal, name: str) -> HttpResponse:
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


@readable
@kept_page
def site_calendar(request):
    return _ics(calendars.public_calendar(), "pmc-lifecycle")


@readable
@kept_page
def committee_calendar(request, slug: str):
    committee = get_object_or_404(Committee, slug=slug)
    return _ics(calendars.public_calendar(committee=committee), f"pmc-lifecycle-{slug}")


def personal_calendar(request, secret: str):
    """The address is the key: whoever holds it reads the calendar, as calendar apps
    cannot sign in. An address that was reset, or whose owner's account is closed, is
    no address."""
    address = (
        CalendarAddress.objects.select_related("user")
        .filter(secret=secret, user__is_active=True)
        .first()
    )
    if address is None:
        raise Http404("No calendar has this address; it may have been reset.")
    response = _ics(calendars.personal_calendar(address.user), "pmc-lifecycle-mine")
    # One person's calendar: not for shared caches, nor for search engines.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@login_required
def reset_calendar_address(request):
    had_one = CalendarAddress.objects.filter(user=request.user).exists()
    actions.do_set_calendar_address(user=request.user, actor=request.user)
    messages.success(
        request,
        "Your calendar has a new address: the old one no longer answers. Give the new "
        "one to your calendar app."
        if had_one
        else "Your calendar's address is ready: add it to your calendar app.",
    )
    return redirect("proposals:profile")
