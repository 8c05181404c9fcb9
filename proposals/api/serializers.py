"""What the API shows of each row: what the site's pages show anyone who may read them,
never an e-mail address or a notification setting. Comments show their text only where
the thread shows it (hidden ones to staff only, withdrawn ones to nobody)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pmc.models import Committee, Meeting, Membership, Project
from proposals.models import ChecklistItem, Comment, Event, Proposal, Vote
from proposals.templatetags.people import person


class PersonSerializer(serializers.ModelSerializer):
    """A person as the pages name them: no e-mail address."""

    name = serializers.SerializerMethodField(help_text="Full name, or the user name.")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return person(user)


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "pass_rule",
            "vote_duration_hours",
            "quorum_extensions",
            "extension_hours",
            "discussion_days",
            "meeting_quorum",
            "proxy_votes",
        ]


class MemberSerializer(serializers.ModelSerializer):
    """A seat held today."""

    user = PersonSerializer()

    class Meta:
        model = Membership
        fields = ["id", "committee", "user", "role", "started_on"]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "committee", "status", "lead", "repository_urls", "former_names"]


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "committee", "date", "title", "starts_at", "time_zone", "cancelled_at"]


class MeetingDetailSerializer(MeetingSerializer):
    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "notes", "notes_html"]


class ProjectNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class ProposalSerializer(serializers.ModelSerializer):
    """A proposal as the list shows it: everything but its text."""

    project = ProjectNameSerializer(allow_null=True)
    proposer = PersonSerializer(allow_null=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "kind",
            "state",
            "committee",
            "project",
            "proposer",
            "proposing_team",
            "condition",
            "new_name",
            "new_lead",
            "revision",
            "created_at",
            "updated_at",
            "vote_round",
            "vote_started_at",
            "closes_at",
            "vote_closed_at",
            "decided_at",
            "decided_in",
        ]


class ProposalDetailSerializer(ProposalSerializer):
    """A proposal with its text (markdown, and the sanitised HTML the page shows)."""

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "body", "body_html"]


class VoteSerializer(serializers.ModelSerializer):
    voter = PersonSerializer()
    recorded_by = PersonSerializer(
        allow_null=True, help_text="The chair who recorded it for the voter (a proxy vote)."
    )

    class Meta:
        model = Vote
        fields = [
            "id",
            "round",
            "voter",
            "value",
            "recused",
            "reason",
            "binding",
            "cast_at",
            "revision",
            "recorded_by",
            "proxy_note",
        ]


class ChecklistItemSerializer(serializers.ModelSerializer):
    owner = PersonSerializer(allow_null=True)
    done_by = PersonSerializer(allow_null=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "position", "text", "owner", "done", "done_at", "done_by", "by_system"]


class CommentSerializer(serializers.ModelSerializer):
    """A comment or reply. `body` and `body_html` are null where the thread shows a
    placeholder instead: withdrawn, or hidden (staff still read a hidden text)."""

    author = PersonSerializer()
    hidden_by = PersonSerializer(allow_null=True)
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "author",
            "by_member",
            "body",
            "body_html",
            "version",
            "created_at",
            "edited_at",
            "withdrawn_at",
            "hidden_at",
            "hidden_by",
            "hidden_reason",
        ]

    def _shown(self, comment: Comment) -> bool:
        if comment.withdrawn_at is not None:
            return False
        if comment.hidden_at is None:
            return True
        user = self.context["request"].user
        return bool(getattr(user, "is_staff", False))

    @extend_schema_field({"type": ["string", "null"]})
    def get_body(self, comment: Comment) -> str | None:
        return comment.body if self._shown(comment) else None

    @extend_schema_field({"type": ["string", "null"]})
    def get_body_html(self, comment: Comment) -> str | None:
        return comment.body_html if self._shown(comment) else None


class EventSerializer(serializers.ModelSerializer):
    """An entry of the audit log, as its downloads hold it."""

    actor = serializers.CharField(source="actor_name", help_text="User name, or system:<what>.")

    class Meta:
        model = Event
        fields = [
            "id",
            "at",
            "recorded_at",
            "actor",
            "action",
            "committee",
            "proposal",
            "project",
            "from_state",
            "to_state",
            "reason",
            "payload",
            "hash",
            "prev_hash",
        ]
