"""The chair's changes to webhooks: who may make them, the events they write (never with
the secret), and the addresses refused."""

from __future__ import annotations

import datetime
import json

from django.test import override_settings

from pmc.models import Role
from proposals import actions, event_sentences, events, webhooks
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Event, Webhook, WebhookDelivery
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user

URL = "https://hooks.example.org/pmc/T0123/secret-path-token"


class WebhookActionTests(LifecycleTestCase):
    def create(self, actor=None, url=URL, kinds=("vote.opened",), committee=None):
        return actions.do_create_webhook(
            committee=committee or self.committee,
            actor=actor or self.chair,
            url=url,
            kinds=list(kinds),
        )

    def webhook_events(self):
        return Event.objects.filter(action__startswith="webhook.").order_by("pk")

    def test_the_chair_adds_changes_rotates_and_removes_a_webhook_with_an_event_each(self):
        hook = self.create(url="http://127.0.0.1:8123/a")
        first_secret = hook.secret
        actions.do_change_webhook(
            webhook=hook,
            actor=self.chair,
            url="http://127.0.0.1:8124/b",
            kinds=["proposal.decided", "vote.opened"],
            active=False,
        )
        actions.do_rotate_webhook_secret(webhook=hook, actor=self.chair)
        hook.refresh_from_db()
        second_secret = hook.secret
        actions.do_remove_webhook(webhook=hook, actor=self.chair)

        self.assertTrue(first_secret.startswith("whsec_"))
        self.assertNotEqual(first_secret, second_secret)
        self.assertFalse(Webhook.objects.exists())
        written = list(self.webhook_events())
        self.assertEqual(
            [e.action for e in written],
            [
                events.WEBHOOK_CREATED,
                events.WEBHOOK_CHANGED,
                events.WEBHOOK_CHANGED,
                events.WEBHOOK_REMOVED,
            ],
        )
        self.assertTrue(all(e.committee_id == self.committee.pk for e in written))
        self.assertTrue(all(e.actor_id == self.chair.pk for e in written))
        self.assertEqual(
            written[0].payload,
            {
                "webhook": hook.pk,
                "target": "http://127.0.0.1:8123",
                "events": ["vote.opened"],
                "active": True,
            },
        )
        self.assertEqual(
            written[1].payload["changed"],
            {
                "url": {"from": "http://127.0.0.1:8123", "to": "http://127.0.0.1:8124"},
                # in the order the form offers them
                "events": {"from": ["vote.opened"], "to": ["vote.opened", "proposal.decided"]},
                "active": {"from": True, "to": False},
            },
        )
        self.assertEqual(written[2].payload["secret_rotated"], True)
        for event in written:
            text = json.dumps(event.payload)
            self.assertNotIn(first_secret, text)
            self.assertNotIn(second_secret, text)
            self.assertNotIn("/a", text)  # the path, which may carry a token, stays out
        lines = [str(line.what) for line in event_sentences.lines(written)]
        self.assertEqual(lines[0], "added a webhook to http://127.0.0.1:8123 for Runtime.")
        self.assertIn("gave Runtime's webhook to http://127.0.0.1:8124 a new secret.", lines)

    def test_only_the_committees_chair_manages_its_webhooks(self):
        hook = self.create()
        other_chair = make_member(self.other_committee, make_user("other_chair"), role=Role.CHAIR)
        admin = make_user("admin", is_superuser=True, is_staff=True)
        former_chair = make_member(
            self.committee,
            make_user("former"),
            role=Role.CHAIR,
            ended_on=datetime.date.today() - datetime.timedelta(days=1),
        )
        refused = [self.member, self.outsider, other_chair, admin, former_chair]
        calls = {
            "create": lambda actor: self.create(actor=actor),
            "change": lambda actor: actions.do_change_webhook(
                webhook=hook, actor=actor, url=URL, kinds=["vote.closed"], active=True
            ),
            "rotate": lambda actor: actions.do_rotate_webhook_secret(webhook=hook, actor=actor),
            "remove": lambda actor: actions.do_remove_webhook(webhook=hook, actor=actor),
        }
        before = self.webhook_events().count()

        for actor in refused:
            for name, call in calls.items():
                with (
                    self.subTest(actor=actor.username, action=name),
                    self.assertRaisesMessage(
                        NotPermitted, "Only the chair of Runtime manages its webhooks."
                    ),
                ):
                    call(actor)

        self.assertEqual(self.webhook_events().count(), before)
        hook.refresh_from_db()
        self.assertEqual(hook.events, ["vote.opened"])
        self.assertEqual(Webhook.objects.count(), 1)

    def test_it_refuses_unknown_or_no_events(self):
        with self.assertRaisesMessage(LifecycleError, "Unknown webhook events: vote.cast."):
            self.create(kinds=["vote.cast"])
        with self.assertRaisesMessage(LifecycleError, "Choose at least one event"):
            self.create(kinds=[])
        self.assertFalse(Webhook.objects.exists())
        self.assertFalse(self.webhook_events().exists())

    def test_sending_again_is_for_a_failed_delivery_only(self):
        hook = self.create(url="http://127.0.0.1:9/", kinds=["proposal.submitted"])
        make_proposal(self.committee, self.member, state=State.DISCUSSION)
        delivery = WebhookDelivery.objects.get(webhook=hook)

        with self.assertRaisesMessage(LifecycleError, "this one is still being tried"):
            actions.do_resend_webhook_delivery(delivery=delivery, actor=self.chair)
        with self.assertRaises(NotPermitted):
            actions.do_resend_webhook_delivery(delivery=delivery, actor=self.member)

        self.assertFalse(self.webhook_events().exclude(action=events.WEBHOOK_CREATED).exists())


@override_settings(PMC_WEBHOOKS_ALLOW_PRIVATE=False)
class ProductionAddressTests(LifecycleTestCase):
    """Without PMC_WEBHOOKS_ALLOW_PRIVATE (production): https, public addresses only."""

    def refused(self, url: str, message: str) -> None:
        with self.subTest(url=url), self.assertRaisesMessage(LifecycleError, message):
            actions.do_create_webhook(
                committee=self.committee, actor=self.chair, url=url, kinds=["vote.opened"]
            )

    def test_it_refuses_plain_http_and_addresses_on_private_networks(self):
        self.refused("http://93.184.215.14/hook", "must be a full https:// address")
        self.refused("ftp://hooks.example.org/", "must be a full https:// address")
        self.refused("hooks.example.org/pmc", "must be a full https:// address")
        self.refused("https://user:pw@93.184.215.14/", "Leave the user name and password out")
        for private in (
            "https://127.0.0.1/hook",
            "https://localhost:8443/hook",
            "https://10.1.2.3/hook",
            "https://172.16.0.9/hook",
            "https://192.168.1.1/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://[fe80::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
        ):
            self.refused(private, "webhooks are sent to public addresses only")
        self.refused("https://no-such-host.invalid/", "cannot be found")

        self.assertFalse(Webhook.objects.exists())

    def test_it_takes_an_https_address_on_a_public_network(self):
        hook = actions.do_create_webhook(
            committee=self.committee,
            actor=self.chair,
            url="  https://93.184.215.14:8443/hooks?team=runtime ",
            kinds=list(webhooks.KINDS),
        )

        self.assertEqual(hook.url, "https://93.184.215.14:8443/hooks?team=runtime")
