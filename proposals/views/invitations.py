"""The page an invitation's link opens: accept it as the account one is signed in as, or
make a new account (user name, name, password) with the invited address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render

from proposals import actions
from proposals.account_forms import SignUpForm
from proposals.actions import invitations
from proposals.errors import LifecycleError

_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_page(request, token: str):
    try:
        invitation = invitations.from_token(token)
    except invitations.InvitationInvalid as refused:
        return _refused(request, refused.message, 404)
    except invitations.InvitationUnusable as refused:
        return _refused(request, refused.message, 410)
    why_not = invitations.refusal(invitation)
    if why_not:
        return _refused(request, why_not, 410)
    signup = SignUpForm()
    if request.method == "POST":
        if request.user.is_authenticated:
            return _accept(request, invitation, actor=request.user)
        signup = SignUpForm(request.POST)
        if signup.is_valid():
            return _accept(request, invitation, new_account=signup.save(commit=False))
    context = {
        "invitation": invitation,
        "signup": signup,
        "address_taken": invitations.address_taken(invitation),
    }
    status = 400 if signup.is_bound else 200
    return render(request, "proposals/invitation.html", context, status=status)


def _accept(request, invitation, **who):
    try:
        seat = actions.do_accept_invitation(invitation=invitation, **who)
    except LifecycleError as refused:
        return _refused(request, refused.message, 409)
    if "new_account" in who:
        login(request, seat.user, backend=_BACKEND)
    committee = invitation.committee
    messages.success(
        request, f"Welcome: you sit on {committee} as {seat.get_role_display().lower()}."
    )
    return redirect("proposals:committee", committee.slug)


def _refused(request, message: str, status: int):
    return render(request, "proposals/invitation.html", {"refusal": message}, status=status)
