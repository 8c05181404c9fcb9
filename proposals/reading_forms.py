"""The forms of Readings to review: confirm, correct, merge or dismiss one reading."""

from __future__ import annotations

from django import forms

from proposals.actions.readings import OUTCOMES
from proposals.models import Reading
from proposals.states import Kind

_SHOW = [("to_review", "To review"), ("all", "All, reviewed ones too")]


class ReadingFilterForm(forms.Form):
    show = forms.ChoiceField(choices=_SHOW, required=False)


class ConfirmReadingForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, label="Note (optional)")


class DismissReadingForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Why is it misread?",
        error_messages={"required": "Say why the reading is wrong, for the record."},
    )


class MergeReadingForm(forms.Form):
    into = forms.IntegerField(
        min_value=1,
        label="Proposal number",
        error_messages={"required": "Give the number of the proposal to merge into."},
    )
    reason = forms.CharField(required=False, max_length=2000, label="Note (optional)")


class CorrectReadingForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices)
    project = forms.CharField(max_length=200)
    new_name = forms.CharField(required=False, max_length=200, label="New name")
    new_lead = forms.CharField(required=False, max_length=200, label="New lead")
    outcome = forms.ChoiceField(choices=[(outcome, outcome) for outcome in OUTCOMES])
    reason = forms.CharField(required=False, max_length=2000, label="Note (optional)")


# The form of each review, by its name in the URL.
REVIEW_FORMS = {
    "confirm": ConfirmReadingForm,
    "correct": CorrectReadingForm,
    "merge": MergeReadingForm,
    "dismiss": DismissReadingForm,
}


def review_form(decision: str, reading: Reading, data=None) -> forms.Form:
    """The form of one review of one reading (its fields named apart from the other
    readings' on the page); correcting starts from the item as read."""
    initial = None
    if decision == "correct":
        initial = reading.correction or {
            "kind": reading.kind,
            "project": reading.subject,
            "new_name": reading.new_name,
            "new_lead": reading.new_lead,
            "outcome": reading.outcome,
        }
    return REVIEW_FORMS[decision](data, initial=initial, prefix=f"{decision}-{reading.pk}")
