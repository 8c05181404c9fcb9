"""Committees: adding them and changing their description or voting policy."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.text import slugify

from pmc.models import Committee, Membership
from proposals import audit, events
from proposals.actions._base import (
    _apply_changes,
    _is_admin,
    _nonblank,
    _require_committee_admin,
    _require_known_fields,
    _single_line,
    action,
)
from proposals.errors import LifecycleError, NotPermitted

COMMITTEE_FIELDS = (
    "name",
    "description",
    "pass_rule",
    "vote_duration_hours",
    "quorum_extensions",
    "extension_hours",
    "discussion_days",
)
# What a committee's chair (or an administrator) sets for its meetings on the
# committee's page (`do_set_meeting_rules`); the admin shows them read-only.
MEETING_RULE_FIELDS = ("meeting_quorum", "proxy_votes")


@action
def do_update_committee(*, committee: Committee | int, actor, reason: str = "", **changes):
    """Change a committee's description, voting policy or discussion time (administrators
    only). Votes already running keep the rules frozen when they started."""
    _require_known_fields(changes, COMMITTEE_FIELDS, "changed")
    if not _is_admin(actor):
        raise NotPermitted("Only administrators may change a committee's voting policy.")
    pk = committee.pk if isinstance(committee, Committee) else committee
    committee = Committee.objects.select_for_update().get(pk=pk)
    if changes.get("vote_duration_hours", 72) < 72:
        raise LifecycleError("A vote lasts at least 72 hours.")
    return _save_changes(committee, changes, actor, reason)


@action
def do_set_meeting_rules(
    *, committee: Committee, actor, meeting_quorum: int, proxy_votes: bool, reason: str = ""
) -> Committee:
    """Set how many binding members a meeting needs for a decision recorded in it (0 for
    no meeting quorum) and whether the chair may record proxy votes: the committee's
    chair or an administrator. Decisions and votes already recorded are not affected."""
    _require_committee_admin(actor, committee, "change its meeting rules")
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    seats = Membership.objects.active().filter(committee=committee).count()
    if not isinstance(meeting_quorum, int) or meeting_quorum < 0:
        raise LifecycleError("The meeting quorum is a number of members, 0 for none.")
    if meeting_quorum > max(seats, 1):
        raise LifecycleError(
            f"{committee} has {seats} members; a meeting quorum of {meeting_quorum} could "
            f"never be met. Choose at most {seats}, or 0 for none."
        )
    changes = {"meeting_quorum": meeting_quorum, "proxy_votes": bool(proxy_votes)}
    return _save_changes(committee, changes, actor, reason)


def _save_changes(committee: Committee, changes: dict, actor, reason: str) -> Committee:
    """Save the fields of `changes` that differ, with one `committee.updated` event
    naming each change (none when nothing differs)."""
    changed = _apply_changes(committee, changes)
    if changed:
        committee.save(update_fields=list(changed))
        audit.record(
            action=events.COMMITTEE_UPDATED,
            actor=actor,
            committee=committee,
            reason=reason,
            payload={"changed": changed},
        )
    return committee


@action
def do_create_committee(
    *, actor, name: str, reason: str = "", at: datetime.datetime | None = None
) -> Committee:
    """Add a committee (administrators may; so does the notes import for its folders)."""
    if not _is_admin(actor):
        raise NotPermitted("Only an administrator may add committees.")
    _single_line(name=name)
    name = _nonblank(name, "A committee needs a name.")
    slug = slugify(name)[:100] or f"committee-{Committee.objects.count() + 1}"
    if Committee.objects.filter(Q(name__iexact=name) | Q(slug=slug)).exists():
        raise LifecycleError(f"A committee named {name} already exists.")
    committee = Committee.objects.create(name=name[:100], slug=slug)
    audit.record(
        action=events.COMMITTEE_CREATED,
        actor=actor,
        at=at,
        committee=committee,
        reason=reason,
        payload={"name": committee.name, "slug": committee.slug},
    )
    return committee
