"""The broker is down, or hangs: the change still commits at once, the outbox keeps the
work, and once the broker is back a worker delivers it, nothing lost and nothing twice."""

from __future__ import annotations

import time

from django.urls import reverse

from proposals import background
from proposals.models import Notification, OutboxMessage
from proposals.states import State
from proposals.tasks import drain_outbox
from tests.background.helpers import (
    CLOSED_PORT_BROKER,
    TEST_BROKER,
    SilentServer,
    WorkerTestCase,
    broker_at,
)
from tests.factories import make_proposal

TOLD = {f"{n}@example.org": 1 for n in ["chair", "other_member", "third_member"]}


class BrokerDownTests(WorkerTestCase):
    # The worker stays connected to the real Redis; what goes down is the broker that
    # the web process (and beat) publish to.
    worker_count = 1

    def submit_through_the_web(self):
        proposal = make_proposal(self.committee, self.member)
        self.client.force_login(self.member)
        started = time.monotonic()
        response = self.client.post(
            reverse("proposals:transition", args=[proposal.pk, "submit"]),
            {"submit-reason": "", "submit-expected_state": State.DRAFT},
        )
        elapsed = time.monotonic() - started
        self.assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        return elapsed

    def assert_kept_then_delivered(self) -> None:
        background.wait_for_enqueue()  # the enqueue after the commit has given up
        self.assertTrue(background.broker_backing_off())
        self.assertEqual(OutboxMessage.objects.filter(processed_at__isnull=True).count(), 1)
        self.assertFalse(Notification.objects.exists())
        self.assertEqual(self.sent_to(), {})

        with broker_at(TEST_BROKER):  # the broker is back; beat's next drain:
            drain_outbox.delay()
            self.watch.wait_idle()
            drain_outbox.delay()  # and the one after it
            self.watch.wait_idle()

        self.assertFalse(OutboxMessage.objects.filter(processed_at__isnull=True).exists())
        self.assertEqual(self.sent_to("Submitted"), TOLD)
        self.assertEqual(Notification.objects.filter(sent_at__isnull=False).count(), 3)

    def test_it_commits_at_once_and_delivers_later_when_the_broker_refuses_connections(self):
        with broker_at(CLOSED_PORT_BROKER):
            elapsed = self.submit_through_the_web()
            self.assertLess(elapsed, 2.0)
            self.assert_kept_then_delivered()

    def test_it_commits_at_once_and_delivers_later_when_the_broker_never_answers(self):
        with SilentServer() as silent, broker_at(silent.url):
            elapsed = self.submit_through_the_web()
            self.assertLess(elapsed, 2.0)
            started = time.monotonic()
            self.assert_kept_then_delivered()
            # The enqueue gave up after the socket timeout, not after minutes.
            self.assertLess(time.monotonic() - started, 10.0)

    def test_a_beat_drain_fails_fast_while_the_broker_hangs(self):
        with SilentServer() as silent, broker_at(silent.url):
            started = time.monotonic()
            with self.assertRaises(Exception):  # noqa: B017 (the transport's own error)
                drain_outbox.apply_async(retry=False)
            self.assertLess(time.monotonic() - started, 8.0)
