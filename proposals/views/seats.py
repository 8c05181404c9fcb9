"""A committee's seats and invitations, managed on its page by its chair (or an
administrator): add a member who has an account, invite one by e-mail, change a seat's
role, end a seat with a reason, withdraw an invitation. Each is one action
(`proposals.actions`), with its event; the rules are the admin's (seats never overlap,
the voters frozen when a vote opened keep their vote)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from pmc.models import Committee, Membership
from proposals import account_mail, actions, permissions
from proposals.actions import invitations
from proposals.models import Invitation
from proposals.notifications import absolute_url
from proposals.seat_forms import AddSeatForm, ChangeRoleForm, EndSeatForm, InvitationForm
from proposals.views.access import run_action
from proposals.views.committees import committee_page


def _managed(request, slug: str) -> Committee:
    committee = get_object_or_404(Committee, slug=slug)
    if not permissions.has_perm("proposals.manage_seats", request.user, committee):
        raise PermissionDenied(
            f"Only the chair of {committee} or an administrator manages its seats."
        )
    return committee


def _back(committee: Committee, anchor: str = "members-h"):
    return redirect(f"{reverse('proposals:committee', args=[committee.slug])}#{anchor}")


@login_required
@require_POST
def add_seat(request, slug: str):
    committee = _managed(request, slug)
    form = AddSeatForm(request.POST)
    if form.is_valid():
        user = form.cleaned_data["username"]
        done = run_action(
            request,
            actions.do_add_member,
            lambda seat: f"{user} now sits on {committee} as {seat.get_role_display().lower()}.",
            committee=committee,
            user=user,
            role=form.cleaned_data["role"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            return _back(committee)
    return committee_page(request, committee, status=400, add_form=form)


def _seat(committee: Committee, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), pk=pk, committee=committee)


@login_required
@require_POST
def change_role(request, slug: str, pk: int):
    committee = _managed(request, slug)
    seat = _seat(committee, pk)
    form = ChangeRoleForm(request.POST)
    if form.is_valid():
        done = run_action(
            request,
            actions.do_change_role,
            lambda new: f"{seat.user} now sits on {committee} as {new.get_role_display().lower()}.",
            membership=seat,
            role=form.cleaned_data["role"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            return _back(committee)
    return committee_page(request, committee, status=400, failed_seat={"pk": seat.pk, "form": form})


@login_required
@require_POST
def end_seat(request, slug: str, pk: int):
    committee = _managed(request, slug)
    seat = _seat(committee, pk)
    form = EndSeatForm(request.POST)
    if form.is_valid():
        done = run_action(
            request,
            actions.do_end_membership,
            lambda ended: f"{seat.user}'s seat on {committee} ended on {ended.ended_on}.",
            membership=seat,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            return _back(committee)
    return committee_page(request, committee, status=400, failed_seat={"pk": seat.pk, "form": form})


@login_required
@require_POST
def invite(request, slug: str):
    """Invite by e-mail: the invitation is saved (with its event), then its link is sent
    at once (`account_mail`). If the mail server does not take it, the chair is told and
    the pending invitation says so; withdrawing it and inviting again sends a new link."""
    committee = _managed(request, slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        invitation = run_action(
            request,
            actions.do_invite,
            lambda sent: (
                f"{sent.email} is invited to {committee} as {sent.role} until "
                f"{sent.expires_at:%Y-%m-%d %H:%M %Z}."
            ),
            committee=committee,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        )
        if invitation is not None:
            _send(request, invitation)
            return _back(committee, "invitations-h")
    return committee_page(request, committee, status=400, invite_form=form)


def _send(request, invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "committee": invitation.committee,
        "inviter": invitation.invited_by,
        "url": absolute_url(reverse("proposals:invitation", args=[invitations.token(invitation)])),
    }
    problem = account_mail.try_send(invitation.email, "emails/invitation.txt", context)
    if problem is None:
        actions.do_mark_invitation_sent(invitation=invitation)
        return
    messages.error(
        request,
        f"The invitation is saved, but the mail server did not take its e-mail ({problem}). "
        "Withdraw it and invite again later.",
    )


@login_required
@require_POST
def withdraw_invitation(request, slug: str, pk: int):
    committee = _managed(request, slug)
    invitation = get_object_or_404(Invitation, pk=pk, committee=committee)
    run_action(
        request,
        actions.do_withdraw_invitation,
        f"The invitation of {invitation.email} is withdrawn; its link no longer works.",
        invitation=invitation,
    )
    return _back(committee, "invitations-h")
