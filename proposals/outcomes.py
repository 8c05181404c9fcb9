"""What meeting notes record about a proposal, as the transitions that take it there
(`steps_to`), and which of those wait until a chair confirms the reading (`held_steps`).

The import and the review of its readings both ask here, so the rule is written once:
a reading read with low confidence moves its proposal no further than submitted, and
no reading completes a proposal (which renames or retires its project) until a chair
has confirmed or corrected it.
"""

from __future__ import annotations

from proposals.states import CONFIRMED_READINGS, Confidence, State

# What a reading no one has confirmed may still do, by its confidence.
_UNCONFIRMED_MAY = {
    Confidence.HIGH: {"submit", "resume", "defer", "decide"},
    Confidence.LOW: {"submit"},
}


def steps_to(state: str, outcome: str) -> list[str]:
    """The transitions that take a proposal from `state` to where the notes leave it
    (`outcome`: pending, deferred, approved, rejected or completed)."""
    steps = []
    if state == State.DRAFT:
        steps.append("submit")
        state = State.DISCUSSION
    if outcome == "pending":
        return steps
    if state == State.DEFERRED and outcome != "deferred":
        steps.append("resume")
        state = State.DISCUSSION
    if state == State.DISCUSSION and outcome == "deferred":
        steps.append("defer")
    elif state == State.DISCUSSION and outcome in ("approved", "completed", "rejected"):
        steps.append("decide")
        state = State.REJECTED if outcome == "rejected" else State.ACCEPTED
    if outcome == "completed" and state == State.ACCEPTED:
        steps.append("complete")
    return steps


def held_steps(steps: list[str], *, confidence: str, status: str) -> tuple[list[str], list[str]]:
    """`steps` split into those taken now and those held until a chair confirms the
    reading: a confirmed or corrected reading takes them all; one no one has confirmed
    takes them up to the first it may not take (a step after a held one waits too)."""
    if status in CONFIRMED_READINGS:
        return list(steps), []
    may = _UNCONFIRMED_MAY.get(confidence, _UNCONFIRMED_MAY[Confidence.LOW])
    for index, step in enumerate(steps):
        if step not in may:
            return steps[:index], steps[index:]
    return list(steps), []
