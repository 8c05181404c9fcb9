"""Watch and Unwatch: a person's choice to hear of a proposal's discussion or not.

Like the notification choices on the profile, this is the person's own setting, not a
change to the proposal's lifecycle: it writes no event in the audit chain. It is kept
as a row either way, so that Unwatch is remembered when its author takes part again
(see `proposals.watching`).
"""

from __future__ import annotations

from django.utils import timezone

from proposals.actions._base import _locked, action
from proposals.errors import NotPermitted
from proposals.models import Watch


@action
def do_watch(*, proposal, actor, watching: bool = True) -> Watch:
    """Watch `proposal` (or, with `watching=False`, stop watching it)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotPermitted("Sign in to watch a proposal.")
    proposal = _locked(proposal)
    watch, _ = Watch.objects.update_or_create(
        proposal=proposal, user=actor, defaults={"watching": watching, "since": timezone.now()}
    )
    return watch
