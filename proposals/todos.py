"""What waits for a person, for their home page: a chair's to-dos in each committee they
chair, and the checklist items a person owns. A fixed number of queries, however many
proposals there are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber

from pmc.models import Committee
from proposals.models import ChecklistItem, EligibleVoter, Event, Proposal, Vote
from proposals.states import State

# Drafts and deferred proposals listed per committee; the rest are a link to the list.
LISTED = 10


@dataclass
class ChairTodos:
    """What waits for the chair of one committee."""

    committee: Committee
    ready_to_close: list[Proposal] = field(default_factory=list)
    ready_to_vote: list[Proposal] = field(default_factory=list)
    waiting_on_items: list[Proposal] = field(default_factory=list)
    drafts: list[Proposal] = field(default_factory=list)
    drafts_total: int = 0
    deferred: list[Proposal] = field(default_factory=list)
    deferred_total: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.ready_to_close
            or self.ready_to_vote
            or self.waiting_on_items
            or self.drafts
            or self.deferred
        )


def open_items_count() -> Coalesce:
    """How many checklist items of the proposal a person still has to do."""
    counts = (
        ChecklistItem.objects.to_do()
        .filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def in_discussion_since() -> Subquery:
    """When the proposal last entered discussion (submitted, resumed or returned)."""
    entered = Event.objects.filter(proposal=OuterRef("pk"), to_state=State.DISCUSSION).order_by(
        "-id"
    )
    return Subquery(entered.values("at")[:1])


def someone_has_not_voted() -> Exists:
    """Whether an eligible voter of the current round has neither voted nor recused."""
    voted = Vote.objects.filter(
        proposal=OuterRef("proposal"), round=OuterRef("round"), voter=OuterRef("user")
    )
    return Exists(
        EligibleVoter.objects.filter(proposal=OuterRef("pk"), round=OuterRef("vote_round")).exclude(
            Exists(voted)
        )
    )


def chair_todos(committees: list[Committee], now: datetime.datetime) -> list[ChairTodos]:
    """The to-dos of the chair of `committees`: votes ready to close (the deadline has
    passed, or every eligible voter has voted), proposals discussed for the committee's
    discussion time (`Committee.discussion_days`), accepted proposals whose checklist
    has items open, drafts and deferred proposals. Two queries."""
    todos = {committee.pk: ChairTodos(committee) for committee in committees}
    if not todos:
        return []
    discussed_long_enough = Q()
    for committee in committees:
        cutoff = now - datetime.timedelta(days=committee.discussion_days)
        discussed_long_enough |= Q(committee=committee, discussion_since__lte=cutoff)
    waiting = (
        Proposal.objects.filter(committee__in=todos)
        .annotate(
            discussion_since=in_discussion_since(),
            unvoted=someone_has_not_voted(),
            open_items=open_items_count(),
        )
        .filter(
            Q(state=State.VOTING) & (Q(closes_at__lte=now) | Q(unvoted=False))
            | Q(state=State.DISCUSSION) & discussed_long_enough
            | Q(state=State.ACCEPTED, open_items__gt=0)
        )
        .order_by("closes_at", "discussion_since", "pk")
    )
    for proposal in waiting:
        todo = todos[proposal.committee_id]
        if proposal.state == State.VOTING:
            proposal.deadline_passed = proposal.closes_at <= now
            todo.ready_to_close.append(proposal)
        elif proposal.state == State.DISCUSSION:
            proposal.days_in_discussion = (now - proposal.discussion_since).days
            todo.ready_to_vote.append(proposal)
        else:
            todo.waiting_on_items.append(proposal)
    _attach_parked(todos)
    return list(todos.values())


def _attach_parked(todos: dict[int, ChairTodos]) -> None:
    """The latest drafts and deferred proposals of each committee (at most LISTED of
    each) and how many there are, in one query."""
    partition = [F("committee_id"), F("state")]
    parked = (
        Proposal.objects.filter(committee__in=todos, state__in=[State.DRAFT, State.DEFERRED])
        .select_related("proposer")
        .annotate(
            rank=Window(
                RowNumber(), partition_by=partition, order_by=[F("updated_at").desc(), F("pk")]
            ),
            total=Window(Count("pk"), partition_by=partition),
        )
        .filter(rank__lte=LISTED)
        .order_by("committee_id", "state", "rank")
    )
    for proposal in parked:
        todo = todos[proposal.committee_id]
        if proposal.state == State.DRAFT:
            todo.drafts.append(proposal)
            todo.drafts_total = proposal.total
        else:
            todo.deferred.append(proposal)
            todo.deferred_total = proposal.total


def owned_items(user) -> list[ChecklistItem]:
    """The open checklist items `user` owns on accepted proposals. One query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        ChecklistItem.objects.to_do()
        .filter(owner=user, proposal__state=State.ACCEPTED)
        .select_related("proposal", "proposal__committee")
        .order_by("proposal__committee__name", "proposal__title", "proposal_id", "position")
    )
