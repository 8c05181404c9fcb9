"""People and their powers in the audit log: every change to an account (created,
deleted, renamed, deactivated, staff or superuser granted or removed, groups and
permissions, password changed or reset, second factor set up, replaced or removed,
recovery codes renewed or used) and every sign-in lockout and unlock appends
its event, whichever way it came: the admin's forms, `createsuperuser`,
`changepassword`, axes' commands, the site's sign-in form or any code that saves a
user. The notification preferences are the profile page's action
(`proposals.actions.preferences`), the only way they change.

Django's own code saves these rows, not our actions, so the events come from model
signals, connected by `connect()` in `ProposalsConfig.ready()`:

- `pre_save` of the user reads (and, on PostgreSQL, locks) the stored row, `post_save`
  compares it with what was written and records one event per kind of change. A save
  that changes none of the watched fields (the `last_login` of every sign-in, a save
  without changes) writes nothing, and neither does the upgrade of a password's hash
  that `check_password` makes (the same password, hashed anew).
- `m2m_changed` of the groups and permissions records what was really added or
  removed (a removal of a group the person was not in is none). Inside `together()`
  (the admin's user and group forms) one save's removals and additions make one event
  per person.
- `post_save` of axes' `AccessAttempt` records a lockout when a failure brings the
  failures of one user name at one address, or of one address, within the cool-off
  to the limit; `pre_delete`/`post_delete` record an unlock when deleting attempts
  (`axes_reset*`, the admin) ends a lockout that was still running.

In the same transaction: the events of `m2m_changed`, of deletions and of axes'
failures are written inside the transaction Django or axes already opens around the
change. `Model.save()` opens none, and `createsuperuser`, `changepassword` and the
admin's password form save outside any: so `connect()` runs the user model's
`save_base` (which sends `pre_save`, writes the row and sends `post_save`) inside
`transaction.atomic` (savepoint-free, so inside a caller's transaction it costs
nothing). The row and its event are then committed together or not at all: an event
that cannot be written rolls the change back. What sends no signal writes no event:
`QuerySet.update()`, `bulk_create()` and SQL run by hand; `loaddata` (a restore) is
skipped on purpose, its rows being history already recorded.

Who acted is `proposals.acting.current()`: the signed-in person of the request, or the
command. A visitor who is not signed in acts as themselves when their password changes
(a password reset link; the event is `account.password_reset`) and the sign-in
throttle (`THROTTLE`) locks user names out. A password set by anyone but its owner (an
administrator, `changepassword`) is a reset too; set by its owner, a change.

The events hold no secrets: no password or hash, no token, no e-mail address (only that
it changed), no client address and no user name that is no account (people type their
password into the user name field).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import router, transaction
from django.db.models import Sum
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from proposals import acting, audit, events
from proposals.actors import SYSTEM, SystemActor

# Who locks a user name out: nobody signed in, the application.
THROTTLE = SystemActor("sign-in throttle")

# An account's details whose change is `account.details_changed`; the e-mail address is
# named as changed, its values are left out of the public log.
DETAILS = ("username", "first_name", "last_name", "email")
WITHHELD = ("email",)
# Fields that switch a power on or off: the event when it turns on, and when off.
SWITCHES = {
    "is_active": (events.ACCOUNT_REACTIVATED, events.ACCOUNT_DEACTIVATED),
    "is_staff": (events.ACCOUNT_STAFF_GRANTED, events.ACCOUNT_STAFF_REMOVED),
    "is_superuser": (events.ACCOUNT_SUPERUSER_GRANTED, events.ACCOUNT_SUPERUSER_REMOVED),
}
WATCHED = ("password", *SWITCHES, *DETAILS)


def connect() -> None:
    """Record every change to people from now on (called once, by the app's ready())."""
    user_model = get_user_model()
    _save_in_one_transaction(user_model)
    pre_save.connect(_read_stored_account, sender=user_model, dispatch_uid="account_before")
    post_save.connect(_account_saved, sender=user_model, dispatch_uid="account_saved")
    post_delete.connect(_account_deleted, sender=user_model, dispatch_uid="account_deleted")
    for relation in _relations():
        m2m_changed.connect(
            _related_changed, sender=relation.through, dispatch_uid=f"account_{relation.event}"
        )
    pre_delete.connect(_group_deleting, sender=Group, dispatch_uid="account_group_deleted")
    post_save.connect(_attempt_failed, sender=AccessAttempt, dispatch_uid="account_lockout")
    pre_delete.connect(_attempt_deleting, sender=AccessAttempt, dispatch_uid="account_unlock")
    post_delete.connect(_attempt_deleted, sender=AccessAttempt, dispatch_uid="account_unlocked")
    post_delete.connect(
        _authenticator_removed, sender=TOTPDevice, dispatch_uid="account_authenticator_removed"
    )


def _save_in_one_transaction(model) -> None:
    """Run `model.save_base` (pre_save, the row, post_save) in a transaction, so that
    the row and the event its post_save writes are committed together."""
    save_base = model.save_base
    if getattr(save_base, "in_one_transaction", False):
        return

    @functools.wraps(save_base)
    def save_base_in_one_transaction(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            return save_base(self, *args, **kwargs)

    save_base_in_one_transaction.in_one_transaction = True
    model.save_base = save_base_in_one_transaction


# Accounts


def _read_stored_account(sender, instance, raw, using, update_fields, **kwargs) -> None:
    instance._account_before = None
    if raw or instance.pk is None or instance._state.adding:
        return
    fields = [f for f in WATCHED if update_fields is None or f in update_fields]
    if fields:
        # Locked, so that of two saves of one person the second compares with the first.
        stored = sender._base_manager.using(using).select_for_update().filter(pk=instance.pk)
        instance._account_before = stored.values(*fields).first()


def _account_saved(sender, instance, created, raw, update_fields, **kwargs) -> None:
    before = instance.__dict__.pop("_account_before", None)
    if raw:
        return
    if created:
        _record(
            events.ACCOUNT_CREATED,
            instance,
            active=instance.is_active,
            staff=instance.is_staff,
            superuser=instance.is_superuser,
        )
        return
    if not before:
        return
    changed = {f for f, old in before.items() if old != getattr(instance, f)}
    for name, (turned_on, turned_off) in SWITCHES.items():
        if name in changed:
            _record(turned_on if getattr(instance, name) else turned_off, instance)
    details = {
        f: {} if f in WITHHELD else {"from": before[f], "to": getattr(instance, f)}
        for f in DETAILS
        if f in changed
    }
    if details:
        _record(events.ACCOUNT_DETAILS_CHANGED, instance, changed=details)
    if "password" in changed and not _hash_upgraded(instance, update_fields):
        _password_set(instance)


def _hash_upgraded(instance, update_fields) -> bool:
    """`check_password` hashing the same password anew (a stronger hasher, more
    iterations): it saves only the password, without `set_password`'s raw value."""
    return (
        update_fields is not None
        and set(update_fields) == {"password"}
        and getattr(instance, "_password", None) is None
        and instance.has_usable_password()
    )


def _password_set(user) -> None:
    actor = acting.current()
    if actor is None:
        # Nobody signed in: only a password reset link lets a visitor set a password.
        action, actor = events.ACCOUNT_PASSWORD_RESET, user
    elif _same_person(actor, user):
        action = events.ACCOUNT_PASSWORD_CHANGED
    else:
        action = events.ACCOUNT_PASSWORD_RESET
    _record(action, user, actor=actor, usable=user.has_usable_password())


def _account_deleted(sender, instance, **kwargs) -> None:
    actor = _actor_for(instance)
    if not _same_person(actor, instance):
        _record(events.ACCOUNT_DELETED, instance, actor=actor)
        return
    # A person deleting their own account: its row is gone, so they are named, not keyed.
    event = audit.new_event(
        action=events.ACCOUNT_DELETED,
        actor=SYSTEM,
        payload={"user": instance.get_username(), "user_id": instance.pk},
    )
    event.actor_name = instance.get_username()
    audit.record_many([event])


def record_change(action: str, user, **payload) -> None:
    """Append an event about a change to `user`'s account that no model signal here
    sees (their second factor, changed by `pmc.second_factor`), by whoever is acting.
    Runs inside the change's transaction."""
    _record(action, user, **payload)


def _record(action: str, user, *, actor=None, **payload) -> None:
    audit.record(
        action=action,
        actor=actor or _actor_for(user),
        payload={"user": user.get_username(), "user_id": user.pk, **payload},
    )


def _actor_for(user):
    """Who changes `user`: the person or command acting, or `user` themselves for a
    visitor not signed in (who can only be signing up)."""
    return acting.current() or user


def _same_person(actor, user) -> bool:
    return not getattr(actor, "is_system", False) and actor.pk == user.pk


# Groups and permissions


@dataclass(frozen=True)
class _Relation:
    """A many-to-many relation whose changes are events: a person's groups and
    permissions, a group's permissions."""

    through: type
    owner: str  # the through table's column of the person or group changed
    target: str  # ... and of what they gained or lost
    event: str
    label: object  # target ids -> {id: name}


def _relations() -> list[_Relation]:
    user_model = get_user_model()
    return [
        _Relation(
            user_model.groups.through, "user_id", "group_id", events.ACCOUNT_GROUPS_CHANGED,
            _group_names,
        ),
        _Relation(
            user_model.user_permissions.through, "user_id", "permission_id",
            events.ACCOUNT_PERMISSIONS_CHANGED, _permission_names,
        ),
        _Relation(
            Group.permissions.through, "group_id", "permission_id",
            events.GROUP_PERMISSIONS_CHANGED, _permission_names,
        ),
    ]  # fmt: skip


def _group_names(ids) -> dict:
    return dict(Group.objects.filter(pk__in=ids).values_list("pk", "name"))


def _permission_names(ids) -> dict:
    permissions = Permission.objects.filter(pk__in=ids).select_related("content_type")
    return {p.pk: f"{p.content_type.app_label}.{p.codename}" for p in permissions}


@dataclass
class _Change:
    owner: object
    added: set = field(default_factory=set)
    removed: set = field(default_factory=set)

    def add(self, targets) -> None:
        for target in targets:
            if target in self.removed:
                self.removed.discard(target)
            else:
                self.added.add(target)

    def remove(self, targets) -> None:
        for target in targets:
            if target in self.added:
                self.added.discard(target)
            else:
                self.removed.add(target)


# The changes of the groups and permissions of people in a `together()` block.
_together: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "pmc_account_changes", default=None
)


@contextlib.contextmanager
def together() -> Iterator[None]:
    """Around one save of a form (the admin's), which sets groups and permissions by
    removing and adding them: one event per person and relation for the whole block,
    with what was added and what removed, written when it ends. Inside the transaction
    of the change."""
    if _together.get() is not None:
        yield
        return
    token = _together.set({})
    try:
        yield
        changes = _together.get()
    finally:
        _together.reset(token)
    for (relation, _), change in changes.items():
        _record_change(relation, change)


def _related_changed(sender, instance, action, reverse, model, pk_set, using, **kwargs) -> None:
    relation = next(r for r in _relations() if r.through is sender)
    if action in ("pre_remove", "pre_clear"):
        instance._account_removing = _present_pairs(relation, instance, reverse, pk_set, using)
        return
    if action == "post_add":
        pairs = {_pair(instance.pk, pk, reverse) for pk in pk_set}
    elif action in ("post_remove", "post_clear"):
        pairs = instance.__dict__.pop("_account_removing", set())
    else:
        return
    if not pairs:
        return
    owners = _owners(relation, instance, reverse, {owner for owner, _ in pairs})
    pending = _together.get()
    for owner_pk, owner in owners.items():
        targets = {target for o, target in pairs if o == owner_pk}
        change = _Change(owner) if pending is None else pending.setdefault(
            (relation, owner_pk), _Change(owner)
        )  # fmt: skip
        (change.add if action == "post_add" else change.remove)(targets)
        if pending is None:
            _record_change(relation, change)


def _pair(instance_pk, other_pk, reverse: bool) -> tuple:
    """(owner, target) for a change made from either side of the relation."""
    return (other_pk, instance_pk) if reverse else (instance_pk, other_pk)


def _present_pairs(relation: _Relation, instance, reverse, pk_set, using) -> set:
    """The (owner, target) rows that a remove or clear is about to delete."""
    mine, theirs = (
        (relation.target, relation.owner) if reverse else (relation.owner, relation.target)
    )
    rows = relation.through._base_manager.using(using).filter(**{mine: instance.pk})
    if pk_set is not None:
        rows = rows.filter(**{f"{theirs}__in": pk_set})
    return {_pair(instance.pk, other, reverse) for other in rows.values_list(theirs, flat=True)}


def _owners(relation: _Relation, instance, reverse: bool, pks: set) -> dict:
    if not reverse:
        return {instance.pk: instance}
    owner_model = relation.through._meta.get_field(relation.owner.removesuffix("_id"))
    rows = owner_model.related_model._base_manager.filter(pk__in=pks)
    return {row.pk: row for row in rows}


def _record_change(relation: _Relation, change: _Change) -> None:
    if not change.added and not change.removed:
        return
    names = relation.label(change.added | change.removed)
    payload = {
        "added": sorted(names.get(pk, str(pk)) for pk in change.added),
        "removed": sorted(names.get(pk, str(pk)) for pk in change.removed),
    }
    if isinstance(change.owner, Group):
        payload = {"group": change.owner.name, "group_id": change.owner.pk, **payload}
        audit.record(action=relation.event, actor=acting.current() or SYSTEM, payload=payload)
    else:
        _record(relation.event, change.owner, **payload)


def _group_deleting(sender, instance, **kwargs) -> None:
    """Deleting a group takes it from its members without a signal of the relation."""
    for user in instance.user_set.all():
        _record(events.ACCOUNT_GROUPS_CHANGED, user, added=[], removed=[instance.name])


# Sign-in lockouts and unlocks (django-axes' attempts)


def _attempt_failed(sender, instance, raw, **kwargs) -> None:
    """A failed sign-in was counted: the one that reaches a limit locks out. The limits
    are the settings' numbers (django-axes also takes callables; this site does not)."""
    if raw:
        return
    recent = _recent(AccessAttempt.objects.all(), instance.attempt_time)
    pair = recent.filter(username=instance.username, ip_address=instance.ip_address)
    failures = _failures(pair)
    if failures == settings.AXES_FAILURE_LIMIT:
        _record_lockout(events.ACCOUNT_LOCKED_OUT, instance.username, failures=failures)
    failures = _failures(recent.filter(ip_address=instance.ip_address))
    if failures == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        _record_lockout(events.ACCOUNT_LOCKED_OUT, None, failures=failures)


@dataclass(frozen=True)
class _Attempt:
    pk: int
    username: str | None
    ip_address: str | None
    failures: int
    at: object


# The attempts being deleted, between their pre_delete and post_delete.
_deleting: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "pmc_deleting_attempts", default=None
)


