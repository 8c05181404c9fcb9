"""The lists' filters: the site's own filter forms, read from the query string, so that a
list selects what the page with the same filters shows. A filter that does not read is
a 400 that says which and why, never a wider list."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from pmc.models import Committee, ProjectStatus
from proposals import audit_exports, search
from proposals.forms import SORTS, ProposalFilterForm
from proposals.models import Event, Proposal
from proposals.states import Kind, State


class ApiProposalFilterForm(ProposalFilterForm):
    """The proposal list's filters, and `updated_since` for a client that keeps a copy."""

    updated_since = forms.DateTimeField(required=False)

    def clean_updated_since(self) -> datetime.datetime | None:
        since = self.cleaned_data["updated_since"]
        try:
            return since and since.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                "That time is beyond the calendar in UTC: give a time of this era."
            ) from None


def _checked(form: forms.Form) -> dict:
    if not form.is_valid():
        raise ValidationError(
            {name: [str(error) for error in errors] for name, errors in form.errors.items()}
        )
    return form.cleaned_data


def proposals(params, rows: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """`rows` narrowed by the list's filters, in the order chosen (each order, alone or
    after one filter, has its index: `Proposal.Meta.indexes`)."""
    data = _checked(ApiProposalFilterForm(params))
    if data["q"]:
        rows = search.matching(rows, data["q"], "proposals")
    for field in ("committee", "state", "kind", "project"):
        if data[field]:
            rows = rows.filter(**{field: data[field]})
    if data["updated_since"]:
        rows = rows.filter(updated_at__gte=data["updated_since"])
    sort = SORTS.get(data["sort"] or "-updated", SORTS["-updated"])[0]
    return rows.order_by(sort, "-pk")


def events(params) -> QuerySet[Event]:
    """The audit log narrowed as the audit page narrows it, newest first: by id, or by the
    time each event is about (then id) when dates are given."""
    form, rows = audit_exports.filtered(params)
    data = _checked(form) if form.is_bound else {}
    dated = data.get("date_from") or data.get("date_to")
    return rows.order_by("-at", "-pk") if dated else rows.order_by("-pk")


def _choices(values) -> str:
    return ", ".join(f"`{value}`" for value in values)


PROPOSAL_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to find in the title or text."),
    OpenApiParameter("committee", int, description="A committee's id."),
    OpenApiParameter("state", str, enum=State.values),
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("project", str, description="A project's name, or its id."),
    OpenApiParameter(
        "sort", str, enum=list(SORTS), description="The order: `-updated` unless given."
    ),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Only proposals changed at or after this time (ISO 8601).",
    ),
]

EVENT_PARAMETERS = [
    OpenApiParameter("committee", int, description="A committee's id."),
    OpenApiParameter("proposal", int, description="A proposal's id."),
    OpenApiParameter("actor", str, description="A user name, or system:<what>."),
    OpenApiParameter("action", str, description="An action, e.g. vote.cast, or its start."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day on."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Up to this day, included."),
]

COMMITTEE_PARAMETER = OpenApiParameter("committee", int, description="A committee's id.")
PROJECT_PARAMETERS = [
    COMMITTEE_PARAMETER,
    OpenApiParameter("status", str, enum=ProjectStatus.values),
]


def by_committee(params, rows: QuerySet) -> QuerySet:
    """`rows` of one committee, when `?committee=` names one."""
    value = params.get("committee", "")
    if not value:
        return rows
    if not value.isdigit() or not Committee.objects.filter(pk=int(value)).exists():
        raise ValidationError({"committee": [f"No committee has the id {value[:20]!r}."]})
    return rows.filter(committee_id=int(value))


def by_status(params, rows: QuerySet) -> QuerySet:
    value = params.get("status", "")
    if not value:
        return rows
    if value not in ProjectStatus.values:
        raise ValidationError({"status": [f"A status is one of {_choices(ProjectStatus.values)}."]})
    return rows.filter(status=value)
