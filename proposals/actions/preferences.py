"""A person's preferences: which notifications they get by e-mail, and the time zone
they read dates in. Each change is an event about their account (nothing when
nothing changed); only the person themselves changes them, on their profile page."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from proposals import audit, events
from proposals.actions._base import action
from proposals.errors import NotPermitted
from proposals.models import NotificationKind, NotificationPreference, ReaderSettings


@action
def do_set_notification_preferences(*, user, enabled: set[str], actor) -> dict:
    """Turn on the kinds in `enabled` and off every other; returns what changed,
    {"turned_on": [...], "turned_off": [...]}."""
    _require_self(actor, user)
    _lock(user)
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    changes = {"turned_on": [], "turned_off": []}
    for kind in NotificationKind.values:
        now = kind in enabled
        if stored.get(kind, True) != now:
            changes["turned_on" if now else "turned_off"].append(kind)
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"enabled": now}
        )
    if changes["turned_on"] or changes["turned_off"]:
        _record(user, actor, notifications=changes)
    return changes


@action
def do_set_time_zone(*, user, name: str, actor) -> bool:
    """Show dates to `user` in the zone `name` ("" for the site's); returns whether it
    changed."""
    _require_self(actor, user)
    _lock(user)
    settings_, _ = ReaderSettings.objects.get_or_create(user=user)
    if settings_.time_zone == name:
        return False
    before, settings_.time_zone = settings_.time_zone, name
    settings_.save(update_fields=["time_zone"])
    _record(user, actor, time_zone={"from": before, "to": name})
    return True


def _require_self(actor, user) -> None:
    if getattr(actor, "pk", None) != user.pk:
        raise NotPermitted("Only the person themselves may change their preferences.")


def _lock(user) -> None:
    """One change of a person's preferences at a time, so that each event says what
    the one before it left (two tabs saving at once)."""
    get_user_model()._base_manager.select_for_update().filter(pk=user.pk).exists()


def _record(user, actor, **payload) -> None:
    audit.record(
        action=events.ACCOUNT_PREFERENCES_CHANGED,
        actor=actor,
        payload={"user": user.get_username(), "user_id": user.pk, **payload},
    )
