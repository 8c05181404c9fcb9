"""Meetings scheduled ahead: the chair's schedule, edit and cancel pages and agenda
forms, and the agenda's download (`proposals.agenda` writes it) for whoever may read the
meeting. Each change is one action of `proposals.actions.scheduling`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pmc.markup import render_markdown
from pmc.models import Committee, Meeting
from proposals import actions, agenda, permissions, time_zones
from proposals.meeting_forms import AgendaPointForm, AgendaProposalForm, CancelForm, ScheduleForm
from proposals.models import AgendaItem, Proposal
from proposals.states import FINAL_STATES
from proposals.views.access import readable, run_action


def _chaired(request, committee: Committee) -> None:
    if not permissions.has_perm("proposals.schedule_meetings", request.user, committee):
        raise PermissionDenied(
            f"Only the chair of {committee} or an administrator schedules its meetings."
        )


def _scheduled(request, pk: int) -> Meeting:
    """The meeting, for its committee's chair (or an administrator)."""
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    _chaired(request, meeting.committee)
    return meeting


@login_required
def schedule_meeting(request, slug: str):
    committee = get_object_or_404(Committee, slug=slug)
    _chaired(request, committee)
    form = ScheduleForm(
        request.POST or None,
        initial=ScheduleForm.initial_for(zone=time_zones.chosen_zone(request.user)),
    )
    if request.method == "POST" and form.is_valid():
        meeting = run_action(
            request,
            actions.do_schedule_meeting,
            lambda m: f"Scheduled {committee}'s meeting of {m.date:%Y-%m-%d}.",
            committee=committee,
            starts_at=form.starts_at(),
            time_zone=form.cleaned_data["time_zone"],
            call_link=form.cleaned_data["call_link"],
            note=form.cleaned_data["note"],
        )
        if meeting is not None:
            return redirect(meeting)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "committee": committee, "meeting": None}
    return render(request, "proposals/meeting_schedule.html", context, status=status)


@login_required
def reschedule_meeting(request, pk: int):
    meeting = _scheduled(request, pk)
    form = ScheduleForm(request.POST or None, initial=ScheduleForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.do_reschedule_meeting,
            lambda m: f"Rescheduled: the meeting is on {m.date:%Y-%m-%d}.",
            meeting=meeting,
            starts_at=form.starts_at(),
            time_zone=form.cleaned_data["time_zone"],
            call_link=form.cleaned_data["call_link"],
            note=form.cleaned_data["note"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            return redirect(done)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "committee": meeting.committee, "meeting": meeting}
    return render(request, "proposals/meeting_schedule.html", context, status=status)


@login_required
@require_POST
def cancel_meeting(request, pk: int):
    meeting = _scheduled(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            actions.do_cancel_meeting,
            f"Cancelled the meeting of {meeting.date:%Y-%m-%d}; it stays, marked cancelled.",
            meeting=meeting,
            reason=form.cleaned_data["reason"],
        )
    return redirect(meeting)


@login_required
@require_POST
def add_agenda_point(request, pk: int):
    meeting = _scheduled(request, pk)
    form = AgendaPointForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            actions.do_add_agenda_item,
            "Added to the agenda.",
            meeting=meeting,
            text=form.cleaned_data["text"],
        )
    else:
        messages.error(request, "Write the point (one line, at most 500 characters).")
    return redirect(f"{meeting.get_absolute_url()}#agenda-h")


@login_required
@require_POST
def put_proposal_on_agenda(request, pk: int):
    meeting = _scheduled(request, pk)
    form = AgendaProposalForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            actions.do_put_proposal_on_agenda,
            lambda item: f"#{item.proposal_id} is on the agenda.",
            meeting=meeting,
            proposal=form.cleaned_data["proposal"],
        )
    else:
        messages.error(request, "Choose a proposal to put on the agenda.")
    return redirect(f"{meeting.get_absolute_url()}#agenda-h")


@readable
def agenda_download(request, pk: int):
    """The agenda as a markdown file named as the committee's notes files are, so that
    the notes written on it upload as they are."""
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    if not meeting.is_scheduled:
        raise Http404("Only a meeting scheduled ahead, whose notes are not in, has an agenda.")
    response = HttpResponse(agenda.write(meeting), content_type="text/markdown; charset=utf-8")
    name = f"{meeting.date:%Y-%m-%d}-{meeting.committee.slug}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def schedule_context(request, meeting: Meeting) -> dict:
    """What the meeting's page shows of its schedule: the call link to the committee's
    members (and staff) only; the agenda's preview and forms to its chair."""
    if meeting.starts_at is None:
        return {}
    roles = permissions.roles_by_committee(request.user)
    member = meeting.committee_id in roles or getattr(request.user, "is_staff", False)
    context = {"shows_call_link": member, "scheduled": meeting.is_scheduled}
    chairs = permissions.has_perm("proposals.schedule_meetings", request.user, meeting.committee)
    if chairs and meeting.is_scheduled and meeting.cancelled_at is None:
        on_agenda = AgendaItem.objects.filter(meeting=meeting, proposal__isnull=False)
        context.update(
            chairs=True,
            agenda_html=render_markdown(agenda.write(meeting)),
            point_form=AgendaPointForm(auto_id="point_%s"),
            cancel_form=CancelForm(auto_id="cancel_%s"),
            offered=Proposal.objects.filter(committee_id=meeting.committee_id)
            .exclude(state__in=FINAL_STATES)
            .exclude(pk__in=on_agenda.values("proposal"))
            .order_by("pk")
            .only("pk", "title", "state"),
        )
    return context
