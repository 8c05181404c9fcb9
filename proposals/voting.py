"""The tally: how a committee's frozen voting rules turn ballots into a result, what
closing a vote on that result does, and when a vote may be set to close.

Pure functions over counts and plain rows, so every rule can be checked without a
database; `Proposal.tally()` loads one proposal's current round.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from pmc.models import PassRule
from proposals.states import State


@dataclass(frozen=True)
class Ballot:
    value: int | None  # +1, 0, -1; None when recused
    recused: bool
    binding: bool


@dataclass(frozen=True)
class Tally:
    pass_rule: str
    eligible: int
    yes: int
    no: int
    abstain: int
    recused: int
    not_voted: int
    non_binding_yes: int = 0
    non_binding_no: int = 0
    non_binding_abstain: int = 0

    @property
    def denominator(self) -> int:
        """Eligible voters who have not recused: the base of the quorum."""
        return self.eligible - self.recused

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def quorum_needed(self) -> int:
        return self.denominator // 2 + 1

    @property
    def quorum_met(self) -> bool:
        return self.denominator > 0 and 2 * self.cast > self.denominator

    @property
    def passed(self) -> bool:
        return self.quorum_met and _passes(self.pass_rule, self.yes, self.no, self.denominator)

    @property
    def outcome(self) -> str:
        if not self.quorum_met:
            return "no quorum"
        return "passes" if self.passed else "fails"

    @property
    def counts_text(self) -> str:
        """The binding ballots in words: "+1 9, −1 2, 0 2, 1 recused, 1 did not vote"."""
        parts = [f"+1 {self.yes}", f"−1 {self.no}", f"0 {self.abstain}"]
        if self.recused:
            parts.append(f"{self.recused} recused")
        if self.not_voted:
            parts.append(f"{self.not_voted} did not vote")
        return ", ".join(parts)

    @property
    def result_text(self) -> str:
        """A closed vote's result as a sentence: "Accepted: +1 9, −1 2, 0 2, 1 recused;
        quorum 8 of 15 reached." The quorum is more than half of the voters who did not
        recuse; without it the vote decides nothing."""
        verdict = "Accepted" if self.passed else "Rejected" if self.quorum_met else "No quorum"
        return f"{verdict}: {self.counts_text}; {self.quorum_text}."

    @property
    def quorum_text(self) -> str:
        """ "quorum 8 of 15 reached": more than half of the voters who did not recuse."""
        if self.denominator == 0:
            return "no quorum possible: every voter recused"
        reached = "reached" if self.quorum_met else "not reached"
        return f"quorum {self.quorum_needed} of {self.denominator} {reached}"

    @property
    def settled(self) -> bool:
        """True when the chair may close early: everyone has voted or recused, or no
        remaining ballot can change the result."""
        if self.not_voted == 0:
            return True
        if not self.quorum_met:
            return False
        # Each rule is linear in the counts, so the result over every mix of the
        # remaining ballots is bounded by the cases where all of them go one way.
        r = self.not_voted
        cases = [
            (self.yes + r, self.no, self.denominator),
            (self.yes, self.no + r, self.denominator),
            (self.yes, self.no, self.denominator - r),  # all recuse
            (self.yes, self.no, self.denominator),  # all abstain or stay away
        ]
        results = {_passes(self.pass_rule, yes, no, den) for yes, no, den in cases}
        return len(results) == 1


def _passes(rule: str, yes: int, no: int, denominator: int) -> bool:
    if rule == PassRule.MAJORITY:
        return yes > no
    if rule == PassRule.TWO_THIRDS_CAST:
        return yes + no > 0 and 3 * yes >= 2 * (yes + no)
    if rule == PassRule.TWO_THIRDS_ELIGIBLE:
        return denominator > 0 and 3 * yes >= 2 * denominator
    raise ValueError(f"Unknown pass rule {rule!r}")


def count(pass_rule: str, eligible: int, ballots: Iterable[Ballot]) -> Tally:
    counts = {"yes": 0, "no": 0, "abstain": 0, "recused": 0}
    non_binding = {"yes": 0, "no": 0, "abstain": 0}
    binding_seen = 0
    for ballot in ballots:
        if ballot.binding:
            binding_seen += 1
            if ballot.recused:
                counts["recused"] += 1
            else:
                counts[_name(ballot.value)] += 1
        elif not ballot.recused:
            non_binding[_name(ballot.value)] += 1
    return Tally(
        pass_rule=pass_rule,
        eligible=eligible,
        not_voted=eligible - binding_seen,
        non_binding_yes=non_binding["yes"],
        non_binding_no=non_binding["no"],
        non_binding_abstain=non_binding["abstain"],
        **counts,
    )


def _name(value: int | None) -> str:
    return {1: "yes", -1: "no", 0: "abstain"}[value]


def count_rows(
    rules: dict | None, eligible: int, rows: Iterable[tuple[int | None, bool, bool]]
) -> Tally:
    """One round's tally from its (value, recused, binding) vote rows, under its rules."""
    ballots = (
        Ballot(value=value, recused=recused, binding=binding) for value, recused, binding in rows
    )
    return count((rules or {}).get("pass_rule", PassRule.MAJORITY), eligible, ballots)


