"""The forms a chair keeps a meeting's record with: who attended, the approval of its
minutes, a change to approved minutes, the committee's meeting rules, and a proxy vote."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from pmc.models import Meeting, Membership
from proposals.models import VoteValue

NAME_LIMIT = 200


class AttendanceForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Members present",
    )
    guests = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Guests",
        help_text="One name per line: people without a seat, who do not count for the quorum.",
    )

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        seated = Membership.objects.active(on=meeting.date).filter(committee=meeting.committee)
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(pk__in=seated.values("user_id"))
            .order_by("last_name", "first_name", "username")
        )
        self.fields["members"].label_from_instance = lambda user: user.get_full_name() or str(user)

    def clean_guests(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["guests"].splitlines()]
        long = next((name for name in names if len(name) > NAME_LIMIT), None)
        if long:
            raise forms.ValidationError(f"A guest's name has at most {NAME_LIMIT} characters.")
        return [name for name in names if name]


class ApproveMinutesForm(forms.Form):
    approved_in = forms.ModelChoiceField(
        queryset=Meeting.objects.none(),
        label="Approved at the meeting of",
        empty_label=None,
        help_text="A later meeting whose attendance is recorded: its members present approve.",
    )

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved_in"].queryset = Meeting.objects.filter(
            committee_id=meeting.committee_id,
            date__gt=meeting.date,
            date__lte=timezone.localdate(),
        ).order_by("date")
        self.fields["approved_in"].label_from_instance = lambda m: f"{m.date:%Y-%m-%d}"


class ChangeMinutesForm(forms.Form):
    file = forms.FileField(label="Corrected notes file (markdown)")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the change",
        help_text="The approved version stays; the change becomes the next version.",
        error_messages={"required": "Give the reason for changing approved minutes."},
    )


class MeetingRulesForm(forms.Form):
    meeting_quorum = forms.IntegerField(
        min_value=0,
        label="Meeting quorum",
        help_text="Binding members who must attend for a decision recorded in a meeting; "
        "0 for none.",
    )
    proxy_votes = forms.BooleanField(
        required=False,
        label="The chair may record proxy votes",
        help_text="A vote a member gave the chair outside the site, recorded on their behalf.",
    )


class ProxyVoteForm(forms.Form):
    voter = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Member")
    value = forms.TypedChoiceField(
        choices=VoteValue.choices, coerce=int, widget=forms.RadioSelect, label="Their vote"
    )
    note = forms.CharField(
        max_length=500,
        label="How they gave it",
        help_text="e.g. in the meeting of 2026-12-01, by phone.",
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for -1: the reason they gave.",
    )

    def __init__(self, *args, voters, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voter"].queryset = voters
        self.fields["voter"].label_from_instance = lambda user: user.get_full_name() or str(user)
