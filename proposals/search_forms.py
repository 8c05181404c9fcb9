"""The search box: the words to find, and which kind of result to show alone."""

from __future__ import annotations

from django import forms

from proposals.search import MAX_QUERY_LENGTH, SOURCES


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        label="Words to find",
        widget=forms.TextInput(attrs={"type": "search"}),
        error_messages={
            "max_length": f"Search for at most {MAX_QUERY_LENGTH} characters (this has "
            "%(show_value)d): keep the words that matter most."
        },
        help_text='All the words must occur. "Quote a phrase", use or between words '
        "either of which will do, and -word to leave out what mentions it.",
    )
    type = forms.ChoiceField(
        choices=[("", "Everything"), *((source.key, source.label) for source in SOURCES)],
        required=False,
    )