def tally_for(proposal) -> Tally:
    """The tally of the proposal's current voting round: `proposal.tally()`."""
    return proposal.tally()


@dataclass(frozen=True)
class CloseOutcome:
    """What closing a vote does: the new state, and the new deadline of an extension."""

    state: str  # accepted, rejected, deferred, or voting when a missed quorum extends it
    closes_at: datetime.datetime | None = None  # the new deadline of an extended vote


# The longest a chair may give a vote, from its start: a deadline further off lets the
# proposal go stale (a committee whose own duration is longer keeps that duration).
MAX_VOTE_HOURS = 14 * 24


@dataclass(frozen=True)
class DeadlineRange:
    """The deadlines a vote starting at `start` may have under a committee's rules: the
    committee's duration is the shortest, MAX_VOTE_HOURS the longest."""

    start: datetime.datetime
    earliest: datetime.datetime
    latest: datetime.datetime

    def __contains__(self, deadline: datetime.datetime) -> bool:
        return self.earliest <= deadline <= self.latest

    def refusal(self, deadline: datetime.datetime) -> str:
        """Why `deadline` is refused, with the range allowed, in the current time zone."""
        hours = round((self.earliest - self.start).total_seconds() / 3600)
        days = round((self.latest - self.start).total_seconds() / 86400)
        return (
            f"The vote can close from {_when(self.earliest)} ({hours} hours after it starts, "
            f"the committee's rule) to {_when(self.latest)} ({days} days after it starts); "
            f"{_when(deadline)} is outside that range. Choose a time in it, or leave the "
            "deadline empty to close after the committee's usual duration."
        )


def _when(moment: datetime.datetime) -> str:
    """`moment` in the active time zone (the reader's, when one is set)."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"


def deadline_range(rules: dict, start: datetime.datetime) -> DeadlineRange:
    """When a vote that starts at `start` under `rules` may be set to close."""
    shortest = datetime.timedelta(hours=rules["duration_hours"])
    longest = max(shortest, datetime.timedelta(hours=MAX_VOTE_HOURS))
    return DeadlineRange(start=start, earliest=start + shortest, latest=start + longest)


def default_deadline(rules: dict, start: datetime.datetime) -> datetime.datetime:
    """The deadline of a vote whose chair chose none: the committee's duration."""
    return deadline_range(rules, start).earliest


def close_outcome(
    tally: Tally,
    *,
    rules: dict,
    extensions: int,
    closes_at: datetime.datetime,
    at: datetime.datetime,
) -> CloseOutcome:
    """Closing at `at`: the result, else an extension while `rules` allow, else deferral."""
    if tally.quorum_met:
        return CloseOutcome(State.ACCEPTED if tally.passed else State.REJECTED)
    if extensions < rules["quorum_extensions"]:
        extended = max(at, closes_at) + datetime.timedelta(hours=rules["extension_hours"])
        return CloseOutcome(State.VOTING, extended)
    return CloseOutcome(State.DEFERRED)
