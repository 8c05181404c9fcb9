"""The signed-in user's profile: which notifications they get by e-mail, and the time
zone they read dates in (saved by `proposals.actions.preferences`, which records each
change in the audit log)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from pmc.models import Membership
from proposals import actions, time_zones
from proposals.models import NotificationKind, NotificationPreference


class NotificationPreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="E-mail me when",
    )


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        required=False,
        label="Show dates and times in",
        help_text="Dates on every page follow it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        site = settings.TIME_ZONE
        self.fields["time_zone"].choices = [
            ("", f"The site's time zone ({site})"),
            *time_zones.choices(),
        ]


def _enabled_kinds(user) -> list[str]:
    turned_off = set(
        NotificationPreference.objects.filter(user=user, enabled=False).values_list(
            "kind", flat=True
        )
    )
    return [kind for kind in NotificationKind.values if kind not in turned_off]


@login_required
def profile(request):
    form = NotificationPreferencesForm(initial={"kinds": _enabled_kinds(request.user)})
    zone_form = TimeZoneForm(initial={"time_zone": time_zones.chosen_zone(request.user)})
    if request.method == "POST" and "time_zone" in request.POST:
        zone_form = TimeZoneForm(request.POST)
        if zone_form.is_valid():
            name = zone_form.cleaned_data["time_zone"]
            actions.do_set_time_zone(user=request.user, name=name, actor=request.user)
            shown = name or f"the site's time zone ({settings.TIME_ZONE})"
            messages.success(request, f"Your time zone is saved: dates now show in {shown}.")
            return redirect("proposals:profile")
    elif request.method == "POST":
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            actions.do_set_notification_preferences(
                user=request.user, enabled=set(form.cleaned_data["kinds"]), actor=request.user
            )
            messages.success(request, "Your notification choices are saved.")
            return redirect("proposals:profile")
    seats = (
        Membership.objects.active()
        .filter(user=request.user)
        .select_related("committee")
        .order_by("committee__name")
    )
    return render(
        request,
        "proposals/profile.html",
        {"form": form, "zone_form": zone_form, "seats": seats},
    )
