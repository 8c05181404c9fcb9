"""Accounts: deactivating one when its holder leaves.

Deactivating ends every seat the account holds (each with its `membership.ended` event,
through `do_end_membership`), marks the account inactive, and signs it out everywhere.
Its votes, comments and events stay as they are: the history keeps naming its holder.

Signing out everywhere: `is_active = False` already refuses the account at every door
(Django's `ModelBackend` neither signs it in nor loads it for an existing session, and
the reset form sends it no link). Its sessions are also deleted, so that reactivating the
account later brings none of them back: with the database session store (the default,
`SESSION_ENGINE` unset) that reads the unexpired sessions once, decoding each, and
deletes the account's. The password is kept, so an administrator who reactivates the
account need not reset it.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.utils import timezone

from pmc.models import Membership
from proposals import account_flows
from proposals.actions._base import _is_admin, action
from proposals.actions.memberships import do_end_membership
from proposals.errors import LifecycleError, NotPermitted


@action
def do_deactivate_user(*, user, actor, reason: str = "") -> list[Membership]:
    """Deactivate `user` (administrators and the system may, never on themselves): end
    their seats, mark them inactive, delete their sessions. Returns the seats ended."""
    if not _is_admin(actor):
        raise NotPermitted("Only an administrator may deactivate an account.")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if getattr(actor, "pk", None) == user.pk:
        raise LifecycleError(
            "You cannot deactivate your own account: another administrator does it."
        )
    if not user.is_active:
        raise LifecycleError(f"{user} is already deactivated.")
    why = reason or f"{user}'s account was deactivated."
    today = timezone.localdate()
    ended = [
        do_end_membership(
            membership=seat, actor=actor, ended_on=max(today, seat.started_on), reason=why
        )
        for seat in Membership.objects.filter(user=user, ended_on__isnull=True).order_by("pk")
    ]
    user.is_active = False
    with account_flows.flow(account_flows.DEACTIVATION, actor=actor, reason=reason):
        user.save(update_fields=["is_active"])
    delete_sessions(user)
    return ended


def delete_sessions(user) -> int:
    """Delete every stored session signed in as `user`; returns how many. Works with the
    database-backed session stores (`db`, `cached_db`); others keep their sessions, which
    the account's inactivity refuses anyway."""
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    wanted = str(user.pk)
    deleted = 0
    live = model.objects.filter(expire_date__gt=timezone.now())
    for key, data in live.values_list("session_key", "session_data").iterator(chunk_size=500):
        if str(store_class().decode(data).get(SESSION_KEY)) == wanted:
            # Through the store, so that a cached_db store forgets its cached copy too.
            store_class(session_key=key).delete()
            deleted += 1
    return deleted
