"""`Idempotency-Key` on POST: the first request runs and its answer is kept with its
work; a retry with the same key and request gets that answer again and does nothing
twice; the same key for another request is refused (422), and while the first request
runs, so is its retry (409); keys are each person's and last 24 hours."""

from __future__ import annotations

import datetime
import json
import threading

from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from proposals.api.idempotency import REPLAYED
from proposals.models import ApiToken, IdempotentRequest
from tests.api import contract_views
from tests.api.contract_base import ContractClientMixin, ContractTestCase
from tests.base import AppendOnlyTransactionTestCase

TOKENS = "/api/test/tokens/"
KEY = "5b0c9f3e-6a47-4f7e-9d0e-2f6c1a8d4b21"


class IdempotencyTestCase(ContractTestCase):
    def make(self, name: str, key: str | None = KEY, token: str | None = "", path=TOKENS):
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        return self.call("post", path, {"name": name}, token=token, **headers)

    def made(self, name: str) -> int:
        return ApiToken.objects.filter(name=name).count()


class RetryTest(IdempotencyTestCase):
    def test_without_a_key_each_request_runs(self):
        self.assertEqual(self.make("ci", key=None).status_code, 201)
        self.assertEqual(self.make("ci", key=None).status_code, 201)
        self.assertEqual(self.made("ci"), 2)
        self.assertFalse(IdempotentRequest.objects.exists())

    def test_a_retry_gets_the_first_answer_and_does_nothing_twice(self):
        first = self.make("ci")
        self.assertEqual(first.status_code, 201)
        self.assertNotIn(REPLAYED, first)
        again = self.make("ci")
        self.assertEqual(again.status_code, 201)
        self.assertEqual(again[REPLAYED], "true")
        self.assertEqual(again.content, first.content)
        self.assertEqual(again["Content-Type"], first["Content-Type"])
        self.assertEqual(self.made("ci"), 1)
        stored = IdempotentRequest.objects.get()
        self.assertEqual((stored.user, stored.key, stored.status_code), (self.member, KEY, 201))

    def test_a_quoted_key_is_the_same_key(self):
        self.make("ci")
        self.assertEqual(self.make("ci", key=f'"{KEY}"')[REPLAYED], "true")
        self.assertEqual(self.made("ci"), 1)

    def test_the_same_key_for_another_body_is_refused(self):
        self.make("ci")
        body = self.assert_problem(self.make("deploy"), 422)
        self.assertEqual(body["kind"], "idempotency-key-reused")
        self.assertIn("send a new key with each new request", body["detail"])
        self.assertEqual((self.made("ci"), self.made("deploy")), (1, 0))

    def test_the_same_key_for_another_address_is_refused(self):
        self.make("ci")
        self.assert_problem(self.make("ci", path=f"{TOKENS}?copy=1"), 422)
        self.assertEqual(self.made("ci"), 1)

    def test_keys_are_each_persons_own(self):
        self.make("ci")
        theirs = self.make("ci", token=self.other_token)
        self.assertEqual(theirs.status_code, 201)
        self.assertNotIn(REPLAYED, theirs)
        self.assertEqual(ApiToken.objects.filter(name="ci", user=self.other).count(), 1)

    def test_anonymous_requests_are_not_kept(self):
        response = self.make("ci", token=None)
        self.assertEqual(json.loads(response.content), {"anonymous": True})
        self.assertFalse(IdempotentRequest.objects.exists())

    def test_a_read_token_is_refused_before_any_key_is_kept(self):
        self.assert_problem(self.make("ci", token=self.read_token), 403)
        self.assertFalse(IdempotentRequest.objects.exists())

    def test_a_malformed_key_is_refused(self):
        for key in ("", "x" * 256, "caf\u00e9"):
            with self.subTest(key=key):
                body = self.assert_problem(self.make("ci", key=key), 400)
                self.assertEqual(body["kind"], "idempotency-key-invalid")
        self.assertEqual(self.made("ci"), 0)


class FailureTest(IdempotencyTestCase):
    def test_a_refusal_keeps_no_answer_and_its_retry_runs_again(self):
        self.assert_problem(self.make("refuse"), 403)
        self.assertFalse(IdempotentRequest.objects.exists())
        again = self.assert_problem(self.make("refuse"), 403)
        self.assertIn("choose another name", again["detail"])

    def test_a_crash_undoes_its_work_and_gives_the_key_back(self):
        with self.assertLogs("proposals.api.problems", "ERROR"):
            self.assert_problem(self.make("crash"), 500)
        self.assertEqual(self.made("crash"), 0)
        self.assertFalse(IdempotentRequest.objects.exists())

    def test_a_server_error_answer_is_not_kept_nor_its_work(self):
        self.assertEqual(self.make("broken").status_code, 503)
        self.assertEqual(self.made("broken"), 0)
        self.assertFalse(IdempotentRequest.objects.exists())


