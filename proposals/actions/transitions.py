"""Proposals: the transitions from submit to resume, and what completing one does to its
project."""

from __future__ import annotations

from django.utils import timezone

from pmc.models import Meeting, Membership, Project
from proposals import audit, events, voting
from proposals.actions._base import (
    _is_system,
    _locked,
    _require_free_name,
    _require_kind_details,
    _transition,
    action,
)
from proposals.actions.attendance import presence, require_meeting_quorum
from proposals.actions.checklists import _create_checklist, _mark_system_items_done
from proposals.actions.concerns import resolve_by_decision
from proposals.actions.proposals import MeetingLink, do_link_meetings
from proposals.errors import ConditionNotMet, LifecycleError
from proposals.kinds import KINDS, Effect
from proposals.models import EligibleVoter, Proposal
from proposals.states import State


@action
def do_submit(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Open a draft for discussion."""
    return _transition(
        proposal, "submit", actor, reason=reason, at=at, expected_state=expected_state,
        precheck=_require_kind_details,
    )  # fmt: skip


@action
def do_start_vote(
    *, proposal, actor, reason="", at=None, expected_state=None, closes_at=None
) -> Proposal:
    """Open the vote: freeze the text revision, the committee's rules and the voters.
    It closes at `closes_at` if the chair chose a deadline within the committee's rules
    (`voting.deadline_range`), else after the committee's vote duration."""
    at = at or timezone.now()
    locked = _locked(proposal)
    rules_now = locked.committee.voting_rules()
    allowed = voting.deadline_range(rules_now, at)
    deadline = closes_at or allowed.earliest

    def precheck(proposal: Proposal) -> None:  # once the actor may start it
        _require_kind_details(proposal)
        if deadline not in allowed:
            raise ConditionNotMet(allowed.refusal(deadline))

    voters = list(
        Membership.objects.active(on=timezone.localdate(at))
        .filter(committee=locked.committee)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    proposal = _transition(
        locked,
        "start_vote",
        actor,
        reason=reason,
        at=at,
        expected_state=expected_state,
        payload={
            "revision": locked.revision,
            "rules": rules_now,
            "eligible": voters,
            "closes_at": deadline.isoformat(),
        },
        arguments={"rules": rules_now, "at": at, "closes_at": deadline},
        precheck=precheck,
        locked=True,
    )
    EligibleVoter.objects.bulk_create(
        EligibleVoter(proposal=proposal, user_id=user_id, round=proposal.vote_round)
        for user_id in voters
    )
    return proposal


@action
def do_close_vote(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Close the vote by the tally; a missed quorum extends once, then defers (per the
    rules frozen at the start). The chair may close early once the result is settled;
    the system closes votes whose deadline has passed."""
    at = at or timezone.now()
    locked = _locked(proposal)
    tally = locked.tally()
    proposal = _transition(
        locked,
        "close_vote",
        actor,
        reason=reason,
        at=at,
        expected_state=expected_state,
        payload={"round": locked.vote_round, "tally": _tally_payload(tally)},
        arguments={"tally": tally, "at": at},
        locked=True,
    )
    if proposal.state == State.ACCEPTED:
        _create_checklist(proposal)
    return proposal


def _tally_payload(tally) -> dict:
    return {
        "eligible": tally.eligible,
        "yes": tally.yes,
        "no": tally.no,
        "abstain": tally.abstain,
        "recused": tally.recused,
        "not_voted": tally.not_voted,
        "non_binding": {
            "yes": tally.non_binding_yes,
            "no": tally.non_binding_no,
            "abstain": tally.non_binding_abstain,
        },
        "quorum_met": tally.quorum_met,
        "outcome": tally.outcome,
        "pass_rule": tally.pass_rule,
    }


@action
def do_return_to_discussion(
    *, proposal, actor, reason="", at=None, expected_state=None
) -> Proposal:
    """Stop the vote so the text can change; the round's votes stay in history."""
    return _transition(
        proposal, "return_to_discussion", actor, reason=reason, at=at,
        expected_state=expected_state,
    )  # fmt: skip


@action
def do_decide(
    *,
    proposal,
    actor,
    accepted: bool,
    meeting: Meeting,
    reason: str = "",
    at=None,
    expected_state=None,
) -> Proposal:
    """Record a decision taken by consensus in a meeting of the proposal's committee.

    Without `at`, the decision is recorded now, as the chair reports it: the meeting must
    be one held since the proposal was filed and not in the future
    (`Proposal.decision_meetings`); the event is dated now, its reason names the meeting
    and its date, and the proposal is linked to the meeting. With `at` (the notes import
    and the review of what it read), the decision is history recorded as of that time,
    and the import links the meeting itself.

    Open concerns do not hold a meeting's decision back (they hold back the vote): the
    decision resolves them, each with the meeting named as the reason.

    The event notes how many binding members attended (`present`: None when nobody
    recorded who did). A decision recorded now is refused below the committee's meeting
    quorum; one read from notes is history and is kept whatever the attendance, which
    the notes seldom record.
    """
    locked = _locked(proposal)
    if meeting.committee_id != locked.committee_id and not _is_system(actor):
        raise LifecycleError(
            f"The decision must be taken in a meeting of {locked.committee}; {meeting} is not one."
        )
    recorded_now = at is None
    if recorded_now:
        at = timezone.now()
        held = f"Decided in {meeting.committee}'s meeting of {meeting.date:%Y-%m-%d}"
        reason = f"{held}: {reason}" if reason.strip() else f"{held}."
    proposal = _transition(
        locked,
        "decide",
        actor,
        reason=reason,
        at=at,
        expected_state=expected_state,
        payload={
            "meeting": meeting.pk,
            "date": meeting.date.isoformat(),
            "accepted": accepted,
            **presence(meeting).payload(),
        },
        arguments={"accepted": accepted, "meeting": meeting, "at": at},
        precheck=_raised_in(meeting, actor, at) if recorded_now else None,
        locked=True,
    )
    # Unlike the vote, a meeting's decision is not held back by an open concern: the
    # committee decided by consensus with the concern before it, so the decision settles
    # it (each concern is resolved, naming the meeting, and stays on the proposal).
    resolve_by_decision(proposal, actor, meeting, at)
    if proposal.state == State.ACCEPTED:
        _create_checklist(proposal)
    return proposal


def _raised_in(meeting: Meeting, actor, at):
    """What deciding now in `meeting` takes once the actor may decide: the meeting must
    be one the decision can have been taken in, and the proposal is linked to it (before
    the decision, as it came up there first)."""

    def precheck(proposal: Proposal) -> None:
        _require_decision_meeting(proposal, meeting)
        require_meeting_quorum(meeting)
        do_link_meetings(meeting=meeting, actor=actor, links=[MeetingLink(proposal.pk)], at=at)

    return precheck


def _require_decision_meeting(proposal: Proposal, meeting: Meeting) -> None:
    """Refuse a meeting a decision taken now cannot have been taken in."""
    if proposal.decision_meetings().filter(pk=meeting.pk).exists():
        return
    held = f"{meeting.committee}'s meeting of {meeting.date:%Y-%m-%d}"
    if meeting.date > timezone.localdate():
        why = f"{held} has not been held yet"
    else:
        why = f"{held} was held before “{proposal}” was filed"
    raise LifecycleError(f"{why}. {decision_meetings_hint(proposal)}")


def decision_meetings_hint(proposal: Proposal) -> str:
    """Which meetings a decision about `proposal` can be recorded in, as said to a chair."""
    filed = timezone.localdate(proposal.created_at)
    return (
        f"Choose a meeting of {proposal.committee} held between {filed:%Y-%m-%d}, when the "
        "proposal was filed, and today; a meeting not listed yet appears once its notes "
        "are imported."
    )


@action
def do_complete(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Mark an accepted proposal carried out and apply its effect to the project."""
    at = at or timezone.now()
    locked = _locked(proposal)
    if locked.project_id:
        # The project as it is once locked: the effect below changes it.
        locked.project = Project.objects.select_for_update().get(pk=locked.project_id)
    system_items = list(
        locked.checklist.filter(by_system=True, done=False).values_list("text", flat=True)
    )
    proposal = _transition(
        locked, "complete", actor, reason=reason, at=at, expected_state=expected_state,
        payload={"done_by_system": system_items} if system_items else None,
        precheck=_require_kind_details, locked=True,
    )  # fmt: skip
    _apply_effect(proposal, actor, at)
    _mark_system_items_done(proposal, at)
    return proposal


def _apply_effect(proposal: Proposal, actor, at) -> None:
    """What completing `proposal` does to its project, as its kind says (`KINDS`)."""
    kind, project = KINDS[proposal.kind], proposal.project
    if project is None:
        if kind.creates_project:
            _create_project(proposal, kind.project_status, actor, at)
    elif kind.effect == Effect.STATUS and project.status != kind.project_status:
        old = project.status
        project.status = kind.project_status
        project.save(update_fields=["status"])
        _project_event(
            project, actor, at, proposal, events.PROJECT_STATUS_CHANGED, old, project.status
        )
    elif kind.effect == Effect.RENAME:
        _require_free_name(proposal.new_name, project)
        old = project.name
        project.former_names = [*project.former_names, old]
        project.name = proposal.new_name
        project.save(update_fields=["name", "former_names"])
        _project_event(project, actor, at, proposal, events.PROJECT_RENAMED, old, project.name)
    elif kind.effect == Effect.LEAD:
        old = project.lead
        project.lead = proposal.new_lead
        project.save(update_fields=["lead"])
        _project_event(project, actor, at, proposal, events.PROJECT_LEAD_CHANGED, old, project.lead)


def _create_project(proposal: Proposal, status: str, actor, at) -> None:
    """The project a proposal without one brings into being when it is completed."""
    name = proposal.new_name or _short_name(proposal.title)
    _require_free_name(name)
    project = Project.objects.create(name=name, committee=proposal.committee, status=status)
    proposal.project = project
    proposal.save(update_fields=["project"])
    _project_event(
        project, actor, at, proposal, events.PROJECT_CREATED, "", project.status,
        lead=project.lead, former_names=project.former_names,
    )  # fmt: skip


def _short_name(title: str) -> str:
    """A project's name from a proposal's title, which may be longer than a name can be:
    cut with an ellipsis (the project can be renamed after)."""
    limit = Project._meta.get_field("name").max_length
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _project_event(project, actor, at, proposal, action, old, new, **more) -> None:
    audit.record(
        action=action,
        actor=actor,
        at=at,
        committee=project.committee,
        proposal=proposal,
        project=project,
        payload={"from": old, "to": new, "name": project.name, **more},
    )


@action
def do_withdraw(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """The proposer takes the proposal back."""
    return _transition(
        proposal, "withdraw", actor, reason=reason, at=at, expected_state=expected_state
    )


@action
def do_defer(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Park a proposal under discussion until later."""
    return _transition(
        proposal, "defer", actor, reason=reason, at=at, expected_state=expected_state
    )


@action
def do_resume(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Bring a deferred proposal back to discussion."""
    return _transition(
        proposal, "resume", actor, reason=reason, at=at, expected_state=expected_state
    )


# Every transition's action by the transition's name.
TRANSITIONS = {
    "submit": do_submit,
    "start_vote": do_start_vote,
    "close_vote": do_close_vote,
    "return_to_discussion": do_return_to_discussion,
    "decide": do_decide,
    "complete": do_complete,
    "defer": do_defer,
    "resume": do_resume,
    "withdraw": do_withdraw,
}
