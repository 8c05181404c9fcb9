"""`manage.py close_expired_votes [--dry-run]` and the sweep it shares with beat."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from proposals import actions, deadlines
from proposals.models import Event, OutboxMessage
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

HOUR = datetime.timedelta(hours=1)


class CloseExpiredVotesCommandTests(LifecycleTestCase):
    def expired_vote(self, *, voters=(), title="Attic it"):
        started = timezone.now() - datetime.timedelta(days=4)
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION, title=title)
        proposal = actions.do_start_vote(proposal=proposal, actor=self.chair, at=started)
        for voter in voters:
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1, at=started + HOUR)
        return proposal

    def run_command(self, *args) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        call_command("close_expired_votes", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_it_lists_what_it_would_do_and_changes_nothing_with_dry_run(self):
        passing = self.expired_vote(voters=[self.member, self.other_member, self.third_member])
        short = self.expired_vote(voters=[self.member], title="Rename it")
        events = Event.objects.count()

        out, _ = self.run_command("--dry-run")

        self.assertIn(f"#{passing.pk} “Attic it”", out)
        self.assertIn("would close as accepted", out)
        self.assertIn(f"#{short.pk} “Rename it”", out)
        self.assertIn("quorum missed, would extend to", out)
        self.assertIn("2 vote(s) would be closed or extended.", out)
        passing.refresh_from_db()
        self.assertEqual(passing.state, State.VOTING)
        self.assertEqual(Event.objects.count(), events)

    def test_it_closes_each_expired_vote_once(self):
        passing = self.expired_vote(voters=[self.member, self.other_member, self.third_member])

        out, _ = self.run_command()
        again, _ = self.run_command()

        self.assertIn("did close as accepted", out)
        self.assertIn("1 vote(s) closed or extended.", out)
        self.assertEqual(again, "0 vote(s) closed or extended.\n")
        passing.refresh_from_db()
        self.assertEqual(passing.state, State.ACCEPTED)
        closes = Event.objects.filter(action="proposal.close_vote")
        self.assertEqual(closes.count(), 1)
        self.assertTrue(OutboxMessage.objects.filter(event=closes.get()).exists())

    def test_it_is_quiet_with_verbosity_zero(self):
        self.expired_vote(voters=[self.member, self.other_member, self.third_member])

        out, err = self.run_command("-v", "0")

        self.assertEqual((out, err), ("", ""))

    def test_the_sweep_defers_a_vote_whose_extension_also_missed_quorum(self):
        proposal = self.expired_vote(voters=[self.member])
        first = deadlines.close_expired_votes()
        proposal.refresh_from_db()

        second = deadlines.close_expired_votes(now=proposal.closes_at + HOUR)

        self.assertEqual([c.outcome for c in first], [State.VOTING])
        self.assertEqual([c.outcome for c in second], [State.DEFERRED])
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DEFERRED)

    def test_the_sweep_leaves_votes_before_their_deadline_alone(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)

        self.assertEqual(deadlines.close_expired_votes(), [])
        self.assertEqual(deadlines.preview(), [])
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
