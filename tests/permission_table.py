"""Who may do what to a proposal, cell by cell: the one table the site's tests
(`tests/web`) and the API's (`tests/api`) both run, so that the two answer alike.

The actors are those of `tests.base.CommitteeActorsMixin`: an anonymous visitor, an
outsider, a member of another committee (Extensions), a member of Runtime, the proposal's
proposer (a member too) and Runtime's chair; the discussion adds a former member and
staff."""

from __future__ import annotations

from django.utils import timezone

from proposals import actions
from proposals.models import Proposal
from proposals.states import State
from tests.factories import make_meeting, make_proposal

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


class MatrixCasesMixin:
    """The table's actors as users, and a proposal ready for each cell, for a test case
    on `tests.base.CommitteeActorsMixin`."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Held today: a decision recorded now is taken in a meeting held since filing.
        cls.meeting = make_meeting(cls.committee, timezone.localdate())

    def actor(self, who: str):
        """The user of an actor of the table (None for the anonymous visitor)."""
        if who == "anonymous":
            return None
        return {"proposer": self.member, "member": self.other_member}.get(who) or getattr(self, who)

    def make(self, state: str, **fields) -> Proposal:
        return make_proposal(self.committee, self.member, state=state, chair=self.chair, **fields)

    def voting(self) -> Proposal:
        return self.make(State.VOTING)

    def everyone_votes(self, proposal: Proposal) -> None:
        for voter in (self.chair, self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)

    def ready(self, name: str) -> Proposal:
        """A proposal from which the transition `name` can run, given the right actor."""
        if name == "close_vote":
            proposal = self.voting()
            self.everyone_votes(proposal)
            return proposal
        proposal = self.make(TRANSITIONS[name][0])
        if name == "complete":
            for item in proposal.checklist.to_do():
                actions.do_set_checklist_item(item=item, actor=self.chair)
        return proposal


class EveryTransitionMixin:
    """One test per transition of `TRANSITIONS`, each through the class's own
    `check_matrix(name)`: the site's buttons and the API try the same cells."""

    def test_it_lets_only_the_proposer_submit(self):
        self.check_matrix("submit")

    def test_it_lets_only_the_chair_start_the_vote(self):
        self.check_matrix("start_vote")

    def test_it_lets_only_the_chair_close_a_settled_vote(self):
        self.check_matrix("close_vote")

    def test_it_lets_only_the_chair_return_a_vote_to_discussion(self):
        self.check_matrix("return_to_discussion")

    def test_it_lets_only_the_chair_complete(self):
        self.check_matrix("complete")

    def test_it_lets_only_the_chair_record_a_decision(self):
        self.check_matrix("decide")

    def test_it_lets_only_the_proposer_withdraw(self):
        self.check_matrix("withdraw")

    def test_it_lets_only_the_chair_defer(self):
        self.check_matrix("defer")

    def test_it_lets_the_chair_or_the_proposer_resume(self):
        self.check_matrix("resume")
