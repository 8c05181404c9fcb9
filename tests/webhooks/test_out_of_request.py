"""Deliveries happen on the background jobs, never in the request that caused them, and
each is sent once however many senders race for it."""

from __future__ import annotations

import unittest
from collections import Counter

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse

from proposals import actions, embedded, webhooks
from proposals.models import WebhookDelivery
from proposals.states import State
from tests.background.helpers import BackgroundTestCase, wait_until
from tests.factories import make_proposal
from tests.proposals.test_concurrency import run_together
from tests.webhooks.receiver import Receiver, verify


class EmbeddedDeliveryTests(BackgroundTestCase):
    broker = "memory://"

    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(embedded.stop)

    def submit(self, proposal):
        return self.client.post(
            reverse("proposals:transition", args=[proposal.pk, "submit"]),
            {"submit-reason": "", "submit-expected_state": State.DRAFT},
        )

    @override_settings(PMC_EMBEDDED_JOBS=True, PMC_EMBEDDED_TICK_SECONDS=600)
    def test_a_blocked_receiver_never_holds_up_the_request_that_caused_a_delivery(self):
        first = make_proposal(self.committee, self.member)
        second = make_proposal(self.committee, self.member)
        with Receiver(blocked=True) as receiver:
            hook = actions.do_create_webhook(
                committee=self.committee,
                actor=self.chair,
                url=receiver.url,
                kinds=["proposal.submitted"],
            )
            self.client.force_login(self.member)
            self.client.get(reverse("proposals:home"))  # starts the jobs thread
            wait_until(lambda: embedded._thread.cycles >= 1, what="the first round of jobs")

            self.assertEqual(self.submit(first).status_code, 302)
            # The commit woke the jobs thread, which is now stuck in the receiver.
            self.assertTrue(receiver.arrived.wait(20), "the delivery never reached the receiver")

            response = self.submit(second)

            # The second change's response is back while the receiver still holds the
            # first delivery: nothing was delivered or answered yet.
            self.assertEqual(response.status_code, 302)
            second.refresh_from_db()
            self.assertEqual(second.state, State.DISCUSSION)
            self.assertEqual(receiver.received, [])
            self.assertFalse(WebhookDelivery.objects.filter(delivered_at__isnull=False).exists())
            # Nor does it hold up the e-mail: both changes' notifications go out.
            wait_until(lambda: len(mail.outbox) == 6, what="the six Submitted mails")
            self.assertFalse(receiver.received)

            receiver.release()
            wait_until(
                lambda: WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == 2,
                what="both deliveries",
            )

        self.assertEqual(
            sorted(r.json["proposal"]["id"] for r in receiver.received), [first.pk, second.pk]
        )
        for request in receiver.received:
            self.assertTrue(verify(hook.secret, request.headers["X-PMC-Signature"], request.body))


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (row locks and concurrent connections): run with DATABASE_URL=postgres://...",
)
class RacingSendersTests(BackgroundTestCase):
    broker = "memory://"

    def test_each_delivery_is_sent_once_when_four_senders_race(self):
        with Receiver() as receiver:
            for url in (receiver.url, receiver.url + "?second"):
                actions.do_create_webhook(
                    committee=self.committee,
                    actor=self.chair,
                    url=url,
                    kinds=list(webhooks.KINDS),
                )
            for _ in range(6):
                make_proposal(self.committee, self.member, state=State.DISCUSSION)
            connections.close_all()

            outcomes = run_together(*[webhooks.deliver_due] * 4)

        self.assertEqual([kind for kind, _ in outcomes], ["ok"] * 4, outcomes)
        self.assertEqual(sum(count for _, count in outcomes), 12)
        sent = Counter(r.headers["X-PMC-Delivery"] for r in receiver.received)
        self.assertEqual(len(sent), 12)
        self.assertEqual(set(sent.values()), {1})
        self.assertEqual(
            set(WebhookDelivery.objects.values_list("attempts", "last_status_code")), {(1, 200)}
        )

    def test_the_senders_and_a_claim_of_the_same_row_never_overlap(self):
        # One delivery, its receiver slow to answer: of the racers one claims it.
        with Receiver(blocked=True) as receiver:
            actions.do_create_webhook(
                committee=self.committee,
                actor=self.chair,
                url=receiver.url,
                kinds=["proposal.submitted"],
            )
            make_proposal(self.committee, self.member, state=State.DISCUSSION)
            connections.close_all()

            def sender() -> int:
                return webhooks.deliver_due()

            def releaser() -> int:
                receiver.arrived.wait(20)
                claimers = [webhooks.claim_next() for _ in range(3)]
                receiver.release()
                return sum(1 for claimed in claimers if claimed is not None)

            outcomes = run_together(sender, sender, releaser)

        self.assertEqual([kind for kind, _ in outcomes], ["ok"] * 3, outcomes)
        self.assertEqual(sorted(value for _, value in outcomes), [0, 0, 1])
        self.assertEqual(len(receiver.received), 1)
