"""Forms about a person's own account: the reset form that sends its link through
`account_mail`, the full name, a new e-mail address, and signing up from an invitation."""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.urls import reverse

from proposals import account_mail
from proposals.notifications import absolute_url

logger = logging.getLogger(__name__)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, whose e-mail goes through `account_mail` on the connection
    the view opened (`mail`), with the link at PMC_SITE_URL. As in Django, a message the
    server refuses is logged, and the page says the same whatever the address."""

    mail = None

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        path = reverse("proposals:password_reset_confirm", args=[context["uid"], context["token"]])
        context = {
            **context,
            "reset_url": absolute_url(path),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        try:
            account_mail.send(
                context["email"], "emails/password_reset.txt", context, mail=self.mail
            )
        except Exception:
            logger.exception(
                "could not send the password reset e-mail to user %s", context["user"].pk
            )


class FullNameForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name"]
        labels = {"first_name": "First name", "last_name": "Last name"}


class EmailChangeForm(forms.Form):
    """A new address, and the password, so that a session left open cannot move the
    account (and its password resets) to someone else's address."""

    new_email = forms.EmailField(label="New e-mail address", max_length=254)
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password; nothing was changed.")
        return password

    def clean_new_email(self) -> str:
        email = self.cleaned_data["new_email"].strip()
        if email.lower() == (self.user.email or "").lower():
            raise forms.ValidationError("That is your address already.")
        others = get_user_model().objects.filter(email__iexact=email).exclude(pk=self.user.pk)
        if others.exists():
            raise forms.ValidationError(
                "Another account uses that address. Choose another, or ask an administrator."
            )
        return email


class SignUpForm(auth_forms.UserCreationForm):
    """A new account from an invitation: its address is the one invited."""

    class Meta(auth_forms.UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "first_name", "last_name"]
        labels = {"first_name": "First name", "last_name": "Last name"}
