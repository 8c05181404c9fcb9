"""One delivery attempt: its Message-ID, its record that a send began, its short claims.

tests/background/test_worker_killed.py kills real workers mid-send; these tests look at
the pieces in one process: what the database says while a message is handed over, what
the next attempt does with a send that was interrupted, and how the claims are renewed.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Callable

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals import actions, notifications
from proposals.models import Notification
from tests.background.mailserver import SMTPServer
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user

BACKEND = f"{__name__}.WatchedBackend"


class WatchedBackend(EmailBackend):
    """Django's in-memory backend, which first calls `before_each` with the message."""

    before_each: Callable | None = None

    def send_messages(self, messages):
        for message in messages:
            if WatchedBackend.before_each is not None:
                WatchedBackend.before_each(message)
        return super().send_messages(messages)


class DeliveryAttemptTests(LifecycleTestCase):
    def setUp(self) -> None:
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)
        notifications.drain_outbox(hand_out=lambda ids: None)
        self.ids = list(Notification.objects.values_list("pk", flat=True))
        self.addCleanup(setattr, WatchedBackend, "before_each", None)

    def test_each_message_carries_a_message_id_made_from_its_key_at_the_site_domain(self):
        with override_settings(PMC_SITE_URL="https://pmc.example.org"):
            notifications.deliver(self.ids)
            expected = {notifications.message_id(n) for n in Notification.objects.all()}

        sent = {message.extra_headers["Message-ID"] for message in mail.outbox}
        self.assertEqual(sent, expected)
        self.assertEqual(len(sent), 3)
        notification = Notification.objects.first()
        self.assertRegex(
            notifications.message_id(notification),
            rf"^<outbox\.{notification.outbox_id}\.{notification.user_id}\.submitted"
            r"\.\d{20}@127\.0\.0\.1>$",  # PMC_SITE_URL of the tests
        )
        with override_settings(PMC_SITE_URL="https://pmc.example.org:8443"):
            self.assertTrue(notifications.message_id(notification).endswith("@pmc.example.org>"))
        # Only what is stored: every attempt, on any worker, sends the same one.
        self.assertEqual(
            notifications.message_id(notification),
            notifications.message_id(Notification.objects.get(pk=notification.pk)),
        )
        # RFC 5322: "<" dot-atom-text "@" dot-atom-text ">".
        atext = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
        dot_atom = rf"{atext}(\.{atext})*"
        digest = Notification(key="digest:7:2025-01-31", created_at=timezone.now())
        self.assertRegex(notifications.message_id(digest), rf"^<{dot_atom}@{dot_atom}>$")

    def test_the_database_says_a_send_began_before_the_mail_server_answers(self):
        seen = []

        def before_each(message):
            key = message.extra_headers["X-PMC-Notification"]
            seen.append(Notification.objects.get(key=key).last_error)

        WatchedBackend.before_each = before_each
        with override_settings(EMAIL_BACKEND=BACKEND):
            self.assertEqual(notifications.deliver(self.ids), 3)

        self.assertEqual(len(seen), 3)
        for last_error in seen:
            self.assertTrue(last_error.startswith(notifications.SEND_BEGAN), last_error)
        self.assertEqual(set(Notification.objects.values_list("last_error", flat=True)), {""})

    def test_after_an_interrupted_send_it_sends_again_with_the_same_message_id_and_says_so(self):
        # What a sender killed while the mail server held its answer leaves behind.
        dead = Notification.objects.get(pk=self.ids[0])
        Notification.objects.filter(pk=dead.pk).update(
            claimed_by="a-dead-sender",
            claimed_until=timezone.now() - datetime.timedelta(seconds=1),
            attempts=1,
            last_error=f"{notifications.SEND_BEGAN} 2025-01-31T07:00:00+00:00",
        )

        with self.assertLogs("proposals.notifications", "WARNING") as logs:
            self.assertEqual(notifications.deliver(self.ids), 3)

        dead.refresh_from_db()
        self.assertEqual(dead.attempts, 2)
        self.assertTrue(dead.last_error.startswith(notifications.INTERRUPTED), dead.last_error)
        self.assertIn(notifications.message_id(dead), dead.last_error)
        (again,) = [m for m in mail.outbox if m.extra_headers["X-PMC-Notification"] == dead.key]
        self.assertEqual(again.extra_headers["Message-ID"], notifications.message_id(dead))
        self.assertIn("may be a second copy", "\n".join(logs.output))

    def test_a_claim_lasts_a_few_email_timeouts_and_the_notification_is_due_when_it_lapses(self):
        claims = []

        def before_each(message):
            claims.append(Notification.objects.get(pk=self.ids[-1]))

        WatchedBackend.before_each = before_each
        with override_settings(EMAIL_BACKEND=BACKEND, EMAIL_TIMEOUT=10):
            start = timezone.now()
            notifications.deliver(self.ids)

        self.assertEqual(notifications.claim_lease(), datetime.timedelta(seconds=10 * 3))
        waiting = claims[0]  # the last of the chunk, while the first is sent
        self.assertEqual(waiting.due_at, waiting.claimed_until)
        lease = waiting.claimed_until - start
        self.assertGreaterEqual(lease, datetime.timedelta(seconds=30))
        self.assertLess(lease, datetime.timedelta(seconds=31))
        self.assertLess(notifications.HAND_OUT_LEASE, datetime.timedelta(minutes=2))

    def test_a_slow_sender_keeps_its_claims_for_the_whole_chunk(self):
        for i in range(4):
            make_member(self.committee, make_user(f"extra{i}"))
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)
        notifications.drain_outbox(hand_out=lambda ids: None)
        ids = list(Notification.objects.exclude(pk__in=self.ids).values_list("pk", flat=True))
        lapsed = []

        def before_each(message):
            time.sleep(0.5)  # a slow mail server: the chunk takes longer than one lease
            claims = Notification.objects.pending().filter(
                pk__in=ids, claimed_until__lt=timezone.now()
            )
            lapsed.extend(claims.values_list("pk", flat=True))

        WatchedBackend.before_each = before_each
        started = time.monotonic()
        with override_settings(EMAIL_BACKEND=BACKEND, EMAIL_TIMEOUT=1):  # a 3 s lease
            self.assertEqual(notifications.deliver(ids), 7)

        self.assertGreater(time.monotonic() - started, 3.0)
        self.assertEqual(lapsed, [])

    def test_a_sender_whose_claim_another_took_over_does_not_send_it(self):
        def before_each(message):
            # While the first is sent, another sender takes the last over (as after a
            # lapsed claim).
            Notification.objects.filter(pk=self.ids[-1]).update(claimed_by="another-sender")

        WatchedBackend.before_each = before_each
        with override_settings(EMAIL_BACKEND=BACKEND):
            self.assertEqual(notifications.deliver(self.ids), 2)

        self.assertIsNone(Notification.objects.get(pk=self.ids[-1]).sent_at)
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(Notification.objects.get(pk=self.ids[-1]).last_error, "")

    def test_a_send_that_times_out_waiting_for_the_answer_is_marked_as_a_possible_copy(self):
        with SMTPServer() as server:
            smtp = {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": server.port,
                "EMAIL_TIMEOUT": 1,
            }
            server.hold_answer_to(2)  # taken, but answered only after the sender gave up
            with override_settings(**smtp), self.assertLogs("proposals.notifications", "WARNING"):
                self.assertEqual(notifications.deliver(self.ids), 1)
            server.release()
            first, timed_out, after = Notification.objects.order_by("pk")
            self.assertIsNotNone(first.sent_at)
            self.assertTrue(timed_out.last_error.startswith(notifications.INTERRUPTED))
            self.assertIn("timed out", timed_out.last_error)
            # The one after it never reached the server: it waits, marked as no copy.
            self.assertFalse(after.last_error.startswith(notifications.INTERRUPTED))
            self.assertNotIn(notifications.SEND_BEGAN, after.last_error)

            Notification.objects.update(due_at=timezone.now())  # the back-off has passed
            with override_settings(**smtp), self.assertLogs("proposals.notifications", "WARNING"):
                self.assertEqual(notifications.deliver(self.ids), 2)

            copies = Counter(message.message_id for message in server.received)
        self.assertEqual(copies[notifications.message_id(timed_out)], 2)
        self.assertEqual(sorted(copies.values()), [1, 1, 2])
        timed_out.refresh_from_db()
        self.assertTrue(timed_out.last_error.startswith(notifications.INTERRUPTED))
        self.assertEqual(Notification.objects.get(pk=after.pk).last_error, "")


