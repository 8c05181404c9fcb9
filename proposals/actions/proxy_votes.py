"""Proxy votes: a member gives their vote to the chair outside the site (in a meeting,
by phone), and the chair records it on their behalf, with a note saying how.

The same rules as a member's own vote (`actions.votes`): only an eligible voter, only
while the vote is open, and a -1 needs a reason. It is shown as a proxy vote wherever
votes are shown, the member is notified, and their own vote replaces it until the vote
closes. A committee can switch proxy votes off (`Committee.proxy_votes`).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from proposals import events, permissions
from proposals.actions._base import _locked, _nonblank, _proposal_event, action
from proposals.actions.votes import _require_open_vote, _require_voter
from proposals.errors import NotPermitted, VoteRefused
from proposals.models import Vote


@action
def do_record_proxy_vote(
    *,
    proposal,
    actor,
    voter,
    value: int,
    note: str,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Vote:
    """The chair records `voter`'s vote, given to them outside the site, as `note` says."""
    at = at or timezone.now()
    proposal = _locked(proposal)
    committee = proposal.committee
    if not permissions.has_perm("proposals.record_proxy_vote", actor, proposal):
        raise NotPermitted(
            f"Only the chair of {committee} records a vote given to them on a member's behalf."
        )
    if not committee.proxy_votes:
        raise VoteRefused(
            f"{committee} has switched proxy votes off: {voter} votes on the site themselves."
        )
    if voter.pk == actor.pk:
        raise VoteRefused("Cast your own vote in the vote panel, not as a proxy vote.")
    if value not in (1, 0, -1):
        raise VoteRefused("A vote is +1, 0 or -1.")
    if value == -1 and not reason.strip():
        raise VoteRefused(
            f"A -1 needs a reason: write the reason {voter} gave for it, as they gave it."
        )
    note = _nonblank(
        note,
        f"Say how {voter} gave you their vote (e.g. “in the meeting of 2026-12-01”, "
        "“by phone”): the note is shown with the vote.",
    )
    _require_open_vote(proposal, at)
    binding = _require_voter(proposal, voter)
    vote = Vote.objects.filter(proposal=proposal, round=proposal.vote_round, voter=voter).first()
    if vote is not None and vote.recorded_by_id is None:
        raise VoteRefused(
            f"{voter} has voted on the site themselves; their own vote stands. They can "
            "change it until the vote closes."
        )
    before = None if vote is None else ("recused" if vote.recused else vote.value)
    if vote is None:
        vote = Vote(proposal=proposal, round=proposal.vote_round, voter=voter, binding=binding)
    vote.value, vote.recused, vote.reason = value, False, reason
    vote.recorded_by, vote.proxy_note = actor, note
    vote.cast_at, vote.revision = at, proposal.revision
    vote.save()
    _proposal_event(
        proposal,
        action=events.VOTE_PROXY_RECORDED,
        actor=actor,
        at=at,
        reason=reason,
        payload={
            "vote": vote.pk,
            "round": vote.round,
            "voter": voter.get_username(),
            "voter_id": voter.pk,
            "from": before,
            "to": value,
            "binding": binding,
            "revision": vote.revision,
            "note": note,
        },
    )
    return vote
