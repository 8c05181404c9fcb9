"""API tokens on the profile page: the list, the form that creates one and shows its text
that once (never on a page that can be loaded again), and the Revoke buttons."""

from __future__ import annotations

import datetime
import hashlib
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proposals import actions, events
from proposals.actions.api_tokens import MAX_ACTIVE_TOKENS
from proposals.models import ApiToken, Event
from tests.base import LifecycleTestCase

PROFILE = reverse("proposals:profile")
CREATE = reverse("proposals:api_token_create")
TOKEN_TEXT = re.compile(r'<code class="hash" id="api-token-text">(pmc_[\w-]+)</code>')


def revoke_url(token: ApiToken) -> str:
    return reverse("proposals:api_token_revoke", args=[token.pk])


class ApiTokenPageTestCase(LifecycleTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.member)

    def make_token(self, name="chat bot", scope="read", user=None):
        user = user or self.member
        return actions.do_create_api_token(user=user, name=name, scope=scope, actor=user)


class ListTests(ApiTokenPageTestCase):
    def test_it_lists_the_persons_tokens_without_their_text(self):
        used = self.make_token("chat bot", "write")
        ApiToken.objects.filter(pk=used.token.pk).update(
            last_used_at=timezone.now() - datetime.timedelta(hours=2)
        )
        revoked = self.make_token("old script")
        actions.do_revoke_api_token(token=revoked.token, actor=self.member)
        others = self.make_token("not mine", user=self.other_member)

        page = self.client.get(PROFILE)
        section = page.content.decode().split('id="api-tokens-h"')[1].split("</section>")[0]

        self.assertContains(page, '<h2 id="api-tokens-h">API tokens</h2>', html=True)
        rows = re.findall(r"<li>(.*?)</li>", section, re.S)
        self.assertEqual(len(rows), 2)
        newest, oldest = rows
        self.assertIn("old script", newest)
        self.assertIn(f"<code>{revoked.token.prefix}…</code>", newest)
        self.assertIn("last used never · revoked", newest)
        self.assertNotIn("Revoke", newest)
        self.assertIn("chat bot", oldest)
        self.assertIn("may read and write", oldest)
        self.assertNotIn("never", oldest)
        self.assertNotIn("revoked", oldest)
        self.assertIn(revoke_url(used.token), oldest)
        content = page.content.decode()
        for new in (used, revoked, others):
            self.assertNotIn(new.text, content)
            self.assertNotIn(new.token.key_hash, content)
        self.assertNotIn("not mine", content)

    def test_it_says_when_there_are_none(self):
        self.assertContains(self.client.get(PROFILE), "You have no API tokens.")

    def test_it_asks_a_visitor_to_sign_in(self):
        response = Client().post(CREATE, {"name": "x", "scope": "read"})

        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
        self.assertFalse(ApiToken.objects.exists())


class CreateTests(ApiTokenPageTestCase):
    def test_it_shows_the_new_token_once_in_the_answer_to_the_form(self):
        response = self.client.post(CREATE, {"name": "deploy bot", "scope": "write"})

        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertContains(response, "It is shown only now")
        text = TOKEN_TEXT.search(response.content.decode())[1]
        token = ApiToken.objects.get()
        self.assertEqual(token.key_hash, hashlib.sha256(text.encode()).hexdigest())
        self.assertEqual(
            (token.name, token.scope, token.user), ("deploy bot", "write", self.member)
        )
        self.assertTrue(Event.objects.filter(action=events.API_TOKEN_CREATED).exists())
        # Back on the profile, the token is listed by its start only.
        profile = self.client.get(PROFILE).content.decode()
        self.assertIn(token.prefix, profile)
        self.assertNotIn(text, profile)

    def test_sending_the_form_again_makes_no_second_token(self):
        self.client.post(CREATE, {"name": "deploy bot", "scope": "write"})

        again = self.client.post(CREATE, {"name": "deploy bot", "scope": "write"})

        self.assertContains(again, "You already have a token named “deploy bot”", status_code=400)
        self.assertIsNone(TOKEN_TEXT.search(again.content.decode()))
        self.assertEqual(ApiToken.objects.count(), 1)

    def test_a_form_without_a_name_or_scope_says_what_is_missing(self):
        response = self.client.post(CREATE, {"name": "", "scope": "admin"})

        self.assertContains(response, "This field is required.", status_code=400)
        self.assertContains(response, "Select a valid choice.", status_code=400)
        self.assertFalse(ApiToken.objects.exists())

    def test_past_the_limit_it_says_to_revoke_one(self):
        for n in range(MAX_ACTIVE_TOKENS):
            self.make_token(f"token {n}")

        response = self.client.post(CREATE, {"name": "one more", "scope": "read"})

        self.assertContains(
            response, "Revoke one you no longer use, then create the new one.", status_code=400
        )
        self.assertEqual(ApiToken.objects.count(), MAX_ACTIVE_TOKENS)

    def test_it_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.member)

        response = client.post(CREATE, {"name": "deploy bot", "scope": "write"})

        self.assertEqual(response.status_code, 403)
        self.assertFalse(ApiToken.objects.exists())

    def test_a_get_creates_nothing(self):
        self.assertEqual(self.client.get(CREATE).status_code, 405)
        self.assertFalse(ApiToken.objects.exists())


class RevokeTests(ApiTokenPageTestCase):
    def test_revoke_stops_the_token_and_says_so(self):
        new = self.make_token("chat bot")

        response = self.client.post(revoke_url(new.token), follow=True)

        self.assertRedirects(response, f"{PROFILE}#api-tokens-h")
        self.assertContains(response, "The token “chat bot”")
        self.assertContains(response, "is revoked: it works no more.")
        new.token.refresh_from_db()
        self.assertIsNotNone(new.token.revoked_at)
        self.assertTrue(Event.objects.filter(action=events.API_TOKEN_REVOKED).exists())
        me = Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {new.text}")
        self.assertEqual(me.status_code, 401)

    def test_another_persons_token_is_not_found(self):
        theirs = self.make_token(user=self.other_member)

        response = self.client.post(revoke_url(theirs.token))

        self.assertEqual(response.status_code, 404)
        theirs.token.refresh_from_db()
        self.assertIsNone(theirs.token.revoked_at)
        self.assertFalse(Event.objects.filter(action=events.API_TOKEN_REVOKED).exists())

    def test_revoking_needs_a_post(self):
        new = self.make_token()

        self.assertEqual(self.client.get(revoke_url(new.token)).status_code, 405)
        new.token.refresh_from_db()
        self.assertIsNone(new.token.revoked_at)

    def test_a_token_revoked_already_stays_as_it_was(self):
        new = self.make_token()
        self.client.post(revoke_url(new.token))

        response = self.client.post(revoke_url(new.token), follow=True)

        self.assertContains(response, "was already revoked")
        self.assertEqual(Event.objects.filter(action=events.API_TOKEN_REVOKED).count(), 1)
