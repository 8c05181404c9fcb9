"""E-mail about a person's own account: a password-reset link, the link that confirms a
new address, an invitation to a committee.

These are sent at once, through the same mail server and settings as the notifications
(`EMAIL_*`, rendered by `notifications.render_email`), but not through the outbox:

- they must not wait for the workers: a reset link lasts an hour, and a person who asked
  for one waits for it now;
- each holds a link that works as a credential, and the outbox keeps every message's
  body in the database (`Notification.body`), readable by whoever reads the database or
  its backups: these are kept nowhere.

So a message the mail server does not take is not tried again: the person (or the chair
who sent an invitation) is told at once and asks again.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.core.mail import EmailMessage, get_connection

from proposals.notifications import render_email

logger = logging.getLogger(__name__)


class MailServerDown(Exception):
    """The mail server could not be reached: nothing was sent."""


@contextlib.contextmanager
def connection() -> Iterator[object]:
    """An open connection to the mail server, or `MailServerDown`."""
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except Exception as error:
        logger.warning("mail server not reachable: %s", error)
        raise MailServerDown(str(error)) from error
    try:
        yield mail
    finally:
        mail.close()


def send(to: str, template: str, context: dict, *, mail=None) -> None:
    """Render `template` (subject on its first line) and send it to `to` now; raises
    whatever the mail server answers."""
    subject, body = render_email(template, context)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        connection=mail,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send()


def try_send(to: str, template: str, context: dict) -> str | None:
    """Send now; None if the mail server took it, else what went wrong, in words."""
    try:
        send(to, template, context)
    except Exception as error:
        logger.warning("could not send %s to %s: %s", template, to, error)
        return f"{type(error).__name__}: {error}"
    return None
