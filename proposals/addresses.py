"""The site's own address (PMC_SITE_URL) for what is read away from the site, in feed
readers and calendar apps: absolute links, and the ids of feed entries and calendar
events, which stay the same however a request reached the site."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

from django.conf import settings


def url(path: str) -> str:
    """The absolute address of one of the site's paths."""
    return f"{settings.PMC_SITE_URL}{path}"


def host() -> str:
    return urlsplit(settings.PMC_SITE_URL).hostname or "localhost"


def tag(when: datetime.datetime | datetime.date, specific: str) -> str:
    """A tag URI (RFC 4151) for something first recorded on the day of `when`: it never
    changes while the site keeps its name."""
    return f"tag:{host()},{when:%Y-%m-%d}:{specific}"


def absolute_links(fragment: str) -> str:
    """HTML of the site's own making (escaped, its links made by `reverse`) with its
    links to the site's paths (`href="/..."`) made absolute."""
    return re.sub(r'href="/', f'href="{settings.PMC_SITE_URL}/', str(fragment))
