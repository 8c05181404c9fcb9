"""Proposals: filing, editing, and linking them to the meetings they came up in."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from pmc.models import Committee, Meeting, Project, meeting_time
from proposals import audit, events, permissions
from proposals.actions._base import (
    _apply_changes,
    _is_system,
    _locked,
    _nonblank,
    _proposal_event,
    _proposal_event_of,
    _require_chair_of_proposals,
    _require_committee_admin,
    _require_known_fields,
    _require_project_in,
    _single_line,
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
    form_token: str = "",
) -> Proposal:
    """File a new proposal in draft. Any active member of the committee may. With
    `from_notes` (the notes import) it has no proposer: the notes name a team, and the
    chair who uploaded them is the actor, not the author.

    `form_token` is the one-time token of the form that files it: the same form saved
    again (Back, then Save) returns the draft it filed the first time, even when both
    saves arrive at once in different processes (the database keeps one proposal per
    proposer and token)."""
    if not _is_system(actor) and permissions.roles_by_committee(actor).get(committee.pk) is None:
        raise NotPermitted(f"Only members of {committee} may file proposals there.")
    proposer = None if from_notes or _is_system(actor) else actor
    form_token = form_token if proposer is not None else ""
    filed = Proposal.objects.filed_with_form(proposer, form_token) if form_token else None
    if filed is not None:
        return filed
    _require_project_in(project, committee.pk)
    _single_line(
        title=title,
        proposing_team=proposing_team,
        condition=condition,
        new_name=new_name,
        new_lead=new_lead,
    )
    title = _nonblank(title, "A proposal needs a title.")
    at = at or timezone.now()
    proposal = Proposal(
        committee=committee,
        project=project,
        kind=kind,
        title=title,
        body=body,
        proposer=proposer,
        proposing_team=proposing_team,
        condition=condition,
        new_name=new_name,
        new_lead=new_lead,
        created_at=at,
        form_token=form_token,
    )
    filed = _save_once(proposal)
    if filed is not proposal:
        return filed
    _proposal_event(
        proposal,
        action=events.PROPOSAL_CREATED,
        actor=actor,
        at=at,
        to_state=proposal.state,
        payload={"kind": kind, "title": proposal.title, "revision": proposal.revision},
    )
    return proposal


def _save_once(proposal: Proposal) -> Proposal:
    """Save a new proposal; if another request filed one with the same form at the same
    moment and committed first, return that one instead (the unique form token)."""
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        token = proposal.form_token
        filed = Proposal.objects.filed_with_form(proposal.proposer, token) if token else None
        if filed is None:
            raise
        return filed
    return proposal


@dataclass(frozen=True)
class Editable:
    """A field of a proposal that an edit may change, and what changing it means."""

    name: str
    revises: bool = True  # a change is a new revision of the text voted on
    single_line: bool = True  # no line breaks: a title, a name
    typed: bool = True  # typed in (the admin edits these), not a row picked


EDITABLE = (
    Editable("title"),
    Editable("body", single_line=False),
    Editable("project", single_line=False, typed=False),
    Editable("proposing_team", revises=False),
    Editable("condition"),
    Editable("new_name"),
    Editable("new_lead"),
)
EDITABLE_FIELDS = tuple(field.name for field in EDITABLE)
TEXT_FIELDS = tuple(field.name for field in EDITABLE if field.revises)
SINGLE_LINE_FIELDS = tuple(field.name for field in EDITABLE if field.single_line)
TYPED_FIELDS = tuple(field.name for field in EDITABLE if field.typed)


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
    if not (_is_system(actor) or permissions.has_perm("proposals.edit_proposal", actor, proposal)):
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
    _single_line(**{field: changes[field] for field in SINGLE_LINE_FIELDS if field in changes})
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
        action=events.PROPOSAL_EDITED,
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
def do_link_meetings(
    *,
    meeting: Meeting,
    actor,
    links: list[MeetingLink],
    from_notes: bool = False,
    at: datetime.datetime | None = None,
) -> list[int]:
    """Record that proposals came up in a meeting, each once per meeting, with one event
    for every proposal linked now. Returns the ids of the proposals linked now (those
    linked already, or named twice, are left as they are).

    `from_notes`: the links were found in the meeting's notes file. A link found there
    before takes the section and excerpt it has now (recorded when they changed).
    `at`: when the events are dated; by default the meeting's time (`meeting_time`), as
    for links read in its notes.

    The actor chairs the meeting's committee and the proposals' (or is an
    administrator): a chair's notes that mention another committee's proposal suggest
    the link to that committee's chair instead (`do_suggest_meeting_link`)."""
    _require_committee_admin(actor, meeting.committee, "link proposals to its meetings")
    return _link_meetings(meeting=meeting, actor=actor, links=links, from_notes=from_notes, at=at)


