"""Pages kept until the lifecycle changes, for anonymous and signed-in readers.

What a page shows changes when something is recorded: every change to proposals, votes,
comments, meetings, projects, committees, seats and people writes an event, and the audit
page also shows the newest checkpoint and verification. So a page rendered once is served
again, without its queries and template, for as long as the log's head (the newest
event's hash, the newest checkpoint and verification result) is the one it was rendered
at, and at most `PMC_PAGE_CACHE_SECONDS` (60 by default; 0 turns the cache off), which
bounds how stale words such as "3 hours left" can be. Checking the head is one query.

Anonymous readers without a session cookie share one copy of each page (nothing personal
can be in it: no messages, no form with a CSRF token). A signed-in reader gets their own
copy, kept under what the page shows of them besides the log (`reader_stamp`): who they
are, their seats, time zone and session (second factor, sign-in), the CSRF cookie the
page's forms were made for, and the rows that change without an event (`own_rows`):
their notifications (the header's count), their Watch choices and, for a chair, whether
their committees' invitations were sent. Two kinds of reader are
never served a kept page: staff, whose banner follows the outbox and failing jobs, and
a reader with messages waiting. A response that sets a cookie, is streamed or is not a
200 is not kept, nor an anonymous one that used the CSRF token.

The cache is Django's default cache, each process's own memory: the key names the head
and the reader's stamp, so whatever process rendered a page, none serves one older than
the log or than the reader's own rows.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, Max, Q, Subquery, Value
from django.http import HttpResponse
from django.utils import timezone

from pmc.models import Role
from proposals import permissions
from proposals.models import AuditCheck, Checkpoint, Event, Invitation, Notification, Watch

_KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "Vary")
# Where the messages framework keeps messages waiting for the next page.
_MESSAGES_COOKIE = "messages"
_MESSAGES_SESSION_KEY = "_messages"


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


def own_rows(user) -> list[tuple]:
    """The rows that change the reader's pages without an event, summed up so that any
    insert, update or deletion changes the sum (one query): per group of rows the count,
    the highest id, and the count and newest time of what changes in place. They are
    the reader's notifications (read or not), Watch choices (watching or not) and, for a
    chair, the pending invitations of their committees (sent or not: the mail is sent
    in the background)."""

    def summed(rows, tag: str, group: str, flag: Q, changed_at: str):
        return (
            rows.order_by()
            .values(group)
            .annotate(
                tag=Value(tag),
                rows=Count("pk"),
                flagged=Count("pk", filter=flag),
                newest=Max("pk"),
                changed=Max(changed_at),
            )
            .values_list("tag", "rows", "flagged", "newest", "changed")
        )

    groups = [
        summed(
            Notification.objects.filter(user=user),
            "notifications", "user", Q(read_at__isnull=True), "read_at",
        ),
        summed(Watch.objects.filter(user=user), "watches", "user", Q(watching=True), "since"),
    ]  # fmt: skip
    chaired = [
        committee
        for committee, role in permissions.roles_by_committee(user).items()
        if role == Role.CHAIR
    ]
    if chaired:
        invitations = Invitation.objects.filter(committee__in=chaired)
        groups.append(
            summed(invitations, "invitations", "committee", Q(sent_at__isnull=True), "sent_at")
        )
    return sorted(groups[0].union(*groups[1:], all=True))


def reader_stamp(request) -> str:
    """What a signed-in reader's page shows of them besides the log."""
    user = request.user
    parts = (
        user.pk,
        user.get_username(),
        user.get_full_name(),
        user.email,
        user.is_superuser,
        timezone.get_current_timezone_name(),
        sorted(permissions.roles_by_committee(user).items()),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME),
        sorted((key, repr(value)) for key, value in request.session.items()),
        own_rows(user),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _reader(request) -> str | None:
    """Whose copy of the page `request` may be served ("anonymous" or a signed-in
    reader's stamp), or None when it must be rendered afresh."""
    if (
        settings.PMC_PAGE_CACHE_SECONDS <= 0
        or request.method not in ("GET", "HEAD")
        or _MESSAGES_COOKIE in request.COOKIES
        or request.headers.get("Authorization")
    ):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None if settings.SESSION_COOKIE_NAME in request.COOKIES else "anonymous"
    if (
        user.is_staff
        or _MESSAGES_SESSION_KEY in request.session
        or settings.CSRF_COOKIE_NAME not in request.COOKIES
    ):
        return None
    return reader_stamp(request)


def _key(request, reader: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{head()}:{reader}:{path}"


def _keepable(request, response, reader: str) -> bool:
    if (
        response.status_code != 200
        or response.cookies
        or getattr(response, "streaming", False)
        or len(messages.get_messages(request))  # shown, or left for the next page
        or request.session.modified  # the page took something from the session
    ):
        return False
    if reader != "anonymous":
        # Its forms carry tokens of the CSRF cookie its key names.
        return True
    return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not request.META.get(
        "CSRF_COOKIE_USED"
    )


def kept_page(view):
    """Serve `view`'s page from the cache while the log's head and the reader's own rows
    stand. Put it inside the checks of who may read (`readable`)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        reader = _reader(request)
        if reader is None:
            return view(request, *args, **kwargs)
        key = _key(request, reader)
        kept = cache.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if _keepable(request, response, reader):
            headers = [(name, response[name]) for name in _KEPT_HEADERS if name in response]
            cache.set(key, (response.content, headers), settings.PMC_PAGE_CACHE_SECONDS)
        return response

    return wrapper
