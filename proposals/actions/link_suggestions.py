"""Link suggestions: a chair's notes that mention another committee's proposal.

A chair who uploads their committee's notes acts for that committee only. A proposal
of another committee that the notes mention is not linked to the meeting on the
uploading chair's authority: the upload suggests the link (`do_suggest_meeting_link`,
an event of the meeting's committee), and the proposal's committee's chair confirms it,
which links the proposal as `do_link_meetings` does, or dismisses it
(`do_decide_link_suggestion`, events of the proposal). The import command, acting as
the system, links across committees itself and suggests nothing.
"""

from __future__ import annotations

from django.utils import timezone

from pmc.models import Meeting
from proposals import audit, events
from proposals.actions._base import (
    _apply_changes,
    _is_system,
    _locked,
    _proposal_event,
    _require_committee_admin,
    action,
    chaired_committee_ids,
)
from proposals.actions.proposals import MeetingLink, _link_meetings
from proposals.errors import LifecycleError, NotPermitted, StaleState
from proposals.models import LinkSuggestion, Proposal

PENDING = "pending"


@action
def do_suggest_meeting_link(
    *, meeting: Meeting, proposal: Proposal | int, actor, section: str = "", excerpt: str = ""
) -> tuple[LinkSuggestion, str]:
    """Suggest to the chair of the proposal's committee that the proposal came up in
    the meeting (the actor chairs the meeting's committee, not the proposal's).

    Returns the suggestion and "created", "updated" (a pending one whose section or
    excerpt the notes now word differently), "unchanged" (pending as it was) or
    "decided" (confirmed or dismissed before: the decision stands, nothing changes)."""
    _require_committee_admin(actor, meeting.committee, "suggest links to its meetings")
    if _is_system(actor):
        raise LifecycleError("The import links proposals itself; it suggests nothing.")
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    proposal = Proposal.objects.select_related("committee").get(pk=pk)
    chaired = chaired_committee_ids(actor)
    if chaired is None or proposal.committee_id in chaired:
        raise LifecycleError(
            f"You may link “{proposal}” to the meeting yourself; there is nothing to suggest."
        )
    suggestion = (
        LinkSuggestion.objects.select_for_update()
        .filter(proposal=proposal, meeting=meeting)
        .first()
    )
    payload = {
        "meeting": meeting.pk,
        "date": meeting.date.isoformat(),
        "proposal": proposal.pk,
        "title": proposal.title,
        "to": proposal.committee.name,
    }
    if suggestion is None:
        suggestion = LinkSuggestion.objects.create(
            proposal=proposal,
            meeting=meeting,
            section=section,
            excerpt=excerpt,
            suggested_by=actor,
        )
        status, name, payload = (
            "created",
            events.MEETING_LINK_SUGGESTED,
            {
                **payload,
                "section": section,
            },
        )
    elif suggestion.pending:
        changed = _apply_changes(suggestion, {"section": section, "excerpt": excerpt})
        if not changed:
            return suggestion, "unchanged"
        suggestion.save(update_fields=list(changed))
        status, name = "updated", events.MEETING_LINK_SUGGESTION_UPDATED
        payload = {**payload, "changed": changed}
    else:
        return suggestion, "decided"
    # Filed under the meeting's committee, whose chair acted: nothing is written into
    # the other committee's history until its chair decides.
    audit.record(
        action=name,
        actor=actor,
        committee=meeting.committee,
        payload={"suggestion": suggestion.pk, **payload},
    )
    return suggestion, status


@action
def do_decide_link_suggestion(
    *,
    suggestion: LinkSuggestion | int,
    actor,
    accept: bool,
    reason: str = "",
    expected_state: str | None = None,
) -> LinkSuggestion:
    """Confirm (link the proposal to the meeting, as `do_link_meetings` does) or
    dismiss a suggested link: the chair of the proposal's committee, or an
    administrator, may. A suggestion is decided once: deciding it again is refused
    (with `expected_state`, the state the page showed, the refusal says to reload)."""
    pk = suggestion.pk if isinstance(suggestion, LinkSuggestion) else suggestion
    suggestion = (
        LinkSuggestion.objects.select_for_update(of=("self",))
        .select_related("meeting__committee", "proposal__committee", "suggested_by", "decided_by")
        .get(pk=pk)
    )
    proposal, meeting = suggestion.proposal, suggestion.meeting
    committee = proposal.committee
    chaired = chaired_committee_ids(actor)
    if chaired is not None and committee.pk not in chaired:
        raise NotPermitted(
            f"Only the chair of {committee} or an administrator may confirm or dismiss "
            f"linking “{proposal}” to {meeting.committee}'s meeting of "
            f"{meeting.date:%Y-%m-%d}."
        )
    if not suggestion.pending:
        decided = "confirmed" if suggestion.accepted else "dismissed"
        who = suggestion.decided_by.get_username() if suggestion.decided_by else "the system"
        hint = " Reload the page." if expected_state is not None else ""
        raise StaleState(
            f"Linking “{proposal}” to {meeting} was {decided} by {who} on "
            f"{timezone.localtime(suggestion.decided_at):%Y-%m-%d}; it cannot be decided "
            f"again.{hint}"
        )
    proposal = _locked(proposal)  # decisions about one proposal take turns
    suggestion.accepted = accept
    suggestion.decided_by = None if _is_system(actor) else actor
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["accepted", "decided_by", "decided_at"])
    _proposal_event(
        proposal,
        action=events.PROPOSAL_LINK_SUGGESTION_CONFIRMED
        if accept
        else events.PROPOSAL_LINK_SUGGESTION_DISMISSED,
        actor=actor,
        reason=reason,
        payload={
            "suggestion": suggestion.pk,
            "meeting": meeting.pk,
            "date": meeting.date.isoformat(),
            "committee": meeting.committee.name,
            "section": suggestion.section,
            "suggested_by": suggestion.suggested_by.get_username(),
        },
    )
    if accept:
        link = MeetingLink(proposal.pk, suggestion.section, suggestion.excerpt)
        _link_meetings(meeting=meeting, actor=actor, links=[link], from_notes=True)
    return suggestion


@action
def do_withdraw_link_suggestions(
    *, meeting: Meeting, actor, keep: set[int], reason: str = ""
) -> list[int]:
    """Withdraw the pending suggestions of the meeting whose proposals its edited notes
    no longer mention (those not in `keep`), one event each; decided ones stay as
    decided. Returns the ids of the proposals whose suggestion was withdrawn."""
    _require_committee_admin(actor, meeting.committee, "withdraw links suggested to its meetings")
    gone = list(
        LinkSuggestion.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, accepted__isnull=True)
        .exclude(proposal__in=keep)
        .select_related("proposal__committee")
        .order_by("id")
    )
    if not gone:
        return []
    LinkSuggestion.objects.filter(pk__in=[suggestion.pk for suggestion in gone]).delete()
    audit.record_many(
        [
            audit.new_event(
                action=events.MEETING_LINK_SUGGESTION_WITHDRAWN,
                actor=actor,
                committee=meeting.committee,
                reason=reason,
                payload={
                    "suggestion": suggestion.pk,
                    "meeting": meeting.pk,
                    "date": meeting.date.isoformat(),
                    "proposal": suggestion.proposal_id,
                    "to": suggestion.proposal.committee.name,
                },
            )
            for suggestion in gone
        ]
    )
    return [suggestion.proposal_id for suggestion in gone]