class DeliveryWritesTests(LifecycleTestCase):
    """What a chunk writes: its claim, then one statement per message."""

    def setUp(self) -> None:
        for i in range(7):
            make_member(self.committee, make_user(f"extra{i}"))
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)
        notifications.drain_outbox(hand_out=lambda ids: None)
        self.ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))

    def test_each_message_costs_one_update_and_every_one_is_recorded_as_sent(self):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(notifications.deliver(self.ids), 10)

        updates = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
        # The claim, one per message (its start with the previous one's sent_at), and the
        # last one's sent_at.
        self.assertEqual(len(updates), 1 + 10 + 1)
        self.assertFalse(Notification.objects.filter(sent_at__isnull=True).exists())
        self.assertEqual(set(Notification.objects.values_list("last_error", flat=True)), {""})
        self.assertFalse(Notification.objects.filter(claimed_until__isnull=False).exists())
        self.assertEqual(len(mail.outbox), 10)

    def test_a_recipient_without_an_address_fails_alone_and_the_one_before_is_recorded(self):
        first, gone, *rest = Notification.objects.order_by("pk").select_related("user")
        gone.user.email = ""
        gone.user.save(update_fields=["email"])

        self.assertEqual(notifications.deliver(self.ids), 9)

        first.refresh_from_db()
        gone.refresh_from_db()
        self.assertIsNotNone(first.sent_at)
        self.assertEqual(first.last_error, "")
        self.assertIsNone(gone.sent_at)
        self.assertIsNotNone(gone.failed_at)
        self.assertEqual(gone.last_error, "no e-mail address")
        self.assertEqual(
            Notification.objects.filter(pk__in=[n.pk for n in rest], sent_at__isnull=False).count(),
            len(rest),
        )
        self.assertNotIn(gone.key, {m.extra_headers["X-PMC-Notification"] for m in mail.outbox})
