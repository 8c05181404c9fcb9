"""From the outbox to e-mail: who gets what, once, and what happens when mail fails."""

from __future__ import annotations

import datetime

from django.core import mail
from django.test import override_settings
from django.utils import timezone

from proposals import actions, notifications
from proposals.models import Notification, NotificationKind, NotificationPreference, OutboxMessage
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user

MEMBERS = ["chair@example.org", "other_member@example.org", "third_member@example.org"]
CLOSED_SMTP = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 1,
    "EMAIL_TIMEOUT": 2,
}


class FanOutTests(LifecycleTestCase):
    def submit(self, **fields):
        proposal = make_proposal(self.committee, self.member, **fields)
        return actions.do_submit(proposal=proposal, actor=self.member)

    def test_it_tells_every_member_of_the_committee_but_the_actor_once(self):
        self.submit(title="Move Diego-Enabler to the attic")

        result = notifications.drain_outbox()

        self.assertEqual((result.outbox_rows, result.notifications, result.delivered), (1, 3, 3))
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), MEMBERS)
        message = mail.outbox[0]
        self.assertEqual(
            message.subject, "[Runtime] Submitted for discussion: Move Diego-Enabler to the attic"
        )
        self.assertIn("member submitted a proposal for discussion in the Runtime PMC", message.body)
        self.assertIn("http://127.0.0.1:8000/proposals/", message.body)
        self.assertIn("http://127.0.0.1:8000/profile/", message.body)
        self.assertEqual(message.extra_headers["Auto-Submitted"], "auto-generated")
        self.assertIsNotNone(OutboxMessage.objects.get().processed_at)
        self.assertEqual(Notification.objects.filter(sent_at__isnull=False).count(), 3)

    def test_it_skips_outsiders_other_committees_users_without_address_and_ended_seats(self):
        no_address = make_member(self.committee, make_user("no_address"))
        no_address.email = ""
        no_address.save(update_fields=["email"])
        ended = make_member(
            self.committee,
            make_user("emeritus"),
            started_on=datetime.date(2015, 1, 1),
            ended_on=datetime.date(2016, 1, 1),
        )
        self.submit()

        notifications.drain_outbox()

        recipients = set(Notification.objects.values_list("user__username", flat=True))
        self.assertEqual(recipients, {"chair", "other_member", "third_member"})
        self.assertNotIn(no_address.username, recipients)
        self.assertNotIn(ended.username, recipients)

    def test_it_creates_and_sends_nothing_twice_when_drained_again(self):
        self.submit()
        notifications.drain_outbox()

        again = notifications.drain_outbox()

        self.assertEqual((again.outbox_rows, again.notifications, again.delivered), (0, 0, 0))
        self.assertEqual(len(mail.outbox), 3)

    def test_it_sends_once_when_the_same_delivery_runs_twice(self):
        self.submit()
        notifications.drain_outbox(hand_out=lambda ids: None)  # handed out, not yet sent
        ids = list(Notification.objects.values_list("pk", flat=True))

        first = notifications.deliver(ids)
        second = notifications.deliver(ids)

        self.assertEqual((first, second), (3, 0))
        self.assertEqual(len(mail.outbox), 3)
        self.assertEqual(set(Notification.objects.values_list("attempts", flat=True)), {1})

    def test_it_does_not_send_what_another_sender_has_claimed(self):
        self.submit()
        notifications.drain_outbox(hand_out=lambda ids: None)
        ids = list(Notification.objects.values_list("pk", flat=True))
        Notification.objects.filter(pk=ids[0]).update(
            claimed_by="another-worker",
            claimed_until=timezone.now() + datetime.timedelta(minutes=5),
        )

        self.assertEqual(notifications.deliver(ids), 2)
        self.assertIsNone(Notification.objects.get(pk=ids[0]).sent_at)

    def test_it_keeps_the_work_and_backs_off_when_the_mail_server_is_down(self):
        self.submit()
        with override_settings(**CLOSED_SMTP):
            result = notifications.drain_outbox()

        self.assertEqual(result.delivered, 0)
        waiting = Notification.objects.pending()
        self.assertEqual(waiting.count(), 3)
        for notification in waiting:
            self.assertEqual(notification.attempts, 1)
            self.assertIn("ConnectionRefusedError", notification.last_error)
            self.assertGreater(notification.due_at, timezone.now())

        Notification.objects.update(due_at=timezone.now())  # the back-off has passed
        self.assertEqual(notifications.drain_outbox().delivered, 3)
        self.assertEqual(len(mail.outbox), 3)

    def test_it_gives_up_after_the_last_attempt(self):
        self.submit()
        notifications.drain_outbox(hand_out=lambda ids: None)
        Notification.objects.update(attempts=notifications.MAX_ATTEMPTS - 1)
        ids = list(Notification.objects.values_list("pk", flat=True))

        with override_settings(**CLOSED_SMTP):
            notifications.deliver(ids)

        self.assertEqual(Notification.objects.filter(failed_at__isnull=False).count(), 3)
        self.assertFalse(Notification.objects.pending().exists())

    def test_it_puts_titles_into_plain_text_verbatim_and_on_one_subject_line(self):
        self.submit(title='Rename "<b>CLI</b>" & co')

        notifications.drain_outbox()

        message = mail.outbox[0]
        self.assertNotIn("\n", message.subject)
        self.assertIn('"<b>CLI</b>" & co', message.subject)
        self.assertIn('"<b>CLI</b>" & co', message.body)
        self.assertNotIn("&lt;", message.body)
        self.assertNotIn("&quot;", message.body)
        self.assertEqual(message.bcc, [])

    def test_it_describes_a_closed_vote_with_its_tally(self):
        started = timezone.now() - datetime.timedelta(days=4)
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_start_vote(proposal=proposal, actor=self.chair, at=started)
        for voter in (self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1, at=started)
        notifications.drain_outbox()
        mail.outbox.clear()

        from proposals.deadlines import close_expired_votes

        close_expired_votes()
        notifications.drain_outbox()

        self.assertEqual(len(mail.outbox), 4)
        body = mail.outbox[0].body
        self.assertIn("closed. The proposal is accepted.", body)
        self.assertIn("Binding votes: 3 x +1, 0 x -1, 0 x 0, 0 recused, 1 did not vote", body)

    def test_it_respects_a_kind_turned_off(self):
        NotificationPreference.objects.create(
            user=self.chair, kind=NotificationKind.SUBMITTED, enabled=False
        )
        NotificationPreference.objects.create(
            user=self.other_member, kind=NotificationKind.VOTE_OPENED, enabled=False
        )

        self.submit()
        notifications.drain_outbox()

        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["other_member@example.org", "third_member@example.org"],
        )


class BacklogTests(LifecycleTestCase):
    def test_it_reports_nothing_while_work_is_fresh(self):
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)

        with self.assertNumQueries(1):
            self.assertIsNone(notifications.backlog())

    def test_it_reports_the_oldest_work_waiting_too_long_in_one_query(self):
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)
        old = timezone.now() - datetime.timedelta(minutes=30)
        OutboxMessage.objects.update(created_at=old)

        with self.assertNumQueries(1):
            self.assertEqual(notifications.backlog(), old)

        # Drained but not sent (the mail server is down): still backing up.
        with override_settings(**CLOSED_SMTP):
            notifications.drain_outbox()
        older = old - datetime.timedelta(minutes=5)
        Notification.objects.update(created_at=older)
        self.assertEqual(notifications.backlog(), older)
