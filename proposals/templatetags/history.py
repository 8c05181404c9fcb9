"""The history's wording in templates: who acted in an event (`proposals.event_sentences`)."""

from __future__ import annotations

from django import template

from proposals import event_sentences

register = template.Library()


@register.filter
def actor(event) -> str:
    """Who acted in the event: the person's full name, or what the application calls
    itself ("The notes import")."""
    return event_sentences.who(event) if event is not None else ""
