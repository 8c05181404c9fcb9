"""Changing one's e-mail address: a signed link, sent to the new address, that expires
after PMC_EMAIL_CHANGE_HOURS; the address changes only when its owner, signed in, opens
it. The link names the account, the new address and the old one, so it works once: after
the change the old address no longer matches."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse

from proposals import account_flows, account_mail
from proposals.notifications import absolute_url

_SALT = "pmc.email_change"


class LinkRefused(Exception):
    """The link cannot change the address; its message says why and what to do."""


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.PMC_EMAIL_CHANGE_HOURS)


def send_link(user, new_email: str) -> str | None:
    """Send the confirmation link to `new_email`; None once the mail server took it,
    else what went wrong."""
    token = signing.dumps({"u": user.pk, "e": new_email, "o": user.email}, salt=_SALT)
    context = {
        "user": user,
        "new_email": new_email,
        "url": absolute_url(reverse("proposals:email_confirm", args=[token])),
        "hours": settings.PMC_EMAIL_CHANGE_HOURS,
    }
    return account_mail.try_send(new_email, "emails/email_change.txt", context)


def confirm(token: str, user) -> str:
    """Change `user`'s address to the one the link names; returns the new address."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=lifetime())
    except signing.SignatureExpired:
        raise LinkRefused(
            f"This link has expired (it works for {settings.PMC_EMAIL_CHANGE_HOURS} hours). "
            "Ask for a new one on your profile."
        ) from None
    except signing.BadSignature:
        raise LinkRefused(
            "This link is not valid: it may have been cut short. Open the link from the "
            "e-mail again, whole, or ask for a new one on your profile."
        ) from None
    if data.get("u") != user.pk:
        raise LinkRefused(
            "This link is for another account. Sign in as the account that asked for the "
            "change, then open the link again."
        )
    with transaction.atomic():
        account = get_user_model().objects.select_for_update().get(pk=user.pk)
        if account.email != data.get("o"):
            raise LinkRefused(
                "This link was used already, or your address changed since it was sent. "
                "Ask for a new one on your profile if needed."
            )
        new_email = data["e"]
        old_email, account.email = account.email, new_email
        with account_flows.flow(account_flows.EMAIL_CHANGE, actor=account):
            account.save(update_fields=["email"])
    if old_email:
        account_mail.try_send(
            old_email, "emails/email_changed.txt", {"user": account, "new_email": new_email}
        )
    return new_email
