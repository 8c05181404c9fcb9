"""Raising the alarm when the audit log fails verification: one notification to staff
and chairs when a failure begins, and the banner every page shows them while the newest
trusted result is a failure. Writing goes on: refusing it would hand whoever broke the
log a way to stop the site."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from pmc.models import Membership
from proposals import notifications, signing
from proposals.models import AuditCheck, Notification, NotificationKind, NotificationPreference

ADVICE = (
    "The audit log no longer matches what the application wrote and signed. Writing goes "
    "on; investigate who could write to the database and when (database logs, access to "
    "the application's database account), compare the published checkpoints "
    "(/audit/checkpoints.json and the copies kept outside) with `manage.py verify_audit "
    "--checkpoint FILE`, then restore the database from the last backup whose verify_audit "
    "passed."
)


def result_statement(check: AuditCheck) -> bytes:
    return signing.verification_statement(
        checked_at=check.checked_at,
        ok=check.ok,
        events=check.events,
        head=check.head,
        broken_at=check.broken_at,
        problem=check.problem,
    )


def is_trusted(check: AuditCheck, keys: signing.Keyring | None = None) -> bool:
    keys = keys or signing.keyring()
    return keys.verifies(result_statement(check), check.signature, check.key_id)


def latest_trusted(keys: signing.Keyring | None = None, *, look_back: int = 20):
    """The newest stored result whose signature holds, among the newest `look_back` rows
    (one query), and how many newer rows were not signed."""
    keys = keys or signing.keyring()
    for skipped, check in enumerate(AuditCheck.objects.order_by("-checked_at", "-id")[:look_back]):
        if is_trusted(check, keys):
            return check, skipped
    return None, 0


def staff_and_chairs():
    """Active staff, and whoever holds a chair's seat today, with an e-mail address."""
    chairs = Membership.objects.active().chairs().filter(user=OuterRef("pk"))
    turned_off = NotificationPreference.objects.filter(
        user=OuterRef("pk"), kind=NotificationKind.AUDIT_FAILED, enabled=False
    )
    return (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(Exists(chairs)), is_active=True)
        .exclude(email="")
        .exclude(Exists(turned_off))
    )


def is_new_failure(check: AuditCheck) -> bool:
    """Whether `check` begins a failure: the trusted result before it passed (or there
    was none). A failure that every later check finds again, its wording changing with
    the log (counts, event numbers), is still the one failure until a check passes."""
    previous = (
        AuditCheck.objects.filter(checked_at__lte=check.checked_at)
        .exclude(pk=check.pk)
        .order_by("-checked_at", "-id")
    )
    keys = signing.keyring()
    for row in previous[:50]:
        if is_trusted(row, keys):
            return row.ok
    return True


def notify_failure(check: AuditCheck) -> int:
    """One notification per person for the failure `check` begins; none if it goes on."""
    if check.ok or not check.signature or not is_new_failure(check):
        return 0
    rows = []
    for user in staff_and_chairs():
        subject, body = notifications.render_email(
            "emails/audit_failed.txt",
            {
                "check": check,
                "problems": check.problem.split("; "),
                "advice": ADVICE,
                "audit_url": notifications.absolute_url(reverse("proposals:audit_log")),
            },
        )
        rows.append(
            Notification(
                key=f"audit-failed:{check.pk}:{user.pk}",
                user=user,
                kind=NotificationKind.AUDIT_FAILED,
                subject=subject,
                body=body,
                created_at=timezone.now(),
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