def _attempt_deleting(sender, instance, **kwargs) -> None:
    deleting = _deleting.get()
    if deleting is None:
        deleting = []
        _deleting.set(deleting)
    deleting.append(
        _Attempt(
            instance.pk,
            instance.username,
            instance.ip_address,
            instance.failures_since_start,
            instance.attempt_time,
        )
    )


def _attempt_deleted(sender, instance, **kwargs) -> None:
    """Django deletes a batch of attempts before sending the first post_delete: the
    first one sees the whole batch gone and compares the counts before and after."""
    deleting = _deleting.get() or []
    if not deleting:
        return
    still_there = set(
        AccessAttempt.objects.filter(pk__in=[a.pk for a in deleting]).values_list("pk", flat=True)
    )
    now = timezone.now()
    cool_off = get_cool_off()
    gone = [
        a
        for a in deleting
        if a.pk not in still_there and (cool_off is None or a.at >= now - cool_off)
    ]
    deleting.clear()  # attempts of a failed delete are still there: not an unlock
    recent = _recent(AccessAttempt.objects.all(), now)
    unlocked_names: dict = {}
    for username, address in {(a.username, a.ip_address) for a in gone}:
        left = _failures(recent.filter(username=username, ip_address=address))
        deleted = sum(a.failures for a in gone if (a.username, a.ip_address) == (username, address))
        if left < settings.AXES_FAILURE_LIMIT <= left + deleted:
            unlocked_names[username] = unlocked_names.get(username, 0) + 1
    for username, addresses in unlocked_names.items():
        _record_lockout(events.ACCOUNT_UNLOCKED, username, addresses=addresses)
    for address in {a.ip_address for a in gone}:
        left = _failures(recent.filter(ip_address=address))
        deleted = sum(a.failures for a in gone if a.ip_address == address)
        if left < settings.LOGIN_ADDRESS_FAILURE_LIMIT <= left + deleted:
            _record_lockout(events.ACCOUNT_UNLOCKED, None)


