"""Readings: what a chair (or staff) makes of a lifecycle item an import read in a
meeting's notes. Confirming it takes the steps held for it; correcting it moves it to
the proposal of the corrected kind and project; merging it moves its meeting link to
another proposal of the committee; dismissing it unlinks the meeting. Each writes one
`reading.*` event naming what changed, besides the events of the actions it runs
(links, transitions); a proposal the reading alone raised is withdrawn, never deleted.

The steps the notes record are the meeting's, dated as the import dates them. They
are taken by the reviewer when they chair the committee; staff, who hold no seat, take
them as the import would have (`system:import`), the reading's event naming them.
"""

from __future__ import annotations

from django.utils import timezone

from pmc.models import Meeting, Project, Role, meeting_time
from proposals import audit, events, permissions
from proposals.actions._base import _nonblank, _single_line, action
from proposals.actions.checklists import do_set_checklist_item
from proposals.actions.projects import do_create_project
from proposals.actions.proposals import (
    MeetingLink,
    do_create_proposal,
    do_edit_proposal,
    do_link_meetings,
    do_unlink_meeting_notes,
)
from proposals.actions.transitions import (
    do_complete,
    do_decide,
    do_defer,
    do_resume,
    do_submit,
    do_withdraw,
)
from proposals.actors import IMPORT
from proposals.errors import InvalidTransition, LifecycleError, NotPermitted
from proposals.kinds import KINDS
from proposals.models import Proposal, ProposalMeeting, Reading
from proposals.outcomes import steps_to
from proposals.states import EDITABLE_STATES, FINAL_STATES, Kind, ReadingStatus, State

# The outcomes a reading can record, as the notes parser words them.
OUTCOMES = ("pending", "approved", "rejected", "deferred", "completed")
# What can be withdrawn (the `withdraw` transition's sources).
_WITHDRAWABLE = {State.DRAFT, State.DISCUSSION, State.VOTING}


@action
def do_confirm_reading(*, reading: Reading | int, actor, reason: str = "") -> Reading:
    """The reading is right: take the steps held for it (decide, complete...), as the
    meeting's decision, dated as the import dates them."""
    reading = _locked_reading(reading, actor)
    before = {"status": reading.status, "held": list(reading.held)}
    _review(reading, ReadingStatus.CONFIRMED, actor, reason)
    steps = []
    if reading.held and reading.proposal_id:
        reading.save()  # confirmed before it completes anything (`readings_confirmed`)
        steps = _take_steps(reading, reading.proposal, actor)
    reading.held, reading.taken = [], _added(reading.taken, steps)
    reading.save()
    _reading_event(
        reading,
        events.READING_CONFIRMED,
        actor,
        reason,
        before=before,
        after={"status": reading.status, "held": []},
        steps=steps,
    )
    return reading


@action
def do_correct_reading(
    *,
    reading: Reading | int,
    actor,
    kind: str | None = None,
    project: str | None = None,
    new_name: str | None = None,
    new_lead: str | None = None,
    outcome: str | None = None,
    reason: str = "",
) -> Reading:
    """The notes say something else: the item is of another kind, about another project,
    names another new name or lead, or ended otherwise. The reading then belongs to the
    proposal of the corrected kind and project: the one it raised is edited when nothing
    else uses it and its state allows, or else withdrawn as misread (or only unlinked
    from the meeting, when other meetings raise it too); a matching open proposal is
    found or a new one filed; and the corrected outcome's steps are taken."""
    reading = _locked_reading(reading, actor)
    was = _item(reading)
    asked = {"kind": kind, "project": project, "new_name": new_name, "new_lead": new_lead}
    item = {**was, **_corrections(**asked, outcome=outcome)}
    changed = sorted(field for field, value in item.items() if value != was[field])
    if not changed:
        raise LifecycleError("That is what was read: confirm the reading instead.")
    acting = _acting(actor, reading.meeting)
    old = reading.proposal
    withdrawn = unlinked = None
    proposal, created = _corrected_proposal(reading, item, acting)
    if old is not None and old.pk != proposal.pk:
        unlinked = _unlink(reading.meeting, old, acting, f"Misread: corrected to #{proposal.pk}.")
        if _raised_only_here(old, reading):
            withdrawn = _withdraw(old, acting, f"Misread: corrected to #{proposal.pk}.")
    do_link_meetings(
        meeting=reading.meeting,
        actor=acting,
        links=[MeetingLink(proposal.pk, reading.section, reading.quote)],
        from_notes=True,
    )
    _review(reading, ReadingStatus.CORRECTED, actor, reason)
    reading.correction = item
    reading.proposal = proposal
    reading.created_proposal = reading.created_proposal or created
    reading.held = []
    reading.save()  # corrected before it completes anything (`readings_confirmed`)
    steps = _take_steps(reading, proposal, actor, outcome=item["outcome"])
    reading.taken = _added(reading.taken, steps)
    reading.save()
    _reading_event(
        reading,
        events.READING_CORRECTED,
        actor,
        reason,
        before={**was, "proposal": old.pk if old else None},
        after={**item, "proposal": proposal.pk},
        changed=changed,
        steps=steps,
        filed=proposal.pk if created else None,
        unlinked=unlinked,
        withdrawn=withdrawn,
    )
    return reading


