"""What every action shares: locking, the one transition runner, the shared checks and
the messages they give when they refuse."""

from __future__ import annotations

import datetime
import functools

from django.core.exceptions import ValidationError
from django.db import transaction
from django_fsm import can_proceed

from pmc.models import Committee, Project, Role
from pmc.text import validate_single_line
from proposals import audit, concerns, events, lifecycle, permissions
from proposals.errors import (
    ConditionNotMet,
    InvalidTransition,
    LifecycleError,
    NotPermitted,
    StaleState,
)
from proposals.kinds import KINDS
from proposals.models import Proposal
from proposals.states import ReadingStatus


def action(function):
    """An action: its own transaction (a savepoint inside another) whose events are kept
    only if it succeeds, also when events are written later (`audit.deferred`)."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        with transaction.atomic(), audit.kept_if_done():
            return function(*args, **kwargs)

    return run


def _locked(proposal: Proposal | int) -> Proposal:
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("committee", "project")
        .get(pk=pk)
    )


def _transition(
    proposal: Proposal | int,
    name: str,
    actor,
    *,
    reason: str = "",
    at: datetime.datetime | None = None,
    expected_state: str | None = None,
    payload: dict | None = None,
    arguments: dict | None = None,
    precheck=None,
    locked: bool = False,
) -> Proposal:
    """Check, run and record one transition. Runs inside the caller's atomic block.

    `arguments` go to the transition method; `payload` goes into the event. `locked`
    says that `proposal` is the row the caller has just locked with `_locked` in this
    transaction, so it is not read and locked a second time.
    """
    if not locked:
        proposal = _locked(proposal)
    proposal.acting_at = at  # the time the permission rules judge by (permissions.deadline_passed)
    if expected_state is not None and proposal.state != expected_state:
        raise StaleState(
            f"“{proposal}” is now {proposal.get_state_display().lower()} (it was "
            f"{expected_state} when the page was loaded). Reload the page and try again."
        )
    method = getattr(proposal, name)
    verb = name.replace("_", " ")
    if not can_proceed(method, check_conditions=False):
        raise InvalidTransition(
            f"Cannot {verb} “{proposal}”: it is {proposal.get_state_display().lower()}, "
            f"and this is only possible from {lifecycle.TRANSITIONS[name].sources_text}."
        )
    meta = method._django_fsm
    if not meta.has_transition_perm(proposal, proposal.state, actor):
        raise NotPermitted(f"Only {lifecycle.TRANSITIONS[name].who} may {verb} “{proposal}”.")
    if precheck is not None:
        precheck(proposal)
    if not meta.conditions_met(proposal, proposal.state):
        raise ConditionNotMet(_unmet_condition(proposal, name))
    from_state = proposal.state
    method(**(arguments or {}))
    proposal.save()
    _proposal_event(
        proposal,
        action=events.transition(name),
        actor=actor,
        at=at,
        from_state=from_state,
        to_state=proposal.state,
        reason=reason,
        payload=payload,
    )
    return proposal


def _unmet_condition(proposal: Proposal, name: str) -> str:
    if name == "start_vote" and (blocking := concerns.open_concerns(proposal)):
        return concerns.blocking_message(blocking)
    if name == "start_vote":
        return f"{proposal.committee} has no active members to vote. Add members first."
    if name == "complete" and not permissions.readings_confirmed(proposal):
        reading = (
            proposal.readings.filter(status=ReadingStatus.UNREVIEWED)
            .select_related("meeting__committee")
            .first()
        )
        meeting = reading.meeting
        return (
            f"Confirm the reading of “{proposal}” in the notes of {meeting.committee}'s "
            f"meeting of {meeting.date:%Y-%m-%d} on Readings to review first: a proposal "
            "from meeting notes is completed once a chair has confirmed what they say."
        )
    if name == "complete":
        open_items = proposal.checklist.to_do().count()
        return (
            f"“{proposal}” still has {open_items} open checklist item(s). "
            "Tick every item before completing it."
        )
    return f"The conditions for {name.replace('_', ' ')} are not met."


def _proposal_event(proposal: Proposal, *, action: str, actor, **fields) -> None:
    """Append an event about `proposal`, filed under its committee and project."""
    audit.record_many([_proposal_event_of(proposal, action=action, actor=actor, **fields)])


def _proposal_event_of(proposal: Proposal, *, action: str, actor, **fields):
    """An event about `proposal`, filed under its committee and project, for
    `audit.record_many`."""
    event = audit.new_event(action=action, actor=actor, **fields)
    event.committee_id, event.project_id = proposal.committee_id, proposal.project_id
    event.proposal_id = proposal.pk
    return event


def _require_kind_details(proposal: Proposal) -> None:
    """Refuse a proposal that lacks a field its kind needs (`proposals.kinds`)."""
    missing = [field for field in KINDS[proposal.kind].needs if not getattr(proposal, field)]
    if missing:
        names = ", ".join(field.replace("_", " ") for field in missing)
        raise ConditionNotMet(
            f"A {proposal.get_kind_display().lower()} proposal needs: {names}. "
            "Edit the proposal to add them."
        )


def _require_project_in(project: Project | None, committee_id: int) -> None:
    if project is not None and project.committee_id != committee_id:
        raise LifecycleError(
            f"{project} belongs to {project.committee}; file the proposal there or pick "
            "another project."
        )


def _require_free_name(name: str, project: Project | None = None) -> None:
    """Refuse `name` if another project is called that, in any case: read through the
    index on the upper-cased name, and from the database every time (other processes
    create and rename projects too)."""
    taken = Project.objects.called(name)
    if project is not None:
        taken = taken.exclude(pk=project.pk)
    other = taken.select_related("committee").first()
    if other is not None:
        raise ConditionNotMet(
            f"{other.committee} already has a project named “{name}”. Pick another name, "
            "or rename that project first."
        )


def _single_line(**fields: str | list[str]) -> None:
    """Refuse line breaks and control characters in the single-line `fields` (a list
    is checked item by item)."""
    for field, value in fields.items():
        for text in value if isinstance(value, list) else [value]:
            try:
                validate_single_line(text)
            except ValidationError as error:
                label = field.replace("_", " ").capitalize()
                raise LifecycleError(f"{label}: {error.messages[0]}") from None


def _nonblank(text: str, refusal: str) -> str:
    """`text` without surrounding whitespace; refused with `refusal` if nothing is left."""
    text = text.strip()
    if not text:
        raise LifecycleError(refusal)
    return text


def _require_known_fields(changes: dict, allowed: tuple[str, ...], verb: str) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise LifecycleError(f"These fields cannot be {verb}: {', '.join(sorted(unknown))}.")


def _apply_changes(obj, changes: dict, shown=lambda value: value) -> dict:
    """Set each changed field on `obj`; return {field: {"from": old, "to": new}} for the
    fields whose value differs, as `shown` writes them into the event."""
    changed = {}
    for field, value in changes.items():
        old = getattr(obj, field)
        if old != value:
            changed[field] = {"from": shown(old), "to": shown(value)}
            setattr(obj, field, value)
    return changed


def _is_system(actor) -> bool:
    return bool(getattr(actor, "is_system", False))


def _is_admin(actor) -> bool:
    return _is_system(actor) or getattr(actor, "is_superuser", False)


def _require_committee_admin(actor, committee: Committee, what: str = "change seats") -> None:
    if _is_admin(actor):
        return
    if permissions.roles_by_committee(actor).get(committee.pk) != Role.CHAIR:
        raise NotPermitted(f"Only the chair of {committee} or an administrator may {what}.")


def chaired_committee_ids(actor) -> set[int] | None:
    """The ids of the committees whose rows `actor` changes as their chair, or None
    for the system and administrators, who act for every committee."""
    if _is_admin(actor):
        return None
    return {pk for pk, role in permissions.roles_by_committee(actor).items() if role == Role.CHAIR}


def _require_chair_of_proposals(actor, meeting, proposals, what: str) -> None:
    """A chair links or unlinks the meeting's proposals of their own committees only:
    a proposal of another committee changes on that committee's authority (its chair
    confirms a link suggested to it), or an administrator's."""
    chaired = chaired_committee_ids(actor)
    if chaired is None:
        return
    foreign = next((p for p in proposals if p.committee_id not in chaired), None)
    if foreign is not None:
        committee = Committee.objects.get(pk=foreign.committee_id)
        raise NotPermitted(
            f"Proposal #{foreign.pk} belongs to {committee}: only the chair of {committee} "
            f"or an administrator may {what} {meeting.committee}'s meeting of "
            f"{meeting.date:%Y-%m-%d}."
        )