class KeyLifetimeTest(IdempotencyTestCase):
    def claim_of_another_request(self, age: datetime.timedelta, **fields) -> IdempotentRequest:
        self.make("ci")
        claim = IdempotentRequest.objects.get()
        IdempotentRequest.objects.filter(pk=claim.pk).update(
            created_at=timezone.now() - age, **fields
        )
        return claim

    def test_a_key_expires_after_24_hours(self):
        self.claim_of_another_request(datetime.timedelta(hours=25))
        old = IdempotentRequest.objects.create(
            user=self.other, key="old", method="POST", path=TOKENS, request_hash="0" * 64
        )
        IdempotentRequest.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=2)
        )
        again = self.make("ci")
        self.assertEqual(again.status_code, 201)
        self.assertNotIn(REPLAYED, again)
        self.assertEqual(self.made("ci"), 2)
        self.assertEqual(list(IdempotentRequest.objects.values_list("key", flat=True)), [KEY])

    def test_a_key_is_kept_for_23_hours(self):
        self.claim_of_another_request(datetime.timedelta(hours=23))
        self.assertEqual(self.make("ci")[REPLAYED], "true")

    def test_a_retry_while_the_first_runs_is_asked_to_wait(self):
        self.claim_of_another_request(datetime.timedelta(seconds=3), status_code=None)
        response = self.make("ci")
        body = self.assert_problem(response, 409)
        self.assertEqual(body["kind"], "idempotency-key-in-use")
        self.assertEqual(response["Retry-After"], "1")
        self.assertIn("retry the same request in a moment", body["detail"])
        self.assertEqual(self.made("ci"), 1)

    def test_a_claim_whose_process_died_is_taken_over(self):
        self.claim_of_another_request(datetime.timedelta(minutes=6), status_code=None)
        response = self.make("ci")
        self.assertEqual(response.status_code, 201)
        self.assertNotIn(REPLAYED, response)
        self.assertEqual(IdempotentRequest.objects.get().status_code, 201)


@override_settings(ROOT_URLCONF="tests.api.contract_urls")
class ConcurrentRequestsTest(ContractClientMixin, AppendOnlyTransactionTestCase):
    """Two web processes at once, as two threads with their own database connections."""

    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("needs PostgreSQL: run with DATABASE_URL=postgres://...")
        self.make_callers()
        for event in (contract_views.hold, contract_views.started, contract_views.release):
            event.clear()
        self.addCleanup(contract_views.hold.clear)
        self.addCleanup(contract_views.release.set)

    def post(self, results: list, barrier: threading.Barrier | None = None) -> None:
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            response = Client().post(
                TOKENS,
                json.dumps({"name": "ci"}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {self.token}",
                HTTP_IDEMPOTENCY_KEY=KEY,
            )
            results.append(response)
        finally:
            connection.close()

    def test_a_retry_while_the_first_runs_gets_409_then_the_answer(self):
        contract_views.hold.set()
        first: list = []
        thread = threading.Thread(target=self.post, args=(first,))
        thread.start()
        self.assertTrue(contract_views.started.wait(timeout=10))
        retry = self.call("post", TOKENS, {"name": "ci"}, HTTP_IDEMPOTENCY_KEY=KEY)
        self.assert_problem(retry, 409)
        contract_views.release.set()
        thread.join(timeout=30)
        self.assertEqual(first[0].status_code, 201)
        later = self.call("post", TOKENS, {"name": "ci"}, HTTP_IDEMPOTENCY_KEY=KEY)
        self.assertEqual(later[REPLAYED], "true")
        self.assertEqual(later.content, first[0].content)
        self.assertEqual(ApiToken.objects.filter(name="ci").count(), 1)

    def test_requests_sent_at_once_do_the_work_once(self):
        results: list = []
        barrier = threading.Barrier(4)
        threads = [threading.Thread(target=self.post, args=(results, barrier)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        codes = sorted(
            (r.status_code, r.has_header(REPLAYED)) for r in results if r.status_code != 409
        )
        self.assertEqual(len(results), 4)
        self.assertIn((201, False), codes)
        self.assertEqual(codes.count((201, False)), 1)  # the others waited (409) or replayed
        self.assertEqual(ApiToken.objects.filter(name="ci").count(), 1)
        self.assertEqual(IdempotentRequest.objects.get().status_code, 201)
