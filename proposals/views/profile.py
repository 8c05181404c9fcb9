"""The signed-in user's profile: their full name and e-mail address (changed through a
link sent to the new one), their password (a link to Django's change form), which
notifications they get by e-mail, and the time zone they read dates in (saved by
`proposals.actions.preferences`, which records each change in the audit log), the secret
address of their own calendar (reset by `proposals.views.calendars`) and their API tokens
(`proposals.views.api_tokens`)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from pmc.models import Membership
from proposals import account_flows, actions, addresses, email_change, time_zones
from proposals.account_forms import EmailChangeForm, FullNameForm
from proposals.actions.api_tokens import MAX_ACTIVE_TOKENS
from proposals.models import ApiToken, CalendarAddress, NotificationKind, NotificationPreference


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        label="Name",
        help_text="What the token is for, e.g. “chat notifications”.",
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        label="It may",
    )


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
    form = zone_form = name_form = email_form = None
    if request.method == "POST" and "first_name" in request.POST:
        name_form = FullNameForm(request.POST, instance=request.user)
        if name_form.is_valid():
            with account_flows.flow(account_flows.PROFILE_EDIT, actor=request.user):
                name_form.save()
            messages.success(request, "Your name is saved.")
            return redirect("proposals:profile")
    elif request.method == "POST" and "new_email" in request.POST:
        email_form = EmailChangeForm(request.user, request.POST)
        if email_form.is_valid():
            new_email = email_form.cleaned_data["new_email"]
            problem = email_change.send_link(request.user, new_email)
            if problem is None:
                messages.success(
                    request,
                    f"A link is on its way to {new_email}. Your address changes when you "
                    f"open it, within {settings.PMC_EMAIL_CHANGE_HOURS} hours, signed in.",
                )
                return redirect("proposals:profile")
            email_form.add_error(
                None,
                f"The mail server did not take the e-mail ({problem}); nothing changed. "
                "Try again in a few minutes.",
            )
    elif request.method == "POST" and "time_zone" in request.POST:
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
    return profile_page(
        request, form=form, zone_form=zone_form, name_form=name_form, email_form=email_form
    )


def profile_page(request, *, status: int = 200, **forms):
    """The profile page, with `forms` bound where a POST was refused and the others new."""
    user = request.user
    new_forms = {
        "form": lambda: NotificationPreferencesForm(initial={"kinds": _enabled_kinds(user)}),
        "zone_form": lambda: TimeZoneForm(initial={"time_zone": time_zones.chosen_zone(user)}),
        "name_form": lambda: FullNameForm(instance=user),
        "email_form": lambda: EmailChangeForm(user),
        "token_form": ApiTokenForm,
    }
    context = {
        **{
            name: new() if forms.get(name) is None else forms[name]
            for name, new in new_forms.items()
        },
        "seats": (
            Membership.objects.active()
            .filter(user=user)
            .select_related("committee")
            .order_by("committee__name")
        ),
        "api_tokens": ApiToken.objects.filter(user=user),
        "max_api_tokens": MAX_ACTIVE_TOKENS,
        "calendar_url": _calendar_url(user),
    }
    return render(request, "proposals/profile.html", context, status=status)


def _calendar_url(user) -> str:
    """The address of the person's own calendar, "" until they make one."""
    address = CalendarAddress.objects.filter(user=user).first()
    if address is None:
        return ""
    return addresses.url(reverse("proposals:personal_calendar", args=[address.secret]))
