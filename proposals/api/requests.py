"""What the API's writes take. These check each value's type only; what a value must be
(a kind's required fields, a project of the committee, a -1's reason) is checked by the
site's own forms, and who may by the actions, so that both say it in the site's words."""

from __future__ import annotations

from rest_framework import serializers

from proposals.models import VoteValue
from proposals.states import Kind, State

_text = {"required": False, "allow_blank": True}


class ProposalFields(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(help_text="Markdown.", trim_whitespace=False, **_text)
    project = serializers.IntegerField(
        required=False, allow_null=True, help_text="A project's id, of the same committee."
    )
    proposing_team = serializers.CharField(**_text)
    condition = serializers.CharField(**_text)
    new_name = serializers.CharField(
        help_text="Rename: the new name; incubation without a project: its name.", **_text
    )
    new_lead = serializers.CharField(help_text="Ownership: the new lead.", **_text)


class ProposalCreateRequest(ProposalFields):
    """A new proposal, filed in draft by a member of its committee."""

    committee = serializers.IntegerField(help_text="The committee's id: one of yours.")
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(trim_whitespace=False)


class ProposalEditRequest(ProposalFields):
    """The fields to change; those not sent keep their value."""

    reason = serializers.CharField(help_text="Why, kept in the history.", **_text)
    expected_revision = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The revision the change was made from: refused (409) if it changed since.",
    )


class TransitionRequest(serializers.Serializer):
    reason = serializers.CharField(help_text="Why, kept in the history.", **_text)
    expected_state = serializers.ChoiceField(
        choices=State.choices,
        required=False,
        allow_null=True,
        help_text="The state the proposal is known to be in: refused (409) if it moved.",
    )
    closes_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="start_vote: when the vote closes, within the committee's rules; the "
        "committee's usual duration if not given.",
    )
    meeting = serializers.IntegerField(
        required=False, help_text="decide: the meeting (its id) that took the decision."
    )
    accepted = serializers.BooleanField(
        required=False, help_text="decide: true if accepted, false if rejected."
    )


class VoteRequest(serializers.Serializer):
    value = serializers.ChoiceField(choices=VoteValue.choices, help_text="+1, 0 or -1.")
    reason = serializers.CharField(help_text="Required for -1.", trim_whitespace=False, **_text)


class RecuseRequest(serializers.Serializer):
    reason = serializers.CharField(**_text)


class CommentRequest(serializers.Serializer):
    body = serializers.CharField(help_text="Markdown.", trim_whitespace=False, allow_blank=True)
    parent = serializers.IntegerField(
        required=False, allow_null=True, help_text="The comment this replies to."
    )
