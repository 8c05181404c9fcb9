"""Forms for writing, editing, withdrawing and hiding comments. The rules (who may, how
long a comment may be) are the comment actions'; these forms carry the text there and
back, so that a refusal is shown beside the text, which is kept."""

from __future__ import annotations

from django import forms

from pmc.markup import MarkupTooComplex, check_markup, render_markdown
from proposals.actions.comments import max_chars


def comment_help() -> str:
    return (
        f"Markdown, at most {max_chars():,} characters. Links may use http, https or "
        "mailto; Preview shows the comment as it will read."
    )


class CommentForm(forms.Form):
    """A new comment, a reply (`reply_to` names the comment it answers) or an edit."""

    body = forms.CharField(
        label="Your comment (markdown)",
        widget=forms.Textarea(attrs={"rows": 6}),
        # Blank and over-long texts are refused by the action, with its wording.
        required=False,
        strip=False,
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = comment_help()

    def refuse(self, message: str) -> None:
        """Show the action's refusal beside the text."""
        self.add_error("body", message)

    def preview(self) -> str | None:
        """The text as it will read, sanitised; None (with the refusal on the form) when
        it is blank or the renderer refuses it."""
        body = self.cleaned_data.get("body") or ""
        if not body.strip():
            self.refuse("Write something first: there is nothing to preview.")
            return None
        try:
            check_markup(body, limit=max_chars())
            return render_markdown(body)
        except MarkupTooComplex as refused:
            self.refuse(str(refused))
            return None


class WithdrawCommentForm(forms.Form):
    reason = forms.CharField(
        label="Why (optional, kept in the history)",
        required=False,
        max_length=1000,
        widget=forms.TextInput,
    )


class HideCommentForm(forms.Form):
    reason = forms.CharField(
        label="Reason (shown in the thread in the comment's place)",
        required=False,  # the action says what is missing, in its words
        max_length=1000,
        widget=forms.TextInput,
    )
