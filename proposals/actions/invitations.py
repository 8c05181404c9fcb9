"""Invitations: a committee's chair invites someone by e-mail to a seat; accepting the
link gives the seat through `do_add_member`, with its own event.

The link is signed (`django.core.signing`, salted for invitations) and names the
invitation and its random nonce, so it cannot be made up or carried to another
invitation, even by someone who reads the database. It works once (accepting stamps
`accepted_at`), until `expires_at` (PMC_INVITATION_DAYS after sending), and not after it
is withdrawn. It also lapses when whoever sent it no longer chairs the committee: the
seat is given on their authority.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from pmc.models import Committee, Membership, Role
from proposals import account_flows, audit, events
from proposals.actions._base import _is_admin, _require_committee_admin, action
from proposals.actions.memberships import do_add_member
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Invitation

_SALT = "pmc.invitation"


class InvitationInvalid(LifecycleError):
    """The link is not one this site made, or its invitation is gone."""


class InvitationUnusable(LifecycleError):
    """The invitation was accepted, withdrawn or has expired."""


def token(invitation: Invitation) -> str:
    """What the invitation's link carries."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_SALT)


def masked(email: str) -> str:
    """The address as the audit log shows it, which anyone may read: its first letter
    and its domain (a…@example.org). The invitation's row keeps it whole."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PMC_INVITATION_DAYS)


def from_token(value: str) -> Invitation:
    """The invitation a link names, whatever its status; `InvitationInvalid` for a link
    that was tampered with or made up."""
    try:
        data = signing.loads(value, salt=_SALT, max_age=lifetime() + datetime.timedelta(days=1))
    except signing.SignatureExpired:
        raise InvitationUnusable(_EXPIRED) from None
    except signing.BadSignature:
        raise InvitationInvalid(_INVALID) from None
    invitation = (
        Invitation.objects.select_related("committee", "invited_by")
        .filter(pk=data.get("i"), nonce=data.get("n"))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(_INVALID)
    return invitation


_INVALID = (
    "This invitation link is not valid: it may have been cut short or changed. Open the "
    "link from the e-mail again, whole, or ask the committee's chair for a new invitation."
)
_EXPIRED = "This invitation has expired. Ask the committee's chair for a new one."


def refusal(invitation: Invitation) -> str | None:
    """Why `invitation` cannot be accepted now, in words; None if it can."""
    status = invitation.status()
    committee = invitation.committee
    if status == "accepted":
        return f"This invitation to {committee} was already accepted; it works once."
    if status == "withdrawn":
        return f"This invitation to {committee} was withdrawn. Ask its chair if in doubt."
    if status == "expired":
        return (
            f"This invitation to {committee} expired on {invitation.expires_at:%Y-%m-%d}. "
            "Ask its chair for a new one."
        )
    inviter = invitation.invited_by
    chairs = Membership.objects.active().chairs().filter(committee=committee, user=inviter)
    if not (inviter.is_active and (inviter.is_superuser or chairs.exists())):
        return (
            f"This invitation to {committee} lapsed: {inviter} who sent it no longer chairs "
            "the committee. Ask its chair for a new one."
        )
    return None


@action
def do_invite(*, committee: Committee, email: str, role: str = Role.MEMBER, actor) -> Invitation:
    """Invite whoever reads `email` to a seat on `committee` (its chair or an
    administrator may). The caller sends the link (`token`)."""
    _require_committee_admin(actor, committee, "invite people to it")
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise LifecycleError(f"“{email}” is not an e-mail address.") from None
    if role not in Role.values:
        raise LifecycleError(f"“{role}” is not a role; choose one of {', '.join(Role.values)}.")
    if Invitation.objects.pending().filter(committee=committee, email__iexact=email).exists():
        raise LifecycleError(
            f"{email} already has a pending invitation to {committee}. Withdraw it first to "
            "send a new one."
        )
    seated = Membership.objects.active().filter(committee=committee, user__email__iexact=email)
    if seated.exists():
        raise LifecycleError(f"The holder of {email} already holds a seat on {committee}.")
    now = timezone.now()
    invitation = Invitation.objects.create(
        committee=committee,
        email=email,
        role=role,
        invited_by=actor,
        created_at=now,
        expires_at=now + lifetime(),
        nonce=secrets.token_hex(16),
    )
    audit.record(
        action=events.INVITATION_SENT,
        actor=actor,
        committee=committee,
        payload={
            "invitation": invitation.pk,
            "to": masked(email),
            "role": role,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return invitation


@action
def do_mark_invitation_sent(*, invitation: Invitation) -> None:
    """Note that the mail server took the invitation's e-mail (shown to the chair)."""
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


