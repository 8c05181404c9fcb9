"""Filters for links in pages."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value: str) -> str:
    """The URL if it is http(s), else empty: stored URLs never become script links."""
    try:
        scheme = urlsplit(str(value).strip()).scheme.lower()
    except ValueError:
        return ""
    return str(value).strip() if scheme in ("http", "https") else ""
