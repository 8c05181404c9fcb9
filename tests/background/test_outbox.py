"""The outbox: written by the audit log in the change's own transaction, for the events
that concern members, and for nothing else."""

from __future__ import annotations

from django.db import transaction

from proposals import actions, background, notifications
from proposals.actors import IMPORT
from proposals.errors import NotPermitted
from proposals.models import Event, OutboxMessage
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_proposal


class OutboxTests(LifecycleTestCase):
    def test_it_writes_an_outbox_row_with_the_event_and_asks_for_a_drain_on_commit(self):
        proposal = make_proposal(self.committee, self.member)

        with self.captureOnCommitCallbacks() as callbacks:
            actions.do_submit(proposal=proposal, actor=self.member)

        row = OutboxMessage.objects.get()
        event = Event.objects.get(action="proposal.submit")
        self.assertEqual(row.event, event)
        self.assertEqual(row.kind, "submitted")
        self.assertIsNone(row.processed_at)
        self.assertIn(background.outbox_written, callbacks)

    def test_it_writes_one_row_per_notifying_event_of_a_whole_lifecycle(self):
        proposal = make_proposal(
            self.committee, self.member, state=State.COMPLETED, chair=self.chair
        )

        kinds = list(OutboxMessage.objects.values_list("event__action", "kind"))
        self.assertEqual(
            kinds,
            [
                ("proposal.submit", "submitted"),
                ("proposal.decide", "decided"),
                ("proposal.complete", "completed"),
            ],
        )
        self.assertEqual(proposal.state, State.COMPLETED)

    def test_it_writes_none_for_events_that_notify_nobody(self):
        proposal = make_proposal(self.committee, self.member)
        actions.do_edit_proposal(proposal=proposal, actor=self.member, title="New title")
        actions.do_link_meeting(
            proposal=proposal, meeting=make_meeting(self.committee), actor=self.chair
        )
        actions.do_withdraw(proposal=proposal, actor=self.member)  # a draft nobody saw

        self.assertGreaterEqual(Event.objects.count(), 4)
        self.assertFalse(OutboxMessage.objects.exists())

    def test_it_writes_nothing_when_the_change_is_refused(self):
        proposal = make_proposal(self.committee, self.member)

        with self.assertRaises(NotPermitted):
            actions.do_submit(proposal=proposal, actor=self.other_member)

        self.assertFalse(OutboxMessage.objects.exists())

    def test_it_goes_when_the_change_is_rolled_back(self):
        proposal = make_proposal(self.committee, self.member)

        with self.assertRaises(RuntimeError), transaction.atomic():
            actions.do_submit(proposal=proposal, actor=self.member)
            self.assertEqual(OutboxMessage.objects.count(), 1)
            raise RuntimeError("the request failed after the action")

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DRAFT)
        self.assertFalse(OutboxMessage.objects.exists())

    def test_it_writes_nothing_for_history_from_imported_notes(self):
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=IMPORT)

        self.assertEqual(Event.objects.filter(action="proposal.submit").count(), 1)
        self.assertFalse(OutboxMessage.objects.exists())

    def test_it_writes_nothing_while_silenced(self):
        with notifications.silenced():
            make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)

        self.assertEqual(Event.objects.filter(action="proposal.start_vote").count(), 1)
        self.assertFalse(OutboxMessage.objects.exists())
