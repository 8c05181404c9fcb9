"""The API's writes: filing and editing a proposal, running a transition, voting and
recusing, commenting. Each does what the site's view does (`proposals.views.
proposal_actions`, `proposal_filing`, `comments`): the site's form checks the values, one
action makes the change and writes its event. A refusal is the action's
`LifecycleError`, which `proposals.api.problems` answers with the sentence the site
shows; a value the form refuses is a 400 with the form's errors."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals import actions, permissions
from proposals.api.access import Readable, SignedIn
from proposals.api.idempotency import idempotent
from proposals.api.requests import (
    CommentRequest,
    ProposalCreateRequest,
    ProposalEditRequest,
    RecuseRequest,
    TransitionRequest,
    VoteRequest,
)
from proposals.api.schema import NOT_FOUND, WRITE_REFUSALS
from proposals.api.scopes import TokenScope
from proposals.api.serializers import CommentSerializer, ProposalDetailSerializer, VoteSerializer
from proposals.comment_forms import CommentForm
from proposals.errors import NotPermitted
from proposals.forms import ProposalForm, VoteForm, transition_form
from proposals.models import Proposal
from proposals.states import Kind

WRITERS = [SignedIn, TokenScope, Readable]
# The fields of a proposal its form holds, as its edit sends them.
PROPOSAL_FIELDS = (
    "title",
    "body",
    "project",
    "proposing_team",
    "condition",
    "new_name",
    "new_lead",
)


def _request(serializer_class, request) -> dict:
    """The request's values, of the types `serializer_class` declares; a field it does
    not know is refused rather than ignored."""
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    known = serializer_class().fields
    unknown = sorted(set(request.data) - set(known))
    if unknown:
        names = ", ".join(known)
        raise ValidationError(
            {name: [f"Not a field of this request; it takes {names}."] for name in unknown}
        )
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def _form_value(value) -> str:
    """A JSON value as a form posts it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _valid(form: forms.Form) -> dict:
    if not form.is_valid():
        raise ValidationError(
            {name: [str(error) for error in errors] for name, errors in form.errors.items()}
        )
    return form.cleaned_data


def _kind_fields(form: ProposalForm, given: dict) -> None:
    """Refuse a field the proposal's kind has not, rather than drop it."""
    extra = [name for name in PROPOSAL_FIELDS if name in given and name not in form.fields]
    if extra:
        kind = Kind(form.kind).label.lower()
        raise ValidationError(
            {name: [f"A proposal of kind “{kind}” has no {name}."] for name in extra}
        )


def _proposal(pk) -> Proposal:
    related = ("committee", "project", "proposer", "decided_in")
    proposal = None
    if str(pk).isdigit():  # the router's pk is any text
        proposal = Proposal.objects.select_related(*related).filter(pk=int(pk)).first()
    if proposal is None:
        raise NotFound(f"There is no proposal #{pk}.")
    return proposal


def _shown(proposal: Proposal, request) -> dict:
    return ProposalDetailSerializer(proposal, context={"request": request}).data