@action
def do_merge_reading(
    *, reading: Reading | int, actor, into: Proposal | int, reason: str = ""
) -> Reading:
    """The item is a proposal of the committee filed already: the meeting's link moves
    over to it; the proposal the import raised for the item, left with no meeting, is
    withdrawn ("merged into #N")."""
    reading = _locked_reading(reading, actor)
    pk = into.pk if isinstance(into, Proposal) else into
    target = Proposal.objects.select_related("committee").filter(pk=pk).first()
    committee = reading.meeting.committee
    if target is None:
        raise LifecycleError(f"There is no proposal #{pk}. Check the number.")
    if target.committee_id != committee.pk:
        raise LifecycleError(
            f"Proposal #{target.pk} belongs to {target.committee}; merge into a proposal of "
            f"{committee}."
        )
    old = reading.proposal
    if old is not None and old.pk == target.pk:
        raise LifecycleError(f"The reading is of proposal #{target.pk} already.")
    acting = _acting(actor, reading.meeting)
    withdrawn = unlinked = None
    do_link_meetings(
        meeting=reading.meeting,
        actor=acting,
        links=[MeetingLink(target.pk, reading.section, reading.quote)],
        from_notes=True,
    )
    if old is not None:
        unlinked = _unlink(reading.meeting, old, acting, f"Merged into #{target.pk}.")
        if _raised_by_import(old) and not old.meetings.exists():
            withdrawn = _withdraw(old, acting, f"Merged into #{target.pk}.")
    before = {"status": reading.status, "proposal": old.pk if old else None}
    _review(reading, ReadingStatus.MERGED, actor, reason)
    reading.proposal, reading.held = target, []
    reading.save()
    _reading_event(
        reading,
        events.READING_MERGED,
        actor,
        reason,
        before=before,
        after={"status": reading.status, "proposal": target.pk},
        unlinked=unlinked,
        withdrawn=withdrawn,
    )
    return reading


@action
def do_dismiss_reading(*, reading: Reading | int, actor, reason: str) -> Reading:
    """The import misread the notes: the item is no lifecycle item. The meeting is
    unlinked from its proposal; a proposal the reading alone raised is withdrawn as
    misread. A later import of the file leaves the item out."""
    reading = _locked_reading(reading, actor)
    reason = _nonblank(reason, "Say why the reading is wrong, for the record.")
    old = reading.proposal
    acting = _acting(actor, reading.meeting)
    withdrawn = unlinked = None
    if old is not None and old.committee_id == reading.meeting.committee_id:
        unlinked = _unlink(reading.meeting, old, acting, f"Misread: {reason}")
        if _raised_only_here(old, reading):
            withdrawn = _withdraw(old, acting, f"Misread: {reason}")
    before = {"status": reading.status, "held": list(reading.held)}
    _review(reading, ReadingStatus.DISMISSED, actor, reason)
    reading.held = []
    reading.save()
    _reading_event(
        reading,
        events.READING_DISMISSED,
        actor,
        reason,
        before=before,
        after={"status": reading.status, "held": []},
        unlinked=unlinked,
        withdrawn=withdrawn,
    )
    return reading


# Shared steps


def _corrections(**asked: str | None) -> dict:
    """The fields a chair corrected (those given), checked."""
    asked = {field: value.strip() for field, value in asked.items() if value is not None}
    _single_line(**asked)
    if "kind" in asked and asked["kind"] not in Kind.values:
        raise LifecycleError(f"“{asked['kind']}” is no kind of proposal; pick one of the list.")
    if "outcome" in asked and asked["outcome"] not in OUTCOMES:
        raise LifecycleError(f"“{asked['outcome']}” is no outcome; pick one of the list.")
    if "project" in asked:
        asked["project"] = _nonblank(asked["project"], "Name the project the item is about.")
    return asked


