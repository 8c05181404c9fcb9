"""Every error the API gives is problem details (RFC 9457): `application/problem+json`
with type, title, status and a detail that says what to do, and nothing of the server's
internals. Checked on small views that each give one kind of error (tests.api.contract_views)
and on the API's own addresses."""

from __future__ import annotations

import json

from django.db import connection
from django.test import Client

from proposals.api.authentication import token_hash
from proposals.api.problems import NOT_FOUND, PROBLEM, SERVER_ERROR
from proposals.models import ApiToken
from tests.api.contract_base import ContractTestCase
from tests.api.contract_views import SECRET


class ClientErrorsTest(ContractTestCase):
    def test_it_lists_each_invalid_field(self):
        response = self.call("post", "/api/test/things/", {"title": "far too long", "count": -1})
        body = self.assert_problem(response, 400)
        self.assertEqual(body["title"], "Bad Request")
        self.assertEqual(set(body["errors"]), {"title", "count"})
        self.assertIn("10 characters", body["errors"]["title"][0])
        self.assertIn("errors", body["detail"])

    def test_it_names_a_missing_field(self):
        body = self.assert_problem(self.call("post", "/api/test/things/", {"count": 1}), 400)
        self.assertEqual(body["errors"], {"title": ["This field is required."]})

    def test_it_explains_a_body_that_is_not_json(self):
        body = self.assert_problem(self.call("post", "/api/test/things/", "{title: 1"), 400)
        self.assertIn("not valid JSON", body["detail"])
        self.assertIn("Content-Type: application/json", body["detail"])

    def test_it_asks_an_anonymous_caller_to_authenticate(self):
        response = self.call("get", "/api/test/private/", token=None)
        body = self.assert_problem(response, 401)
        self.assertEqual(response["WWW-Authenticate"], "Bearer")
        self.assertIn("Authorization: Bearer", body["detail"])

    def test_it_refuses_an_unknown_token(self):
        response = self.call("get", "/api/test/private/", token="not-a-token")
        body = self.assert_problem(response, 401)
        self.assertEqual(response["WWW-Authenticate"], "Bearer")
        self.assertIn("create a new one on your profile page", body["detail"])

    def test_it_keeps_an_actions_refusal(self):
        body = self.assert_problem(self.call("get", "/api/test/refuse/?kind=not-permitted"), 403)
        self.assertEqual(body["detail"], "Only members of the Runtime PMC vote: ask its chair.")
        self.assertEqual(body["kind"], "not-permitted")
        self.assertEqual(body["title"], "Forbidden")

    def test_it_refuses_a_write_with_a_read_token(self):
        response = self.call(
            "post", "/api/test/things/", {"title": "ok", "count": 1}, token=self.read_token
        )
        body = self.assert_problem(response, 403)
        self.assertIn("scope 'read and write'", body["detail"])

    def test_it_says_what_to_do_about_a_missing_item(self):
        theirs = ApiToken.objects.get(key_hash=token_hash(self.other_token))
        body = self.assert_problem(self.call("get", f"/api/test/tokens/{theirs.pk}/"), 404)
        self.assertEqual(body["detail"], NOT_FOUND)  # not Django's "No ApiToken matches"

    def test_an_unknown_api_address_is_a_problem_but_a_site_page_is_not(self):
        self.assert_problem(self.call("get", "/api/no-such-thing/"), 404)
        self.assert_problem(self.call("get", "/api/test/tokens/x/"), 404)
        page = self.client.get("/no-such-page/")
        self.assertEqual(page.status_code, 404)
        self.assertTrue(page["Content-Type"].startswith("text/html"))

    def test_it_says_where_to_start_when_a_cursor_is_invalid(self):
        self.assertEqual(self.call("get", "/api/test/token-list/").status_code, 200)
        body = self.assert_problem(self.call("get", "/api/test/token-list/?cursor=forged"), 400)
        self.assertIn("start from the list's first page", body["detail"])
        self.assertEqual(body["kind"], "invalid-cursor")

    def test_it_asks_a_session_for_its_csrf_token(self):
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(self.member)
        response = self.call("post", "/api/test/things/", {"title": "ok", "count": 1}, token=None)
        body = self.assert_problem(response, 403)
        self.assertIn("X-CSRFToken", body["detail"])

    def test_it_refuses_a_value_the_database_cannot_take(self):
        response = self.call("get", "/api/test/token-search/?name=a%00b")
        if connection.vendor != "postgresql":
            self.assertEqual(response.status_code, 200)  # SQLite takes a NUL in a text
            return
        body = self.assert_problem(response, 400)
        self.assertEqual(body["kind"], "unstorable-value")

    def test_it_names_the_methods_an_address_accepts(self):
        response = self.call("put", "/api/test/things/", {})
        body = self.assert_problem(response, 405)
        self.assertEqual(body["detail"], "This address does not accept PUT: use GET, POST.")
        self.assertIn("POST", response["Allow"])

    def test_it_answers_json_only(self):
        response = self.call("get", "/api/test/things/", HTTP_ACCEPT="text/html")
        body = self.assert_problem(response, 406)
        self.assertIn("Accept: application/json", body["detail"])

    def test_it_reports_a_conflict_with_the_state(self):
        body = self.assert_problem(self.call("get", "/api/test/refuse/?kind=stale"), 409)
        self.assertEqual(body["kind"], "stale-state")
        body = self.assert_problem(self.call("get", "/api/test/refuse/?kind=condition"), 409)
        self.assertEqual(body["kind"], "condition-not-met")

    def test_it_asks_for_json_bodies(self):
        response = self.call("post", "/api/test/things/", "title=x", content_type="text/plain")
        body = self.assert_problem(response, 415)
        self.assertIn("Content-Type: application/json", body["detail"])

    def test_it_reports_a_refused_vote(self):
        body = self.assert_problem(self.call("get", "/api/test/refuse/?kind=vote"), 422)
        self.assertEqual(body["detail"], "A -1 needs a reason: say why in a sentence.")

    def test_it_says_how_long_to_wait_when_throttled(self):
        response = self.call("get", "/api/test/throttled/")
        body = self.assert_problem(response, 429)
        self.assertEqual(response["Retry-After"], "8")
        self.assertIn("wait 8 seconds", body["detail"])


