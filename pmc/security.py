"""Login throttling hooks for django-axes: whose address a sign-in comes from, and the page
shown while a user name is locked out at that address."""

from __future__ import annotations

import ipaddress
import math

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page for a sign-in refused because its user name is locked out (HTTP 429)."""
    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
