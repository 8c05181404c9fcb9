"""Webhook deliveries on real Celery workers over Redis: sent once, signed, however often
the drain and the delivery tasks run."""

from __future__ import annotations

from proposals import actions
from proposals.models import WebhookDelivery
from proposals.tasks import deliver_webhooks, drain_outbox
from tests.background.helpers import WorkerTestCase, wait_until
from tests.factories import make_proposal
from tests.webhooks.receiver import Receiver, verify


class WebhooksOnWorkersTests(WorkerTestCase):
    def test_a_transition_is_delivered_once_by_the_workers(self):
        proposal = make_proposal(self.committee, self.member)
        with Receiver() as receiver:
            hook = actions.do_create_webhook(
                committee=self.committee,
                actor=self.chair,
                url=receiver.url,
                kinds=["proposal.submitted", "vote.opened"],
            )

            actions.do_submit(proposal=proposal, actor=self.member)
            # Besides the drain the commit queued: more drains and deliveries at once.
            drain_outbox.delay()
            deliver_webhooks.delay()
            deliver_webhooks.delay()
            wait_until(
                lambda: WebhookDelivery.objects.filter(delivered_at__isnull=False).exists(),
                what="the delivery",
            )
            wait_until(
                lambda: self.watch.finished["proposals.tasks.deliver_webhooks"] >= 2,
                what="the two delivery tasks queued above",
            )
            self.watch.wait_idle()

        [request] = receiver.received
        self.assertTrue(verify(hook.secret, request.headers["X-PMC-Signature"], request.body))
        self.assertEqual(request.json["kind"], "proposal.submitted")
        self.assertEqual(request.json["proposal"]["id"], proposal.pk)
        delivery = WebhookDelivery.objects.get()
        self.assertEqual((delivery.attempts, delivery.last_status_code), (1, 200))
        self.assertGreaterEqual(self.watch.finished["proposals.tasks.deliver_webhooks"], 2)
