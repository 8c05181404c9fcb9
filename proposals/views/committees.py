"""A committee's page: its members and their seats, its voting rules in words, its open
proposals and its meetings; for its chair (and administrators), the forms that manage its
seats and invitations (`proposals.views.seats`), and for its chair its webhooks
(`proposals.views.webhooks`)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from pmc.models import Committee, Meeting, Membership, Role
from proposals import permissions, voting_rules
from proposals.models import Invitation, Proposal, Webhook
from proposals.page_cache import kept_page
from proposals.seat_forms import AddSeatForm, InvitationForm
from proposals.states import FINAL_STATES, State
from proposals.views import paging
from proposals.views.access import readable
from proposals.views.meeting_record import committee_context
from proposals.views.pages import mention_count, readings_to_review

OPEN_SHOWN = 20
MEETINGS_SHOWN = 10
# The open proposals, most pressing first.
_OPEN_ORDER = [State.VOTING, State.DISCUSSION, State.ACCEPTED, State.DEFERRED, State.DRAFT]


@readable
@kept_page
def committee_detail(request, slug: str):
    return committee_page(request, get_object_or_404(Committee, slug=slug))


def committee_page(request, committee: Committee, *, status: int = 200, **forms):
    """The committee's page; `forms` are bound seat forms to show again with their
    errors and what was typed (`seats`)."""
    today = timezone.localdate()
    seats = list(
        Membership.objects.filter(committee=committee)
        .select_related("user")
        .order_by("-started_on", "user__last_name", "user__username", "pk")
    )
    current = [s for s in seats if s.started_on <= today and not _ended(s, today)]
    current.sort(key=lambda seat: seat.role != Role.CHAIR)  # chairs first, stable otherwise
    open_proposals = (
        Proposal.objects.filter(committee=committee)
        .exclude(state__in=FINAL_STATES)
        .select_related("project")
        .defer("body", "body_html", "vote_rules")
        .annotate(
            urgency=Case(
                *(When(state=state, then=Value(i)) for i, state in enumerate(_OPEN_ORDER)),
                default=Value(len(_OPEN_ORDER)),
                output_field=IntegerField(),
            )
        )
        .order_by("urgency", "closes_at", "-updated_at", "-pk")
    )
    meetings = (
        Meeting.objects.filter(committee=committee)
        .annotate(proposal_count=mention_count())
        .order_by("-date")
    )
    to_review = None
    if permissions.has_perm("proposals.review_readings", request.user, committee):
        to_review = readings_to_review([committee.pk])[committee.pk]
    manages_seats = permissions.has_perm("proposals.manage_seats", request.user, committee)
    manages_webhooks = permissions.has_perm("proposals.manage_webhooks", request.user, committee)
    seat_forms = seat_management(committee, forms) if manages_seats else {}
    open_count, open_more = paging.capped_count(open_proposals)
    return render(
        request,
        "proposals/committee_detail.html",
        {
            "committee": committee,
            "current_seats": current,
            "upcoming_seats": [s for s in seats if s.started_on > today],
            "former_seats": [s for s in seats if _ended(s, today)],
            "rules": voting_rules.in_words(committee.voting_rules()),
            "open_proposals": open_proposals[:OPEN_SHOWN],
            "open_count": open_count,
            "open_more": open_more,
            "meetings": meetings.defer("notes", "notes_html", "original_notes")[:MEETINGS_SHOWN],
            "meeting_count": Meeting.objects.filter(committee=committee).count(),
            "upcoming_meetings": upcoming_meetings(committee, today),
            "schedules_meetings": permissions.has_perm(
                "proposals.schedule_meetings", request.user, committee
            ),
            "readings_to_review": to_review,
            "today": today,
            "manages_seats": manages_seats,
            "manages_webhooks": manages_webhooks,
            "webhooks": (
                Webhook.objects.filter(committee=committee).order_by("pk")
                if manages_webhooks
                else []
            ),
            **seat_forms,
            **committee_context(request, committee),
        },
        status=status,
    )


def upcoming_meetings(committee: Committee, today) -> list[Meeting]:
    """The committee's meetings scheduled from today on, whose notes are not in yet."""
    return list(
        Meeting.objects.upcoming(today)
        .filter(committee=committee, notes="")
        .order_by("starts_at")
        .only("pk", "date", "starts_at", "cancelled_at", "committee_id")[:MEETINGS_SHOWN]
    )


def seat_management(committee: Committee, forms: dict) -> dict:
    """What the chair's seat forms need: the forms (bound ones as given) and the
    pending invitations, with who sent each."""
    return {
        "add_form": forms.get("add_form") or AddSeatForm(),
        "invite_form": forms.get("invite_form") or InvitationForm(),
        "failed_seat": forms.get("failed_seat"),
        "roles": Role.choices,
        "invitation_days": settings.PMC_INVITATION_DAYS,
        "invitations": list(
            Invitation.objects.pending()
            .filter(committee=committee)
            .select_related("invited_by")
            .order_by("expires_at", "pk")
        ),
    }


def _ended(seat: Membership, today) -> bool:
    return seat.ended_on is not None and seat.ended_on <= today
