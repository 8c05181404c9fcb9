"""Closing votes past their deadline: the sweep on real workers closes each vote once."""

from __future__ import annotations

import datetime

from django.utils import timezone

from proposals import actions
from proposals.models import Event, Notification, NotificationKind
from proposals.states import State
from proposals.tasks import close_expired_votes, drain_outbox
from tests.background.helpers import HOUR, WorkerTestCase
from tests.factories import make_proposal

ALL_FOUR = ["chair", "member", "other_member", "third_member"]


def expired_vote(test, *, voters=()):
    started = timezone.now() - datetime.timedelta(days=4)
    proposal = make_proposal(test.committee, test.member, state=State.DISCUSSION)
    proposal = actions.do_start_vote(proposal=proposal, actor=test.chair, at=started)
    for voter in voters:
        actions.do_cast_vote(proposal=proposal, actor=voter, value=1, at=started + HOUR)
    return proposal


class CloseExpiredVotesOnWorkersTests(WorkerTestCase):
    def test_it_closes_an_expired_vote_once_with_two_workers_and_the_sweep_running_four_times(
        self,
    ):
        proposal = expired_vote(self, voters=[self.member, self.other_member, self.third_member])

        for _ in range(4):
            close_expired_votes.delay()
        self.watch.wait_idle()
        drain_outbox.delay()
        drain_outbox.delay()
        self.watch.wait_idle()

        self.assertEqual(self.watch.finished["proposals.tasks.close_expired_votes"], 4)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        closes = Event.objects.filter(proposal=proposal, action="proposal.close_vote")
        self.assertEqual(closes.count(), 1)
        self.assertEqual(closes.get().actor_name, "system:system")
        # Everyone in the committee hears of it, once.
        closed = Notification.objects.filter(kind=NotificationKind.VOTE_CLOSED)
        self.assertEqual(closed.filter(sent_at__isnull=False).count(), 4)
        self.assertEqual(
            self.sent_to("Vote closed, accepted"),
            {f"{name}@example.org": 1 for name in ALL_FOUR},
        )

    def test_it_extends_a_vote_that_missed_quorum_once_then_defers_it(self):
        proposal = expired_vote(self, voters=[self.member])
        first_deadline = proposal.closes_at

        close_expired_votes.delay()
        close_expired_votes.delay()
        self.watch.wait_idle()

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        self.assertEqual(proposal.vote_extensions, 1)
        self.assertGreater(proposal.closes_at, max(timezone.now(), first_deadline))
        self.assertEqual(
            self.sent_to("Vote extended"), {f"{name}@example.org": 1 for name in ALL_FOUR}
        )

        # Once the extension has passed too, the committee's policy defers it.
        self.assertEqual(close_expired_votes.apply(kwargs={}).get(), 0)
        later = proposal.closes_at + HOUR
        actions.do_close_vote(proposal=proposal, actor=self.chair, at=later)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DEFERRED)
        self.assertEqual(
            Event.objects.filter(proposal=proposal, action="proposal.close_vote").count(), 2
        )

    def test_it_leaves_a_vote_before_its_deadline_alone(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)

        close_expired_votes.delay()
        self.watch.wait_idle()

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        self.assertFalse(Event.objects.filter(action="proposal.close_vote").exists())
        # The opening of the vote was announced: the commit queued a drain for a worker.
        self.assertEqual(
            self.sent_to("Vote open"),
            {f"{name}@example.org": 1 for name in ["member", "other_member", "third_member"]},
        )
