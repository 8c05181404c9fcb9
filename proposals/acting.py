"""Who is acting now, for changes whose code does not name an actor: Django's own code
that saves people (the admin's forms, `createsuperuser`, `changepassword`, a password
reset) calls no action of ours, yet its events need someone who acted.

During a request, `ActingPersonMiddleware` names the request's signed-in person. A
management command names itself: `manage.py` wraps every command in `acting_as`, and
a command of ours may name a more precise actor (`seed_demo`). Outside both (a script,
`call_command` from code) the actor is `COMMAND`. The value lives in a context
variable, so threads and requests never see each other's.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from proposals.actors import SystemActor

# Changes made outside any request by code that named no actor.
COMMAND = SystemActor("command")

_acting: contextvars.ContextVar[object | None] = contextvars.ContextVar("pmc_acting", default=None)


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    """Within the block, `current()` is `actor`: a user, a `SystemActor` or a request
    (whose user is read when asked, so a sign-in during the request counts)."""
    token = _acting.set(actor)
    try:
        yield
    finally:
        _acting.reset(token)


def current():
    """The person or system acting now: a signed-in user, a `SystemActor`, or None
    when the request's visitor is not signed in (a password reset link, a failed
    sign-in): the caller decides who that is."""
    actor = _acting.get()
    if actor is None:
        return COMMAND
    user = getattr(actor, "user", None) if _is_request(actor) else actor
    if user is None or not (getattr(user, "is_system", False) or user.is_authenticated):
        return None
    return user


def command_actor(argv: list[str]) -> SystemActor:
    """The actor of `manage.py <command> ...`: system:command:<command>."""
    name = argv[1] if len(argv) > 1 and not argv[1].startswith("-") else ""
    return SystemActor(f"command:{name}") if name else COMMAND


def _is_request(value) -> bool:
    return hasattr(value, "META") and hasattr(value, "method")


class ActingPersonMiddleware:
    """Names the request's person as the actor of what its view changes without an
    action of ours (the admin's user forms): after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request):
            return self.get_response(request)
