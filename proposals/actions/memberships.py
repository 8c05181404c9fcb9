"""Memberships: seats on a committee, given and ended by its chair or an administrator."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from pmc.models import Committee, Membership, Role
from proposals import audit, events
from proposals.actions._base import _require_committee_admin, action
from proposals.errors import LifecycleError


@action
def do_add_member(
    *, committee: Committee, user, actor, role: str = Role.MEMBER, started_on=None, reason=""
) -> Membership:
    """Give a user a seat on a committee (chairs and staff may)."""
    _require_committee_admin(actor, committee)
    started_on = started_on or timezone.localdate()
    # Seats of one person on one committee never overlap, so "their role on a day" is
    # always one answer.
    overlapping = Membership.objects.filter(committee=committee, user=user).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=started_on)
    )
    if overlapping.exists():
        raise LifecycleError(
            f"{user} already holds a seat on {committee} on {started_on}; end it first "
            "(to change the role, end the seat and give a new one from that day)."
        )
    membership = Membership.objects.create(
        committee=committee, user=user, role=role, started_on=started_on
    )
    audit.record(
        action=events.MEMBERSHIP_STARTED,
        actor=actor,
        committee=committee,
        membership=membership,
        reason=reason,
        payload={
            "user": user.get_username(),
            "user_id": user.pk,
            "role": role,
            "started_on": str(membership.started_on),
        },
    )
    return membership


@action
def do_end_membership(
    *, membership: Membership | int, actor, ended_on=None, reason=""
) -> Membership:
    """End a seat; the member stays in history as emeritus."""
    pk = membership.pk if isinstance(membership, Membership) else membership
    membership = (
        Membership.objects.select_for_update().select_related("committee", "user").get(pk=pk)
    )
    _require_committee_admin(actor, membership.committee)
    if membership.ended_on is not None:
        raise LifecycleError(f"{membership.user}'s seat already ended on {membership.ended_on}.")
    # A seat that has not begun yet ends on the day it would have begun.
    membership.ended_on = ended_on or max(timezone.localdate(), membership.started_on)
    if membership.ended_on < membership.started_on:
        raise LifecycleError(
            f"{membership.user}'s seat begins on {membership.started_on}; it cannot end "
            f"before that (on {membership.ended_on})."
        )
    membership.save(update_fields=["ended_on"])
    audit.record(
        action=events.MEMBERSHIP_ENDED,
        actor=actor,
        committee=membership.committee,
        membership=membership,
        reason=reason,
        payload={"user": membership.user.get_username(), "ended_on": str(membership.ended_on)},
    )
    return membership


@action
def do_change_role(*, membership: Membership | int, actor, role: str, reason="") -> Membership:
    """Change a seat's role: the seat ends and a new one with the new role starts the same
    day, each with its event, so every seat keeps the one role it was held in and the
    history says who held which role when. Votes already running are untouched: their
    eligible voters were frozen when they opened."""
    pk = membership.pk if isinstance(membership, Membership) else membership
    seat = Membership.objects.select_for_update().select_related("committee", "user").get(pk=pk)
    _require_committee_admin(actor, seat.committee)
    if role not in Role.values:
        raise LifecycleError(f"“{role}” is not a role; choose one of {', '.join(Role.values)}.")
    if seat.ended_on is not None:
        raise LifecycleError(
            f"{seat.user}'s seat ended on {seat.ended_on}; give a new seat instead."
        )
    if seat.role == role:
        raise LifecycleError(f"{seat.user} already sits on {seat.committee} as {role}.")
    day = max(timezone.localdate(), seat.started_on)
    why = reason or f"Role changed from {seat.get_role_display().lower()} to {role}."
    do_end_membership(membership=seat, actor=actor, ended_on=day, reason=why)
    return do_add_member(
        committee=seat.committee, user=seat.user, actor=actor, role=role, started_on=day, reason=why
    )
