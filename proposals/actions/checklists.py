"""Checklists: the steps an accepted proposal needs before it is complete."""

from __future__ import annotations

from django.utils import timezone

from proposals import events, kinds, permissions
from proposals.actions._base import _is_system, _locked, _proposal_event, action
from proposals.errors import InvalidTransition, NotPermitted
from proposals.models import ChecklistItem, Proposal
from proposals.states import State


def _create_checklist(proposal: Proposal) -> None:
    """The accepted proposal's checklist for its kind: the proposer owns what people do;
    what completing does by itself belongs to nobody."""
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            proposal=proposal,
            position=i,
            text=step.text,
            owner=None if step.by_system else proposal.proposer,
            by_system=step.by_system,
        )
        for i, step in enumerate(kinds.checklist_for(proposal.kind, proposal.condition))
    )


def _mark_system_items_done(proposal: Proposal, at) -> list[str]:
    """On completion: the items the system does (what completing did to the project)
    are done, by nobody; returns their texts, for the completion's event."""
    items = proposal.checklist.filter(by_system=True, done=False).order_by("position")
    texts = list(items.values_list("text", flat=True))
    items.update(done=True, done_at=at, done_by=None)
    return texts


@action
def do_set_checklist_item(
    *, item: ChecklistItem | int, actor, done: bool = True, at=None
) -> ChecklistItem:
    """Tick (or untick) a checklist item: its owner or the chair may."""
    pk = item.pk if isinstance(item, ChecklistItem) else item
    item = ChecklistItem.objects.select_for_update().select_related("proposal").get(pk=pk)
    proposal = _locked(item.proposal_id)
    item.proposal = proposal
    if not permissions.has_perm("proposals.tick_checklist_item", actor, item):
        raise NotPermitted(
            "Only the item's owner, while they hold a seat in the committee, or the chair "
            "may tick it."
        )
    if proposal.state != State.ACCEPTED:
        raise InvalidTransition(
            f"“{proposal}” is {proposal.get_state_display().lower()}; its checklist is "
            "only worked while it is accepted."
        )
    if item.by_system:
        raise InvalidTransition(
            f"“{item.text}” is done by the system when “{proposal}” is completed; nobody ticks it."
        )
    if item.done == done:
        return item
    at = at or timezone.now()
    item.done = done
    item.done_at = at if done else None
    item.done_by = None if _is_system(actor) or not done else actor
    item.save()
    _proposal_event(
        proposal,
        action=events.CHECKLIST_DONE if done else events.CHECKLIST_REOPENED,
        actor=actor,
        at=at,
        payload={"item": item.pk, "text": item.text},
    )
    return item