def _corrected_proposal(reading: Reading, item: dict, actor) -> tuple[Proposal, bool]:
    """The proposal of the corrected item, and whether it was filed now: the reading's own
    if it is of that kind and project already, else an open one of them, else the one
    the reading raised, edited (when it can be), else a new one."""
    meeting, old = reading.meeting, reading.proposal
    project = _project(item["project"], item["kind"], meeting, actor)
    if old is not None and (old.kind, old.project_id) == (item["kind"], project.pk):
        # The same proposal, with another new name or lead, or another outcome.
        if old.state in EDITABLE_STATES and old.proposer_id is None:
            old = _edit(old, item, project, actor, reading)
        return old, False
    found = _open_proposal(item["kind"], project, exclude=old)
    if found is not None:
        return found, False
    if _edits_in_place(old, reading, item["kind"]):
        return _edit(old, item, project, actor, reading), False
    filed = do_create_proposal(
        actor=actor,
        committee=meeting.committee,
        kind=item["kind"],
        title=KINDS[item["kind"]].title(project.name, _Named(item))[:300],
        body=reading.quote,
        project=project,
        new_name=item["new_name"],
        new_lead=item["new_lead"],
        at=meeting_time(meeting.date),
        from_notes=True,
    )
    return filed, True


def _locked_reading(reading: Reading | int, actor) -> Reading:
    """The reading, locked, once the actor may review it and it waits for review."""
    pk = reading.pk if isinstance(reading, Reading) else reading
    reading = (
        Reading.objects.select_for_update(of=("self",))
        .select_related("meeting__committee", "proposal")
        .filter(pk=pk)
        .first()
    )
    if reading is None:
        raise LifecycleError(f"There is no reading #{pk}.")
    committee = reading.meeting.committee
    if not permissions.has_perm("proposals.review_readings", actor, committee):
        raise NotPermitted(
            f"Only the chair of {committee} or staff may review what imports read in its notes."
        )
    if reading.status != ReadingStatus.UNREVIEWED:
        by = f" by {reading.reviewed_by}" if reading.reviewed_by_id else ""
        raise InvalidTransition(
            f"This reading was {reading.get_status_display().lower()}{by} already. "
            "Reload the page to see it."
        )
    return reading


def _acting(actor, meeting: Meeting):
    """Who runs the actions a review causes: the committee's chair themselves; staff,
    who hold no seat, through the import's own authority (see the module)."""
    if permissions.roles_by_committee(actor).get(meeting.committee_id) == Role.CHAIR:
        return actor
    return IMPORT


def _review(reading: Reading, status: str, actor, reason: str) -> None:
    reading.status = status
    reading.reviewed_by = actor
    reading.reviewed_at = timezone.now()
    reading.review_reason = reason.strip()


def _item(reading: Reading) -> dict:
    """The item as read (and as correctable)."""
    return {
        "kind": reading.kind,
        "project": reading.subject,
        "new_name": reading.new_name,
        "new_lead": reading.new_lead,
        "outcome": reading.outcome,
    }


def _added(taken: list[str], steps: list[str]) -> list[str]:
    return list(dict.fromkeys([*taken, *steps]))


def _take_steps(reading: Reading, proposal: Proposal, actor, *, outcome: str = "") -> list[str]:
    """Move the proposal to where the notes leave it, as the meeting's decision, dated
    as the import dates it; a step refused stops the review with its reason."""
    meeting = reading.meeting
    proposal = Proposal.objects.get(pk=proposal.pk)
    acting = _acting(actor, meeting)
    at = meeting_time(meeting.date)
    reason = (
        f"Recorded in the notes of {meeting.committee} {meeting.date:%Y-%m-%d}; the reading "
        f"was {reading.get_status_display().lower()} by {actor}."
    )
    moves = {"actor": acting, "at": at, "reason": reason}
    steps = steps_to(proposal.state, outcome or reading.outcome)
    for step in steps:
        if step == "submit":
            proposal = do_submit(proposal=proposal, **moves)
        elif step == "resume":
            proposal = do_resume(proposal=proposal, **moves)
        elif step == "defer":
            proposal = do_defer(proposal=proposal, **moves)
        elif step == "decide":
            accepted = (outcome or reading.outcome) != "rejected"
            proposal = do_decide(proposal=proposal, accepted=accepted, meeting=meeting, **moves)
        elif step == "complete":
            # The notes say it is done: what is left of the checklist is ticked.
            for item in proposal.checklist.to_do().order_by("position", "id"):
                do_set_checklist_item(item=item, actor=acting, done=True, at=at)
            proposal = do_complete(proposal=proposal, **moves)
    return steps


