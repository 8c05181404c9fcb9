"""Template context shared by every page."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Min, Value
from django.utils import timezone

from pmc.models import Membership
from proposals import audit_alerts, failures, signing
from proposals.models import Notification, OutboxMessage


def unread_notifications(request) -> dict:
    """For a signed-in user: how many of their notifications are unread (the header's
    count). One query, and none for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user).unread().count()}


def outbox_backlog(request) -> dict:
    """For staff: when background work has been waiting too long, and how many items the
    background jobs keep failing on (the operator banner). One query, and none for
    everyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_staff:
        return {}
    backlog_since, failing = operator_alerts()
    return {"outbox_backlog_since": backlog_since, "background_failures": failing}


def operator_alerts(
    now: datetime.datetime | None = None,
) -> tuple[datetime.datetime | None, failures.Failing | None]:
    """(When the oldest work waiting beyond PMC_OUTBOX_ALERT_MINUTES was written, as
    `notifications.backlog()` tells, or None; the unresolved job failures, or None), in
    one query: a UNION of one row per kind, each grouped on a column that is NULL in all
    its rows."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.PMC_OUTBOX_ALERT_MINUTES)
    waiting_rows = (
        OutboxMessage.objects.filter(processed_at__isnull=True, created_at__lt=cutoff)
        .order_by()
        .values("processed_at")
        .annotate(tag=Value("backlog"), count=Count("pk"), at=Min("created_at"))
        .values_list("tag", "count", "at")
    )
    unsent = (
        Notification.objects.pending()
        .filter(created_at__lt=cutoff)
        .order_by()
        .values("sent_at")
        .annotate(tag=Value("backlog"), count=Count("pk"), at=Min("created_at"))
        .values_list("tag", "count", "at")
    )
    backlog_since, failing = None, None
    for tag, count, at in failures.failing_queryset().union(waiting_rows, unsent, all=True):
        if tag == "failing":
            failing = failures.Failing(count, at)
        elif backlog_since is None or at < backlog_since:
            backlog_since = at
    return backlog_since, failing


def audit_alert(request) -> dict:
    """For staff and chairs: the newest trusted verification result when it failed (the
    banner on every page). A result row the key did not sign is never believed. Two
    queries for them (their seat, the newest results), none for everyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not user.is_staff and not Membership.objects.active().chairs().filter(user=user).exists():
        return {}
    alert = {}
    keys = signing.keyring()
    if user.is_staff and keys.problem:
        # Nothing signed means nothing to believe: no result can fail, so say why.
        alert["audit_key_problem"] = keys.problem
    check, _ = audit_alerts.latest_trusted(keys)
    if check is not None and not check.ok:
        alert.update(audit_failure=check, audit_advice=audit_alerts.ADVICE)
    return alert
