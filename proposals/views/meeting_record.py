"""A meeting's record, kept by its committee's chair on the meeting's page: who attended,
the minutes proposed, approved and changed; the committee's meeting rules on its page;
and proxy votes in a proposal's vote panel. Each POST runs one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from pmc.models import Committee, Meeting
from proposals import actions, permissions
from proposals.actions.attendance import presence
from proposals.actions.minutes import minutes_digest, reason_for_changes
from proposals.errors import LifecycleError
from proposals.importing import NoteFile, apply_import
from proposals.meeting_record_forms import (
    ApproveMinutesForm,
    AttendanceForm,
    ChangeMinutesForm,
    MeetingRulesForm,
    ProxyVoteForm,
)
from proposals.models import EligibleVoter, Proposal
from proposals.states import State
from proposals.views.access import run_action


def meeting_context(request, meeting: Meeting) -> dict:
    """What the meeting page shows of its record, and the chair's forms."""
    # Each version keeps its whole text: compared by digest, not read for the page.
    versions = list(meeting.minutes.select_related("approved_in").defer("notes").order_by("number"))
    keeps = permissions.has_perm("proposals.keep_meeting_record", request.user, meeting.committee)
    context = {
        "attendance": meeting.attendance.select_related("user"),
        "presence": presence(meeting),
        "minutes_versions": versions,
        "approved_minutes": next((v for v in reversed(versions) if v.approved_at), None),
        "latest_minutes": versions[-1] if versions else None,
        "notes_proposed": bool(versions)
        and versions[-1].notes_sha256 == minutes_digest(meeting.notes),
        "keeps_record": keeps,
    }
    if keeps:
        chosen = meeting.attendance.filter(user__isnull=False).values_list("user_id", flat=True)
        guests = "\n".join(
            meeting.attendance.filter(user__isnull=True).values_list("guest_name", flat=True)
        )
        context.update(
            attendance_form=AttendanceForm(
                meeting=meeting, initial={"members": list(chosen), "guests": guests}
            ),
            approve_form=ApproveMinutesForm(meeting=meeting),
            change_form=ChangeMinutesForm(),
        )
    return context


