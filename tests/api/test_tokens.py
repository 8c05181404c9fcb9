"""Personal API tokens: created and revoked through their actions (each an event that
never holds the token), shown once, stored as a hash; who a token acts for, its scope,
its last use, and what stops it (revocation, a deactivated account)."""

from __future__ import annotations

import datetime
import hashlib
import io
import json

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from proposals import actions, event_sentences, events
from proposals.actions.api_tokens import MAX_ACTIVE_TOKENS
from proposals.api.authentication import LAST_USE_PRECISION, record_use
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import ApiToken, Event
from tests.base import LifecycleTestCase
from tests.factories import make_user

ME = reverse("api:me")


def bearer(text: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


class TokenTestCase(LifecycleTestCase):
    def create(self, user=None, name="chat bot", scope=ApiToken.Scope.READ):
        user = user or self.member
        return actions.do_create_api_token(user=user, name=name, scope=scope, actor=user)


class CreatingTests(TokenTestCase):
    def test_it_returns_the_text_once_and_keeps_only_its_hash_and_start(self):
        new = self.create(scope=ApiToken.Scope.WRITE)

        self.assertTrue(new.text.startswith("pmc_"))
        self.assertGreaterEqual(len(new.text), 40)
        token = ApiToken.objects.get()
        self.assertEqual(token.key_hash, hashlib.sha256(new.text.encode()).hexdigest())
        self.assertEqual(token.prefix, new.text[:12])
        self.assertEqual(token.scope, ApiToken.Scope.WRITE)
        self.assertEqual(token.user, self.member)
        stored = [str(value) for value in ApiToken.objects.values().get().values()]
        self.assertNotIn(new.text, stored)

    def test_each_token_is_new(self):
        first, second = self.create(name="one"), self.create(name="two")

        self.assertNotEqual(first.text, second.text)

    def test_its_event_names_the_token_without_the_token(self):
        new = self.create(scope=ApiToken.Scope.WRITE)

        event = Event.objects.get(action=events.API_TOKEN_CREATED)
        self.assertEqual(event.actor, self.member)
        self.assertEqual(
            event.payload,
            {
                "user": "member",
                "user_id": self.member.pk,
                "token": new.token.pk,
                "name": "chat bot",
                "scope": "write",
                "prefix": new.token.prefix,
            },
        )
        written = json.dumps(event.payload)
        self.assertNotIn(new.text, written)
        self.assertNotIn(new.token.key_hash, written)

    def test_the_history_says_it_in_words(self):
        new = self.create(scope=ApiToken.Scope.WRITE)
        event = Event.objects.get(action=events.API_TOKEN_CREATED)

        self.assertEqual(
            str(event_sentences.describe(event)),
            "created the API token “chat bot” (read and write, "
            f"{new.token.prefix}…) for their account.",
        )

    def test_only_the_person_creates_their_tokens(self):
        with self.assertRaisesMessage(NotPermitted, "Only the person themselves"):
            actions.do_create_api_token(user=self.member, name="x", scope="read", actor=self.chair)

        self.assertFalse(ApiToken.objects.exists())
        self.assertFalse(Event.objects.filter(action=events.API_TOKEN_CREATED).exists())

    def test_it_refuses_a_name_that_is_blank_or_broken_or_taken(self):
        self.create(name="chat bot")
        refusals = {
            "   ": "Give the token a name",
            "two\nlines": "Name:",
            "chat bot": "You already have a token named “chat bot”",
            "x" * 101: "keep it to 100 at most",
        }
        for name, message in refusals.items():
            with self.subTest(name=name), self.assertRaisesMessage(LifecycleError, message):
                self.create(name=name)

        self.assertEqual(ApiToken.objects.count(), 1)

    def test_it_refuses_an_unknown_scope(self):
        with self.assertRaisesMessage(LifecycleError, "Choose the scope"):
            self.create(scope="admin")

    def test_a_name_taken_by_a_revoked_token_is_free_again(self):
        old = self.create(name="chat bot")
        actions.do_revoke_api_token(token=old.token, actor=self.member)

        self.create(name="chat bot")

        self.assertEqual(ApiToken.objects.filter(name="chat bot").count(), 2)

    def test_a_person_holds_a_limited_number_of_tokens(self):
        made = [self.create(name=f"token {n}") for n in range(MAX_ACTIVE_TOKENS)]

        with self.assertRaisesMessage(
            LifecycleError, f"You have {MAX_ACTIVE_TOKENS} API tokens, the most one person"
        ):
            self.create(name="one too many")

        actions.do_revoke_api_token(token=made[0].token, actor=self.member)
        self.create(name="one too many")
        self.assertEqual(ApiToken.objects.filter(revoked_at__isnull=True).count(), 20)
        self.create(user=self.other_member)  # another person's limit is their own


class RevokingTests(TokenTestCase):
    def test_the_owner_revokes_it_and_it_stops_working(self):
        new = self.create()
        self.assertEqual(self.client.get(ME, **bearer(new.text)).status_code, 200)

        self.assertTrue(actions.do_revoke_api_token(token=new.token, actor=self.member))

        new.token.refresh_from_db()
        self.assertIsNotNone(new.token.revoked_at)
        event = Event.objects.get(action=events.API_TOKEN_REVOKED)
        self.assertEqual(event.payload["prefix"], new.token.prefix)
        self.assertNotIn(new.text, json.dumps(event.payload))
        self.assertEqual(
            str(event_sentences.describe(event)),
            f"revoked the API token “chat bot” (read, {new.token.prefix}…) of their account.",
        )
        response = self.client.get(ME, **bearer(new.text))
        self.assertEqual(response.status_code, 401)
        self.assertIn("unknown or revoked", response.json()["detail"])

    def test_revoking_twice_changes_nothing(self):
        new = self.create()
        actions.do_revoke_api_token(token=new.token, actor=self.member)
        revoked_at = ApiToken.objects.get().revoked_at

        self.assertFalse(actions.do_revoke_api_token(token=new.token, actor=self.member))

        self.assertEqual(ApiToken.objects.get().revoked_at, revoked_at)
        self.assertEqual(Event.objects.filter(action=events.API_TOKEN_REVOKED).count(), 1)

    def test_another_member_cannot_revoke_it(self):
        new = self.create()

        with self.assertRaisesMessage(NotPermitted, "Only the token's owner or an administrator"):
            actions.do_revoke_api_token(token=new.token, actor=self.chair)

        self.assertIsNone(ApiToken.objects.get().revoked_at)
        self.assertFalse(Event.objects.filter(action=events.API_TOKEN_REVOKED).exists())

    def test_an_administrator_may_revoke_anyones(self):
        new = self.create()
        admin = make_user("admin", is_superuser=True, is_staff=True, first_name="Ada")

        actions.do_revoke_api_token(token=new.token, actor=admin)

        self.assertIsNotNone(ApiToken.objects.get().revoked_at)
        event = Event.objects.get(action=events.API_TOKEN_REVOKED)
        self.assertEqual(event.actor, admin)
        self.assertIn("of the account of", str(event_sentences.describe(event, {})))


class WhoAmITests(TokenTestCase):
    def test_it_says_who_the_token_acts_for(self):
        self.chair.first_name, self.chair.last_name = "Eric", "Malm"
        self.chair.save()
        new = self.create(user=self.chair, name="deploy", scope=ApiToken.Scope.WRITE)

        response = self.client.get(ME, **bearer(new.text))

        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["username"], "chair")
        self.assertEqual(body["full_name"], "Eric Malm")
        self.assertEqual(
            [(seat["committee"], seat["role"]) for seat in body["seats"]], [("Runtime", "chair")]
        )
        self.assertEqual(body["token"]["name"], "deploy")
        self.assertEqual(body["token"]["scope"], "write")
        self.assertEqual(body["token"]["prefix"], new.token.prefix)
        self.assertNotIn(new.text, response.content.decode())

    def test_a_session_has_no_token(self):
        self.client.force_login(self.outsider)

        body = self.client.get(ME).json()

        self.assertEqual((body["username"], body["seats"], body["token"]), ("outsider", [], None))

    def test_without_a_token_it_asks_for_one(self):
        response = self.client.get(ME)

        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], "Bearer")

    def test_an_unknown_or_malformed_token_is_refused(self):
        self.create()
        for header in ("Bearer pmc_nope", "Bearer two words", "Bearer"):
            with self.subTest(header=header):
                response = self.client.get(ME, HTTP_AUTHORIZATION=header)
                self.assertEqual(response.status_code, 401)

    def test_a_deactivated_persons_tokens_stop_working(self):
        new = self.create()
        admin = make_user("admin", is_superuser=True, is_staff=True)

        actions.do_deactivate_user(user=self.member, actor=admin)

        response = self.client.get(ME, **bearer(new.text))
        self.assertEqual(response.status_code, 401)
        self.assertIn("unknown or revoked", response.json()["detail"])

    def test_it_is_in_the_schema(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)

        operation = schema["paths"]["/api/me/"]["get"]
        self.assertEqual(operation["operationId"], "me")
        self.assertIn("200", operation["responses"])


