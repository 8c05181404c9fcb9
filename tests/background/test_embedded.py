"""The embedded default, without Redis: the web process closes votes and sends e-mail
itself, from a thread that its first request starts."""

from __future__ import annotations

import datetime

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from pmc import services
from proposals import actions, embedded
from proposals.models import Event, Notification, ScheduledRun
from proposals.states import State
from tests.background.helpers import HOUR, BackgroundTestCase, wait_until
from tests.factories import make_proposal

ALL_FOUR = ["chair", "member", "other_member", "third_member"]


class EmbeddedJobsTests(BackgroundTestCase):
    broker = "memory://"

    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(embedded.stop)

    def test_it_is_off_in_the_tests_unless_a_test_starts_it(self):
        self.client.get(reverse("proposals:home"))

        self.assertFalse(embedded.running())

    @override_settings(PMC_EMBEDDED_JOBS=True, PMC_EMBEDDED_TICK_SECONDS=1)
    def test_it_closes_an_expired_vote_and_sends_its_notifications_without_redis(self):
        self.assertFalse(services.uses_redis())
        started = timezone.now() - datetime.timedelta(days=4)
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_start_vote(proposal=proposal, actor=self.chair, at=started)
        for voter in (self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1, at=started + HOUR)

        self.client.get(reverse("proposals:home"))  # the first request starts the thread

        self.assertTrue(embedded.running())
        wait_until(
            lambda: self.sent_to("Vote closed") == {f"{n}@example.org": 1 for n in ALL_FOUR},
            what="the vote-closed mails",
        )
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertEqual(
            Event.objects.filter(proposal=proposal, action="proposal.close_vote").count(), 1
        )
        self.assertTrue(ScheduledRun.objects.filter(name=embedded.HEARTBEAT).exists())

    @override_settings(PMC_EMBEDDED_JOBS=True, PMC_EMBEDDED_TICK_SECONDS=600)
    def test_it_sends_the_mail_of_a_change_moments_after_its_commit(self):
        proposal = make_proposal(self.committee, self.member)
        self.client.force_login(self.member)
        self.client.get(reverse("proposals:home"))
        wait_until(lambda: embedded._thread.cycles >= 1, what="the first round of jobs")

        response = self.client.post(
            reverse("proposals:transition", args=[proposal.pk, "submit"]),
            {"submit-reason": "", "submit-expected_state": State.DRAFT},
        )

        self.assertEqual(response.status_code, 302)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        # Far sooner than the next tick (600 s): the commit woke the thread.
        wait_until(lambda: len(mail.outbox) == 3, timeout=10, what="three mails")
        self.assertEqual(
            self.sent_to("Submitted"),
            {f"{n}@example.org": 1 for n in ["chair", "other_member", "third_member"]},
        )
        # Each mail is marked sent just after it goes out.
        wait_until(lambda: not Notification.objects.pending().exists(), timeout=10, what="all sent")


class DailyClaimTests(TestCase):
    def test_it_lets_one_caller_per_period_run_a_daily_job(self):
        now = timezone.now()

        self.assertTrue(embedded.claim("chair-digests", embedded.DAILY, now))
        self.assertFalse(embedded.claim("chair-digests", embedded.DAILY, now))
        self.assertFalse(embedded.claim("chair-digests", embedded.DAILY, now + HOUR))
        self.assertTrue(embedded.claim("chair-digests", embedded.DAILY, now + 25 * HOUR))
        self.assertTrue(embedded.claim("verify-audit", embedded.DAILY, now))
