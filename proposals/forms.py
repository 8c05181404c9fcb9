"""Forms for filing, editing, voting on and filtering proposals, and for uploading
meeting notes."""

from __future__ import annotations

import datetime
import json
import secrets

from django import forms
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html

from pmc.markup import MarkupTooComplex, check_markup, max_chars, render_markdown
from pmc.models import Committee, Meeting, Project, ProjectStatus
from pmc.text import validate_single_line
from proposals import voting
from proposals.actions.transitions import decision_meetings_hint
from proposals.kinds import KINDS
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


def body_help() -> str:
    """What the proposal text may hold, said where it is typed."""
    return (
        f"Markdown, at most {max_chars():,} characters. Links may use http, https or "
        "mailto; a bare https:// address becomes a link."
    )


class ProposalForm(forms.ModelForm):
    """A proposal's text and details, with only the fields its kind has (`KINDS`):
    a new proposal's kind is chosen first, an existing one keeps its kind."""

    # A new proposal's one-time token: saving the same form twice files one draft.
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Proposal
        fields = [
            "committee",
            "kind",
            "title",
            "project",
            "new_name",
            "new_lead",
            "body",
            "proposing_team",
            "condition",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 12}), "kind": forms.HiddenInput}
        labels = {"body": "Proposal text (markdown)"}

    def __init__(self, *args, committees, kind: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        creating = not self.instance.pk
        self.kind = kind if creating else self.instance.kind
        rules = KINDS[self.kind]
        self.fields["committee"].queryset = Committee.objects.filter(pk__in=committees)
        self.fields["project"].queryset = Project.objects.filter(
            committee__in=committees
        ).select_related("committee")
        self.fields["project"].label_from_instance = lambda p: f"{p.name} ({p.committee})"
        if creating:
            if len(committees) == 1:
                self.initial.setdefault("committee", committees[0])
            self.initial["kind"] = self.kind
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))
        else:
            # A proposal stays in its committee and keeps its kind once filed.
            for field in ("committee", "kind", "form_token"):
                del self.fields[field]
        for field in ("project", "new_name", "new_lead"):
            if field not in rules.fields:
                del self.fields[field]
        self._describe(rules)
        self.needed_later = self._require_needs(rules, creating)
        for field in self.fields.values():
            if field.required and not field.widget.is_hidden:
                field.widget.attrs["aria-required"] = "true"

    def _describe(self, rules) -> None:
        """Help texts and labels as the kind reads them."""
        self.fields["body"].help_text = body_help()
        self.fields["project"].help_text = (
            "The project it is about."
            if rules.needs_project
            else "Leave empty when the project does not exist yet, and name it below."
            if rules.may_name
            else "If it is about a project."
        )
        if "new_name" in self.fields and not rules.detail:
            self.fields["new_name"].label = "Name of the new project"
            self.fields["new_name"].help_text = "When the project does not exist yet."

    def _require_needs(self, rules, creating: bool) -> list[str]:
        """Make what the kind needs required when filing it; an existing draft that lacks
        it (filed from meeting notes) can still be edited. Returns the labels of what it
        still needs before it can be submitted."""
        needed_later = []
        kind_label = Kind(self.kind).label.lower()
        for name in rules.needs:
            field = self.fields[name]
            detail = rules.detail
            wording = detail.wording if detail and name == detail.field else "a project"
            if creating or getattr(self.instance, name):
                field.required = True
                field.error_messages["required"] = (
                    f"A proposal of kind “{kind_label}” needs {wording}."
                )
            else:
                needed_later.append(field.label)
        return needed_later

    def missing(self) -> list[tuple[str, str]]:
        """The required fields still empty, as (id, label): what the page says is still
        needed before the form can be saved."""
        missing = []
        for bound in self:
            if not bound.field.required or bound.is_hidden:
                continue
            value = bound.data if self.is_bound else bound.initial
            if value in (None, "") or (isinstance(value, str) and not value.strip()):
                missing.append((bound.id_for_label, bound.label))
        return missing

    def clean_body(self) -> str:
        return renderable_markdown(self.cleaned_data.get("body") or "")

    def clean(self):
        data = super().clean()
        committee = data.get("committee") or getattr(self.instance, "committee", None)
        project = data.get("project")
        if project and committee and project.committee_id != committee.pk:
            self.add_error("project", f"{project} belongs to {project.committee}.")
        return data

    def preview(self) -> str | None:
        """The text rendered, or None with the renderer's refusal shown on the form."""
        try:
            return render_markdown(self.cleaned_data["body"])
        except MarkupTooComplex as refused:
            self.add_error("body", str(refused))
            return None

    def open_duplicates(self) -> list[Proposal]:
        """Open proposals of the same kind about the project chosen, newest first."""
        project = self.cleaned_data.get("project")
        if project is None:
            return []
        found = Proposal.objects.open().filter(kind=self.kind, project=project)
        if self.instance.pk:
            found = found.exclude(pk=self.instance.pk)
        return list(found.order_by("-created_at")[:5])