@override_settings(ROOT_URLCONF="tests.api.urls")
class ScopeTests(TokenTestCase):
    def test_a_read_token_reads_but_does_not_write(self):
        new = self.create(scope=ApiToken.Scope.READ)

        self.assertEqual(self.client.get(ME, **bearer(new.text)).status_code, 200)
        refused = self.client.post("/api/test/echo/", **bearer(new.text))

        self.assertEqual(refused.status_code, 403)
        self.assertIn("This token may only read", refused.json()["detail"])

    def test_a_write_token_writes(self):
        new = self.create(scope=ApiToken.Scope.WRITE)

        response = self.client.post("/api/test/echo/", **bearer(new.text))

        self.assertEqual((response.status_code, response.json()), (200, {"user": "member"}))


class LastUseTests(TokenTestCase):
    def test_the_first_request_records_it(self):
        new = self.create()
        self.assertIsNone(new.token.last_used_at)
        before = timezone.now()

        self.client.get(ME, **bearer(new.text))

        new.token.refresh_from_db()
        self.assertGreaterEqual(new.token.last_used_at, before)

    def test_a_request_within_the_minute_writes_nothing(self):
        new = self.create()
        recently = timezone.now() - datetime.timedelta(seconds=30)
        ApiToken.objects.filter(pk=new.token.pk).update(last_used_at=recently)

        self.client.get(ME, **bearer(new.text))

        new.token.refresh_from_db()
        self.assertEqual(new.token.last_used_at, recently)

    def test_a_request_after_the_minute_records_it_again(self):
        new = self.create()
        earlier = timezone.now() - LAST_USE_PRECISION - datetime.timedelta(seconds=1)
        ApiToken.objects.filter(pk=new.token.pk).update(last_used_at=earlier)

        self.client.get(ME, **bearer(new.text))

        new.token.refresh_from_db()
        self.assertGreater(new.token.last_used_at, earlier)

    def test_it_is_one_conditional_update_that_another_process_does_not_repeat(self):
        token = self.create().token
        here, there = ApiToken.objects.get(pk=token.pk), ApiToken.objects.get(pk=token.pk)
        now = timezone.now()

        with self.assertNumQueries(1):
            self.assertTrue(record_use(here, now))
        # The other copy was read before the write: its UPDATE finds the row fresh.
        self.assertFalse(record_use(there, now + datetime.timedelta(seconds=5)))
        # Known fresh, no query at all.
        with self.assertNumQueries(0):
            self.assertFalse(record_use(here, now + datetime.timedelta(seconds=10)))
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, now)