@action
def do_withdraw_invitation(*, invitation: Invitation | int, actor, reason: str = "") -> Invitation:
    """Withdraw a pending invitation (the committee's chair or an administrator); its
    link stops working."""
    pk = invitation.pk if isinstance(invitation, Invitation) else invitation
    invitation = Invitation.objects.select_for_update().select_related("committee").get(pk=pk)
    _require_committee_admin(actor, invitation.committee, "withdraw its invitations")
    if invitation.status() != "pending":
        raise LifecycleError(
            f"The invitation of {invitation.email} is {invitation.status()}; only a pending "
            "one is withdrawn."
        )
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit.record(
        action=events.INVITATION_WITHDRAWN,
        actor=actor,
        committee=invitation.committee,
        reason=reason,
        payload={
            "invitation": invitation.pk,
            "to": masked(invitation.email),
            "role": invitation.role,
        },
    )
    return invitation


@action
def do_accept_invitation(*, invitation: Invitation | int, actor=None, new_account=None):
    """Accept an invitation: as `actor` (a signed-in account), or as `new_account` (an
    unsaved user from the sign-up form, saved here with the invitation's address). The
    seat is given by `do_add_member` on the authority of whoever invited; the invitation
    is spent in the same transaction. Returns the membership."""
    pk = invitation.pk if isinstance(invitation, Invitation) else invitation
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("committee", "invited_by")
        .get(pk=pk)
    )
    why_not = refusal(invitation)
    if why_not:
        raise InvitationUnusable(why_not)
    if (actor is None) == (new_account is None):
        raise LifecycleError("Accept as a signed-in account or with a new account, not both.")
    if actor is not None and not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise NotPermitted("Sign in to accept the invitation.")
    user = actor
    if new_account is not None:
        user = _create_account(new_account, invitation)
    now = timezone.now()
    membership = do_add_member(
        committee=invitation.committee,
        user=user,
        actor=invitation.invited_by,
        role=invitation.role,
        reason=f"Accepted invitation #{invitation.pk} of {invitation.created_at:%Y-%m-%d}.",
    )
    invitation.accepted_at, invitation.accepted_by, invitation.membership = now, user, membership
    invitation.save(update_fields=["accepted_at", "accepted_by", "membership"])
    audit.record(
        action=events.INVITATION_ACCEPTED,
        actor=user,
        committee=invitation.committee,
        membership=membership,
        payload={
            "invitation": invitation.pk,
            "to": masked(invitation.email),
            "role": invitation.role,
            "user": user.get_username(),
            "new_account": new_account is not None,
        },
    )
    return membership


def address_taken(invitation: Invitation) -> bool:
    """Whether an active account already has the invited address: its holder accepts
    with it rather than making a second account that password resets would also reach."""
    users = get_user_model().objects
    return users.filter(email__iexact=invitation.email, is_active=True).exists()


def _create_account(new_account, invitation: Invitation):
    """Save the sign-up form's user, with the invitation's address (its holder opened
    the link, which proves it)."""
    users = get_user_model().objects
    if address_taken(invitation):
        raise LifecycleError(
            f"An account already uses {invitation.email}: sign in with it to accept the "
            "invitation (the sign-in page helps if its password is forgotten)."
        )
    if users.filter(username__iexact=new_account.get_username()).exists():
        raise LifecycleError(
            f"The user name {new_account.get_username()} is taken; choose another."
        )
    if _is_admin(new_account):
        raise NotPermitted("An invitation makes an ordinary account.")
    new_account.email = invitation.email
    new_account.is_active = True
    new_account.is_staff = False
    why = f"Invited to {invitation.committee} by {invitation.invited_by}."
    with account_flows.flow(account_flows.INVITATION, reason=why):
        new_account.save()
    return new_account
