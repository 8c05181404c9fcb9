"""The forms a chair schedules a meeting with and fills its agenda."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings

from proposals import time_zones
from proposals.actions.scheduling import NOTE_MAX_CHARS
from proposals.models import AgendaItem


class ScheduleForm(forms.Form):
    """The day, the start time in a chosen zone, the call's https link and a note."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = forms.ChoiceField(label="Time zone", choices=time_zones.choices)
    call_link = forms.URLField(
        label="Call link (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="An https:// address, shown to the committee's members.",
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(label="Reason for the change (optional)", required=False)

    def clean_call_link(self) -> str:
        link = self.cleaned_data["call_link"]
        if link and not link.lower().startswith("https://"):
            raise forms.ValidationError(
                "Give the call's https:// address (plain http is refused), e.g. "
                "https://meet.example.org/pmc."
            )
        return link

    def starts_at(self) -> datetime.datetime:
        """The start, naive: the action reads it in the chosen zone."""
        return datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])

    @classmethod
    def initial_for(cls, meeting=None, zone: str = "") -> dict:
        if meeting is None or meeting.starts_at is None:
            return {"time_zone": zone or settings.TIME_ZONE}
        start = meeting.local_start
        return {
            "date": start.date(),
            "time": start.time().replace(second=0, microsecond=0),
            "time_zone": meeting.time_zone,
            "call_link": meeting.call_link,
            "note": meeting.schedule_note,
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why it is cancelled (optional)", required=False, max_length=500)


class AgendaPointForm(forms.Form):
    text = forms.CharField(
        label="A point for the agenda",
        max_length=AgendaItem._meta.get_field("text").max_length,
    )


class AgendaProposalForm(forms.Form):
    proposal = forms.IntegerField(label="Proposal", min_value=1)