class ServerErrorsTest(ContractTestCase):
    def test_an_unexpected_error_is_a_problem_that_leaks_nothing(self):
        with self.assertLogs("proposals.api.problems", "ERROR") as logs:
            response = self.call("get", "/api/test/crash/")
        body = self.assert_problem(response, 500)
        self.assertEqual(body["detail"], SERVER_ERROR)
        self.assertIn(SECRET, "\n".join(logs.output))  # the traceback is in the log

    def test_an_error_outside_the_api_views_is_a_problem_too(self):
        self.client.raise_request_exception = False
        response = self.call("get", "/api/test/django-crash/")
        self.assertEqual(self.assert_problem(response, 500)["detail"], SERVER_ERROR)


class SchemaProblemsTest(ContractTestCase):
    def test_the_schema_is_openapi_3_1_in_yaml_and_json(self):
        response = self.call("get", "/api/schema/", token=None)
        self.assertEqual(response.status_code, 200)
        self.assertIn("application/vnd.oai.openapi", response["Content-Type"])
        self.assertTrue(response.content.startswith(b"openapi: 3.1.0"))
        response = self.call("get", "/api/schema/?format=json", token=None)
        self.assertEqual(json.loads(response.content)["openapi"], "3.1.0")

    def test_the_schemas_refusals_are_json_whatever_its_format(self):
        response = self.call("get", "/api/schema/", token="not-a-token")
        self.assert_problem(response, 401)
        response = self.call("get", "/api/schema/", token=None, HTTP_ACCEPT="text/html")
        self.assert_problem(response, 406)

    def test_the_schema_documents_the_problems_and_the_idempotency_key(self):
        response = self.call("get", "/api/schema/?format=json", token=None)
        schema = json.loads(response.content)
        post = schema["paths"]["/api/test/tokens/"]["post"]
        self.assertIn("Idempotency-Key", [p["name"] for p in post["parameters"]])
        for code in ("400", "401", "403", "404", "409", "415", "422", "429", "500"):
            self.assertIn(PROBLEM, post["responses"][code]["content"], code)
        self.assertIn("Retry-After", post["responses"]["429"]["headers"])
        for path in ("/api/test/notes/", "/api/test/notes/pin/"):  # a viewset's actions
            parameters = schema["paths"][path]["post"]["parameters"]
            self.assertIn("Idempotency-Key", [p["name"] for p in parameters], path)
        self.assertNotIn("parameters", schema["paths"]["/api/test/notes/"]["get"])
        self.assertEqual(schema["components"]["securitySchemes"]["token"]["scheme"], "bearer")
