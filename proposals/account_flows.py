"""Which flow is changing an account, for whoever records changes to people.

A password set through the reset link and one set by its owner on the change form save
the same way (`User.set_password`, then `save`), and a deactivation saves `is_active`
like any edit in the admin. The views and actions that own those flows run them inside
`flow(...)`; a `pre_save`/`post_save` receiver on the user model reads `current()` in
the same thread to tell them apart, and to learn who acted and why:

    flow = account_flows.current()
    if flow is not None and flow.name == account_flows.PASSWORD_RESET: ...

Outside every flow (the admin's forms, the shell, `createsuperuser`) `current()` is None.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# The flows' names (the first two are names, not passwords).
# Set from the e-mailed link (PasswordResetConfirmView):
PASSWORD_RESET = "password_reset"  # noqa: S105
# Set by its owner, who gave the old one (PasswordChangeView):
PASSWORD_CHANGE = "password_change"  # noqa: S105
EMAIL_CHANGE = "email_change"  # confirmed from the link sent to the new address
PROFILE_EDIT = "profile_edit"  # full name on the profile page
INVITATION = "invitation"  # an account made by accepting an invitation
DEACTIVATION = "deactivation"  # `actions.do_deactivate_user`


@dataclass(frozen=True)
class Flow:
    """One account flow: its name, who acts (the user, an administrator, or a
    `SystemActor`; None for a person not signed in, such as one resetting a password)
    and the reason given."""

    name: str
    actor: Any = None
    reason: str = ""


_current: contextvars.ContextVar[Flow | None] = contextvars.ContextVar(
    "pmc_account_flow", default=None
)


@contextlib.contextmanager
def flow(name: str, *, actor: Any = None, reason: str = "") -> Iterator[Flow]:
    """Run the block as the account flow `name`."""
    current_flow = Flow(name, actor, reason)
    token = _current.set(current_flow)
    try:
        yield current_flow
    finally:
        _current.reset(token)


def current() -> Flow | None:
    """The account flow running now in this thread, or None."""
    return _current.get()
