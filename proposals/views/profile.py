"""The signed-in user's profile: which notifications they get by e-mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render

from pmc.models import Membership
from proposals.models import NotificationKind, NotificationPreference


class NotificationPreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="E-mail me when",
    )


def _enabled_kinds(user) -> list[str]:
    turned_off = set(
        NotificationPreference.objects.filter(user=user, enabled=False).values_list(
            "kind", flat=True
        )
    )
    return [kind for kind in NotificationKind.values if kind not in turned_off]


@transaction.atomic
def _save(user, enabled: set[str]) -> None:
    for kind in NotificationKind.values:
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"enabled": kind in enabled}
        )


@login_required
def profile(request):
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            _save(request.user, set(form.cleaned_data["kinds"]))
            messages.success(request, "Your notification choices are saved.")
            return redirect("proposals:profile")
    else:
        form = NotificationPreferencesForm(initial={"kinds": _enabled_kinds(request.user)})
    seats = (
        Membership.objects.active()
        .filter(user=request.user)
        .select_related("committee")
        .order_by("committee__name")
    )
    return render(request, "proposals/profile.html", {"form": form, "seats": seats})
