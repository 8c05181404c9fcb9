"""The API's reading: committees, their members, projects, meetings, proposals with their
votes, checklist, comments and history, and the audit log. Each list is one query for
its rows (related rows joined, never one query per row) and pages by cursor
(`proposals.api.paging`). The long lists, proposals and the audit log, go in the orders
their indexes hold, as the site's pages do; the short ones by name, date or id."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import NotFound

from pmc.models import Committee, Meeting, Membership, Project
from proposals.api import filters
from proposals.api.access import Readable
from proposals.api.schema import LIST_REFUSALS, NOT_FOUND, READ_REFUSALS
from proposals.api.scopes import TokenScope
from proposals.api.serializers import (
    ChecklistItemSerializer,
    CommentSerializer,
    CommitteeSerializer,
    EventSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MemberSerializer,
    ProjectSerializer,
    ProposalDetailSerializer,
    ProposalSerializer,
    VoteSerializer,
)
from proposals.models import ChecklistItem, Comment, Event, Proposal, Vote

READERS = [TokenScope, Readable]


def listing(serializer) -> dict:
    """A list's answers in the schema: a page of `serializer`'s rows, or a refusal."""
    return {200: serializer, **LIST_REFUSALS}


def showing(serializer) -> dict:
    return {200: serializer, **READ_REFUSALS, **NOT_FOUND}


@extend_schema_view(
    list=extend_schema(responses=listing(CommitteeSerializer)),
    retrieve=extend_schema(responses=showing(CommitteeSerializer)),
)
class CommitteeViewSet(viewsets.ReadOnlyModelViewSet):
    """The committees, by name."""

    permission_classes = READERS
    serializer_class = CommitteeSerializer
    queryset = Committee.objects.order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(
        parameters=[filters.COMMITTEE_PARAMETER], responses=listing(MemberSerializer)
    )
)
class MemberViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The seats held today, with their people (`?committee=` for one committee's)."""

    permission_classes = READERS
    serializer_class = MemberSerializer

    def get_queryset(self):
        seats = Membership.objects.active().select_related("user").order_by("pk")
        return filters.by_committee(self.request.query_params, seats)


@extend_schema_view(
    list=extend_schema(parameters=filters.PROJECT_PARAMETERS, responses=listing(ProjectSerializer)),
    retrieve=extend_schema(responses=showing(ProjectSerializer)),
)
class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """The projects, by name, each with the names it had before a rename."""

    permission_classes = READERS
    serializer_class = ProjectSerializer

    def get_queryset(self):
        projects = Project.objects.order_by("name", "pk")
        if self.action != "list":
            return projects
        params = self.request.query_params
        return filters.by_status(params, filters.by_committee(params, projects))


@extend_schema_view(
    list=extend_schema(
        parameters=[filters.COMMITTEE_PARAMETER], responses=listing(MeetingSerializer)
    ),
    retrieve=extend_schema(responses=showing(MeetingDetailSerializer)),
)
class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """The meetings, newest first; one meeting with its notes."""

    permission_classes = READERS

    def get_serializer_class(self):
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def get_queryset(self):
        if self.action != "list":
            return Meeting.objects.all()
        meetings = Meeting.objects.defer("notes", "notes_html", "original_notes")
        meetings = filters.by_committee(self.request.query_params, meetings)
        return meetings.order_by("-date", "-pk")


@extend_schema_view(
    list=extend_schema(parameters=filters.EVENT_PARAMETERS, responses=listing(EventSerializer)),
    retrieve=extend_schema(responses=showing(EventSerializer)),
)
class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log, newest first, with the audit page's filters."""

    permission_classes = READERS
    serializer_class = EventSerializer

    def get_queryset(self):
        if self.action != "list":
            return Event.objects.all()
        # The rows hold the ids of what they are about: nothing to join.
        return filters.events(self.request.query_params).select_related(None)


class ProposalReading:
    """The proposals, filtered as the site's list is; one with its text."""

    permission_classes = READERS

    def get_serializer_class(self):
        return ProposalSerializer if self.action == "list" else ProposalDetailSerializer

    def get_queryset(self):
        proposals = Proposal.objects.select_related("project", "proposer")
        if self.action != "list":
            return proposals
        listed = proposals.defer("body", "body_html", "vote_rules")
        return filters.proposals(self.request.query_params, listed)

    @extend_schema(parameters=filters.PROPOSAL_PARAMETERS, responses=listing(ProposalSerializer))
    def list(self, request, *args, **kwargs):
        return mixins.ListModelMixin.list(self, request, *args, **kwargs)

    @extend_schema(responses=showing(ProposalDetailSerializer))
    def retrieve(self, request, *args, **kwargs):
        return mixins.RetrieveModelMixin.retrieve(self, request, *args, **kwargs)


class OfProposal(generics.ListAPIView):
    """A list of one proposal's rows (404 for no such proposal)."""

    permission_classes = READERS

    def get_queryset(self):
        pk = self.kwargs["pk"]
        if not Proposal.objects.filter(pk=pk).exists():
            raise NotFound(f"There is no proposal #{pk}.")
        return self.rows(pk)

    def rows(self, proposal: int):
        raise NotImplementedError


def _nested(serializer):
    return extend_schema(responses={**listing(serializer), **NOT_FOUND})


@extend_schema_view(get=_nested(VoteSerializer))
class ProposalVotes(OfProposal):
    """The proposal's votes and recusals, every round's, in the order they were first cast
    (a changed vote keeps its place)."""

    serializer_class = VoteSerializer

    def rows(self, proposal):
        votes = Vote.objects.filter(proposal_id=proposal)
        return votes.select_related("voter", "recorded_by").order_by("pk")


@extend_schema_view(get=_nested(ChecklistItemSerializer))
class ProposalChecklist(OfProposal):
    """The steps of carrying out the accepted proposal, in order."""

    serializer_class = ChecklistItemSerializer

    def rows(self, proposal):
        items = ChecklistItem.objects.filter(proposal_id=proposal)
        return items.select_related("owner", "done_by").order_by("position", "pk")


@extend_schema_view(get=_nested(EventSerializer))
class ProposalHistory(OfProposal):
    """The proposal's events in the audit log, oldest first."""

    serializer_class = EventSerializer

    def rows(self, proposal):
        return Event.objects.filter(proposal_id=proposal).order_by("pk")


class CommentReading(OfProposal):
    """The discussion: comments and replies, oldest first, as the thread shows them."""

    serializer_class = CommentSerializer

    def rows(self, proposal):
        comments = Comment.objects.filter(proposal_id=proposal)
        return comments.select_related("author", "hidden_by").order_by("created_at", "pk")

    @_nested(CommentSerializer)
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)