class ProjectForm(forms.Form):
    """A project added to a committee's registry from the new-proposal form."""

    name = forms.CharField(max_length=200, validators=[validate_single_line])
    status = forms.ChoiceField(choices=ProjectStatus.choices)
    lead = forms.CharField(
        max_length=200, required=False, validators=[validate_single_line], label="Lead"
    )
    repository_urls = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Repositories",
        help_text="One address per line, e.g. https://github.com/cloudfoundry/diego-enabler.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["aria-required"] = "true"

    def clean_repository_urls(self) -> list[str]:
        urls = [line.strip() for line in self.cleaned_data["repository_urls"].splitlines()]
        urls = [url for url in urls if url]
        check = URLValidator(schemes=["https", "http"])
        for url in urls:
            try:
                check(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"{url[:200]} is not a web address; write each as https://…"
                ) from None
        return urls


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
        return DecideForm(data, initial=initial, proposal=proposal, prefix=name)
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

    def __init__(self, *args, proposal: Proposal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        # Only the meetings the decision can have been taken in: the action refuses any
        # other, and so does the form, saying which ones it takes.
        field.queryset = proposal.decision_meetings()
        hint = decision_meetings_hint(proposal)
        field.help_text = hint
        field.error_messages["invalid_choice"] = (
            f"This decision cannot be recorded in that meeting. {hint}"
        )


SORTS = {
    "-updated": ("-updated_at", "Last change"),
    "title": ("title", "Title"),
    "-created": ("-created_at", "Newest"),
    "closes": ("closes_at", "Vote closes"),
}


class ProjectNameField(forms.ModelChoiceField):
    """A project typed by its name (or given by its id, as links do): a text field, not a
    list of every project."""

    def __init__(self, **kwargs) -> None:
        super().__init__(Project.objects.all(), **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        found = None
        if value.isdigit():
            found = self.queryset.filter(pk=int(value)).first()
        if found is None:
            found = self.queryset.filter(name__iexact=value).first()
        if found is None:
            raise forms.ValidationError(
                f"No project is called “{value}”: check its name, or leave the field empty "
                "for every project.",
                code="invalid_choice",
            )
        return found


class ProposalFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    committee = forms.ModelChoiceField(Committee.objects.all(), required=False)
    state = forms.ChoiceField(choices=[("", "Any state"), *State.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    project = ProjectNameField(
        required=False,
        help_text="Its name; choose a committee to pick from its projects.",
        widget=forms.TextInput(attrs={"list": "project-choices", "autocomplete": "off"}),
    )
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (_, label) in SORTS.items()], required=False
    )

    def clean_project(self):
        project = self.cleaned_data["project"]
        if project is not None and self.data.get("project") != project.name:
            # Show the name in the field, also when a link gave the project's id.
            self.data = self.data.copy()
            self.data["project"] = project.name
        return project


class AuditFilterForm(forms.Form):
    committee = forms.ModelChoiceField(Committee.objects.all(), required=False)
    # At most the largest id a database holds: a larger number finds nothing, and says so.
    proposal = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, label="Proposal #"
    )
    actor = forms.CharField(required=False, max_length=150, help_text="User name, or system:import")
    action = forms.CharField(
        required=False,
        max_length=64,
        help_text="e.g. vote.cast, or the start of one, e.g. vote.",
    )
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
