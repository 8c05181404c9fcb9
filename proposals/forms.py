"""Forms for filing, editing, voting on and filtering proposals, and for uploading
meeting notes."""

from __future__ import annotations

import datetime
import json

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html

from pmc.markup import MarkupTooComplex, check_markup
from pmc.models import Committee, Meeting, Project
from proposals import voting
from proposals.models import Proposal, VoteValue
from proposals.states import Kind, State


def renderable_markdown(text: str) -> str:
    """`text`, if the renderer takes it; a text it refuses (too long, nested too deep) is
    a form error that says the limit."""
    try:
        check_markup(text)
    except MarkupTooComplex as refused:
        raise forms.ValidationError(str(refused), code="markup_too_complex") from None
    return text


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = [
            "committee",
            "kind",
            "title",
            "project",
            "body",
            "proposing_team",
            "condition",
            "new_name",
            "new_lead",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        labels = {"body": "Proposal text (markdown)"}

    def __init__(self, *args, committees, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Committee.objects.filter(pk__in=committees)
        self.fields["project"].queryset = Project.objects.filter(
            committee__in=committees
        ).select_related("committee")
        self.fields["project"].label_from_instance = lambda p: f"{p.name} ({p.committee})"
        if self.instance.pk:
            # A proposal stays in its committee and keeps its kind once filed.
            del self.fields["committee"]
            del self.fields["kind"]

    def clean_body(self) -> str:
        return renderable_markdown(self.cleaned_data.get("body") or "")

    def clean(self):
        data = super().clean()
        committee = data.get("committee") or getattr(self.instance, "committee", None)
        project = data.get("project")
        if project and committee and project.committee_id != committee.pk:
            self.add_error("project", f"{project} belongs to {project.committee}.")
        return data


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(
        choices=VoteValue.choices, coerce=int, widget=forms.RadioSelect, label="Your vote"
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for -1: say what would change your vote.",
    )

    def clean(self):
        data = super().clean()
        if data.get("value") == -1 and not data.get("reason", "").strip():
            self.add_error("reason", "A -1 needs a reason: say what would change your vote.")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)


class StartVoteForm(ReasonForm):
    """Starting a vote: when it closes, within the committee's rules; empty for the
    committee's usual duration."""

    closes_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, committee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = voting.deadline_range(committee.voting_rules(), timezone.now())
        field = self.fields["closes_at"]
        field.label = f"Closes at ({timezone.get_current_timezone_name()})"
        hours = committee.vote_duration_hours
        days = round((self.allowed.latest - self.allowed.start).total_seconds() / 86400)
        field.help_text = format_html(  # help texts are not escaped when shown
            "Leave empty to close {} hours after the start, {}'s rule; or choose a time "
            "from {} hours to {} days after the start.",
            hours,
            committee,
            hours,
            days,
        )
        field.widget.attrs["min"] = _minute(self.allowed.earliest, up=True)
        field.widget.attrs["max"] = _minute(self.allowed.latest)

    def clean_closes_at(self):
        deadline = self.cleaned_data.get("closes_at")
        if deadline is not None and deadline not in self.allowed:
            raise forms.ValidationError(self.allowed.refusal(deadline), code="deadline")
        return deadline


def _minute(moment, up: bool = False) -> str:
    """`moment` in the current time zone as a datetime-local value, to the minute."""
    local = timezone.localtime(moment)
    if up and (local.second or local.microsecond):
        local += datetime.timedelta(minutes=1)
    return f"{local:%Y-%m-%dT%H:%M}"


def transition_form(name: str, proposal: Proposal, data=None) -> forms.Form:
    """The form of one transition of `proposal`, bound to `data` when given."""
    initial = {"expected_state": proposal.state}
    if name == "decide":
        return DecideForm(data, initial=initial, committee=proposal.committee, prefix=name)
    if name == "start_vote":
        return StartVoteForm(data, initial=initial, committee=proposal.committee, prefix=name)
    return ReasonForm(data, initial=initial, prefix=name)


class DecideForm(ReasonForm):
    meeting = forms.ModelChoiceField(queryset=Meeting.objects.none())
    accepted = forms.TypedChoiceField(
        choices=[("1", "Accepted"), ("0", "Rejected")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        label="Decision",
    )

    def __init__(self, *args, committee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(committee=committee)


SORTS = {
    "-updated": ("-updated_at", "Last change"),
    "title": ("title", "Title"),
    "-created": ("-created_at", "Newest"),
    "closes": ("closes_at", "Vote closes"),
}


class ProposalFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    committee = forms.ModelChoiceField(Committee.objects.all(), required=False)
    state = forms.ChoiceField(choices=[("", "Any state"), *State.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    project = forms.ModelChoiceField(Project.objects.all(), required=False)
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (_, label) in SORTS.items()], required=False
    )


class AuditFilterForm(forms.Form):
    committee = forms.ModelChoiceField(Committee.objects.all(), required=False)
    proposal = forms.IntegerField(required=False, min_value=1, label="Proposal #")
    actor = forms.CharField(required=False, help_text="User name, or system:import")
    action = forms.CharField(required=False, help_text="e.g. vote.cast, proposal.submit")
    date_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    date_to = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )


# Uploading meeting notes

MAX_FILES = 20
MAX_FILE_MB = 2
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if not uploads:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(
                f"Choose at most {MAX_FILES} files at a time (you chose {len(uploads)}); "
                "upload the rest afterwards."
            )
        too_large = [upload for upload in uploads if upload.size > MAX_FILE_BYTES]
        if too_large:
            raise forms.ValidationError(
                [
                    f"{upload.name} is {filesizeformat(upload.size)}; a notes file may be at "
                    f"most {MAX_FILE_MB} MB. Nothing was uploaded."
                    for upload in too_large
                ]
            )
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class NotesUploadForm(forms.Form):
    committee = forms.ModelChoiceField(
        queryset=Committee.objects.none(),
        empty_label=None,
        label="Committee",
        help_text="The meetings are imported into this committee, whatever the files are called.",
    )
    files = MultipleFileField(
        # An empty file is reported by the import, with its name, like any unreadable one.
        allow_empty_file=True,
        label="Notes files",
        help_text=(
            f"Markdown files named after the meeting's date, e.g. 2017-05-16-runtime.md: "
            f"at most {MAX_FILES} files of at most {MAX_FILE_MB} MB each."
        ),
        error_messages={"required": "Choose one or more notes files (.md) to upload."},
    )

    def __init__(self, *args, committees, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["files"].widget.attrs["accept"] = ".md,.markdown,text/markdown"


def reading_choice(name: str, key: str) -> str:
    """How the apply form names one lifecycle item of a previewed file: the file's name
    and the item's key (`LifecycleMention.key`), as a JSON pair."""
    return json.dumps([name, key], ensure_ascii=False)


_PREVIEW_AGAIN = "Upload the files again to see a fresh preview; nothing was changed."


class LeaveOutForm(forms.Form):
    """The lifecycle items a chair keeps in the import of previewed files: each item the
    preview listed has an "import this reading" box, checked by default; the items whose
    box is unchecked are left out (`leave_out`). A kept item must be one the preview read
    in one of the files it sealed: anything else is refused, never ignored. `choosing`
    says the page listed the boxes: a request without it (sent by no preview page that
    listed items) imports every item, as the boxes checked by default would."""

    choosing = forms.BooleanField(required=False, widget=forms.HiddenInput)
    keep = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, files: list[str], readings: dict[str, frozenset[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.files = set(files)
        self.offered = {(name, key) for name, keys in readings.items() for key in keys}

    def clean_keep(self) -> set[tuple[str, str]]:
        kept = set()
        for value in self.cleaned_data["keep"] or []:
            try:
                name, key = json.loads(value)
                if not isinstance(name, str) or not isinstance(key, str):
                    raise TypeError
            except (ValueError, TypeError):
                raise forms.ValidationError(
                    f"{value[:200]!r} does not name a reading of the files previewed. "
                    + _PREVIEW_AGAIN
                ) from None
            if name not in self.files:
                raise forms.ValidationError(
                    f"{name[:200]} is not one of the files previewed, so none of its readings "
                    "can be imported. " + _PREVIEW_AGAIN
                )
            if (name, key) not in self.offered:
                raise forms.ValidationError(
                    f"The preview read no item {key[:200]!r} in {name[:200]}. " + _PREVIEW_AGAIN
                )
            kept.add((name, key))
        return kept

    def leave_out(self) -> set[tuple[str, str]]:
        """The items previewed whose box was unchecked: (file name, key) pairs."""
        if not self.cleaned_data["choosing"]:
            return set()
        return self.offered - self.cleaned_data["keep"]
