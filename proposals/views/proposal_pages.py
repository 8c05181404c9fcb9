"""Reading proposals: the filtered list and the detail page with its vote panel."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from pmc.models import Membership, PassRule, Project, Role
from proposals import diagram, event_sentences, lifecycle, permissions, search, timeline
from proposals.comment_forms import CommentForm, comment_help
from proposals.forms import SORTS, ProposalFilterForm, VoteForm, transition_form
from proposals.models import ChecklistItem, EligibleVoter, Proposal, Vote
from proposals.page_cache import kept_page
from proposals.states import EDITABLE_STATES, State
from proposals.templatetags.people import person
from proposals.views import paging
from proposals.views.access import readable
from proposals.views.concerns import concern_context
from proposals.views.downloads import attachment, csv_lines
from proposals.views.link_suggestions import pending_suggestions
from proposals.views.meeting_record import proxy_vote_form

PAGE_SIZE = 25


@readable
@kept_page
def proposal_list(request):
    form, proposals = _filtered(request)
    if request.GET.get("format") == "csv":
        return _download_csv(request, proposals)
    paginator = paging.CappedPaginator(proposals, PAGE_SIZE)
    context = {"form": form, "paginator": paginator}
    query = request.GET.copy()
    query.pop("page", None)
    cursor = query.pop("after", [""])[-1]
    if cursor:
        try:
            context["cursor_page"] = paging.after(proposals, cursor, PAGE_SIZE)
            context["rows"] = context["cursor_page"].rows
        except paging.BadCursor:
            context["bad_cursor"] = True
    if "cursor_page" not in context:
        page = paginator.get_page(request.GET.get("page"))
        context["page"] = context["rows"] = page
        if paginator.more and page.number == paginator.num_pages and len(page):
            # The last numbered page goes on from its last row.
            context["next_cursor"] = paging.cursor_of(proposals, page[len(page) - 1])
    context["query"] = query.urlencode()
    context["project_choices"] = _project_choices(form)
    return render(request, "proposals/proposal_list.html", context)


PROJECT_CHOICES = 200


def _project_choices(form: ProposalFilterForm) -> list[str]:
    """The names the project field suggests: the chosen committee's projects, a few
    hundred at most; none before a committee is chosen (there are too many to list)."""
    committee = form.cleaned_data.get("committee") if form.is_valid() else None
    if committee is None:
        return []
    names = Project.objects.filter(committee=committee).order_by("name").values_list("name")
    return [name for (name,) in names[:PROJECT_CHOICES]]


PROJECT_NAMES = 20


@readable
def project_names(request):
    """The names of up to `PROJECT_NAMES` projects containing what was typed (`?q=`), of
    the committee `?committee=` if given: what the list's project field suggests as
    one types (proposals/static/proposals/project_picker.js)."""
    typed = request.GET.get("q", "").strip()[:100]
    projects = Project.objects.filter(name__icontains=typed) if typed else Project.objects.none()
    committee = request.GET.get("committee", "")
    if committee.isdigit():
        projects = projects.filter(committee=int(committee))
    names = projects.order_by("name").values_list("name", flat=True)[:PROJECT_NAMES]
    return JsonResponse({"names": list(names)})


def _filtered(request) -> tuple[ProposalFilterForm, object]:
    """The filter form and the proposals it selects, in its order: the rows of the page
    and of its download alike."""
    form = ProposalFilterForm(request.GET or None)
    proposals = Proposal.objects.select_related("committee", "project").defer(
        "body", "body_html", "vote_rules"
    )
    sort = "-updated_at"
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            # Full-text search through its index on PostgreSQL, as the search page does.
            proposals = search.matching(proposals, data["q"], "proposals")
        for field in ("committee", "state", "kind", "project"):
            if data[field]:
                proposals = proposals.filter(**{field: data[field]})
        sort = SORTS.get(data["sort"] or "-updated", SORTS["-updated"])[0]
    elif form.is_bound:
        proposals = proposals.none()
    return form, proposals.order_by(sort, "-pk")


CSV_FIELDS = ["id", "title", "state", "kind", "committee", "project", "proposer",
              "proposing_team", "created_at", "updated_at", "vote_closes_at", "url"]  # fmt: skip


def _download_csv(request, proposals):
    def rows():
        chosen = proposals.select_related("proposer").defer("body", "body_html")
        for proposal in chosen.iterator(chunk_size=2000):
            yield {
                "id": proposal.pk,
                "title": proposal.title,
                "state": proposal.get_state_display(),
                "kind": proposal.get_kind_display(),
                "committee": proposal.committee.name,
                "project": proposal.project.name if proposal.project else "",
                "proposer": person(proposal.proposer),
                "proposing_team": proposal.proposing_team,
                "created_at": proposal.created_at.isoformat(),
                "updated_at": proposal.updated_at.isoformat(),
                "vote_closes_at": proposal.closes_at.isoformat() if proposal.closes_at else "",
                "url": request.build_absolute_uri(proposal.get_absolute_url()),
            }

    return attachment(csv_lines(CSV_FIELDS, rows()), "text/csv; charset=utf-8", "proposals", "csv")


@readable
@kept_page
def proposal_detail(request, pk: int):
    proposal = get_object_or_404(
        Proposal.objects.select_related("committee", "project", "proposer", "decided_in"), pk=pk
    )
    # The page asks many questions of one reader's seats: read them once.
    with permissions.seats_read_once():
        return render(request, "proposals/proposal_detail.html", detail_context(request, proposal))


def detail_context(
    request,
    proposal: Proposal,
    *,
    vote_form: VoteForm | None = None,
    bound: dict | None = None,
    comment_form: CommentForm | None = None,
    comment_preview: str | None = None,
) -> dict:
    """What the detail page shows. `vote_form`, `bound` ({transition name: form}) and
    `comment_form` (a new comment or a reply, with `comment_preview`, its text rendered)
    are forms sent back with their errors, shown in place of empty ones."""
    user = request.user
    role = permissions.roles_by_committee(user).get(proposal.committee_id)
    votes = list(
        Vote.objects.filter(proposal=proposal)
        .select_related("voter", "recorded_by")
        .order_by("-round", "cast_at")
    )
    current_votes = [v for v in votes if v.round == proposal.vote_round]
    checklist = list(ChecklistItem.objects.filter(proposal=proposal).select_related("owner"))
    history = event_sentences.lines(proposal.events.select_related("actor").order_by("id"))
    context = {
        "proposal": proposal,
        "role": role,
        "lifecycle_figure": diagram.figure(proposal, [line.event for line in history]),
        "history": history,
        "mentions": proposal.mentions.select_related("meeting", "meeting__committee"),
        "checklist": checklist,
        "current_votes": current_votes,
        "past_votes": [v for v in votes if v.round != proposal.vote_round],
        "editable": proposal.state in EDITABLE_STATES
        and permissions.has_perm("proposals.edit_proposal", user, proposal),
        "transitions": _transition_forms(proposal, user, bound or {}),
        "can_tick": role == "chair",
        # Links other committees' notes suggest, for those who decide them only: nothing
        # of them shows to anyone else before the chair confirms.
        "suggestions": list(pending_suggestions(proposal=proposal))
        if role == "chair" or user.is_superuser
        else [],
    }
    context.update(concern_context(user, proposal, role))
    context.update(
        _discussion(
            proposal, user, role, history, context["concerns"], comment_form, comment_preview
        )
    )
    if proposal.state == State.ACCEPTED and checklist:
        context["what_remains"] = _what_remains(proposal, checklist)
    if proposal.state == State.ACCEPTED and not permissions.readings_confirmed(proposal):
        context["completion_waits_for_review"] = True
        context["may_review"] = permissions.has_perm(
            "proposals.review_readings", user, proposal.committee
        )
    if proposal.state == State.VOTING or proposal.vote_round:
        context.update(_vote_panel(proposal, user, role, current_votes, vote_form))
    elif proposal.state in (State.DRAFT, State.DISCUSSION):
        context["vote_not_started"] = True
    return context


def _discussion(
    proposal: Proposal,
    user,
    role,
    history: list,
    concerns: list,
    form: CommentForm | None,
    preview: str | None,
) -> dict:
    """The timeline with its comment threads, and the comment forms this reader is
    offered: a form sent back goes where it was filled in (under its thread for a
    reply)."""
    refusal = permissions.comment_refusal(user, proposal)
    entries = timeline.for_proposal(proposal, history, concerns)
    reply_to = form.cleaned_data.get("reply_to") if form is not None and form.is_bound else None
    if reply_to and not any(
        entry.thread and entry.thread.comment.pk == reply_to and not entry.thread.comment.hidden_at
        for entry in entries
    ):
        reply_to = None  # no reply form there: the text comes back in the new comment's
    return {
        "timeline": entries,
        "may_comment": refusal is None,
        "comment_refusal": refusal,
        # The rule of `proposals.hide_comment`, from the seat already read.
        "may_hide": role == Role.CHAIR or user.is_superuser,
        "comment_help": comment_help(),
        "new_comment_form": None if reply_to else form,
        "new_comment_preview": None if reply_to else preview,
        "reply_form": form if reply_to else None,
        "reply_to": reply_to,
        "reply_preview": preview if reply_to else None,
    }


def _what_remains(proposal: Proposal, checklist: list[ChecklistItem]) -> dict:
    """An accepted proposal's way to completion: the items people still have to do and
    who owns each, the chairs who then complete it, and what completing does by itself."""
    chairs = (
        Membership.objects.active()
        .chairs()
        .filter(committee_id=proposal.committee_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    return {
        "to_do": [item for item in checklist if not item.done and not item.by_system],
        "by_system": [item for item in checklist if not item.done and item.by_system],
        "chairs": [seat.user for seat in chairs],
    }


def _transition_forms(proposal: Proposal, user, bound: dict) -> list[dict]:
    if not user.is_authenticated:
        return []
    names = {t.name for t in proposal.get_available_user_state_transitions(user)}
    return [
        {"name": name, "label": label, "form": bound.get(name) or transition_form(name, proposal)}
        for name, label in lifecycle.LABELS.items()
        if name in names
    ]


def _vote_panel(
    proposal: Proposal, user, role, current_votes: list[Vote], vote_form: VoteForm | None
) -> dict:
    tally = proposal.tally()
    eligible = list(
        EligibleVoter.objects.filter(proposal=proposal, round=proposal.vote_round)
        .select_related("user")
        .order_by("user__username")
    )
    voted = {v.voter_id: v for v in current_votes}
    mine = voted.get(user.pk) if user.is_authenticated else None
    now = timezone.now()
    open_ = bool(proposal.state == State.VOTING and proposal.closes_at and now < proposal.closes_at)
    frozen = any(e.user_id == user.pk for e in eligible)
    # The rule the vote action applies: frozen voters (whose seat may have ended during
    # the vote) and members who hold a seat now vote; anyone else is told why not.
    refusal = permissions.vote_refusal(user, proposal, frozen_voter=frozen) if open_ else None
    return {
        "tally": tally,
        "vote_closed": proposal.vote_closed_at is not None,
        "eligible": [{"user": e.user, "vote": voted.get(e.user_id)} for e in eligible],
        "non_binding": [v for v in current_votes if not v.binding],
        "pass_rule": PassRule((proposal.vote_rules or {}).get("pass_rule", PassRule.MAJORITY)),
        "my_vote": mine,
        "vote_open": open_,
        "time_left": (proposal.closes_at - now) if open_ else None,
        "may_vote": open_ and refusal is None,
        "vote_refusal": refusal,
        "votes_non_binding": open_ and refusal is None and not frozen,
        # The chair sees why "Close the vote" is not offered yet.
        "close_waits": open_ and role == Role.CHAIR and not tally.settled,
        "proxy_vote_form": proxy_vote_form(request_user=user, proposal=proposal)
        if open_ and role == Role.CHAIR
        else None,
        "vote_form": vote_form
        or VoteForm(
            initial={"value": mine.value, "reason": mine.reason}
            if mine and not mine.recused
            else None
        ),
    }
