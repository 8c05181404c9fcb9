"""The secret address of a person's own calendar: made, or reset (the old address then
stops answering). Only the person themselves does it, on their profile page; each time
is an event about their account, which never holds the secret."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.utils import timezone

from proposals import audit, events
from proposals.actions._base import action
from proposals.errors import NotPermitted
from proposals.models import CalendarAddress

# 32 random bytes: an address nobody guesses.
SECRET_BYTES = 32


@action
def do_set_calendar_address(*, user, actor) -> CalendarAddress:
    """Give `user` a new secret calendar address, replacing the one they had."""
    if getattr(actor, "pk", None) != user.pk:
        raise NotPermitted("Only the person themselves may reset their calendar's address.")
    # One reset at a time per person (two tabs at once), the first one included.
    get_user_model()._base_manager.select_for_update().filter(pk=user.pk).exists()
    address = CalendarAddress.objects.filter(user=user).first()
    replaced = address is not None
    if address is None:
        address = CalendarAddress(user=user)
    address.secret = secrets.token_urlsafe(SECRET_BYTES)
    address.created_at = timezone.now()
    address.save()
    audit.record(
        action=events.ACCOUNT_CALENDAR_ADDRESS_SET,
        actor=actor,
        payload={"user": user.get_username(), "user_id": user.pk, "replaced": replaced},
    )
    return address
