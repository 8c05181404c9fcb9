"""Public pages kept for anonymous readers until the lifecycle changes.

What an anonymous reader sees is the same for everyone and changes only when something
is recorded: every change to proposals, votes, meetings, projects, committees and people
writes an event, the audit page also shows the newest checkpoint and verification. So a
page rendered once is served again, without its queries and template, for as long as the
log's head (the newest event's hash, the newest checkpoint and verification result) is
the one it was rendered at, and at most `PMC_PAGE_CACHE_SECONDS` (60 by default; 0 turns
the cache off), which bounds how stale words such as "3 hours left" can be. Checking the
head is one query.

Only anonymous readers without a session cookie are served from it (nothing personal can
be in their page: no messages, no form with a CSRF token); a response that sets a cookie,
used the CSRF token, or is not a 200 is not kept. The cache is Django's default cache, each
process's own memory: the key names the head, so whatever process rendered a page, none
serves one older than the log.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Subquery
from django.http import HttpResponse

from proposals.models import AuditCheck, Checkpoint, Event

_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def head() -> str:
    """What a public page depends on besides time, in one query."""
    newest = Event.objects.order_by("-pk")
    row = (
        Event.objects.filter(pk=Subquery(newest.values("pk")[:1]))
        .annotate(
            checkpoint=Subquery(Checkpoint.objects.order_by("-pk").values("pk")[:1]),
            check=Subquery(AuditCheck.objects.order_by("-pk").values("pk")[:1]),
        )
        .values_list("hash", "checkpoint", "check")
        .first()
    )
    return ":".join(str(part) for part in row) if row else "empty"


def _servable(request) -> bool:
    return (
        settings.PMC_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.headers.get("Authorization")
    )


def _key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{head()}:{path}"


def _keepable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and not getattr(response, "streaming", False)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
    )


def public_page(view):
    """Serve `view`'s page to anonymous readers from the cache while the log's head
    stands. Put it inside the checks of who may read (`readable`)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _servable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if _keepable(request, response):
            headers = [(name, response[name]) for name in _KEPT_HEADERS if name in response]
            cache.set(key, (response.content, headers), settings.PMC_PAGE_CACHE_SECONDS)
        return response

    return wrapper
