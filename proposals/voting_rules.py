"""A committee's voting rules (`Committee.voting_rules()`, as a vote freezes them) in
words, for people: what `proposals.voting` does with them."""

from __future__ import annotations

from pmc.models import PassRule

_TO_PASS = {
    PassRule.MAJORITY: "More binding +1 than binding −1 votes; a tie fails.",
    PassRule.TWO_THIRDS_CAST: "At least two-thirds of the binding +1 and −1 votes cast are +1.",
    PassRule.TWO_THIRDS_ELIGIBLE: (
        "+1 from at least two-thirds of the eligible voters (less those who recuse)."
    ),
}


def duration(hours: int) -> str:
    """72 -> "72 hours (3 days)"; 30 -> "30 hours"."""
    text = f"{hours} hour{'s' if hours != 1 else ''}"
    if hours % 24 == 0:
        days = hours // 24
        text += f" ({days} day{'s' if days != 1 else ''})"
    return text


def _missed_quorum(rules: dict) -> str:
    extensions = rules["quorum_extensions"]
    if extensions == 0:
        return "The proposal is deferred."
    times = "once" if extensions == 1 else "twice" if extensions == 2 else f"{extensions} times"
    each = "" if extensions == 1 else " each"
    return (
        f"The vote is extended {times}, by {duration(rules['extension_hours'])}{each}; if "
        "quorum is still missed, the proposal is deferred."
    )


def in_words(rules: dict) -> list[tuple[str, str]]:
    """[(topic, sentence)] saying what `rules` mean, in the order a voter asks."""
    return [
        (
            "Who votes",
            "The members holding a seat when the vote opens: their votes are binding. A "
            "member who joins during the vote may vote too, but is not counted.",
        ),
        (
            "Votes",
            "+1, 0 or −1; a −1 needs a reason. A member may change their vote until the "
            "vote closes, or recuse for a conflict of interest.",
        ),
        (
            "Quorum",
            "More than half of the eligible voters, less those who recuse, cast a vote; "
            "a 0 counts towards quorum, not towards the result.",
        ),
        ("To pass", _TO_PASS[PassRule(rules["pass_rule"])]),
        ("How long", f"A vote stays open {duration(rules['duration_hours'])}."),
        (
            "Closing",
            "The vote closes at its deadline. The chair may close it earlier once every "
            "eligible voter has voted or recused, or when no vote still to come can change "
            "the result.",
        ),
        ("Missed quorum", _missed_quorum(rules)),
    ]
