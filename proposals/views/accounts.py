"""A person's own account: Django's password views, styled like the site, and the link
that confirms a new e-mail address.

The reset and change views are Django's, run inside `account_flows.flow(...)` so that
whoever records changes to people can tell a password set from a reset link
(`PASSWORD_RESET`) from one changed by its owner (`PASSWORD_CHANGE`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from proposals import account_flows, account_mail, email_change
from proposals.account_forms import PasswordResetForm


class ResetLifetime:
    """Gives the templates how long a reset link works (PASSWORD_RESET_TIMEOUT)."""

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }


class PasswordResetView(ResetLifetime, auth_views.PasswordResetView):
    """Asks for an address and sends its accounts a reset link, at once. The mail server
    is reached before the address is looked up: when it is down, every address gets the
    same answer (try again later), and nothing tells whether an account has it."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("proposals:password_reset_done")

    def form_valid(self, form):
        try:
            with account_mail.connection() as mail:
                form.mail = mail
                return super().form_valid(form)
        except account_mail.MailServerDown:
            form.add_error(
                None,
                "The mail server is not answering, so no e-mail could be sent. Try again in "
                "a few minutes.",
            )
            return self.form_invalid(form)


class PasswordResetDoneView(ResetLifetime, auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(ResetLifetime, auth_views.PasswordResetConfirmView):
    """Sets the new password from the e-mailed link: as `account_flows.PASSWORD_RESET`.
    Django's token covers the password hash and the last sign-in, so it works once, and
    expires after PASSWORD_RESET_TIMEOUT; every session of the account ends (its session
    hash changes with the password)."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("proposals:password_reset_complete")

    def form_valid(self, form):
        with account_flows.flow(account_flows.PASSWORD_RESET, actor=self.user):
            return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Its owner changes the password, giving the old one: as
    `account_flows.PASSWORD_CHANGE`. This session stays signed in; the others end."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("proposals:profile")

    def form_valid(self, form):
        with account_flows.flow(account_flows.PASSWORD_CHANGE, actor=self.request.user):
            response = super().form_valid(form)
        messages.success(
            self.request, "Your password is changed. Your other sessions are signed out."
        )
        return response


@login_required
def confirm_email(request, token: str):
    """The link from the e-mail: a page with one button (a GET changes nothing, so a
    mail scanner that opens links confirms nothing); the button changes the address."""
    if request.method != "POST":
        return render(request, "registration/email_confirm.html", {"token": token})
    try:
        new_email = email_change.confirm(token, request.user)
    except email_change.LinkRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Your e-mail address is now {new_email}.")
    return redirect("proposals:profile")
