"""Home, meetings, projects: the pages around proposals."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from pmc.models import Committee, Meeting, Project, Role
from proposals import event_sentences, permissions, todos
from proposals.models import (
    ChecklistItem,
    EligibleVoter,
    Event,
    Proposal,
    ProposalMeeting,
    Reading,
    Vote,
)
from proposals.page_cache import kept_page
from proposals.states import State
from proposals.views import meeting_record
from proposals.views.access import readable
from proposals.views.link_suggestions import pending_suggestions
from proposals.views.scheduling import schedule_context


@readable
@kept_page
def home(request):
    roles = permissions.roles_by_committee(request.user)
    if not roles and not request.user.is_staff:
        return _visitors_home(request)
    today = timezone.localdate()
    committees = Committee.objects.order_by("name")
    if roles:
        committees = committees.filter(pk__in=roles)
    proposals = (
        _home_rows(committees)
        .select_related("project")
        .defer("body", "body_html", "vote_rules")
        .annotate(open_items=todos.open_items_count())
    )
    if request.user.is_authenticated:
        my_votes = Vote.objects.filter(
            proposal=OuterRef("pk"), round=OuterRef("vote_round"), voter=request.user
        )
        eligible = EligibleVoter.objects.filter(
            proposal=OuterRef("pk"), round=OuterRef("vote_round"), user=request.user
        )
        proposals = proposals.annotate(voted=Exists(my_votes), may_bind=Exists(eligible))
    proposals = proposals.filter(position__lte=HOME_SHOWN + 1).order_by(*HOME_ORDER)
    by_committee = {c.pk: {"committee": c, "voting": [], "discussion": [], "accepted": [],
                           "more": set()} for c in committees}  # fmt: skip
    for proposal in proposals:
        section = by_committee[proposal.committee_id]
        if len(section[proposal.state]) == HOME_SHOWN:
            section["more"].add(proposal.state)  # the one row past those shown
        else:
            section[proposal.state].append(proposal)
    _attach_meetings(by_committee, committees, today)
    chaired = [pk for pk, role in roles.items() if role == Role.CHAIR]
    reviewed = list(by_committee) if request.user.is_staff else chaired
    for pk, count in readings_to_review(reviewed).items():
        if pk in by_committee:
            by_committee[pk]["readings_to_review"] = count
    # The links other committees' notes suggest to this chair, waiting for a decision.
    suggestions = (
        pending_suggestions(proposal__committee__in=chaired).select_related(
            "proposal", "proposal__committee"
        )[:50]
        if chaired
        else []
    )
    now = timezone.now()
    return render(
        request,
        "proposals/home.html",
        {
            "sections": list(by_committee.values()),
            "roles": roles,
            "now": now,
            "home_shown": HOME_SHOWN,
            "suggestions": suggestions,
            "chair_todos": todos.chair_todos(
                [s["committee"] for s in by_committee.values() if s["committee"].pk in chaired],
                now,
            ),
            "my_items": todos.owned_items(request.user),
            "my_concerns": todos.raised_concerns(request.user),
        },
    )


# Meetings and projects per page, as proposals (proposal_pages.PAGE_SIZE).
LIST_PAGE_SIZE = 25


def _visitors_home(request):
    """The home page of a reader without a seat: the foundation's open votes, proposals
    in discussion and accepted ones being carried out, the first `VISITORS_SHOWN` of each
    across committees, and each committee's meetings: as long whatever the data's size."""
    rows = Proposal.objects.select_related("committee", "project").defer(
        "body", "body_html", "vote_rules"
    )
    latest = [F("updated_at").desc(), F("pk").desc()]
    open_items = ChecklistItem.objects.to_do().filter(proposal=OuterRef("pk"))
    sections = {
        "voting": rows.filter(state=State.VOTING).order_by(*HOME_ORDER),
        "discussion": rows.filter(state=State.DISCUSSION).order_by(*latest),
        "accepted": rows.filter(state=State.ACCEPTED)
        .filter(Exists(open_items))
        .annotate(open_items=todos.open_items_count())
        .order_by(*latest),
    }
    shown = {}
    for state, found in sections.items():
        found = list(found[: VISITORS_SHOWN + 1])
        shown[state] = {"rows": found[:VISITORS_SHOWN], "more": len(found) > VISITORS_SHOWN}
    committees = Committee.objects.order_by("name")
    by_committee = {c.pk: {"committee": c} for c in committees}
    _attach_meetings(by_committee, committees, timezone.localdate())
    return render(
        request,
        "proposals/home_visitors.html",
        {
            "shown": shown,
            "committees": list(by_committee.values()),
            "now": timezone.now(),
            "visitors_shown": VISITORS_SHOWN,
        },
    )


# Proposals shown per state on the home page of a reader without a seat.
VISITORS_SHOWN = 10
# Proposals shown per committee and state on the home page; the rest are a link away.
HOME_SHOWN = 5
# Soonest deadline first, then the latest change.
HOME_ORDER = [F("closes_at").asc(nulls_last=True), F("updated_at").desc(), F("pk").desc()]


def _home_rows(committees) -> QuerySet:
    """What the home page shows, per committee: open votes, proposals in discussion and
    accepted ones with checklist items to do, each with its `position` in its section in
    the page's order. The page shows the first `HOME_SHOWN` of each section and reads one
    more where there are more, to say so without counting them all."""
    open_items = ChecklistItem.objects.to_do().filter(proposal=OuterRef("pk"))
    position = Window(RowNumber(), partition_by=[F("committee"), F("state")], order_by=HOME_ORDER)
    return (
        Proposal.objects.filter(
            Q(state__in=[State.VOTING, State.DISCUSSION])
            | Q(state=State.ACCEPTED, pk__in=open_items.values("proposal"))
        )
        .filter(committee__in=committees)
        .annotate(position=position)
    )


def _attach_meetings(by_committee: dict, committees, today) -> None:
    """The latest past and the next meeting per committee, in two queries."""
    # A meeting scheduled for today is still to come until its notes are in; a cancelled
    # one is neither.
    scheduled = Q(starts_at__isnull=False, notes="")
    latest = (
        Meeting.objects.filter(committee=OuterRef("pk"), date__lte=today)
        .exclude(scheduled)
        .order_by("-date")
        .values("pk")[:1]
    )
    upcoming = (
        Meeting.objects.filter(Q(date__gt=today) | Q(date=today) & scheduled)
        .filter(committee=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by("date")
        .values("pk")[:1]
    )
    # Looked up once per committee (from the index on committee and date), not once per
    # meeting.
    ids = committees.order_by().annotate(latest=Subquery(latest), upcoming=Subquery(upcoming))
    chosen = Q(pk__in=ids.values("latest")) | Q(pk__in=ids.values("upcoming"))
    for meeting in Meeting.objects.filter(chosen):
        coming = meeting.date > today or (meeting.date == today and meeting.is_scheduled)
        key = "next_meeting" if coming else "latest_meeting"
        by_committee[meeting.committee_id][key] = meeting


def readings_to_review(committee_ids) -> dict[int, int]:
    """{committee id: readings of its notes to review} for the committees given (each
    listed, with 0 if none), in one query: what their chair and staff are shown."""
    counts = dict.fromkeys(committee_ids, 0)
    if counts:
        rows = (
            Reading.objects.to_review()
            .filter(meeting__committee__in=counts)
            .values_list("meeting__committee")
            .annotate(count=Count("id"))
        )
        counts.update(rows)
    return counts


def _count_of(rows: QuerySet, column: str) -> Coalesce:
    """How many of `rows` (filtered on an OuterRef) there are, as a subquery per row: the
    database counts for the rows of the page only, where a `Count` over a join would
    group every row of the list before the page is cut."""
    counts = rows.order_by().values(column).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def mention_count() -> Coalesce:
    """How many proposals came up in the meeting of the row."""
    return _count_of(ProposalMeeting.objects.filter(meeting=OuterRef("pk")), "meeting")


@readable
@kept_page
def meeting_list(request):
    committee = None
    meetings = (
        Meeting.objects.select_related("committee")
        .defer("notes", "notes_html", "original_notes")
        .annotate(proposal_count=mention_count())
    )
    if slug := request.GET.get("committee"):
        committee = get_object_or_404(Committee, slug=slug)
        meetings = meetings.filter(committee=committee)
    page = Paginator(meetings.order_by("-date", "committee__name"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    to_review = None
    if committee is not None and permissions.has_perm(
        "proposals.review_readings", request.user, committee
    ):
        to_review = readings_to_review([committee.pk])[committee.pk]
    return render(
        request,
        "proposals/meeting_list.html",
        {
            "page": page,
            "committee": committee,
            "readings_to_review": to_review,
            "committees": Committee.objects.all(),
            "query": query.urlencode(),
        },
    )


@readable
@kept_page
def meeting_detail(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    mentions = meeting.mentions.select_related("proposal", "proposal__project").order_by(
        "proposal__title"
    )
    return render(
        request,
        "proposals/meeting_detail.html",
        {
            "meeting": meeting,
            "mentions": mentions,
            "team_reports": meeting.team_reports.all(),
            **meeting_record.meeting_context(request, meeting),
            **schedule_context(request, meeting),
        },
    )


@readable
@kept_page
def project_list(request):
    projects = Project.objects.select_related("committee").annotate(
        proposal_count=_count_of(Proposal.objects.filter(project=OuterRef("pk")), "project")
    )
    status = request.GET.get("status")
    if status:
        projects = projects.filter(status=status)
    page = Paginator(projects.order_by("name"), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/project_list.html", {"page": page, "status": status})


@readable
@kept_page
def project_detail(request, pk: int):
    project = get_object_or_404(Project.objects.select_related("committee"), pk=pk)
    proposals = (
        project.proposals.select_related("committee")
        .defer("body", "body_html", "vote_rules")
        .order_by("-updated_at", "-pk")
    )
    changes = Event.objects.filter(project=project, action__startswith="project.")
    # One more than shown: whether there are more, without counting them all.
    newest = list(changes.select_related("actor").order_by("-id")[: PROJECT_HISTORY_SHOWN + 1])
    history = event_sentences.lines(newest[:PROJECT_HISTORY_SHOWN][::-1])
    return render(
        request,
        "proposals/project_detail.html",
        {
            "project": project,
            "proposals": proposals[:PROJECT_PROPOSALS_SHOWN],
            "proposal_count": proposals.count(),
            "history": history,
            "history_more": len(newest) > PROJECT_HISTORY_SHOWN,
        },
    )


# A project's page: its latest changed proposals (the rest are in the proposal list)
# and the newest changes of its status, name and lead.
PROJECT_PROPOSALS_SHOWN = 20
PROJECT_HISTORY_SHOWN = 50
