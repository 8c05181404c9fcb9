"""What the API contract's tests share: tokens made as rows, and a client for the
test views (tests.api.contract_views) that checks problem details."""

from __future__ import annotations

import json
import secrets

from django.test import TestCase, override_settings

from proposals.api.authentication import token_hash
from proposals.api.problems import PROBLEM
from proposals.models import ApiToken
from tests.api.contract_views import SECRET
from tests.factories import make_user


def make_token(user, scope=ApiToken.Scope.WRITE) -> str:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name="script", scope=scope, prefix=token[:8], key_hash=token_hash(token)
    )
    return token


class ContractClientMixin:
    @classmethod
    def make_callers(cls) -> None:
        cls.member = make_user("member")
        cls.other = make_user("other")
        cls.token = make_token(cls.member)
        cls.read_token = make_token(cls.member, ApiToken.Scope.READ)
        cls.other_token = make_token(cls.other)

    def call(self, method: str, path: str, body=None, token: str | None = "", **headers):
        token = self.token if token == "" else token
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        kwargs = {}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
            kwargs["content_type"] = headers.pop("content_type", "application/json")
        return getattr(self.client, method)(path, **kwargs, **headers)

    def assert_problem(self, response, status: int) -> dict:
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], PROBLEM)
        body = json.loads(response.content)
        self.assertEqual(body["type"], "about:blank")
        self.assertEqual(body["status"], status)
        self.assertTrue(body["title"])
        # A sentence that says what to do: "what happened: what to do."
        self.assertRegex(body["detail"], r"^[A-Z].{10,}[:;,] .{8,}\.$")
        self.assertNotIn(SECRET, response.content.decode())
        return body


@override_settings(ROOT_URLCONF="tests.api.contract_urls")
class ContractTestCase(ContractClientMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.make_callers()
