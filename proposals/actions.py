"""Every change to proposals, votes, checklists and memberships goes through here.

Each `do_*` function runs in one database transaction: it locks the row it changes,
checks the actor's permission and the transition's conditions, changes the row, saves
it and appends the audit event. A refused action raises a `LifecycleError` whose message
says what to do instead, and writes nothing. Views, tasks and commands call these;
they never set states or save proposals themselves.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django_fsm import can_proceed

from pmc.models import Committee, Meeting, Membership, Project, ProjectStatus, Role, TeamReport
from proposals import audit, checklists, rules
from proposals.errors import (
    ConditionNotMet,
    InvalidTransition,
    LifecycleError,
    NotPermitted,
    StaleState,
    VoteRefused,
)
from proposals.models import ChecklistItem, EligibleVoter, Proposal, ProposalMeeting, Vote
from proposals.states import EDITABLE_STATES, Kind, State
from proposals.voting import tally_for

# What each transition needs, as said to someone who was refused.
_WHO = {
    "submit": "the proposer, while a member of the committee",
    "start_vote": "the committee's chair",
    "close_vote": (
        "the chair, once every eligible voter has voted or the result can no longer "
        "change, or after the deadline"
    ),
    "return_to_discussion": "the committee's chair",
    "complete": "the committee's chair",
    "decide": "the committee's chair",
    "withdraw": "the proposer",
    "defer": "the committee's chair",
    "resume": "the committee's chair or the proposer",
}
_SOURCES = {
    "submit": "draft",
    "start_vote": "discussion",
    "close_vote": "voting",
    "return_to_discussion": "voting",
    "complete": "accepted",
    "decide": "discussion",
    "withdraw": "draft, discussion or voting",
    "defer": "discussion",
    "resume": "deferred",
}
_KIND_NEEDS = {
    Kind.ATTIC: ("project",),
    Kind.PROMOTION: ("project",),
    Kind.RENAME: ("project", "new_name"),
    Kind.OWNERSHIP: ("project", "new_lead"),
    Kind.INCUBATION: (),
    Kind.OTHER: (),
}


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
) -> Proposal:
    """Check, run and record one transition. Runs inside the caller's atomic block.

    `arguments` go to the transition method; `payload` goes into the event.
    """
    proposal = _locked(proposal)
    proposal.acting_at = at  # the time the permission rules judge by (rules.deadline_passed)
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
            f"and this is only possible from {_SOURCES[name]}."
        )
    meta = method._django_fsm
    if not meta.has_transition_perm(proposal, proposal.state, actor):
        raise NotPermitted(f"Only {_WHO[name]} may {verb} “{proposal}”.")
    if precheck is not None:
        precheck(proposal)
    if not meta.conditions_met(proposal, proposal.state):
        raise ConditionNotMet(_unmet_condition(proposal, name))
    from_state = proposal.state
    method(**(arguments or {}))
    proposal.save()
    audit.record(
        action=f"proposal.{name}",
        actor=actor,
        at=at,
        committee=proposal.committee,
        proposal=proposal,
        project=proposal.project,
        from_state=from_state,
        to_state=proposal.state,
        reason=reason,
        payload=payload,
    )
    return proposal


def _unmet_condition(proposal: Proposal, name: str) -> str:
    if name == "start_vote":
        return f"{proposal.committee} has no active members to vote. Add members first."
    if name == "complete":
        open_items = proposal.checklist.filter(done=False).count()
        return (
            f"“{proposal}” still has {open_items} open checklist item(s). "
            "Tick every item before completing it."
        )
    return f"The conditions for {name.replace('_', ' ')} are not met."


def _require_kind_details(proposal: Proposal) -> None:
    missing = [field for field in _KIND_NEEDS[proposal.kind] if not getattr(proposal, field)]
    if missing:
        names = ", ".join(field.replace("_", " ") for field in missing)
        raise ConditionNotMet(
            f"A {proposal.get_kind_display().lower()} proposal needs: {names}. "
            "Edit the proposal to add them."
        )


def _is_system(actor) -> bool:
    return bool(getattr(actor, "is_system", False))


# Proposals: creating and editing


@transaction.atomic
def do_create_proposal(
    *,
    actor,
    committee: Committee,
    kind: str,
    title: str,
    body: str = "",
    project: Project | None = None,
    proposing_team: str = "",
    condition: str = "",
    new_name: str = "",
    new_lead: str = "",
    at: datetime.datetime | None = None,
) -> Proposal:
    """File a new proposal in draft. Any active member of the committee may."""
    if not _is_system(actor) and rules.roles_by_committee(actor).get(committee.pk) is None:
        raise NotPermitted(f"Only members of {committee} may file proposals there.")
    if project is not None and project.committee_id != committee.pk:
        raise LifecycleError(
            f"{project} belongs to {project.committee}; file the proposal there or pick "
            "another project."
        )
    if not title.strip():
        raise LifecycleError("A proposal needs a title.")
    at = at or timezone.now()
    proposal = Proposal(
        committee=committee,
        project=project,
        kind=kind,
        title=title.strip(),
        body=body,
        proposer=None if _is_system(actor) else actor,
        proposing_team=proposing_team,
        condition=condition,
        new_name=new_name,
        new_lead=new_lead,
        created_at=at,
    )
    proposal.save()
    audit.record(
        action="proposal.created",
        actor=actor,
        at=at,
        committee=committee,
        proposal=proposal,
        project=project,
        to_state=proposal.state,
        payload={"kind": kind, "title": proposal.title, "revision": proposal.revision},
    )
    return proposal


EDITABLE_FIELDS = (
    "title",
    "body",
    "project",
    "proposing_team",
    "condition",
    "new_name",
    "new_lead",
)
TEXT_FIELDS = ("title", "body", "condition", "new_name", "new_lead", "project")


@transaction.atomic
def do_edit_proposal(
    *,
    proposal: Proposal | int,
    actor,
    reason: str = "",
    expected_revision: int | None = None,
    **changes,
) -> Proposal:
    """Change a proposal's text while it is in draft or discussion. With
    `expected_revision`, an edit made on an outdated text is refused, not merged."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise LifecycleError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    proposal = _locked(proposal)
    if not (_is_system(actor) or actor.has_perm("proposals.edit_proposal", proposal)):
        raise NotPermitted(f"Only the proposer or the chair may edit “{proposal}”.")
    if proposal.state not in EDITABLE_STATES:
        hint = (
            " The chair can return it to discussion first."
            if proposal.state == State.VOTING
            else ""
        )
        raise InvalidTransition(
            f"“{proposal}” is {proposal.get_state_display().lower()}; its text can only "
            f"change in draft or discussion.{hint}"
        )
    if expected_revision is not None and proposal.revision != expected_revision:
        raise StaleState(
            f"“{proposal}” was changed by someone else while you edited it (now revision "
            f"{proposal.revision}, you started from {expected_revision}). Reload the page, "
            "then apply your changes to the new text."
        )
    project = changes.get("project")
    if project is not None and project.committee_id != proposal.committee_id:
        raise LifecycleError(
            f"{project} belongs to {project.committee}; file the proposal there or pick "
            "another project."
        )
    if "title" in changes:
        changes["title"] = changes["title"].strip()
        if not changes["title"]:
            raise LifecycleError("A proposal needs a title.")
    changed = {}
    for field, value in changes.items():
        old = getattr(proposal, field)
        if old != value:
            changed[field] = {"from": _plain(old), "to": _plain(value)}
            setattr(proposal, field, value)
    if not changed:
        return proposal
    if any(field in TEXT_FIELDS for field in changed):
        proposal.revision += 1
    proposal.save()
    audit.record(
        action="proposal.edited",
        actor=actor,
        committee=proposal.committee,
        proposal=proposal,
        project=proposal.project,
        reason=reason,
        payload={"changed": changed, "revision": proposal.revision},
    )
    return proposal