class ProposalWriting:
    """Filing a proposal (POST on the list) and editing one (PATCH)."""

    def get_permissions(self):
        if self.request.method in ("POST", "PATCH"):
            return [permission() for permission in WRITERS]
        return super().get_permissions()

    @extend_schema(
        request=ProposalCreateRequest,
        responses={201: ProposalDetailSerializer, **WRITE_REFUSALS},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """File a proposal in draft, as a member of its committee."""
        committees = list(permissions.roles_by_committee(request.user))
        if not committees:
            raise NotPermitted("Only members of a committee can file proposals.")
        given = _request(ProposalCreateRequest, request)
        kind = given["kind"]
        data = {name: _form_value(value) for name, value in given.items()}
        form = ProposalForm(data, committees=committees, kind=kind)
        _kind_fields(form, given)
        fields = _valid(form)
        fields.pop("form_token", None)  # a retry is kept from filing twice by its key
        proposal = actions.do_create_proposal(actor=request.user, **fields)
        shown_at = reverse("api:proposal-detail", args=[proposal.pk])
        headers = {"Location": request.build_absolute_uri(shown_at)}
        return Response(_shown(proposal, request), status=status.HTTP_201_CREATED, headers=headers)

    @extend_schema(
        request=ProposalEditRequest,
        responses={200: ProposalDetailSerializer, **WRITE_REFUSALS, **NOT_FOUND},
    )
    def partial_update(self, request, pk=None, *args, **kwargs):
        """Change a proposal's text or details: its proposer or the chair, in draft or
        discussion."""
        proposal = _proposal(pk)
        if not permissions.has_perm("proposals.edit_proposal", request.user, proposal):
            raise NotPermitted(f"Only the proposer or the chair may edit “{proposal}”.")
        given = _request(ProposalEditRequest, request)
        data = {name: _form_value(getattr(proposal, name)) for name in PROPOSAL_FIELDS}
        data["project"] = _form_value(proposal.project_id)
        data.update({name: _form_value(given[name]) for name in PROPOSAL_FIELDS if name in given})
        form = ProposalForm(data, instance=proposal, committees=[proposal.committee_id])
        _kind_fields(form, given)
        changes = _valid(form)
        edited = actions.do_edit_proposal(
            proposal=proposal,
            actor=request.user,
            reason=given.get("reason", ""),
            expected_revision=given.get("expected_revision"),
            **{name: value for name, value in changes.items() if name in given},
        )
        return Response(_shown(edited, request))


TRANSITION_NAME = OpenApiParameter(
    "name", str, OpenApiParameter.PATH, enum=list(actions.TRANSITIONS), description="Which."
)


class TransitionView(APIView):
    permission_classes = WRITERS

    @extend_schema(
        operation_id="proposals_transition",
        parameters=[TRANSITION_NAME],
        request=TransitionRequest,
        responses={200: ProposalDetailSerializer, **WRITE_REFUSALS, **NOT_FOUND},
    )
    @idempotent
    def post(self, request, pk: int, name: str):
        """Move the proposal on: the transition `name`, by whoever its rule admits."""
        proposal = _proposal(pk)
        if name not in actions.TRANSITIONS:
            raise NotFound(
                f"There is no transition {name!r}: it is one of {', '.join(actions.TRANSITIONS)}."
            )
        given = _request(TransitionRequest, request)
        expected = given.pop("expected_state", None)
        data = {f"{name}-{key}": _form_value(value) for key, value in given.items()}
        data[f"{name}-expected_state"] = expected or proposal.state
        form = transition_form(name, proposal, data)
        unknown = sorted(set(given) - set(form.fields))
        if unknown:
            raise ValidationError({key: [f"{name} takes no {key}."] for key in unknown})
        fields = _valid(form)
        fields["expected_state"] = expected or None
        moved = actions.TRANSITIONS[name](actor=request.user, proposal=proposal, **fields)
        return Response(_shown(moved, request))


class VoteView(APIView):
    permission_classes = WRITERS

    @extend_schema(
        operation_id="proposals_vote",
        request=VoteRequest,
        responses={200: VoteSerializer, **WRITE_REFUSALS, **NOT_FOUND},
    )
    @idempotent
    def post(self, request, pk: int):
        """Cast or change one's vote in the open vote."""
        proposal = _proposal(pk)
        given = _request(VoteRequest, request)
        form = VoteForm({name: _form_value(value) for name, value in given.items()})
        fields = _valid(form)
        vote = actions.do_cast_vote(
            proposal=proposal, actor=request.user, value=fields["value"], reason=fields["reason"]
        )
        return Response(VoteSerializer(vote, context={"request": request}).data)


class RecuseView(APIView):
    permission_classes = WRITERS

    @extend_schema(
        operation_id="proposals_recuse",
        request=RecuseRequest,
        responses={200: VoteSerializer, **WRITE_REFUSALS, **NOT_FOUND},
    )
    @idempotent
    def post(self, request, pk: int):
        """Step aside from the open vote for a conflict of interest."""
        proposal = _proposal(pk)
        given = _request(RecuseRequest, request)
        vote = actions.do_recuse(
            proposal=proposal, actor=request.user, reason=given.get("reason", "")
        )
        return Response(VoteSerializer(vote, context={"request": request}).data)


class CommentPosting:
    """Posting a comment, or a reply under the comment `parent`."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [permission() for permission in WRITERS]
        return super().get_permissions()

    @extend_schema(
        operation_id="proposals_comment",
        request=CommentRequest,
        responses={201: CommentSerializer, **WRITE_REFUSALS, **NOT_FOUND},
    )
    @idempotent
    def post(self, request, pk: int):
        """Comment on the proposal, or reply to one of its comments."""
        proposal = _proposal(pk)
        given = _request(CommentRequest, request)
        form = CommentForm(
            {"body": given.get("body", ""), "reply_to": _form_value(given.get("parent"))}
        )
        fields = _valid(form)
        comment = actions.do_post_comment(
            proposal=proposal, actor=request.user, body=fields["body"], reply_to=fields["reply_to"]
        )
        shown = CommentSerializer(comment, context={"request": request}).data
        return Response(shown, status=status.HTTP_201_CREATED)
