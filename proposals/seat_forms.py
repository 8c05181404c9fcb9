"""The forms a committee's chair manages its seats with, on the committee's page."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from pmc.models import Role

REASON_MAX = 500


class AddSeatForm(forms.Form):
    """A seat for someone who has an account; others are invited by e-mail."""

    username = forms.CharField(label="User name", max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=REASON_MAX)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "add_%s")  # beside the invitation form on one page
        super().__init__(*args, **kwargs)

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                f"No active account is called “{name}”. Check the user name, or invite the "
                "person by e-mail below."
            )
        return user


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    reason = forms.CharField(required=False, max_length=REASON_MAX)


class EndSeatForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        error_messages={"required": "Say why the seat ends: the history keeps the reason."},
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)
