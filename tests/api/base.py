"""The API's test base: the committee's actors, with personal tokens and a JSON client."""

from __future__ import annotations

import secrets

from proposals.api.authentication import token_hash
from proposals.api.problems import PROBLEM
from proposals.models import ApiToken
from tests.base import LifecycleTestCase


class ApiTestCase(LifecycleTestCase):
    def make_token(self, user, scope: str = ApiToken.Scope.WRITE) -> str:
        """A personal token of `user`, as the profile page would create it."""
        token = f"pmc_{secrets.token_urlsafe(24)}"
        ApiToken.objects.create(
            user=user, name="script", scope=scope, prefix=token[:8], key_hash=token_hash(token)
        )
        return token

    def bearer(self, user, scope: str = ApiToken.Scope.WRITE) -> dict:
        """The header with which a script of `user` calls (none for an anonymous one)."""
        if user is None:
            return {}
        return {"HTTP_AUTHORIZATION": f"Bearer {self.make_token(user, scope)}"}

    def get_json(self, url: str, params: dict | None = None, **headers):
        response = self.client.get(url, params or {}, **headers)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return response.json()

    def send(self, method: str, url: str, data: dict | None = None, **headers):
        call = getattr(self.client, method)
        return call(url, data or {}, content_type="application/json", **headers)

    def post(self, url: str, data: dict | None = None, **headers):
        return self.send("post", url, data, **headers)

    def assertProblem(self, response, status: int, detail: str | None = None) -> dict:
        """The answer is a problem details document with `status` whose `detail` says
        `detail` (a part of it)."""
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Content-Type"], PROBLEM)
        body = response.json()
        self.assertEqual(body["status"], status)
        if detail is not None:
            self.assertIn(detail, body["detail"])
        return body
