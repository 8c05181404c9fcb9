"""Rate limits of the API: each token, each person signed in on the site, and each
address without either, has its own budget of requests per period (PMC_API_RATE,
PMC_API_SESSION_RATE, PMC_API_ANONYMOUS_RATE).

A request over its budget is refused with HTTP 429, a `Retry-After` header and a
sentence that says what the limit is and when to try again. The counts live in the
`shared` cache (Redis with REDIS_URL, else files under PMC_VAR_DIR), so every process
counts against the same budget. Each count is Django REST framework's sliding window:
the times of the requests of the last period.

A cache that cannot be reached lets the request through (and logs it): the limits
protect the site from a runaway script, and refusing every request because the counter
is down would do what they guard against.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.cache import caches
from rest_framework import exceptions, throttling

from pmc.security import client_ip
from proposals.models import ApiToken

log = logging.getLogger(__name__)

CACHE = "shared"
_PER = {"s": "a second", "m": "a minute", "h": "an hour", "d": "a day"}


class RateLimited(exceptions.Throttled):
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


class _Budget(throttling.SimpleRateThrottle):
    """One kind of budget: `setting` names its rate, `whose` says in the refusal whose
    budget ran out."""

    setting = ""
    whose = ""

    @property
    def cache(self):
        return caches[CACHE]

    def get_rate(self) -> str:
        return getattr(settings, self.setting)

    def allow_request(self, request, view) -> bool:
        try:
            allowed = super().allow_request(request, view)
        except Exception:  # noqa: BLE001 -- any failure of the cache's backend
            log.warning("The API's rate limits are not counted: the cache failed.", exc_info=True)
            return True
        if allowed:
            return True
        raise RateLimited(wait=self.wait(), detail=self.refusal())

    def wait(self) -> float:
        """Seconds until one more request fits: until the oldest of the last
        `num_requests` leaves the window (the history is newest first)."""
        if len(self.history) < self.num_requests:
            return 0.0
        oldest_counted = self.history[self.num_requests - 1]
        return max(1.0, math.ceil(self.duration - (self.now - oldest_counted)))

    def refusal(self) -> str:
        per = _PER.get(self.rate.partition("/")[2][:1], f"per {self.duration} s")
        return f"Too many requests {self.whose}: the limit is {self.num_requests} {per}."


class TokenRate(_Budget):
    """Each token's own budget (PMC_API_RATE)."""

    scope = "token"
    setting = "PMC_API_RATE"
    whose = "with this token"

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class SessionRate(_Budget):
    """The budget of each person signed in on the site who calls the API from their
    session, all their sessions together (PMC_API_SESSION_RATE)."""

    scope = "session"
    setting = "PMC_API_SESSION_RATE"
    whose = "from your account"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AddressRate(_Budget):
    """The budget of each address for requests with neither a token nor a session
    (PMC_API_ANONYMOUS_RATE). The address is the one the sign-in throttle counts
    (`pmc.security.client_ip`: the proxy's, with BEHIND_PROXY)."""

    scope = "address"
    setting = "PMC_API_ANONYMOUS_RATE"
    whose = "from your address without signing in"

    def get_cache_key(self, request, view) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "-"}

    def refusal(self) -> str:
        return f"{super().refusal()} Send a token to have a budget of your own."
