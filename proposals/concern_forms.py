"""The forms of blocking concerns: raise one (a title and an explanation), resolve one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from pmc.text import validate_single_line
from proposals.actions.comments import max_chars
from proposals.actions.concerns import TITLE_MAX


class RaiseConcernForm(forms.Form):
    title = forms.CharField(
        max_length=TITLE_MAX,
        label="Concern",
        help_text=f"One line, at most {TITLE_MAX} characters: the vote's refusal names it.",
        validators=[validate_single_line],
        error_messages={"required": "Give the concern a short title."},
    )
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Explanation",
        help_text="Markdown, posted as your comment: say what would resolve the concern. "
        "@username tells a person.",
        error_messages={"required": "Explain the concern: say what would resolve it."},
    )

    def clean_explanation(self) -> str:
        text = self.cleaned_data["explanation"]
        limit = max_chars()
        if len(text) > limit:
            raise ValidationError(
                f"At most {limit:,} characters; this has {len(text):,}. Shorten it, and "
                "add the rest as comments."
            )
        return text


class ResolveConcernForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Required when you resolve someone else's concern (as chair).",
    )


class WatchForm(forms.Form):
    watching = forms.TypedChoiceField(choices=[("1", "Watch"), ("0", "Unwatch")], coerce=int)
