"""Filters for plain-text output such as e-mail."""

from django import template

from pmc import text

register = template.Library()


@register.filter
def one_line(value) -> str:
    """The value with its line breaks and control characters made spaces: for the
    subject line of an e-mail, which a line break would end."""
    return text.one_line(str(value))
