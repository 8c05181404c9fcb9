"""Login throttling hooks for django-axes: whose address a sign-in comes from, the count of
failures from one address across user names, and the page shown during a lockout."""

from __future__ import annotations

import datetime
import ipaddress
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The address that failed sign-ins are counted against.

    REMOTE_ADDR, unless BEHIND_PROXY is on: then the address that the trusted proxies put
    in X-Forwarded-For. Each proxy appends the address it received the request from, so
    with PROXY_COUNT proxies the client's address is the PROXY_COUNT-th entry from the
    right; entries further left come from the client and are never trusted. A missing or
    malformed header falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    count = settings.PROXY_COUNT
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


class LoginAttempts(AxesDatabaseHandler):
    """django-axes' database handler, which also locks an address out once
    LOGIN_ADDRESS_FAILURE_LIMIT sign-ins from it failed within the cool-off, whatever
    user names they tried: one guess at each of many names (password spraying) is
    throttled as surely as many guesses at one."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or address_locked_out(request)


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's address within the cool-off, for any user name."""
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=request_time(request) - cool_off)
    return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0


def address_locked_out(request: HttpRequest) -> bool:
    return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def request_time(request: HttpRequest) -> datetime.datetime:
    return getattr(request, "axes_attempt_time", None) or timezone.now()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page for a sign-in refused because its user name is locked out (HTTP 429)."""
    cool_off = get_cool_off(request)
    by_address = address_locked_out(request)
    context = {
        "username": "" if by_address else get_client_username(request, credentials) or "",
        "by_address": by_address,
        "failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if by_address
        else get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
