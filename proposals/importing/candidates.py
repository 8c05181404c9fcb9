"""Which proposal raised before an item of the notes belongs to.

An item is about a proposal of its kind and project (whichever committee holds it) when
the meeting falls within the proposal's time:

- from the first meeting it came up in (or up to `RECENTLY` before, for notes imported
  out of order; from any date if no meeting has yet) until it was decided: the
  meetings that discussed it;
- while it is open (in draft, discussion or voting, or deferred), the meetings of any
  later date, unless it has lain `DORMANT` since the last meeting that mentioned it (one
  waiting for a condition it names never lies dormant); so is an accepted proposal the
  notes report as carried out;
- once decided, the meetings within `RECENTLY` of the decision: the notes report the
  outcome, or what was done, at the next meetings. Later than that, the same kind of
  item about the project is raised anew. After its decision a rejected proposal takes
  only items reporting that rejection; a withdrawn one takes none: raising either
  again is a new proposal.

A lead change or rename is about one lead or name: an item naming another is another
proposal (a second nominee, the next change); after the change was decided, so is an
item that names none (the next opening), while one that names none before the decision
is the same call, still waiting for its nominee."""

from __future__ import annotations

import datetime

from pmc.models import meeting_time
from pmc.notes import LifecycleMention, normalized_name
from proposals.kinds import KINDS
from proposals.models import Proposal
from proposals.states import State

RECENTLY = datetime.timedelta(days=92)
"""Three months: how long after a proposal's decision (or before it was first raised) a
meeting can be and still be about it. Committees meet every two to four weeks; the notes
report a decision carried out (the repository moved, the lead announced, the vote
confirmed) within the next few meetings, in the notes of any committee that discusses
it, so three months spans several meetings, a skipped month or a summer break. A
decision older than that is history: an item of the same kind about the project is a
new proposal (a project proposed for the attic again a year later, the next lead
change)."""

DORMANT = datetime.timedelta(days=366)
"""A year: how long an open proposal may go unmentioned in any meeting and still take
the items of later ones. A proposal still being worked on comes up again within months
(an incubation waiting for its repositories, an ownership change waiting for the other
team); one nobody has mentioned for a year was dropped without a decision the notes
record, and the same item raised now starts again."""

_DECIDED = (State.ACCEPTED, State.REJECTED, State.COMPLETED)
_NO_TIME = datetime.timedelta(0)


def choose(
    candidates: list[Proposal], mention: LifecycleMention, at: datetime.datetime
) -> tuple[Proposal, bool] | None:
    """The candidate the item belongs to, and whether it is linked to the meeting
    already; None when the item raises a new proposal. Of several, the one whose time
    is nearest the meeting's, then the first (the newest, as the import orders them)."""
    for proposal in candidates:
        if getattr(proposal, "linked", False):
            return proposal, True
    best = None
    for position, proposal in enumerate(candidates):
        gap = distance(proposal, mention, at)
        if gap is not None and (best is None or (gap, position) < best[:2]):
            best = (gap, position, proposal)
    return None if best is None else (best[2], False)


def distance(
    proposal: Proposal, mention: LifecycleMention, at: datetime.datetime
) -> datetime.timedelta | None:
    """How far the meeting at `at` is from the proposal's time (zero within it), or
    None when the item cannot be about the proposal. `first_met` and `last_met`, if the
    proposal carries them, are the dates of the oldest and newest meetings it is
    linked to."""
    if proposal.state == State.WITHDRAWN or _differs(proposal, mention):
        return None
    first_met = getattr(proposal, "first_met", None)
    if first_met is not None and at < meeting_time(first_met):
        return _within(meeting_time(first_met) - at, RECENTLY)
    start = proposal.created_at
    decided = proposal.decided_at or proposal.vote_closed_at
    if decided is not None and at <= decided:
        return _NO_TIME  # discussed before it was decided
    carried_out = proposal.state == State.ACCEPTED and mention.outcome == "completed"
    if proposal.state in _DECIDED and not carried_out:
        if proposal.state == State.REJECTED and mention.outcome != "rejected":
            return None
        detail = KINDS[proposal.kind].detail
        if detail is not None and not getattr(mention, detail.field).strip():
            return None  # the next opening, not the decided change
        return _within(at - (decided or start), RECENTLY)
    if proposal.condition:
        return (
            _NO_TIME  # waiting for its condition ("when the DEAs reach EOL") is not lying dormant
        )
    last_met = getattr(proposal, "last_met", None)
    last = max(start, meeting_time(last_met)) if last_met else start
    return None if at - last > DORMANT else _NO_TIME


def _within(gap: datetime.timedelta, limit: datetime.timedelta) -> datetime.timedelta | None:
    return gap if gap <= limit else None


def _differs(proposal: Proposal, mention: LifecycleMention) -> bool:
    """Whether the item names another lead or name than the proposal (one within the
    other, "Josh Collins" and "Josh Collins, Pivotal", is the same)."""
    detail = KINDS[proposal.kind].detail
    if detail is None:
        return False
    ours = normalized_name(getattr(mention, detail.field))
    theirs = normalized_name(getattr(proposal, detail.field))
    return bool(ours and theirs and ours not in theirs and theirs not in ours)
