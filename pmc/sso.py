"""Who a person signing in by single sign-on (OpenID Connect or GitHub) becomes.

The rules, in the order they apply:

1. A provider account already linked to a local account signs into that account.
2. Otherwise the provider's primary e-mail address is used only if the provider says it
   has verified it (OpenID Connect: the `email_verified` claim is true; GitHub: the
   primary address of /user/emails is marked verified). If exactly one local account has
   that address (case-insensitively), the provider account is linked to it and the
   person signs into it, keeping its seats and password. If several accounts share it,
   the sign-in is refused (staff must sort the accounts out first): guessing could hand
   one person another's powers.
3. Otherwise a new account is made, with no seat on any committee. Its user name is
   derived from the provider's user name (or the address's local part): lower-case
   letters, digits, ".", "_" and "-" only, at most 30 characters, and made unique with
   "-2", "-3", ... so it never takes over an existing name. It keeps the e-mail address
   only when the provider verified it; an unverified address is dropped, so it can
   neither match nor later be mistaken for a checked one, and no mail goes to it.

A person already signed in who links a provider account to their account (allauth's
"connect") links it to that account: no address is matched.

An unverified address equal to an existing account's therefore never signs into that
account: it makes a new, seatless one. Local sign-up (a form to create an account) stays
closed; accounts come from staff, invitations and single sign-on.
"""

from __future__ import annotations

import re
import unicodedata

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import render

USERNAME_MAX = 30
_NOT_ALLOWED = re.compile(r"[^a-z0-9._-]+")


def verified_primary_email(sociallogin: SocialLogin) -> str | None:
    """The provider's primary address, if the provider verified it; else None."""
    for address in sociallogin.email_addresses:
        if address.primary and address.verified and address.email:
            return address.email.strip()
    return None


def username_base(candidate: str | None) -> str:
    """A safe user name from whatever the provider calls the person."""
    text = unicodedata.normalize("NFKD", candidate or "").encode("ascii", "ignore").decode()
    text = _NOT_ALLOWED.sub("-", text.lower()).strip("._-")
    return text[:USERNAME_MAX].strip("._-") or "person"


def unique_username(candidate: str | None) -> str:
    base = username_base(candidate)
    users = get_user_model().objects
    name, n = base, 1
    while users.filter(username__iexact=name).exists():
        n += 1
        suffix = f"-{n}"
        name = base[: USERNAME_MAX - len(suffix)] + suffix
    return name


class AccountAdapter(DefaultAccountAdapter):
    """No local sign-up form: accounts come from staff, invitations and single sign-on."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The module's rules, at the points where django-allauth asks."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # Never ask the person to fill in a sign-up form: the rules decide everything.
        return True

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        email = data.get("email") or ""
        user.username = unique_username(data.get("username") or email.partition("@")[0])
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing:
            return  # rule 1
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            return  # a signed-in person linking a provider account to their own account
        email = verified_primary_email(sociallogin)
        if email is None:
            sociallogin.email_addresses = []
            sociallogin.user.email = ""
            return  # rule 3, without the address
        matches = list(get_user_model().objects.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            raise ImmediateHttpResponse(
                render(request, "registration/sso_ambiguous.html", {"email": email}, status=409)
            )
        if matches:
            sociallogin.connect(request, matches[0])  # rule 2
        # else rule 3, keeping the verified address
