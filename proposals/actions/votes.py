"""Votes: casting, changing and recusing, in the proposal's current round."""

from __future__ import annotations

import datetime

from django.utils import timezone

from proposals import events, permissions
from proposals.actions._base import _is_system, _locked, _proposal_event, action
from proposals.errors import NotPermitted, VoteRefused
from proposals.models import EligibleVoter, Vote
from proposals.states import State


@action
def do_cast_vote(
    *, proposal, actor, value: int, reason: str = "", at: datetime.datetime | None = None
) -> Vote:
    """Cast or change the actor's vote in the current round."""
    if value not in (1, 0, -1):
        raise VoteRefused("A vote is +1, 0 or -1.")
    if value == -1 and not reason.strip():
        raise VoteRefused("A -1 needs a reason: say what would change your vote.")
    return _record_ballot(proposal, actor, value=value, recused=False, reason=reason, at=at)


@action
def do_recuse(*, proposal, actor, reason: str = "", at: datetime.datetime | None = None) -> Vote:
    """Step aside for a conflict of interest: out of the quorum's denominator."""
    return _record_ballot(proposal, actor, value=None, recused=True, reason=reason, at=at)


def _record_ballot(proposal, actor, *, value, recused, reason, at) -> Vote:
    at = at or timezone.now()
    proposal = _locked(proposal)
    _require_open_vote(proposal, at)
    binding = _require_voter(proposal, actor)
    vote = Vote.objects.filter(proposal=proposal, round=proposal.vote_round, voter=actor).first()
    before = None if vote is None else ("recused" if vote.recused else vote.value)
    after = "recused" if recused else value
    # A proxy vote the chair recorded for the voter is replaced by their own, even unchanged.
    proxy = vote is not None and vote.recorded_by_id is not None
    if vote is not None and before == after and vote.reason == reason and not proxy:
        return vote
    if vote is None:
        vote = Vote(proposal=proposal, round=proposal.vote_round, voter=actor, binding=binding)
    vote.value = value
    vote.recused = recused
    vote.reason = reason
    vote.cast_at = at
    vote.revision = proposal.revision
    vote.recorded_by, vote.proxy_note = None, ""
    vote.save()
    if recused:
        action = events.VOTE_RECUSED
    else:
        action = events.VOTE_CAST if before is None else events.VOTE_CHANGED
    _proposal_event(
        proposal,
        action=action,
        actor=actor,
        at=at,
        reason=reason,
        payload={
            "vote": vote.pk,
            "round": vote.round,
            "from": before,
            "to": after,
            "binding": binding,
            "revision": vote.revision,
            **({"replaced_proxy": True} if proxy else {}),
        },
    )
    return vote


def _require_open_vote(proposal, at) -> None:
    if proposal.state != State.VOTING:
        raise VoteRefused(
            f"“{proposal}” is {proposal.get_state_display().lower()}, not open for voting."
        )
    if at >= proposal.closes_at:
        raise VoteRefused(
            f"The vote on “{proposal}” closed at {proposal.closes_at:%Y-%m-%d %H:%M %Z}; "
            "no more votes are accepted. Ask the chair if it should be reopened."
        )


def _require_voter(proposal, actor) -> bool:
    """Whether `actor`'s vote is binding; refused if they may not vote at all. The voters
    frozen at the start keep their binding vote even if their seat ends during the vote;
    anyone else must hold a seat now, and votes non-binding."""
    if _is_system(actor):
        raise NotPermitted("The system does not vote.")
    binding = (
        actor.is_authenticated
        and EligibleVoter.objects.filter(
            proposal=proposal, round=proposal.vote_round, user=actor
        ).exists()
    )
    if not (binding or permissions.has_perm("proposals.vote", actor, proposal)):
        raise NotPermitted(f"Only members of {proposal.committee} may vote on “{proposal}”.")
    return binding