def _kept(request, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    if not permissions.has_perm("proposals.keep_meeting_record", request.user, meeting.committee):
        raise PermissionDenied(
            f"Only the chair of {meeting.committee} or an administrator keeps the record of "
            "its meetings."
        )
    return meeting


def _back(meeting: Meeting, anchor: str):
    return redirect(f"{meeting.get_absolute_url()}#{anchor}")


@login_required
@require_POST
def record_attendance(request, pk: int):
    meeting = _kept(request, pk)
    form = AttendanceForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(meeting, "attendance-h")
    run_action(
        request,
        actions.do_record_attendance,
        lambda rows: (
            f"Recorded {sum(r.binding for r in rows)} member(s) and "
            f"{sum(not r.binding for r in rows)} guest(s) present."
        ),
        meeting=meeting,
        members=form.cleaned_data["members"],
        guests=form.cleaned_data["guests"],
    )
    return _back(meeting, "attendance-h")


@login_required
@require_POST
def propose_minutes(request, pk: int):
    meeting = _kept(request, pk)
    run_action(
        request,
        actions.do_propose_minutes,
        lambda v: f"The notes are proposed as the minutes (version {v.number}).",
        meeting=meeting,
    )
    return _back(meeting, "minutes-h")


@login_required
@require_POST
def approve_minutes(request, pk: int):
    meeting = _kept(request, pk)
    form = ApproveMinutesForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(meeting, "minutes-h")
    run_action(
        request,
        actions.do_approve_minutes,
        lambda v: f"Version {v.number} of the minutes is recorded as approved.",
        meeting=meeting,
        approved_in=form.cleaned_data["approved_in"],
    )
    return _back(meeting, "minutes-h")


@login_required
@require_POST
def change_minutes(request, pk: int):
    """A corrected notes file for approved minutes, with the reason: imported as the
    upload imports notes, for this meeting only, becoming the next version."""
    meeting = _kept(request, pk)
    form = ChangeMinutesForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(meeting, "minutes-h")
    upload = form.cleaned_data["file"]
    run_action(
        request,
        _import_change,
        lambda v: f"The change is recorded as version {v} of the minutes.",
        meeting=meeting,
        file=NoteFile(upload.name, data=upload.read()),
        reason=form.cleaned_data["reason"],
    )
    return _back(meeting, "minutes-h")


def _import_change(*, actor, meeting: Meeting, file: NoteFile, reason: str) -> int:
    """Import `file` as `meeting`'s notes with `reason`, or change nothing: a file of
    another meeting, or one that fails, is refused with what the import said."""
    with transaction.atomic(), reason_for_changes(reason):
        result = apply_import([file], committee=meeting.committee, actor=actor).files[0]
        if result.status == "failed" or result.status == "skipped":
            raise LifecycleError(result.reason)
        # Raising inside the block rolls back what the import wrote.
        if result.meeting_id != meeting.pk:
            raise LifecycleError(
                f"{file.name} holds the notes of the meeting of {result.date:%Y-%m-%d}, not "
                f"of {meeting.date:%Y-%m-%d}; nothing was changed."
            )
        if result.status == "unchanged" or "notes" not in result.changed:
            raise LifecycleError("The file's notes are the approved ones; nothing changed.")
    return meeting.minutes.order_by("-number").values_list("number", flat=True).first()


def _first_error(form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
    return "Check the form."


# The committee's meeting rules, on its page


def committee_context(request, committee: Committee) -> dict:
    if not permissions.has_perm("proposals.keep_meeting_record", request.user, committee):
        return {}
    return {
        "meeting_rules_form": MeetingRulesForm(
            initial={
                "meeting_quorum": committee.meeting_quorum,
                "proxy_votes": committee.proxy_votes,
            }
        )
    }


@login_required
@require_POST
def set_meeting_rules(request, slug: str):
    committee = get_object_or_404(Committee, slug=slug)
    if not permissions.has_perm("proposals.keep_meeting_record", request.user, committee):
        raise PermissionDenied(
            f"Only the chair of {committee} or an administrator sets its meeting rules."
        )
    form = MeetingRulesForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            actions.do_set_meeting_rules,
            f"{committee}'s meeting rules are saved.",
            committee=committee,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _first_error(form))
    return redirect(f"{reverse('proposals:committee', args=[committee.slug])}#meeting-rules-h")


# Proxy votes, in a proposal's vote panel


def proxy_vote_form(*, request_user, proposal: Proposal) -> ProxyVoteForm | None:
    """The chair's proxy-vote form for an open vote, if the committee allows them."""
    if proposal.state != State.VOTING or not proposal.committee.proxy_votes:
        return None
    if not permissions.has_perm("proposals.record_proxy_vote", request_user, proposal):
        return None
    return ProxyVoteForm(voters=_voters(proposal, request_user))


def _voters(proposal: Proposal, chair):
    eligible = EligibleVoter.objects.filter(proposal=proposal, round=proposal.vote_round)
    return (
        get_user_model()
        .objects.filter(pk__in=eligible.values("user_id"))
        .exclude(pk=chair.pk)
        .order_by("last_name", "first_name", "username")
    )


@login_required
@require_POST
def record_proxy_vote(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("committee"), pk=pk)
    if not permissions.has_perm("proposals.record_proxy_vote", request.user, proposal):
        raise PermissionDenied(
            f"Only the chair of {proposal.committee} records a vote on a member's behalf."
        )
    form = ProxyVoteForm(request.POST, voters=_voters(proposal, request.user))
    if form.is_valid():
        voter = form.cleaned_data["voter"]
        run_action(
            request,
            actions.do_record_proxy_vote,
            f"{voter}'s vote is recorded on their behalf; they are notified.",
            proposal=proposal,
            voter=voter,
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
            reason=form.cleaned_data["reason"],
        )
    else:
        messages.error(request, _first_error(form))
    return redirect(f"{proposal.get_absolute_url()}#vote-h")
