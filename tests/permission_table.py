"""Who may do what to a proposal, cell by cell: the one table the site's tests
(`tests/web`) and the API's (`tests/api`) both run, so that the two answer alike.

The actors are those of `tests.base.CommitteeActorsMixin`: an anonymous visitor, an
outsider, a member of another committee (Extensions), a member of Runtime, the proposal's
proposer (a member too) and Runtime's chair; the discussion adds a former member and
staff."""

from __future__ import annotations

from proposals.states import State

ACTORS = ("anonymous", "outsider", "foreign_member", "member", "proposer", "chair")

# transition: (from, to, who may, whom the refusal names)
TRANSITIONS = {
    "submit": (State.DRAFT, State.DISCUSSION, {"proposer"}, "the proposer"),
    "start_vote": (State.DISCUSSION, State.VOTING, {"chair"}, "the committee's chair"),
    "close_vote": (State.VOTING, State.ACCEPTED, {"chair"}, "the chair"),
    "return_to_discussion": (State.VOTING, State.DISCUSSION, {"chair"}, "the committee's chair"),
    "complete": (State.ACCEPTED, State.COMPLETED, {"chair"}, "the committee's chair"),
    "decide": (State.DISCUSSION, State.ACCEPTED, {"chair"}, "the committee's chair"),
    "withdraw": (State.DRAFT, State.WITHDRAWN, {"proposer"}, "the proposer"),
    "defer": (State.DISCUSSION, State.DEFERRED, {"chair"}, "the committee's chair"),
    "resume": (
        State.DEFERRED,
        State.DISCUSSION,
        {"chair", "proposer"},
        "the committee's chair or the proposer",
    ),
}

# Votes and recusals in an open vote: (action, event); who may, and the refusal of the
# others (the proposal's title filled in).
BALLOTS = {"vote": "vote.cast", "recuse": "vote.recused"}
VOTERS = {"member", "proposer", "chair"}
BALLOT_REFUSAL = "Only members of Runtime may vote on “{title}”."

# Filing a proposal in Runtime: who may; the outsider is refused, and a member of
# another committee finds Runtime is not one of the committees offered.
FILERS = {"member", "chair"}
FILING_REFUSAL = "Only members of a committee can file proposals."
FILING_ELSEWHERE = "Select a valid choice."

# Editing a proposal in discussion.
EDITORS = {"proposer", "chair"}
EDIT_REFUSAL = "Only the proposer or the chair may edit “{title}”."

# The discussion of a proposal in discussion.
DISCUSSION_ACTORS = (
    "anonymous",
    "outsider",
    "foreign_member",
    "former",
    "member",
    "chair",
    "staff",
)
COMMENTERS = {"member", "chair"}
COMMENT_REFUSAL = "Only members of Runtime comment on its proposals."