def _project(name: str, kind: str, meeting: Meeting, actor) -> Project:
    """The project called `name` now or before; one the registry lacks is put on the
    meeting's committee's list, as the import would."""
    found = Project.objects.named(name).select_related("committee").first()
    if found is None:
        return do_create_project(
            committee=meeting.committee,
            actor=actor,
            name=name[:200],
            status=KINDS[kind].new_project_status,
            reason=f"Named in a corrected reading of {meeting.committee} {meeting.date:%Y-%m-%d}.",
            at=meeting_time(meeting.date),
        )
    if found.committee_id != meeting.committee_id:
        raise LifecycleError(
            f"{found} belongs to {found.committee}: its chair reviews readings about it. "
            "Dismiss this reading, or correct it to a project of this committee."
        )
    return found


def _open_proposal(kind: str, project: Project, *, exclude: Proposal | None) -> Proposal | None:
    """The newest open proposal of this kind about the project (not `exclude`)."""
    query = Proposal.objects.filter(kind=kind, project=project).exclude(state__in=FINAL_STATES)
    if exclude is not None:
        query = query.exclude(pk=exclude.pk)
    return query.order_by("-created_at", "-id").first()


def _edits_in_place(proposal: Proposal | None, reading: Reading, kind: str) -> bool:
    """Whether the proposal the reading raised can become the corrected one: of the same
    kind (a kind is not edited), raised by this reading alone, and its text editable."""
    return (
        proposal is not None
        and proposal.kind == kind
        and proposal.state in EDITABLE_STATES
        and _raised_only_here(proposal, reading)
    )


def _edit(proposal: Proposal, item: dict, project: Project, actor, reading: Reading) -> Proposal:
    changes = {"project": project, "new_name": item["new_name"], "new_lead": item["new_lead"]}
    changes["title"] = KINDS[item["kind"]].title(project.name, _Named(item))[:300]
    return do_edit_proposal(
        proposal=proposal,
        actor=actor,
        reason=f"Corrected reading of {reading.meeting.committee} {reading.meeting.date:%Y-%m-%d}.",
        **changes,
    )


class _Named:
    """What a kind's title reads of an item (`KINDS[kind].title`), from a correction."""

    def __init__(self, item: dict) -> None:
        self.new_name, self.new_lead = item["new_name"], item["new_lead"]
        self.project = self.subject = item["project"]
        self.summary = ""


def _raised_by_import(proposal: Proposal) -> bool:
    """Filed from meeting notes (no proposer) by an import's reading."""
    return proposal.proposer_id is None and proposal.readings.filter(created_proposal=True).exists()


def _raised_only_here(proposal: Proposal, reading: Reading) -> bool:
    """The proposal was raised by this reading and nothing else mentions it: no other
    meeting, no other reading still standing."""
    if proposal.proposer_id is not None or not reading.created_proposal:
        return False
    other_meetings = ProposalMeeting.objects.filter(proposal=proposal).exclude(
        meeting=reading.meeting
    )
    other_readings = proposal.readings.exclude(pk=reading.pk).exclude(
        status__in=[ReadingStatus.DISMISSED, ReadingStatus.MERGED]
    )
    return not other_meetings.exists() and not other_readings.exists()


def _unlink(meeting: Meeting, proposal: Proposal, actor, reason: str) -> int | None:
    """Take the link the meeting's notes made to the proposal away (one link only)."""
    links = ProposalMeeting.objects.filter(meeting=meeting, from_notes=True)
    if not links.filter(proposal=proposal).exists():
        return None
    keep = set(links.exclude(proposal=proposal).values_list("proposal_id", flat=True))
    do_unlink_meeting_notes(meeting=meeting, actor=actor, keep=keep, reason=reason)
    return proposal.pk


def _withdraw(proposal: Proposal, actor, reason: str) -> int | None:
    """Withdraw the proposal if it still can be (one decided or completed stays)."""
    proposal = Proposal.objects.get(pk=proposal.pk)
    if proposal.state not in _WITHDRAWABLE:
        return None
    do_withdraw(proposal=proposal, actor=actor, reason=reason)
    return proposal.pk


def _reading_event(reading: Reading, name: str, actor, reason: str, **payload) -> None:
    meeting, proposal = reading.meeting, reading.proposal
    audit.record(
        action=name,
        actor=actor,
        committee=meeting.committee,
        proposal=proposal,
        project=proposal.project if proposal is not None else None,
        reason=reason.strip(),
        payload={
            "reading": reading.pk,
            "meeting": meeting.pk,
            "date": meeting.date.isoformat(),
            "key": reading.key,
            **payload,
        },
    )
