"""Blocking concerns (as in rfcbot): a member with a binding vote says "not yet,
because ...", and the vote cannot start until the concern is resolved.

Raising one posts its explanation as a comment in the same transaction (the thread
shows it, with its mentions); the concern keeps a link to that comment. Resolving one
is for the member who raised it, or the committee's chair, who gives a reason when it
is someone else's. Nothing is deleted: a resolved concern stays, with who resolved it,
when and why. Each is an event in the audit chain.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from proposals import events, permissions
from proposals.actions._base import (
    _locked,
    _nonblank,
    _proposal_event,
    _single_line,
    action,
)
from proposals.actions.comments import do_post_comment
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Concern
from proposals.states import State

TITLE_MAX = Concern._meta.get_field("title").max_length


@action
def do_raise_concern(
    *, proposal, actor, title: str, explanation: str, at: datetime.datetime | None = None
) -> Concern:
    """Raise a blocking concern on `proposal`: while it is open the vote cannot start
    (a concern raised during the vote does not stop it; those who have not voted yet
    see it)."""
    at = at or timezone.now()
    proposal = _locked(proposal)
    _require_may_raise(actor, proposal)
    title = _checked_title(title)
    explanation = _nonblank(explanation or "", "Explain the concern: say what would resolve it.")
    comment = do_post_comment(proposal=proposal, actor=actor, body=explanation, at=at)
    concern = Concern.objects.create(
        proposal=proposal,
        title=title,
        comment=comment,
        raised_by=actor,
        raised_at=at,
        raised_in=proposal.state,
    )
    _proposal_event(
        proposal,
        action=events.CONCERN_RAISED,
        actor=actor,
        at=at,
        payload={
            "concern": concern.pk,
            "title": title,
            "comment": comment.pk,
            "state": proposal.state,
        },
    )
    return concern


@action
def do_resolve_concern(
    *, concern: Concern | int, actor, reason: str = "", at: datetime.datetime | None = None
) -> Concern:
    """Resolve a concern: by the member who raised it, or by the chair (who says why
    when it is someone else's). It stays on the proposal, marked resolved."""
    at = at or timezone.now()
    concern = _locked_concern(concern)
    if not permissions.has_perm("proposals.resolve_concern", actor, concern):
        raise NotPermitted(
            f"Only {_name(concern.raised_by)}, who raised it, or the chair of "
            f"{concern.proposal.committee} may resolve this concern."
        )
    if concern.resolved_at is not None:
        raise LifecycleError(
            f"This concern was already resolved by {_name(concern.resolved_by)} on "
            f"{timezone.localtime(concern.resolved_at):%Y-%m-%d}."
        )
    reason = (reason or "").strip()
    if concern.raised_by_id != actor.pk and not reason:
        raise LifecycleError(
            f"Say why you resolve {_name(concern.raised_by)}'s concern: the reason is shown "
            "with it."
        )
    concern.resolved_at, concern.resolved_by, concern.resolution = at, actor, reason
    concern.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    _proposal_event(
        concern.proposal,
        action=events.CONCERN_RESOLVED,
        actor=actor,
        at=at,
        reason=reason,
        payload={
            "concern": concern.pk,
            "title": concern.title,
            "raised_by": concern.raised_by_id,
            "state": concern.proposal.state,
        },
    )
    return concern


def resolve_by_decision(proposal, actor, meeting, at) -> list[Concern]:
    """A decision recorded from a meeting overrules the open concerns: the committee
    decided in the meeting, by consensus, with the concern before it. Each is resolved
    by the decision's actor, with the meeting as the reason; the concerns stay."""
    resolved = []
    now = timezone.now()
    for concern in proposal.concerns.filter(resolved_at__isnull=True).select_for_update():
        reason = (
            f"Settled by the decision in {meeting.committee}'s meeting of {meeting.date:%Y-%m-%d}."
        )
        concern.resolved_at = max(at or now, concern.raised_at)
        concern.resolved_by = None if getattr(actor, "is_system", False) else actor
        concern.resolution = reason
        concern.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        _proposal_event(
            proposal,
            action=events.CONCERN_RESOLVED,
            actor=actor,
            at=concern.resolved_at,
            reason=reason,
            payload={
                "concern": concern.pk,
                "title": concern.title,
                "raised_by": concern.raised_by_id,
                "state": proposal.state,
                "by_decision": meeting.pk,
            },
        )
        resolved.append(concern)
    return resolved


def raise_refusal(actor, proposal) -> LifecycleError | None:
    """Why `actor` may not raise a concern on `proposal`, as the error the action
    raises (a `NotPermitted` for who they are, a `LifecycleError` for the proposal's
    state); None when they may."""
    if permissions.has_perm("proposals.raise_concern", actor, proposal):
        return None
    if not getattr(actor, "is_authenticated", False):
        return NotPermitted("Sign in to raise a concern.")
    if proposal.state not in permissions.CONCERN_STATES:
        return LifecycleError(
            f"“{proposal}” is {proposal.get_state_display().lower()}: a concern is raised "
            "while a proposal is discussed or voted on. Comment instead."
        )
    if proposal.state == State.VOTING:
        return NotPermitted(
            f"Only the members who hold a binding vote in this vote on “{proposal}” raise "
            "concerns during it (members who joined since vote non-binding). Comment instead."
        )
    return NotPermitted(
        f"Only members of {proposal.committee} raise concerns on its proposals. Comment, "
        "or ask a member to raise it."
    )


def _require_may_raise(actor, proposal) -> None:
    refusal = raise_refusal(actor, proposal)
    if refusal is not None:
        raise refusal


def _checked_title(title: str) -> str:
    title = _nonblank(
        title or "", "Give the concern a short title: it is how the vote's refusal names it."
    )
    _single_line(title=title)
    if len(title) > TITLE_MAX:
        raise LifecycleError(
            f"A concern's title is at most {TITLE_MAX} characters; this one has "
            f"{len(title)}. Shorten it, and explain the rest in the text."
        )
    return title


def _locked_concern(concern: Concern | int) -> Concern:
    """The concern, read after its proposal is locked (proposal first, as every action
    locks)."""
    pk = concern.pk if isinstance(concern, Concern) else concern
    proposal_id = Concern.objects.filter(pk=pk).values_list("proposal_id", flat=True).first()
    if proposal_id is None:
        raise LifecycleError(f"There is no concern #{pk}. Reload the page.")
    proposal = _locked(proposal_id)
    found = (
        Concern.objects.select_for_update(of=("self",))
        .select_related("raised_by", "resolved_by")
        .get(pk=pk)
    )
    found.proposal = proposal
    return found


def _name(user) -> str:
    if user is None:
        return "the system"
    return user.get_full_name() or user.get_username()
