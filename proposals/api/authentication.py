"""Who a request to the API comes from: a personal token (`Authorization: Bearer
<token>`, looked up by its SHA-256), or the site's session.

Either way the site's rule on second factors holds for writes (`pmc.second_factor`): a
staff member or chair writes through a session only once the session has confirmed a
second factor, and through a token only if it was created in such a session
(`ApiToken.second_factor`).
"""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from pmc import second_factor
from proposals.models import ApiToken

# A token's `last_used_at` is written at most this often: a script sending a request a
# second does not write a row a second, and "last used" stays true to the minute.
LAST_USE_PRECISION = datetime.timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def record_use(token: ApiToken, now: datetime.datetime | None = None) -> bool:
    """Set the token's `last_used_at` to `now` unless it was set less than
    `LAST_USE_PRECISION` ago: one conditional UPDATE, which another process's request at
    the same moment cannot repeat. Returns whether it wrote."""
    now = now or timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USE_PRECISION)
    if token.last_used_at is not None and token.last_used_at >= now - LAST_USE_PRECISION:
        return False  # read with the token a moment ago: nothing to write
    written = ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    if written:
        token.last_used_at = now
    return bool(written)


class SecondFactorRequired(exceptions.PermissionDenied):
    """A write by someone who must confirm a second factor first."""


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as `Authorization: Bearer <token>`, with no spaces in it."
            )
        try:
            token = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(
                "A token is plain ASCII: copy it again."
            ) from error
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=token_hash(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            raise exceptions.AuthenticationFailed(
                "This token is unknown or revoked: create a new one on your profile page."
            )
        record_use(found)
        if request.method not in SAFE_METHODS and found.scope == ApiToken.Scope.WRITE:
            # A read token's write is refused by its scope (`proposals.api.scopes`).
            refusal = second_factor.api_write_refusal(found.user, token=found)
            if refusal:
                raise SecondFactorRequired(refusal)
        return found.user, found

    def authenticate_header(self, request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """The site's session, with the site's rule: staff and chairs write only once this
    session has confirmed their second factor (what `SecondFactorMiddleware` asks of the
    site's forms, answered here in the API's own way instead of a redirect)."""

    def authenticate(self, request):
        found = super().authenticate(request)  # checks the CSRF token of a write
        if found is None or request.method in SAFE_METHODS:
            return found
        refusal = second_factor.api_write_refusal(found[0], session_verified=_verified(request))
        if refusal:
            raise SecondFactorRequired(refusal)
        return found


def _verified(request) -> bool:
    # django-otp's middleware puts `is_verified` on the session's user.
    user = request._request.user
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False