def _recent(attempts, at):
    cool_off = get_cool_off()
    return attempts if cool_off is None else attempts.filter(attempt_time__gte=at - cool_off)


def _failures(attempts) -> int:
    return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0


def _authenticator_removed(sender, instance, **kwargs) -> None:
    """A confirmed authenticator app deleted (replaced by its owner, or removed by staff
    in the admin); one still being set up was never a power."""
    if instance.confirmed:
        _record(events.ACCOUNT_SECOND_FACTOR_REMOVED, instance.user)


def _record_lockout(action: str, username: str | None, **payload) -> None:
    """A lockout or unlock of a user name (at one address or more), or of an address
    for every user name (`username` None). A user name that is no account is not
    written: it may be a password typed into the wrong field."""
    subject = {"by": "address" if username is None else "user name"}
    if username is not None:
        user = get_user_model()._base_manager.filter(username=username).first()
        subject["user"] = user.get_username() if user else ""
        subject.update({"user_id": user.pk} if user else {"account": False})
    cool_off = get_cool_off()
    if action == events.ACCOUNT_LOCKED_OUT and cool_off is not None:
        payload["minutes"] = round(cool_off.total_seconds() / 60)
    actor = acting.current() if action == events.ACCOUNT_UNLOCKED else THROTTLE
    audit.record(action=action, actor=actor or THROTTLE, payload={**subject, **payload})
