"""A second factor for those with power: staff and the chairs of committees.

With PMC_REQUIRE_MFA on (the default when DEBUG is off), every POST from a staff member
or a sitting chair passes through SecondFactorMiddleware. Without a confirmed
authenticator they are sent to set one up; with one, they must have confirmed a code in
this session (django-otp marks the session verified). Then they come back to the page
they acted from and act again. One rule for every action, rather than a decorator on
each view that a new view could forget: transitions, closing votes, reviewing readings,
uploading notes, hiding comments and the admin's forms alike.

Exempt: everything under /accounts/ (signing in and out, single sign-on, password and
second-factor pages), which is about one's own account, not about a committee's work.
The API's views (Django REST framework's) apply the same rule to every write, POST or
not, when they learn who sends it (`proposals.api.authentication`), and answer a refusal
in the API's own format rather than with a redirect to a page.

Codes are TOTP (RFC 6238: 30-second steps, 6 digits, one step of clock drift either
way, each code accepted once) with ten single-use recovery codes. After each wrong code
the next try waits 2^(n-1) seconds, n being the wrong codes in a row (1, 2, 4, ... 512 s
after ten), per authenticator: guessing a code is hopeless, and a typo costs a second.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.views import APIView

from pmc.models import Membership
from proposals import account_events, events

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "Authenticator app"
PENDING = "Authenticator app (not yet confirmed)"
RECOVERY = "Recovery codes"
EXEMPT_PREFIX = "/accounts/"
_TOTP_CODE = re.compile(r"\d{6}")


def required_for(user) -> bool:
    """Whether the user must use a second factor before acting: staff and sitting chairs,
    while PMC_REQUIRE_MFA is on."""
    if not settings.PMC_REQUIRE_MFA or not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or Membership.objects.active().chairs().filter(user=user).exists()


# The API's refusals of a write (`proposals.api.authentication` raises them as 403s).
API_UNCONFIRMED_SESSION = (
    "Staff and chairs need a second factor before they act, and confirm their second "
    "factor in each session: enter a code from your authenticator app on the site, then "
    "send the request again."
)
API_UNCONFIRMED_BEARER = (
    "Staff and chairs write only with a token created after confirming their second "
    "factor, and this one was not: sign in, confirm a code from your authenticator app, "
    "and create a new token on your profile page."
)


def api_write_refusal(user, *, token=None, session_verified: bool = False) -> str | None:
    """Why the API refuses a write by `user`, or None: staff and sitting chairs write
    through a session once it has confirmed their second factor, and with a token only if
    it was created in such a session (`token.second_factor`)."""
    if not required_for(user):
        return None
    if token is not None:
        return None if token.second_factor else API_UNCONFIRMED_BEARER
    return None if session_verified else API_UNCONFIRMED_SESSION


def authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: its secret is shown until a code from it is
    confirmed, and kept between visits so a reload does not change it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=PENDING, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of 4."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_authenticator(device: TOTPDevice) -> list[str]:
    """Make the pending authenticator the user's only one, and give them new recovery
    codes (returned, to be shown once; earlier ones stop working). The audit log
    records it (and the removal of the one it replaces)."""
    others = TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk)
    replaced = others.filter(confirmed=True).exists()
    for other in others:
        other.delete()  # one at a time, so each removal of a confirmed one is an event
    device.confirmed = True
    device.name = AUTHENTICATOR
    device.save(update_fields=["confirmed", "name"])
    account_events.record_change(events.ACCOUNT_SECOND_FACTOR_SET, device.user, replaced=replaced)
    return new_recovery_codes(device.user, record=False)


@transaction.atomic
def new_recovery_codes(user, *, record: bool = True) -> list[str]:
    """New recovery codes for `user` (the old ones stop working), recorded in the audit
    log unless they come with a new authenticator, whose event says so."""
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    if record:
        account_events.record_change(events.ACCOUNT_RECOVERY_CODES_RENEWED, user)
    return codes


@transaction.atomic
def recovery_code_used(user) -> int:
    """Record that `user` confirmed their second factor with a recovery code (which no
    longer works); returns how many remain."""
    left = remaining_recovery_codes(user)
    account_events.record_change(events.ACCOUNT_RECOVERY_CODE_USED, user, left=left)
    return left


def device_for_code(user, code: str) -> TOTPDevice | StaticDevice | None:
    """Six digits are an authenticator's code; anything else may be a recovery code."""
    if _TOTP_CODE.fullmatch(code):
        return authenticator(user)
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("proposals:home")


class SecondFactorMiddleware:
    """Sends a POST from someone who needs a second factor, and has not confirmed one in
    this session, to set it up or confirm it (HTTP 303), with the page they acted from
    to come back to. Nothing of the POST is done."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.path_info.startswith(EXEMPT_PREFIX):
            return None
        if _is_api_view(view_func):
            return None
        user = request.user
        if not required_for(user) or user.is_verified():
            return None
        back = safe_next(request, request.headers.get("Referer"))
        if authenticator(user) is None:
            target = "second_factor:setup"
            messages.warning(
                request,
                "Staff and chairs need a second factor before they act. Set up an "
                "authenticator app, then do it again.",
            )
        else:
            target = "second_factor:verify"
            messages.warning(
                request, "Enter a code from your authenticator app first, then do it again."
            )
        response = HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': back})}")
        response.status_code = 303
        return response


def _is_api_view(view_func) -> bool:
    """Whether the view is the API's (a REST framework view knows its class)."""
    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)
