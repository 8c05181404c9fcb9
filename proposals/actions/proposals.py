"""Proposals: filing, editing, and linking them to the meetings they came up in."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from pmc.models import Committee, Meeting, Project
from proposals import audit, rules
from proposals.actions._base import (
    _apply_changes,
    _is_system,
    _locked,
    _meeting_time,
    _nonblank,
    _proposal_event,
    _proposal_event_of,
    _require_known_fields,
    _require_project_in,
    action,
)
from proposals.errors import InvalidTransition, LifecycleError, NotPermitted, StaleState
from proposals.models import Proposal, ProposalMeeting
from proposals.states import EDITABLE_STATES, State


@action
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
    from_notes: bool = False,
) -> Proposal:
    """File a new proposal in draft. Any active member of the committee may. With
    `from_notes` (the notes import) it has no proposer: the notes name a team, and the
    chair who uploaded them is the actor, not the author."""
    if not _is_system(actor) and rules.roles_by_committee(actor).get(committee.pk) is None:
        raise NotPermitted(f"Only members of {committee} may file proposals there.")
    _require_project_in(project, committee.pk)
    title = _nonblank(title, "A proposal needs a title.")
    at = at or timezone.now()
    proposal = Proposal(
        committee=committee,
        project=project,
        kind=kind,
        title=title,
        body=body,
        proposer=None if from_notes or _is_system(actor) else actor,
        proposing_team=proposing_team,
        condition=condition,
        new_name=new_name,
        new_lead=new_lead,
        created_at=at,
    )
    proposal.save()
    _proposal_event(
        proposal,
        action="proposal.created",
        actor=actor,
        at=at,
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


@action
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
    _require_known_fields(changes, EDITABLE_FIELDS, "edited")
    proposal = _locked(proposal)
    if not (_is_system(actor) or rules.has_perm("proposals.edit_proposal", actor, proposal)):
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
    _require_project_in(changes.get("project"), proposal.committee_id)
    if "title" in changes:
        changes["title"] = _nonblank(changes["title"], "A proposal needs a title.")
    changed = _apply_changes(proposal, changes, shown=_plain)
    if not changed:
        return proposal
    if any(field in TEXT_FIELDS for field in changed):
        proposal.revision += 1
    proposal.save()
    _proposal_event(
        proposal,
        action="proposal.edited",
        actor=actor,
        reason=reason,
        payload={"changed": changed, "revision": proposal.revision},
    )
    return proposal


def _plain(value):
    return str(value) if isinstance(value, Project) else value


@action
def do_link_meeting(
    *, proposal: Proposal | int, meeting: Meeting, actor, section: str = "", excerpt: str = ""
) -> ProposalMeeting:
    """Record that a proposal came up in a meeting (once per meeting)."""
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    do_link_meetings(meeting=meeting, actor=actor, links=[MeetingLink(pk, section, excerpt)])
    return ProposalMeeting.objects.get(proposal_id=pk, meeting=meeting)


@dataclass(frozen=True)
class MeetingLink:
    """A proposal that came up in a meeting, where and in which words."""

    proposal: int
    section: str = ""
    excerpt: str = ""


@action
def do_link_meetings(*, meeting: Meeting, actor, links: list[MeetingLink]) -> list[int]:
    """Record that proposals came up in a meeting, each once per meeting, with one event
    for every proposal linked now. Returns the ids of the proposals linked now (those
    linked already, or named twice, are left as they are)."""
    wanted = list(dict.fromkeys(link.proposal for link in links))
    here = ProposalMeeting.objects.filter(proposal=OuterRef("pk"), meeting=meeting)
    rows = (
        Proposal.objects.select_for_update()
        .filter(pk__in=wanted)
        .values_list("pk", "committee_id", "project_id", Exists(here))
    )
    proposals, linked = {}, set()
    for pk, committee, project, is_linked in rows:
        proposals[pk] = Proposal(pk=pk, committee_id=committee, project_id=project)  # for events
        if is_linked:
            linked.add(pk)
    missing = [pk for pk in wanted if pk not in proposals]
    if missing:
        raise LifecycleError(f"There is no proposal #{missing[0]}.")
    new = []
    for link in links:
        if link.proposal not in linked:
            linked.add(link.proposal)
            new.append(link)
    ProposalMeeting.objects.bulk_create(
        ProposalMeeting(
            proposal_id=link.proposal, meeting=meeting, section=link.section, excerpt=link.excerpt
        )
        for link in new
    )
    at = _meeting_time(meeting.date)
    audit.record_many(
        [
            _proposal_event_of(
                proposals[link.proposal],
                action="proposal.meeting_linked",
                actor=actor,
                at=at,
                payload={
                    "meeting": meeting.pk,
                    "date": meeting.date.isoformat(),
                    "section": link.section,
                },
            )
            for link in new
        ]
    )
    return [link.proposal for link in new]
