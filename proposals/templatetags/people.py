"""How a person is named on the pages: their full name, else their username."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """The user's full name, or their username if they gave none; "" for no one (an
    unowned checklist item, a proposal filed from notes)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
