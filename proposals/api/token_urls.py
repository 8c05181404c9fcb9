"""The API's token endpoints: `GET /api/me/`, who the request comes from, so that a
script can check its token before it acts."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from pmc.models import Membership
from proposals.api.scopes import TokenScope
from proposals.models import ApiToken


class SeatSerializer(serializers.Serializer):
    committee = serializers.CharField(help_text="The committee's name.")
    committee_slug = serializers.SlugField(help_text="The committee's short name in URLs.")
    role = serializers.ChoiceField(
        choices=Membership._meta.get_field("role").choices, help_text="The seat's role."
    )
    since = serializers.DateField(help_text="When the seat started.")


class TokenSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="What the token is for, as its owner named it.")
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices, help_text="`read`, or `write` (read and write)."
    )
    prefix = serializers.CharField(help_text="The token's first characters.")
    created_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(help_text="Empty when the account has no name.")
    staff = serializers.BooleanField()
    seats = SeatSerializer(many=True, help_text="The committees the person sits on now.")
    token = TokenSerializer(
        allow_null=True, help_text="The token the request came with; null for a session."
    )


class Me(APIView):
    """Who the request comes from."""

    permission_classes = [IsAuthenticated, TokenScope]

    @extend_schema(
        operation_id="me",
        summary="Who am I",
        description=(
            "The person the token (or the session) acts for: their user name and name, "
            "their seats on committees with their roles, and the token's name and scope. "
            "A script can call it to check its token."
        ),
        responses={200: MeSerializer},
        tags=["tokens"],
    )
    def get(self, request):
        user = request.user
        seats = (
            Membership.objects.active()
            .filter(user=user)
            .select_related("committee")
            .order_by("committee__name")
        )
        token = request.auth if isinstance(request.auth, ApiToken) else None
        data = {
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "staff": user.is_staff,
            "seats": [
                {
                    "committee": seat.committee.name,
                    "committee_slug": seat.committee.slug,
                    "role": seat.role,
                    "since": seat.started_on,
                }
                for seat in seats
            ],
            "token": None
            if token is None
            else {
                "name": token.name,
                "scope": token.scope,
                "prefix": token.prefix,
                "created_at": token.created_at,
            },
        }
        return Response(MeSerializer(data).data)


urlpatterns = [path("me/", Me.as_view(), name="me")]
