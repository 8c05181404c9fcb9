"""Blocking concerns as people read them: which hold a proposal's vote back, and the
sentence that says so (to a chair refused "Start the vote", and on the proposal page
where that button would be)."""

from __future__ import annotations

from proposals.models import Concern, Proposal

NAMED = 3  # open concerns named in one refusal; the rest are counted


def open_concerns(proposal: Proposal) -> list[Concern]:
    """The proposal's unresolved concerns, oldest first, with who raised them."""
    return list(
        Concern.objects.filter(proposal=proposal, resolved_at__isnull=True)
        .select_related("raised_by")
        .order_by("raised_at", "id")
    )


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def blocking_message(concerns: list[Concern]) -> str:
    """Why the vote cannot start, naming each open concern and who raised it, and what
    to do: "Alice raised a concern: “...”. Resolve it (Alice, or the chair with a
    reason) before starting the vote." """
    if not concerns:
        return ""
    named = concerns[:NAMED]
    raised = "; ".join(f"{_name(c.raised_by)} raised a concern: “{c.title}”" for c in named)
    if len(concerns) > NAMED:
        more = len(concerns) - NAMED
        raised += f"; and {more} more concern{'s are' if more > 1 else ' is'} open"
    if len(concerns) == 1:
        who = _name(concerns[0].raised_by)
        return f"{raised}. Resolve it ({who}, or the chair with a reason) before starting the vote."
    return (
        f"{raised}. Resolve them (each by whoever raised it, or the chair with a reason) "
        "before starting the vote."
    )
