"""Template context shared by every page."""

from __future__ import annotations

from proposals import notifications


def outbox_backlog(request) -> dict:
    """For staff: when background work has been waiting too long (the operator banner).
    One query, and none for everyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_staff:
        return {}
    return {"outbox_backlog_since": notifications.backlog()}
