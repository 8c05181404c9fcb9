"""The signed-in user's notifications: what was sent to them, unread first, and marking
them read. The e-mails are unchanged; this page shows the same notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from proposals.models import Notification, NotificationKind

PAGE_SIZE = 25

# What each kind of notification is, said short, for the list.
KIND_LABELS = {
    NotificationKind.SUBMITTED: "Submitted for discussion",
    NotificationKind.VOTE_OPENED: "Vote opened",
    NotificationKind.VOTE_CLOSED: "Vote closed",
    NotificationKind.DECIDED: "Decided in a meeting",
    NotificationKind.COMPLETED: "Completed",
    NotificationKind.WITHDRAWN: "Withdrawn",
    NotificationKind.REMINDER: "Reminder to vote",
    NotificationKind.DIGEST: "Overdue checklist items",
}


def target(notification: Notification) -> tuple[str, str]:
    """(URL, link text) of what the notification is about: its proposal (at its vote panel
    for a reminder), or the home page's to-dos for a chair's digest."""
    if notification.proposal is not None:
        url = notification.proposal.get_absolute_url()
        if notification.kind == NotificationKind.REMINDER:
            url += "#vote"
        return url, notification.proposal.title
    return f"{reverse('proposals:home')}#todos", "Your to-dos on the home page"


@login_required
def notification_list(request):
    notifications = Notification.objects.for_reader(request.user).select_related("proposal")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for notification in page:
        url, about = target(notification)
        rows.append(
            {
                "notification": notification,
                "kind": KIND_LABELS.get(notification.kind, notification.get_kind_display()),
                "url": url,
                "about": about,
            }
        )
    newest = max((row["notification"].pk for row in rows), default=0)
    return render(
        request,
        "proposals/notifications.html",
        {"page": page, "rows": rows, "newest": newest},
    )


@require_POST
@login_required
def mark_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    Notification.objects.filter(pk=notification.pk).mark_read()
    messages.success(request, f"Marked read: {notification.subject}")
    return redirect(_back(request))


@require_POST
@login_required
def mark_all_read(request):
    """Every unread notification up to the newest the page showed: one that arrived since
    is left unread, as its reader has not seen it."""
    unread = Notification.objects.filter(user=request.user)
    try:
        newest = int(request.POST.get("through", ""))
    except ValueError:
        newest = None
    if newest is not None:
        unread = unread.filter(pk__lte=newest)
    count = unread.mark_read()
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    else:
        messages.info(request, "Nothing was unread.")
    return redirect(_back(request))


def _back(request) -> str:
    """The notifications page the form was on (its page number only: nothing else of the
    request decides where the reader goes)."""
    url = reverse("proposals:notifications")
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url