def _link_meetings(
    *,
    meeting: Meeting,
    actor,
    links: list[MeetingLink],
    from_notes: bool = False,
    at: datetime.datetime | None = None,
) -> list[int]:
    """`do_link_meetings` once the actor may link to the meeting: as the meeting's
    chair, or as the proposals' chair confirming a link the meeting's chair suggested."""
    wanted = list(dict.fromkeys(link.proposal for link in links))
    rows = (
        Proposal.objects.select_for_update()
        .filter(pk__in=wanted)
        .values_list("pk", "committee_id", "project_id")
    )
    proposals = {
        pk: Proposal(pk=pk, committee_id=committee, project_id=project)  # what events need
        for pk, committee, project in rows
    }
    missing = [pk for pk in wanted if pk not in proposals]
    if missing:
        raise LifecycleError(f"There is no proposal #{missing[0]}.")
    _require_chair_of_proposals(actor, meeting, proposals.values(), "link its proposals to")
    # Keyed by proposal: unordered (the default ordering joins the meetings).
    linked = ProposalMeeting.objects.filter(meeting=meeting, proposal__in=wanted).order_by()
    existing = {mention.proposal_id: mention for mention in linked}
    new, updated, written, handled = [], [], [], set()
    at = at or meeting_time(meeting.date)
    for link in links:
        if link.proposal in handled:
            continue  # named twice: the first one counts
        handled.add(link.proposal)
        mention = existing.get(link.proposal)
        if mention is None:
            mention = ProposalMeeting(
                proposal_id=link.proposal,
                meeting=meeting,
                section=link.section,
                excerpt=link.excerpt,
                from_notes=from_notes,
            )
            new.append(mention)
            action, payload = events.PROPOSAL_MEETING_LINKED, {"section": link.section}
        elif from_notes and mention.from_notes:
            changed = _apply_changes(mention, {"section": link.section, "excerpt": link.excerpt})
            if not changed:
                continue
            updated.append(mention)
            action, payload = events.PROPOSAL_MEETING_LINK_UPDATED, {"changed": changed}
        else:
            continue
        payload = {"meeting": meeting.pk, "date": meeting.date.isoformat(), **payload}
        written.append(
            _proposal_event_of(
                proposals[link.proposal], action=action, actor=actor, at=at, payload=payload
            )
        )
    ProposalMeeting.objects.bulk_create(new)
    ProposalMeeting.objects.bulk_update(updated, ["section", "excerpt"])
    audit.record_many(written)
    return [mention.proposal_id for mention in new]


@action
def do_unlink_meeting_notes(
    *, meeting: Meeting, actor, keep: set[int], reason: str = ""
) -> list[int]:
    """Remove the links the meeting's notes made to proposals they no longer mention
    (those not in `keep`), one event each; links made by hand stay. Returns the ids of
    the proposals unlinked."""
    _require_committee_admin(actor, meeting.committee, "unlink proposals from its meetings")
    gone = list(
        ProposalMeeting.objects.select_for_update()
        .filter(meeting=meeting, from_notes=True)
        .exclude(proposal__in=keep)
        .select_related("proposal")
        .order_by("id")
    )
    if not gone:
        return []
    _require_chair_of_proposals(
        actor, meeting, [mention.proposal for mention in gone], "unlink its proposals from"
    )
    ProposalMeeting.objects.filter(pk__in=[mention.pk for mention in gone]).delete()
    at = meeting_time(meeting.date)
    audit.record_many(
        [
            _proposal_event_of(
                mention.proposal,
                action=events.PROPOSAL_MEETING_UNLINKED,
                actor=actor,
                at=at,
                reason=reason,
                payload={
                    "meeting": meeting.pk,
                    "date": meeting.date.isoformat(),
                    "section": mention.section,
                },
            )
            for mention in gone
        ]
    )
    return [mention.proposal_id for mention in gone]
