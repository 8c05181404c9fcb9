"""Personal API tokens: a person creates them on their profile page and revokes them
there; an administrator or the system may revoke anyone's (a token that leaked, say:
`manage.py revoke_api_token`).

The token's text is returned once, by `do_create_api_token`, and never stored: the row
keeps its SHA-256 (what `proposals.api.authentication` looks it up by) and its first
characters, to tell tokens apart. Each creation and revocation is an event about the
person's account that names the token by its name, scope and first characters only.

A staff member or chair who must confirm a second factor before acting
(`pmc.second_factor`) creates tokens only in a session that has confirmed one, and the
token remembers it: a script writing with a token acts for a person who passed the
second factor when they made it, and a token made before that was needed only reads.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from pmc import second_factor
from proposals import audit, events
from proposals.actions._base import _is_admin, _nonblank, _single_line, action
from proposals.api.authentication import token_hash
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import ApiToken

# Every token starts with this, so that a token pasted where it should not be (a
# repository, a chat) is recognised for what it is.
TOKEN_START = "pmc_"  # noqa: S105 (a public prefix, not a secret)
# The token's first characters kept and shown: the start and 8 random characters.
PREFIX_LENGTH = len(TOKEN_START) + 8
# How many tokens that are not revoked one person may hold.
MAX_ACTIVE_TOKENS = 20
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


@dataclass(frozen=True)
class NewToken:
    """A token just created: its row, and its text, which is shown this once."""

    token: ApiToken
    text: str


@action
def do_create_api_token(*, user, name: str, scope: str, actor) -> NewToken:
    """Create a token for `user` (only they may) named `name` with `scope` (read or
    write); returns it with its text, which nothing keeps."""
    if getattr(actor, "pk", None) != user.pk:
        raise NotPermitted("Only the person themselves may create their API tokens.")
    confirmed = _second_factor_confirmed(actor)
    name = _nonblank(name, "Give the token a name that says what it is for.")
    _single_line(name=name)
    if len(name) > NAME_MAX_LENGTH:
        raise LifecycleError(
            f"The name has {len(name)} characters; keep it to {NAME_MAX_LENGTH} at most."
        )
    if scope not in ApiToken.Scope.values:
        raise LifecycleError("Choose the scope “read” or “read and write”.")
    # One change of a person's tokens at a time, so that two forms sent at once cannot
    # both pass the limit below.
    get_user_model()._base_manager.select_for_update().filter(pk=user.pk).exists()
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise LifecycleError(
            f"You have {MAX_ACTIVE_TOKENS} API tokens, the most one person may hold. "
            "Revoke one you no longer use, then create the new one."
        )
    if active.filter(name=name).exists():
        raise LifecycleError(
            f"You already have a token named “{name}”. Pick another name, or revoke that "
            "token first."
        )
    text = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=text[:PREFIX_LENGTH],
        key_hash=token_hash(text),
        second_factor=confirmed,
    )
    _record(events.API_TOKEN_CREATED, token, actor)
    return NewToken(token=token, text=text)


@action
def do_revoke_api_token(*, token: ApiToken, actor) -> bool:
    """Revoke `token` (its owner or an administrator may): it stops working at once.
    Returns False if it was revoked already, which changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if getattr(actor, "pk", None) != token.user_id and not _is_admin(actor):
        raise NotPermitted("Only the token's owner or an administrator may revoke it.")
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    _record(events.API_TOKEN_REVOKED, token, actor)
    return True


def _second_factor_confirmed(actor) -> bool:
    """Whether the actor's session confirmed a second factor; refused when they need one
    (`pmc.second_factor.required_for`) and have not."""
    verified = getattr(actor, "is_verified", None)
    confirmed = bool(verified()) if callable(verified) else False
    if second_factor.required_for(actor) and not confirmed:
        raise NotPermitted(
            "Staff and chairs confirm their second factor before creating an API token: "
            "enter a code from your authenticator app, then create it again."
        )
    return confirmed


def _record(action_name: str, token: ApiToken, actor) -> None:
    """The event about the token's owner's account: never the token or its hash."""
    audit.record(
        action=action_name,
        actor=actor,
        payload={
            "user": token.user.get_username(),
            "user_id": token.user_id,
            "token": token.pk,
            "name": token.name,
            "scope": token.scope,
            "prefix": token.prefix,
        },
    )
