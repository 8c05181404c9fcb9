"""The chair's webhook pages: who sees them (the chair only: nobody else sees a secret),
the forms, CSRF, and the deliveries with their status."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pmc.models import Role
from proposals import actions, webhooks
from proposals.models import Event, Webhook, WebhookDelivery
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user


class WebhookPageTests(LifecycleTestCase):
    def setUp(self) -> None:
        self.hook = actions.do_create_webhook(
            committee=self.committee,
            actor=self.chair,
            url="http://127.0.0.1:9/hooks/pmc",
            kinds=["proposal.submitted"],
        )

    def urls(self, delivery: WebhookDelivery | None = None) -> dict[str, tuple[str, dict]]:
        slug, pk = self.committee.slug, self.hook.pk
        form = {"url": "http://127.0.0.1:9/other", "kinds": ["vote.opened"], "active": "on"}
        urls = {
            "list": ("get", reverse("proposals:webhooks", args=[slug]), {}),
            "detail": ("get", reverse("proposals:webhook", args=[slug, pk]), {}),
            "create": ("post", reverse("proposals:webhooks", args=[slug]), form),
            "change": ("post", reverse("proposals:webhook", args=[slug, pk]), form),
            "rotate": ("post", reverse("proposals:webhook_secret", args=[slug, pk]), {}),
            "remove": ("post", reverse("proposals:webhook_remove", args=[slug, pk]), {}),
        }
        if delivery is not None:
            path = reverse("proposals:webhook_resend", args=[slug, pk, delivery.pk])
            urls["resend"] = ("post", path, {})
        return urls

    def failed_delivery(self) -> WebhookDelivery:
        make_proposal(self.committee, self.member, state=State.DISCUSSION)
        delivery = WebhookDelivery.objects.get()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            failed_at=timezone.now(),
            attempts=webhooks.MAX_ATTEMPTS,
            next_attempt_at=None,
            last_status_code=502,
            last_error="Bad gateway <b>upstream</b>",
        )
        return delivery

    def test_nobody_but_the_chair_reaches_the_pages_or_changes_anything(self):
        delivery = self.failed_delivery()
        other_chair = make_member(self.other_committee, make_user("other_chair"), role=Role.CHAIR)
        admin = make_user("admin", is_superuser=True, is_staff=True)
        refused = {
            "member": self.member,
            "outsider": self.outsider,
            "other committee's chair": other_chair,
            "administrator without the seat": admin,
        }
        events_before = Event.objects.count()

        for who, user in [("anonymous", None), *refused.items()]:
            client = Client()
            if user is not None:
                client.force_login(user)
            for name, (method, path, data) in self.urls(delivery).items():
                with self.subTest(who=who, page=name):
                    response = getattr(client, method)(path, data)
                    if user is None:
                        self.assertEqual(response.status_code, 302)
                        self.assertIn(reverse("login"), response["Location"])
                    else:
                        self.assertEqual(response.status_code, 403)
                    self.assertNotIn(self.hook.secret, response.content.decode())

        self.assertEqual(Event.objects.count(), events_before)
        self.assertEqual(Webhook.objects.get().events, ["proposal.submitted"])
        self.assertIsNotNone(WebhookDelivery.objects.get().failed_at)

    def test_the_chair_reaches_each_page_and_each_button_works(self):
        delivery = self.failed_delivery()
        self.client.force_login(self.chair)
        expected = {
            "list": 200,
            "detail": 200,
            "create": 302,
            "change": 302,
            "rotate": 302,
            "resend": 302,
            "remove": 302,
        }
        urls = self.urls(delivery)
        for name, status in expected.items():
            method, path, data = urls[name]
            with self.subTest(page=name):
                response = getattr(self.client, method)(path, data)
                self.assertEqual(response.status_code, status, response.content[:500])

        self.assertEqual(
            list(Event.objects.filter(action__startswith="webhook.").values_list("action")),
            [
                ("webhook.created",),
                ("webhook.created",),
                ("webhook.changed",),
                ("webhook.changed",),
                ("webhook.delivery_resent",),
                ("webhook.removed",),
            ],
        )
        self.assertEqual(Webhook.objects.get().url, "http://127.0.0.1:9/other")

    def test_a_webhook_of_another_committee_is_not_found_through_this_one(self):
        other_chair = make_member(self.other_committee, make_user("other_chair"), role=Role.CHAIR)
        self.client.force_login(other_chair)

        path = reverse("proposals:webhook", args=[self.other_committee.slug, self.hook.pk])
        response = self.client.get(path)

        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.hook.secret, response.content.decode())

    def test_the_committee_page_lists_the_webhooks_for_the_chair_only(self):
        page = reverse("proposals:committee", args=[self.committee.slug])
        self.client.force_login(self.member)
        self.assertNotContains(self.client.get(page), "http://127.0.0.1:9/hooks/pmc")

        self.client.force_login(self.chair)
        response = self.client.get(page)

        self.assertContains(response, 'id="webhooks-h"')
        self.assertContains(response, "http://127.0.0.1:9/hooks/pmc")
        self.assertContains(response, reverse("proposals:webhooks", args=[self.committee.slug]))
        self.assertNotContains(response, self.hook.secret)  # on the webhook's own page only

    def test_the_webhook_page_shows_the_secret_and_each_deliverys_status(self):
        failed = self.failed_delivery()
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)
        retrying = WebhookDelivery.objects.exclude(pk=failed.pk).get()
        retry_at = timezone.now() + datetime.timedelta(minutes=5)
        WebhookDelivery.objects.filter(pk=retrying.pk).update(
            attempts=1, next_attempt_at=retry_at, last_error="ConnectionRefusedError: refused"
        )
        self.client.force_login(self.chair)

        response = self.client.get(
            reverse("proposals:webhook", args=[self.committee.slug, self.hook.pk])
        )

        self.assertContains(response, self.hook.secret)
        self.assertIn("no-store", response["Cache-Control"])  # the secret stays out of caches
        self.assertContains(response, "<strong>failed</strong>", html=False)
        self.assertContains(response, "HTTP 502")
        self.assertContains(response, "Bad gateway &lt;b&gt;upstream&lt;/b&gt;")  # escaped
        self.assertContains(response, "Send again")
        self.assertContains(response, f'retrying at <time datetime="{retry_at:%Y-%m-%dT%H}')
        self.assertContains(response, "ConnectionRefusedError: refused")
        self.assertContains(response, f"{webhooks.MAX_ATTEMPTS} attempts of")
        self.assertNotContains(response, "style=")
        self.assertNotContains(response, "<script>")

    def test_a_refused_address_is_shown_on_the_form_with_what_was_typed(self):
        self.client.force_login(self.chair)
        with self.settings(PMC_WEBHOOKS_ALLOW_PRIVATE=False):
            response = self.client.post(
                reverse("proposals:webhooks", args=[self.committee.slug]),
                {"url": "http://10.0.0.8/hook", "kinds": ["vote.opened"], "active": "on"},
            )

        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "must be a full https:// address", status_code=400)
        self.assertContains(response, 'value="http://10.0.0.8/hook"', status_code=400)
        self.assertEqual(Webhook.objects.count(), 1)

    def test_a_post_without_the_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.chair)

        response = client.post(
            reverse("proposals:webhook_secret", args=[self.committee.slug, self.hook.pk])
        )

        self.assertEqual(response.status_code, 403)
        secret = self.hook.secret
        self.hook.refresh_from_db()
        self.assertEqual(self.hook.secret, secret)
