"""The second factor in the API (PMC_REQUIRE_MFA): a chair creates a token only in a
session that confirmed one, and writes with that token without any session; a chair's
token made without it only reads; a chair writing through the site's session follows
the site's rule, whatever the method."""

from __future__ import annotations

import base64
import time

import pyotp
from django.test import override_settings
from django.urls import reverse

from pmc import second_factor
from proposals import actions
from proposals.errors import NotPermitted
from proposals.models import ApiToken
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

VERIFY = reverse("second_factor:verify")


def bearer(text: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


@override_settings(ROOT_URLCONF="tests.api.urls", PMC_REQUIRE_MFA=True)
class ApiSecondFactorTestCase(LifecycleTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, chair=self.chair
        )
        self.start_vote = f"/api/test/start-vote/{self.proposal.pk}/"
        device = second_factor.pending_authenticator(self.chair)
        second_factor.confirm_authenticator(device)
        self.totp = pyotp.TOTP(base64.b32encode(device.bin_key).decode())

    def confirm_code(self, client) -> None:
        response = client.post(f"{VERIFY}?next=/", {"code": self.totp.at(time.time())})
        self.assertEqual(response.status_code, 302)

    def create_on_profile(self, client, name="deploy"):
        return client.post(reverse("proposals:api_token_create"), {"name": name, "scope": "write"})

    def assertStillInDiscussion(self) -> None:
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)


class TokenWritesTests(ApiSecondFactorTestCase):
    def test_a_chair_creates_a_token_only_after_confirming_a_code(self):
        self.client.force_login(self.chair)

        asked = self.create_on_profile(self.client)

        self.assertEqual(asked.status_code, 303)
        self.assertTrue(asked["Location"].startswith(VERIFY))
        self.assertFalse(ApiToken.objects.exists())
        with self.assertRaisesMessage(NotPermitted, "confirm their second factor"):
            actions.do_create_api_token(user=self.chair, name="x", scope="write", actor=self.chair)
        self.assertFalse(ApiToken.objects.exists())

    def test_that_token_writes_without_any_session(self):
        self.client.force_login(self.chair)
        self.confirm_code(self.client)
        created = self.create_on_profile(self.client)
        self.assertEqual(created.status_code, 200)
        token = ApiToken.objects.get()
        self.assertTrue(token.second_factor)
        text = created.context["new"].text

        script = self.client_class()
        response = script.post(self.start_vote, **bearer(text))

        self.assertEqual(response.status_code, 200, response.content)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)

    def test_a_chairs_token_made_without_it_only_reads(self):
        with override_settings(PMC_REQUIRE_MFA=False):
            text = actions.do_create_api_token(
                user=self.chair, name="old", scope="write", actor=self.chair
            ).text

        self.assertEqual(self.client.get(reverse("api:me"), **bearer(text)).status_code, 200)
        refused = self.client.post(self.start_vote, **bearer(text))

        self.assertEqual(refused.status_code, 403)
        self.assertIn("created after confirming their second factor", refused.json()["detail"])
        self.assertStillInDiscussion()

    def test_a_chairs_read_token_is_refused_a_write_for_its_scope(self):
        with override_settings(PMC_REQUIRE_MFA=False):
            text = actions.do_create_api_token(
                user=self.chair, name="reader", scope="read", actor=self.chair
            ).text

        refused = self.client.post(self.start_vote, **bearer(text))

        self.assertEqual(refused.status_code, 403)
        self.assertIn("This token may only read", refused.json()["detail"])
        self.assertStillInDiscussion()

    def test_a_members_token_needs_no_second_factor(self):
        text = actions.do_create_api_token(
            user=self.member, name="bot", scope="write", actor=self.member
        ).text

        response = self.client.post("/api/test/echo/", **bearer(text))

        self.assertEqual((response.status_code, response.json()), (200, {"user": "member"}))


class SessionWritesTests(ApiSecondFactorTestCase):
    def test_a_chair_without_a_confirmed_code_is_refused_whatever_the_method(self):
        self.client.force_login(self.chair)

        posted = self.client.post(self.start_vote)
        patched = self.client.patch("/api/test/echo/")

        for response in (posted, patched):
            self.assertEqual(response.status_code, 403)
            self.assertEqual(response["Content-Type"], "application/problem+json")
            self.assertIn("confirm their second factor", response.json()["detail"])
        self.assertStillInDiscussion()

    def test_a_view_under_the_api_path_that_is_not_the_apis_keeps_the_sites_redirect(self):
        self.client.force_login(self.chair)

        response = self.client.post("/api/test/plain/")

        self.assertEqual(response.status_code, 303)
        self.assertTrue(response["Location"].startswith(VERIFY))

    def test_a_chair_reads_without_one(self):
        self.client.force_login(self.chair)

        self.assertEqual(self.client.get(reverse("api:me")).status_code, 200)

    def test_once_the_session_confirmed_a_code_the_chair_writes(self):
        self.client.force_login(self.chair)
        self.confirm_code(self.client)

        response = self.client.post(self.start_vote)

        self.assertEqual(response.status_code, 200, response.content)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)

    def test_a_member_writes_through_the_session(self):
        self.client.force_login(self.member)

        response = self.client.patch("/api/test/echo/")

        self.assertEqual(response.status_code, 200)