def _plain(value):
    return str(value) if isinstance(value, Project) else value


@transaction.atomic
def do_link_meeting(
    *, proposal: Proposal | int, meeting: Meeting, actor, section: str = "", excerpt: str = ""
) -> ProposalMeeting:
    """Record that a proposal came up in a meeting (once per meeting)."""
    proposal = _locked(proposal)
    mention, created = ProposalMeeting.objects.get_or_create(
        proposal=proposal, meeting=meeting, defaults={"section": section, "excerpt": excerpt}
    )
    if created:
        audit.record(
            action="proposal.meeting_linked",
            actor=actor,
            at=datetime.datetime.combine(meeting.date, datetime.time(12), datetime.UTC),
            committee=proposal.committee,
            proposal=proposal,
            project=proposal.project,
            payload={"meeting": meeting.pk, "date": meeting.date.isoformat(), "section": section},
        )
    return mention


# Proposals: transitions


@transaction.atomic
def do_submit(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Open a draft for discussion."""
    return _transition(
        proposal, "submit", actor, reason=reason, at=at, expected_state=expected_state,
        precheck=_require_kind_details,
    )  # fmt: skip


@transaction.atomic
def do_start_vote(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Open the vote: freeze the text revision, the committee's rules and the voters."""
    at = at or timezone.now()
    locked = _locked(proposal)
    rules_now = locked.committee.voting_rules()
    voters = list(
        Membership.objects.active(on=timezone.localdate(at))
        .filter(committee=locked.committee)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    proposal = _transition(
        locked,
        "start_vote",
        actor,
        reason=reason,
        at=at,
        expected_state=expected_state,
        payload={"revision": locked.revision, "rules": rules_now, "eligible": voters},
        arguments={"rules": rules_now, "at": at},
        precheck=_require_kind_details,
    )
    EligibleVoter.objects.bulk_create(
        EligibleVoter(proposal=proposal, user_id=user_id, round=proposal.vote_round)
        for user_id in voters
    )
    return proposal


@transaction.atomic
def do_close_vote(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Close the vote by the tally; a missed quorum extends once, then defers (per the
    rules frozen at the start). The chair may close early once the result is settled;
    the system closes votes whose deadline has passed."""
    at = at or timezone.now()
    locked = _locked(proposal)
    tally = tally_for(locked)
    proposal = _transition(
        locked,
        "close_vote",
        actor,
        reason=reason,
        at=at,
        expected_state=expected_state,
        payload={"round": locked.vote_round, "tally": _tally_payload(tally)},
        arguments={"tally": tally, "at": at},
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


@transaction.atomic
def do_return_to_discussion(
    *, proposal, actor, reason="", at=None, expected_state=None
) -> Proposal:
    """Stop the vote so the text can change; the round's votes stay in history."""
    return _transition(
        proposal, "return_to_discussion", actor, reason=reason, at=at,
        expected_state=expected_state,
    )  # fmt: skip


@transaction.atomic
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
    """Record a decision taken by consensus in a meeting of the proposal's committee."""
    locked = _locked(proposal)
    if meeting.committee_id != locked.committee_id and not _is_system(actor):
        raise LifecycleError(
            f"The decision must be taken in a meeting of {locked.committee}; {meeting} is not one."
        )
    at = at or datetime.datetime.combine(meeting.date, datetime.time(12), datetime.UTC)
    proposal = _transition(
        locked,
        "decide",
        actor,
        reason=reason,
        at=at,
        expected_state=expected_state,
        payload={"meeting": meeting.pk, "date": meeting.date.isoformat(), "accepted": accepted},
        arguments={"accepted": accepted, "meeting": meeting, "at": at},
    )
    if proposal.state == State.ACCEPTED:
        _create_checklist(proposal)
    return proposal


@transaction.atomic
def do_complete(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Mark an accepted proposal carried out and apply its effect to the project."""
    at = at or timezone.now()
    locked = _locked(proposal)
    if locked.project_id:
        Project.objects.select_for_update().get(pk=locked.project_id)
    proposal = _transition(
        locked, "complete", actor, reason=reason, at=at, expected_state=expected_state,
        precheck=_require_kind_details,
    )  # fmt: skip
    _apply_effect(proposal, actor, at)
    return proposal


def _apply_effect(proposal: Proposal, actor, at) -> None:
    project = proposal.project
    if proposal.kind == Kind.INCUBATION and project is None:
        name = proposal.new_name or proposal.title
        _require_free_name(name)
        project = Project.objects.create(
            name=name, committee=proposal.committee, status=ProjectStatus.INCUBATING
        )
        proposal.project = project
        proposal.save(update_fields=["project"])
        _project_event(project, actor, at, proposal, "project.created", "", project.status)
        return
    status = {
        Kind.ATTIC: ProjectStatus.ATTIC,
        Kind.INCUBATION: ProjectStatus.INCUBATING,
        Kind.PROMOTION: ProjectStatus.ACTIVE,
    }.get(proposal.kind)
    if status is not None and project.status != status:
        old = project.status
        project.status = status
        project.save(update_fields=["status"])
        _project_event(project, actor, at, proposal, "project.status_changed", old, status)
    elif proposal.kind == Kind.RENAME:
        _require_free_name(proposal.new_name, project)
        old = project.name
        project.former_names = [*project.former_names, old]
        project.name = proposal.new_name
        project.save(update_fields=["name", "former_names"])
        _project_event(project, actor, at, proposal, "project.renamed", old, project.name)
    elif proposal.kind == Kind.OWNERSHIP:
        old = project.lead
        project.lead = proposal.new_lead
        project.save(update_fields=["lead"])
        _project_event(project, actor, at, proposal, "project.lead_changed", old, project.lead)


def _require_free_name(name: str, project: Project | None = None) -> None:
    taken = Project.objects.filter(name__iexact=name).exclude(pk=getattr(project, "pk", None))
    other = taken.select_related("committee").first()
    if other is not None:
        raise ConditionNotMet(
            f"{other.committee} already has a project named “{name}”. Pick another name, "
            "or rename that project first."
        )


def _project_event(project, actor, at, proposal, action, old, new) -> None:
    audit.record(
        action=action,
        actor=actor,
        at=at,
        committee=project.committee,
        proposal=proposal,
        project=project,
        payload={"from": old, "to": new, "name": project.name},
    )


@transaction.atomic
def do_withdraw(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """The proposer takes the proposal back."""
    return _transition(
        proposal, "withdraw", actor, reason=reason, at=at, expected_state=expected_state
    )


@transaction.atomic
def do_defer(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Park a proposal under discussion until later."""
    return _transition(
        proposal, "defer", actor, reason=reason, at=at, expected_state=expected_state
    )


@transaction.atomic
def do_resume(*, proposal, actor, reason="", at=None, expected_state=None) -> Proposal:
    """Bring a deferred proposal back to discussion."""
    return _transition(
        proposal, "resume", actor, reason=reason, at=at, expected_state=expected_state
    )


# Votes


@transaction.atomic
def do_cast_vote(
    *, proposal, actor, value: int, reason: str = "", at: datetime.datetime | None = None
) -> Vote:
    """Cast or change the actor's vote in the current round."""
    if value not in (1, 0, -1):
        raise VoteRefused("A vote is +1, 0 or -1.")
    if value == -1 and not reason.strip():
        raise VoteRefused("A -1 needs a reason: say what would change your vote.")
    return _record_ballot(proposal, actor, value=value, recused=False, reason=reason, at=at)


@transaction.atomic
def do_recuse(*, proposal, actor, reason: str = "", at: datetime.datetime | None = None) -> Vote:
    """Step aside for a conflict of interest: out of the quorum's denominator."""
    return _record_ballot(proposal, actor, value=None, recused=True, reason=reason, at=at)


def _record_ballot(proposal, actor, *, value, recused, reason, at) -> Vote:
    at = at or timezone.now()
    proposal = _locked(proposal)
    if proposal.state != State.VOTING:
        raise VoteRefused(
            f"“{proposal}” is {proposal.get_state_display().lower()}, not open for voting."
        )
    if at >= proposal.closes_at:
        raise VoteRefused(
            f"The vote on “{proposal}” closed at {proposal.closes_at:%Y-%m-%d %H:%M %Z}; "
            "no more votes are accepted. Ask the chair if it should be reopened."
        )
    if _is_system(actor):
        raise NotPermitted("The system does not vote.")
    # The voters frozen at the start keep their binding vote even if their seat ends
    # during the vote; anyone else must hold a seat now, and votes non-binding.
    binding = (
        actor.is_authenticated
        and EligibleVoter.objects.filter(
            proposal=proposal, round=proposal.vote_round, user=actor
        ).exists()
    )
    if not (binding or actor.has_perm("proposals.vote", proposal)):
        raise NotPermitted(f"Only members of {proposal.committee} may vote on “{proposal}”.")
    vote = Vote.objects.filter(proposal=proposal, round=proposal.vote_round, voter=actor).first()
    before = None if vote is None else ("recused" if vote.recused else vote.value)
    after = "recused" if recused else value
    if vote is not None and before == after and vote.reason == reason:
        return vote
    if vote is None:
        vote = Vote(proposal=proposal, round=proposal.vote_round, voter=actor, binding=binding)
    vote.value = value
    vote.recused = recused
    vote.reason = reason
    vote.cast_at = at
    vote.revision = proposal.revision
    vote.save()
    action = "vote.recused" if recused else "vote.cast" if before is None else "vote.changed"
    audit.record(
        action=action,
        actor=actor,
        at=at,
        committee=proposal.committee,
        proposal=proposal,
        project=proposal.project,
        reason=reason,
        payload={
            "vote": vote.pk,
            "round": vote.round,
            "from": before,
            "to": after,
            "binding": binding,
            "revision": vote.revision,
        },
    )
    return vote


# Checklists


def _create_checklist(proposal: Proposal) -> None:
    ChecklistItem.objects.bulk_create(
        ChecklistItem(proposal=proposal, position=i, text=text, owner=proposal.proposer)
        for i, text in enumerate(checklists.steps_for(proposal.kind, proposal.condition))
    )


@transaction.atomic
def do_set_checklist_item(
    *, item: ChecklistItem | int, actor, done: bool = True, at=None
) -> ChecklistItem:
    """Tick (or untick) a checklist item: its owner or the chair may."""
    pk = item.pk if isinstance(item, ChecklistItem) else item
    item = ChecklistItem.objects.select_for_update().select_related("proposal").get(pk=pk)
    proposal = _locked(item.proposal_id)
    is_owner = getattr(actor, "pk", None) is not None and item.owner_id == actor.pk
    if not (
        _is_system(actor) or is_owner or actor.has_perm("proposals.manage_checklist", proposal)
    ):
        raise NotPermitted("Only the item's owner or the chair may tick it.")
    if proposal.state != State.ACCEPTED:
        raise InvalidTransition(
            f"“{proposal}” is {proposal.get_state_display().lower()}; its checklist is "
            "only worked while it is accepted."
        )
    if item.done == done:
        return item
    at = at or timezone.now()
    item.done = done
    item.done_at = at if done else None
    item.done_by = None if _is_system(actor) or not done else actor
    item.save()
    audit.record(
        action="checklist.done" if done else "checklist.reopened",
        actor=actor,
        at=at,
        committee=proposal.committee,
        proposal=proposal,
        project=proposal.project,
        payload={"item": item.pk, "text": item.text},
    )
    return item


# Memberships


@transaction.atomic
def do_add_member(
    *, committee: Committee, user, actor, role: str = Role.MEMBER, started_on=None, reason=""
) -> Membership:
    """Give a user a seat on a committee (chairs and staff may)."""
    _require_committee_admin(actor, committee)
    if Membership.objects.filter(committee=committee, user=user, ended_on__isnull=True).exists():
        raise LifecycleError(
            f"{user} already holds a seat on {committee}; end it first to change the role."
        )
    membership = Membership.objects.create(
        committee=committee, user=user, role=role, started_on=started_on or timezone.localdate()
    )
    audit.record(
        action="membership.started",
        actor=actor,
        committee=committee,
        membership=membership,
        reason=reason,
        payload={
            "user": user.get_username(),
            "role": role,
            "started_on": str(membership.started_on),
        },
    )
    return membership


@transaction.atomic
def do_end_membership(
    *, membership: Membership | int, actor, ended_on=None, reason=""
) -> Membership:
    """End a seat; the member stays in history as emeritus."""
    pk = membership.pk if isinstance(membership, Membership) else membership
    membership = (
        Membership.objects.select_for_update().select_related("committee", "user").get(pk=pk)
    )
    _require_committee_admin(actor, membership.committee)
    if membership.ended_on is not None:
        raise LifecycleError(f"{membership.user}'s seat already ended on {membership.ended_on}.")
    membership.ended_on = ended_on or timezone.localdate()
    membership.save(update_fields=["ended_on"])
    audit.record(
        action="membership.ended",
        actor=actor,
        committee=membership.committee,
        membership=membership,
        reason=reason,
        payload={"user": membership.user.get_username(), "ended_on": str(membership.ended_on)},
    )
    return membership


COMMITTEE_FIELDS = (
    "name",
    "description",
    "pass_rule",
    "vote_duration_hours",
    "quorum_extensions",
    "extension_hours",
)


@transaction.atomic
def do_update_committee(*, committee: Committee | int, actor, reason: str = "", **changes):
    """Change a committee's description or voting policy (administrators only). Votes
    already running keep the rules frozen when they started."""
    unknown = set(changes) - set(COMMITTEE_FIELDS)
    if unknown:
        raise LifecycleError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    if not (_is_system(actor) or getattr(actor, "is_superuser", False)):
        raise NotPermitted("Only administrators may change a committee's voting policy.")
    pk = committee.pk if isinstance(committee, Committee) else committee
    committee = Committee.objects.select_for_update().get(pk=pk)
    if changes.get("vote_duration_hours", 72) < 72:
        raise LifecycleError("A vote lasts at least 72 hours.")
    changed = {}
    for field, value in changes.items():
        if getattr(committee, field) != value:
            changed[field] = {"from": getattr(committee, field), "to": value}
            setattr(committee, field, value)
    if changed:
        committee.save(update_fields=list(changed))
        audit.record(
            action="committee.updated",
            actor=actor,
            committee=committee,
            reason=reason,
            payload={"changed": changed},
        )
    return committee


def _require_committee_admin(actor, committee: Committee, what: str = "change seats") -> None:
    if _is_system(actor) or getattr(actor, "is_superuser", False):
        return
    if rules.roles_by_committee(actor).get(committee.pk) != Role.CHAIR:
        raise NotPermitted(f"Only the chair of {committee} or an administrator may {what}.")


# Projects

PROJECT_FIELDS = ("name", "status", "repository_urls", "lead", "former_names")


@transaction.atomic
def do_create_project(
    *,
    committee: Committee,
    actor,
    name: str,
    status: str = ProjectStatus.PROPOSED,
    repository_urls: list[str] | None = None,
    lead: str = "",
    former_names: list[str] | None = None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Project:
    """Put a project on a committee's list (its chair and administrators may)."""
    _require_committee_admin(actor, committee, "change its projects")
    name = name.strip()
    if not name:
        raise LifecycleError("A project needs a name.")
    _require_free_name(name)
    project = Project.objects.create(
        committee=committee,
        name=name,
        status=status,
        repository_urls=list(repository_urls or []),
        lead=lead,
        former_names=list(former_names or []),
    )
    audit.record(
        action="project.created",
        actor=actor,
        at=at,
        committee=committee,
        project=project,
        reason=reason,
        payload={
            "from": "",
            "to": project.status,
            "name": project.name,
            "repository_urls": project.repository_urls,
            "lead": project.lead,
        },
    )
    return project


@transaction.atomic
def do_update_project(
    *, project: Project | int, actor, reason: str = "", at=None, **changes
) -> Project:
    """Correct a project's details outside a proposal (its chair and administrators may).

    Renames, leads and status normally change when a proposal is completed; this is
    for corrections, and records the old and new values like any other change.
    """
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise LifecycleError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    pk = project.pk if isinstance(project, Project) else project
    project = Project.objects.select_for_update().select_related("committee").get(pk=pk)
    _require_committee_admin(actor, project.committee, "change its projects")
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise LifecycleError("A project needs a name.")
        _require_free_name(changes["name"], project)
    changed = {}
    for field, value in changes.items():
        old = getattr(project, field)
        if old != value:
            changed[field] = {"from": old, "to": value}
            setattr(project, field, value)
    if not changed:
        return project
    project.save(update_fields=list(changed))
    audit.record(
        action="project.updated",
        actor=actor,
        at=at,
        committee=project.committee,
        project=project,
        reason=reason,
        payload={"changed": changed, "name": project.name},
    )
    return project


# Committees and meetings


@transaction.atomic
def do_create_committee(
    *, actor, name: str, reason: str = "", at: datetime.datetime | None = None
) -> Committee:
    """Add a committee (administrators may; so does the notes import for its folders)."""
    if not (_is_system(actor) or getattr(actor, "is_superuser", False)):
        raise NotPermitted("Only an administrator may add committees.")
    name = name.strip()
    if not name:
        raise LifecycleError("A committee needs a name.")
    slug = slugify(name)[:100] or f"committee-{Committee.objects.count() + 1}"
    if Committee.objects.filter(Q(name__iexact=name) | Q(slug=slug)).exists():
        raise LifecycleError(f"A committee named {name} already exists.")
    committee = Committee.objects.create(name=name[:100], slug=slug)
    audit.record(
        action="committee.created",
        actor=actor,
        at=at,
        committee=committee,
        reason=reason,
        payload={"name": committee.name, "slug": committee.slug},
    )
    return committee


MEETING_IMPORT_FIELDS = ("title", "notes", "original_notes", "source", "source_sha256")


@transaction.atomic
def do_import_meeting(
    *,
    actor,
    committee: Committee,
    date: datetime.date,
    title: str,
    notes: str,
    original_notes: str = "",
    source: str = "",
    source_sha256: str = "",
    team_reports: tuple[tuple[str, str, str], ...] = (),
    reason: str = "",
) -> tuple[Meeting, str, list[str]]:
    """Create or update the meeting of `committee` on `date` from a notes file, with
    its team reports as (team, lead, body).

    Returns the meeting, "created", "updated" or "unchanged", and the fields that
    changed. A created meeting is recorded at its date; an update at the time it is
    made, with the fields and teams that changed.
    """
    _require_committee_admin(actor, committee)
    meeting = Meeting.objects.select_for_update().filter(committee=committee, date=date).first()
    values = {
        "title": (title.strip() or f"{committee} meeting {date:%Y-%m-%d}")[:300],
        "notes": notes,
        "original_notes": original_notes,
        "source": source[:500],
        "source_sha256": source_sha256,
    }
    reports = [(team[:200], lead[:200], body) for team, lead, body in team_reports]
    created = meeting is None
    if created:
        meeting = Meeting(committee=committee, date=date)
        before: list[tuple[str, str, str]] = []
        changed = [field for field in MEETING_IMPORT_FIELDS if values[field]]
    else:
        before = list(meeting.team_reports.order_by("position", "id").values_list(
            "team", "lead", "body"
        ))  # fmt: skip
        changed = [
            field for field in MEETING_IMPORT_FIELDS if getattr(meeting, field) != values[field]
        ]
    if before != reports:
        changed.append("team_reports")
    if not changed:
        return meeting, "unchanged", []
    for field, value in values.items():
        setattr(meeting, field, value)
    meeting.imported_at = timezone.now()
    meeting.save()
    if "team_reports" in changed:
        if not created:
            meeting.team_reports.all().delete()
        TeamReport.objects.bulk_create(
            TeamReport(meeting=meeting, position=i, team=team, lead=lead, body=body)
            for i, (team, lead, body) in enumerate(reports)
        )
    teams_before = [(team, lead) for team, lead, _ in before]
    teams_after = [(team, lead) for team, lead, _ in reports]
    audit.record(
        action="meeting.imported" if created else "meeting.updated",
        actor=actor,
        at=datetime.datetime.combine(date, datetime.time(12), datetime.UTC) if created else None,
        committee=committee,
        reason=reason,
        payload={
            "meeting": meeting.pk,
            "date": date.isoformat(),
            "source": meeting.source,
            "sha256": meeting.source_sha256,
            "changed": changed,
            "team_reports": len(reports),
            "teams_added": [_team_label(t) for t in teams_after if t not in teams_before],
            "teams_removed": [_team_label(t) for t in teams_before if t not in teams_after],
        },
    )
    return meeting, "created" if created else "updated", changed


def _team_label(team_and_lead: tuple[str, str]) -> str:
    team, lead = team_and_lead
    return f"{team} ({lead or 'no lead'})"