class RevokeCommandTests(TokenTestCase):
    def run_command(self, *args) -> str:
        out = io.StringIO()
        call_command("revoke_api_token", *args, stdout=out)
        return out.getvalue()

    def test_it_revokes_a_token_by_its_first_characters_or_whole(self):
        first, second = self.create(name="one"), self.create(name="two")

        self.assertIn("Revoked: one", self.run_command(first.token.prefix))
        self.run_command(second.text)

        self.assertEqual(ApiToken.objects.filter(revoked_at__isnull=True).count(), 0)
        event = Event.objects.filter(action=events.API_TOKEN_REVOKED).first()
        self.assertEqual(event.actor_name, "system:revoke_api_token")
        self.assertIn("revoked the API token “one”", str(event_sentences.describe(event)))

    def test_it_says_when_nothing_or_several_match(self):
        mine, theirs = self.create(), self.create(user=self.other_member)
        ApiToken.objects.filter(pk=theirs.token.pk).update(prefix=mine.token.prefix)

        with self.assertRaisesMessage(CommandError, "Several tokens start with"):
            self.run_command(mine.token.prefix)
        with self.assertRaisesMessage(CommandError, "No token that is not revoked matches"):
            self.run_command("pmc_nothing1")
        self.run_command(mine.token.prefix, "--user", "other_member")

        self.assertEqual(list(ApiToken.objects.filter(revoked_at__isnull=False)), [theirs.token])
