"""Closing votes whose deadline has passed.

A periodic job (beat every minute, or the embedded jobs thread) sweeps the proposals in
voting whose `closes_at` has passed and closes each through `actions.do_close_vote`, so
the quorum-failure policy applies (extend once, then defer). Deadlines are never
scheduled as delayed tasks: a redelivered delayed task would close a vote twice, and a
lost one never. The sweep is safe to run on several workers at once: each proposal is
taken under a row lock that others skip (PostgreSQL) or inside an IMMEDIATE transaction
that others wait for (SQLite), and the transition itself refuses a vote already closed.
A proposal whose close fails unexpectedly stops nothing: it is recorded (`failures`) and
tried again by the next sweep, and the sweep goes on with the votes after it.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from proposals import actions, failures, voting
from proposals.actors import SYSTEM
from proposals.errors import LifecycleError
from proposals.models import Proposal
from proposals.states import State

logger = logging.getLogger(__name__)

JOB = "close_expired_votes"  # the name its failures are recorded under


@dataclass(frozen=True)
class Closing:
    proposal_id: int
    title: str
    closes_at: datetime.datetime
    outcome: str  # the new state; "voting" when a missed quorum extended the vote
    new_closes_at: datetime.datetime | None = None
    error: str = ""

    def describe(self, dry_run: bool = False) -> str:
        verb = "would" if dry_run else "did"
        name = f"#{self.proposal_id} “{self.title}”"
        if self.error:
            return f"{name}: not closed: {self.error}"
        deadline = f"deadline {self.closes_at:%Y-%m-%d %H:%M %Z}"
        if self.outcome == State.VOTING:
            until = f"{self.new_closes_at:%Y-%m-%d %H:%M %Z}"
            return f"{name} ({deadline}): quorum missed, {verb} extend to {until}"
        return f"{name} ({deadline}): {verb} close as {self.outcome}"


def expired(now: datetime.datetime | None = None):
    return Proposal.objects.voting().past_deadline(now).order_by("closes_at", "pk")


def close_expired_votes(*, now: datetime.datetime | None = None) -> list[Closing]:
    """Close every vote whose deadline has passed; return what happened to each.

    A proposal the close fails on unexpectedly (a bug, data the close cannot handle) is
    rolled back alone, logged and recorded as a `JobFailure`; the sweep goes on with the
    next, and the next sweep tries it again."""
    done: list[Closing] = []
    seen: set[int] = set()
    items = failures.Items(JOB, logger)
    while True:
        closed = None
        with transaction.atomic():
            # One proposal per transaction, so the audit chain's lock is held briefly.
            proposal = (
                expired(now or timezone.now())
                .exclude(pk__in=seen)
                .select_for_update(skip_locked=True)
                .first()
            )
            if proposal is None:
                break
            seen.add(proposal.pk)
            closes_at = proposal.closes_at
            try:
                # A savepoint: a failure undoes this close only; the row lock stays.
                with items.each(f"proposal {proposal.pk}", passes=(LifecycleError,)):
                    closed = actions.do_close_vote(
                        proposal=proposal.pk, actor=SYSTEM, at=now or timezone.now()
                    )
            except LifecycleError as refused:
                # Another sweep or the chair got there first, or it was withdrawn.
                logger.info("vote on proposal %s not closed: %s", proposal.pk, refused)
                done.append(
                    Closing(proposal.pk, proposal.title, closes_at, "", error=refused.message)
                )
                continue
        if closed is None:  # failed: recorded, tried again by the next sweep
            done.append(
                Closing(
                    proposal.pk,
                    proposal.title,
                    closes_at,
                    "",
                    error=f"failed: {items.last_error} (logged; the next sweep tries again)",
                )
            )
            continue
        done.append(
            Closing(
                closed.pk,
                closed.title,
                closes_at,
                closed.state,
                closed.closes_at if closed.state == State.VOTING else None,
            )
        )
        logger.info("closed the vote on proposal %s: %s", closed.pk, closed.state)
    return done


def preview(*, now: datetime.datetime | None = None) -> list[Closing]:
    """What `close_expired_votes` would do now, changing nothing."""
    now = now or timezone.now()
    previews = []
    for proposal in expired(now).select_related("committee"):
        outcome = voting.close_outcome(
            proposal.tally(),
            rules=proposal.vote_rules,
            extensions=proposal.vote_extensions,
            closes_at=proposal.closes_at,
            at=now,
        )
        previews.append(
            Closing(
                proposal.pk, proposal.title, proposal.closes_at, outcome.state, outcome.closes_at
            )
        )
    return previews
