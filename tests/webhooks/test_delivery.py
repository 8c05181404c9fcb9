"""Deliveries to a receiver on 127.0.0.1: what each transition sends, signed as the README
says, tried again after the receiver fails, and given up after the last attempt."""

from __future__ import annotations

import datetime

from django.test import override_settings
from django.utils import timezone

from pmc.models import Role
from proposals import actions, notifications, webhooks
from proposals.models import Event, WebhookDelivery
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user
from tests.webhooks.receiver import Receiver, closed_port_url, verify

ALL_KINDS = list(webhooks.KINDS)


class DeliveryTests(LifecycleTestCase):
    def hook(self, url: str, kinds=None, **fields):
        return actions.do_create_webhook(
            committee=self.committee, actor=self.chair, url=url, kinds=kinds or ALL_KINDS, **fields
        )

    def later(self, delivery: WebhookDelivery) -> datetime.datetime:
        """A moment after the delivery's next attempt is due."""
        delivery.refresh_from_db()
        return delivery.next_attempt_at + datetime.timedelta(seconds=1)

    def test_it_posts_a_signed_body_that_verifies_with_the_documented_scheme(self):
        with Receiver() as receiver:
            hook = self.hook(receiver.url)
            proposal = make_proposal(self.committee, self.member, title="Move Diego to the attic")

            actions.do_submit(proposal=proposal, actor=self.member)
            delivered = webhooks.deliver_due()

        self.assertEqual(delivered, 1)
        [request] = receiver.received
        delivery = WebhookDelivery.objects.get()
        event = Event.objects.get(proposal=proposal, action="proposal.submit")
        self.assertTrue(verify(hook.secret, request.headers["X-PMC-Signature"], request.body))
        self.assertFalse(verify("whsec_another", request.headers["X-PMC-Signature"], request.body))
        self.assertEqual(request.headers["X-PMC-Delivery"], str(delivery.pk))
        self.assertEqual(request.headers["X-PMC-Event"], "proposal.submitted")
        self.assertEqual(request.headers["Content-Type"], "application/json")
        self.assertEqual(request.path, "/hooks/pmc")
        body = request.json
        self.assertEqual(body["kind"], "proposal.submitted")
        self.assertEqual(body["actor"], "member")
        self.assertEqual(body["committee"], {"slug": "runtime", "name": "Runtime"})
        self.assertEqual(body["proposal"]["id"], proposal.pk)
        self.assertEqual(body["proposal"]["title"], "Move Diego to the attic")
        self.assertEqual(body["proposal"]["state"], State.DISCUSSION)
        self.assertTrue(body["proposal"]["url"].endswith(proposal.get_absolute_url()))
        self.assertEqual(
            body["event"], {"id": event.pk, "action": event.action, "hash": event.hash}
        )
        self.assertEqual(request.body.decode(), delivery.body)
        delivery.refresh_from_db()
        self.assertIsNotNone(delivery.delivered_at)
        self.assertEqual((delivery.attempts, delivery.last_status_code), (1, 200))

    def test_each_transition_sends_its_kinds_to_the_webhooks_that_take_them(self):
        everything = self.hook("http://127.0.0.1:9/all")
        decisions = self.hook("http://127.0.0.1:9/decisions", kinds=["proposal.decided"])
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_start_vote(proposal=proposal, actor=self.chair)
        for voter in (self.chair, self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)
        actions.do_close_vote(proposal=proposal, actor=self.chair)
        withdrawn = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_withdraw(proposal=withdrawn, actor=self.member)

        def kinds(hook):
            return list(
                WebhookDelivery.objects.filter(webhook=hook)
                .order_by("pk")
                .values_list("kind", flat=True)
            )

        self.assertEqual(
            kinds(everything),
            [
                "proposal.submitted",
                "vote.opened",
                "vote.closed",
                "proposal.decided",
                "proposal.submitted",
            ],
        )
        self.assertEqual(kinds(decisions), ["proposal.decided"])
        decided = WebhookDelivery.objects.get(webhook=decisions)
        self.assertEqual(decided.event.action, "proposal.close_vote")
        self.assertIn('"state":"accepted"', decided.body)

    def test_a_meeting_decision_and_the_completion_are_sent(self):
        hook = self.hook("http://127.0.0.1:9/", kinds=["proposal.decided", "proposal.completed"])

        make_proposal(self.committee, self.member, state=State.COMPLETED, chair=self.chair)

        self.assertEqual(
            list(WebhookDelivery.objects.filter(webhook=hook).values_list("kind", flat=True)),
            ["proposal.completed", "proposal.decided"],  # newest first
        )

    def test_nothing_is_written_for_a_paused_webhook_or_another_committee(self):
        self.hook("http://127.0.0.1:9/", active=False)
        other_chair = make_member(self.other_committee, make_user("other_chair"), role=Role.CHAIR)
        actions.do_create_webhook(
            committee=self.other_committee,
            actor=other_chair,
            url="http://127.0.0.1:9/",
            kinds=ALL_KINDS,
        )

        make_proposal(self.committee, self.member, state=State.DISCUSSION)

        self.assertFalse(WebhookDelivery.objects.exists())

    def test_it_tries_again_after_a_503_and_delivers_on_the_200(self):
        with Receiver(statuses=(503, 200)) as receiver:
            self.hook(receiver.url)
            make_proposal(self.committee, self.member, state=State.DISCUSSION)
            delivery = WebhookDelivery.objects.get()

            self.assertEqual(webhooks.deliver_due(), 0)
            delivery.refresh_from_db()
            first_try = timezone.now()
            self.assertIsNone(delivery.delivered_at)
            self.assertEqual((delivery.attempts, delivery.last_status_code), (1, 503))
            self.assertEqual(delivery.last_error, "busy, try later")
            self.assertGreater(delivery.next_attempt_at, first_try)
            # Not again before its time.
            self.assertEqual(webhooks.deliver_due(), 0)
            self.assertEqual(len(receiver.received), 1)

            self.assertEqual(webhooks.deliver_due(now=self.later(delivery)), 1)

        self.assertEqual(len(receiver.received), 2)
        self.assertEqual(
            {r.headers["X-PMC-Delivery"] for r in receiver.received}, {str(delivery.pk)}
        )
        delivery.refresh_from_db()
        self.assertIsNotNone(delivery.delivered_at)
        self.assertEqual((delivery.attempts, delivery.last_status_code), (2, 200))

    def test_it_tries_again_after_a_refused_connection_with_growing_delays(self):
        hook = self.hook(closed_port_url())
        make_proposal(self.committee, self.member, state=State.DISCUSSION)
        delivery = WebhookDelivery.objects.get()
        gaps = []
        now = None
        for _ in range(3):
            claimed_at = now or timezone.now()
            webhooks.deliver_due(now=now)
            now = self.later(delivery)
            gaps.append(delivery.next_attempt_at - claimed_at)

        self.assertEqual(delivery.attempts, 3)
        self.assertIn("ConnectionRefusedError", delivery.last_error)
        self.assertIsNone(delivery.last_status_code)
        self.assertEqual([round(gap.total_seconds() / 60) for gap in gaps], [1, 5, 30])

        with Receiver() as receiver:
            actions.do_change_webhook(
                webhook=hook, actor=self.chair, url=receiver.url, kinds=ALL_KINDS, active=True
            )
            self.assertEqual(webhooks.deliver_due(now=now), 1)
        self.assertEqual(len(receiver.received), 1)

    def test_it_gives_up_after_the_last_attempt_and_the_chair_sends_it_again(self):
        with Receiver(statuses=(500,)) as receiver:
            self.hook(receiver.url)
            make_proposal(self.committee, self.member, state=State.DISCUSSION)
            delivery = WebhookDelivery.objects.get()
            now = None
            for _ in range(webhooks.MAX_ATTEMPTS):
                webhooks.deliver_due(now=now)
                delivery.refresh_from_db()
                if delivery.next_attempt_at:
                    now = self.later(delivery)
            self.assertEqual(webhooks.deliver_due(now=now + datetime.timedelta(days=30)), 0)

            self.assertEqual(len(receiver.received), webhooks.MAX_ATTEMPTS)
            self.assertIsNotNone(delivery.failed_at)
            self.assertIsNone(delivery.next_attempt_at)

            receiver.statuses = [200]
            actions.do_resend_webhook_delivery(delivery=delivery, actor=self.chair)
            self.assertEqual(webhooks.deliver_due(), 1)

        delivery.refresh_from_db()
        self.assertIsNotNone(delivery.delivered_at)
        self.assertIsNone(delivery.failed_at)
        self.assertEqual(delivery.attempts, 1)

    def test_a_delivery_held_by_another_sender_is_left_alone(self):
        with Receiver() as receiver:
            self.hook(receiver.url)
            make_proposal(self.committee, self.member, state=State.DISCUSSION)
            claimed = webhooks.claim_next()

            self.assertIsNone(webhooks.claim_next())
            self.assertEqual(webhooks.deliver_due(), 0)
            # Once its lease has lapsed (the sender died), another takes it over.
            after_lease = claimed.claimed_until + datetime.timedelta(seconds=1)
            self.assertEqual(webhooks.deliver_due(now=after_lease), 1)
            # The first sender's late answer is not recorded over the second's.
            self.assertFalse(webhooks.send(claimed))

        self.assertEqual(len(receiver.received), 2)
        self.assertEqual(WebhookDelivery.objects.get().attempts, 2)

    @override_settings(PMC_WEBHOOKS_ALLOW_PRIVATE=False)
    def test_in_production_a_delivery_to_a_private_address_is_refused_when_sent(self):
        with override_settings(PMC_WEBHOOKS_ALLOW_PRIVATE=True), Receiver() as receiver:
            self.hook(receiver.url)
        make_proposal(self.committee, self.member, state=State.DISCUSSION)

        webhooks.deliver_due()

        self.assertEqual(receiver.received, [])
        delivery = WebhookDelivery.objects.get()
        self.assertIn("webhooks are sent to public addresses only", delivery.last_error)
        self.assertIsNone(delivery.delivered_at)

    def test_a_receiver_that_never_answers_is_given_up_on_and_tried_again_later(self):
        with Receiver(blocked=True) as receiver:
            self.hook(receiver.url)
            make_proposal(self.committee, self.member, state=State.DISCUSSION)

            self.assertEqual(webhooks.deliver_due(), 0)

            self.assertTrue(receiver.arrived.is_set())
        delivery = WebhookDelivery.objects.get()
        self.assertIn("timed out", delivery.last_error)
        self.assertEqual(delivery.attempts, 1)
        self.assertIsNone(delivery.claimed_until)
        self.assertIsNotNone(delivery.next_attempt_at)

    def test_history_written_silently_sends_nothing(self):
        self.hook("http://127.0.0.1:9/")

        with notifications.silenced():
            make_proposal(self.committee, self.member, state=State.ACCEPTED, chair=self.chair)

        self.assertFalse(WebhookDelivery.objects.exists())
