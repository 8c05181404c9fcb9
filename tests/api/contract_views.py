"""Small API views for the contract's tests: each gives one kind of error, and one writes
something countable (an API token of the caller) behind `@idempotent`."""

from __future__ import annotations

import secrets
import threading

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSet

from proposals.api.authentication import token_hash
from proposals.api.idempotency import idempotent
from proposals.errors import ConditionNotMet, NotPermitted, StaleState, VoteRefused
from proposals.models import ApiToken

REFUSALS = {
    "not-permitted": NotPermitted("Only members of the Runtime PMC vote: ask its chair."),
    "stale": StaleState("The proposal moved on since you loaded it: reload it and try again."),
    "condition": ConditionNotMet("The vote needs a deadline: set one, then open the vote."),
    "vote": VoteRefused("A -1 needs a reason: say why in a sentence."),
}
SECRET = "password=hunter2 at /srv/pmc/secret_settings.py"


class Form(serializers.Serializer):
    title = serializers.CharField(max_length=10)
    count = serializers.IntegerField(min_value=0)


ANSWERS_JSON = extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)


class Things(APIView):
    """GET reads; POST validates a form and answers 201."""

    @ANSWERS_JSON
    def get(self, request):
        return Response({"things": []})

    @extend_schema(request=Form, responses={201: Form})
    def post(self, request):
        form = Form(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(form.validated_data, status=status.HTTP_201_CREATED)


class Private(APIView):
    permission_classes = [IsAuthenticated]

    @ANSWERS_JSON
    def get(self, request):
        return Response({"you": request.user.username})


class Refuse(APIView):
    """Raises the refusal named by ?kind=."""

    @ANSWERS_JSON
    def get(self, request):
        raise REFUSALS[request.query_params["kind"]]


class Crash(APIView):
    @ANSWERS_JSON
    def get(self, request):
        raise RuntimeError(SECRET)


class NeverAllowed(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        return False

    def wait(self) -> float:
        return 7.2


class Throttled(APIView):
    throttle_classes = [NeverAllowed]

    @ANSWERS_JSON
    def get(self, request):
        return Response({})


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "scope", "created_at"]


class TokenList(ListAPIView):
    """The caller's tokens, a page at a time (the API's cursor pagination)."""

    serializer_class = TokenSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)


class TokenSearch(APIView):
    """Tokens named like ?name= (a text the database sees as it came)."""

    @ANSWERS_JSON
    def get(self, request):
        found = ApiToken.objects.filter(name__contains=request.query_params.get("name", ""))
        return Response({"count": found.count()})


class Token(APIView):
    permission_classes = [IsAuthenticated]

    @ANSWERS_JSON
    def get(self, request, pk: int):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        return Response({"id": token.pk})


# The idempotent view waits while `hold` is set (cleared by default), after telling
# `started`: a test runs a second request while the first is in the middle of its work.
hold = threading.Event()
started = threading.Event()
release = threading.Event()


class MakeToken(APIView):
    """POST {"name": ...} creates a token for the caller (nothing for anonymous callers);
    "refuse" is refused, "crash" fails after writing, "broken" answers 503 after writing."""

    @ANSWERS_JSON
    @idempotent
    def post(self, request):
        name = request.data.get("name", "")
        if not request.user.is_authenticated:
            return Response({"anonymous": True})
        if name == "refuse":
            raise NotPermitted("Tokens named refuse are refused: choose another name.")
        token = ApiToken.objects.create(
            user=request.user,
            name=name,
            prefix="t",
            key_hash=token_hash(secrets.token_urlsafe()),
        )
        if hold.is_set():
            started.set()
            release.wait(timeout=30)
        if name == "crash":
            raise RuntimeError(SECRET)
        code = status.HTTP_503_SERVICE_UNAVAILABLE if name == "broken" else 201
        return Response({"id": token.pk, "name": name}, status=code)


class Careless(APIView):
    """What the permission-leak checks must catch: e-mail addresses shown to anyone, and
    a write that anyone may make."""

    permission_classes = [AllowAny]

    @ANSWERS_JSON
    def get(self, request):
        return Response({"emails": list(get_user_model().objects.values_list("email", flat=True))})

    @ANSWERS_JSON
    def post(self, request):
        Group.objects.create(name=secrets.token_hex(8))
        return Response({}, status=status.HTTP_201_CREATED)


class Notes(ViewSet):
    """A viewset whose `create` and extra action are idempotent (what the schema says)."""

    @ANSWERS_JSON
    def list(self, request):
        return Response([])

    @ANSWERS_JSON
    @idempotent
    def create(self, request):
        return Response({}, status=status.HTTP_201_CREATED)

    @ANSWERS_JSON
    @action(detail=False, methods=["post"])
    @idempotent
    def pin(self, request):
        return Response({})
