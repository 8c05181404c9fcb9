"""Events written in batches: `audit.record_many`, `audit.deferred` (an import's file)
and `do_link_meetings`; each change still has its own event, in order, in one chain."""

from __future__ import annotations

import contextlib

from django.db import transaction

from proposals import actions, audit
from proposals.actors import IMPORT
from proposals.errors import ConditionNotMet, LifecycleError, NotPermitted
from proposals.models import Event, Proposal, ProposalMeeting
from proposals.states import Kind, State
from tests.base import AppendOnlyTransactionTestCase, LifecycleTestCase
from tests.factories import make_meeting, make_project, make_proposal


def actions_since(first_id: int) -> list[str]:
    return list(
        Event.objects.filter(id__gt=first_id).order_by("id").values_list("action", flat=True)
    )


def last_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


class RecordManyTests(LifecycleTestCase):
    def test_it_chains_each_event_to_the_one_before_in_the_order_given(self):
        before = last_event_id()
        with transaction.atomic():
            audit.record_many(
                [audit.new_event(action=f"test.{n}", actor=IMPORT) for n in ("a", "b", "c")]
            )

        events = list(Event.objects.filter(id__gt=before).order_by("id"))
        self.assertEqual([e.action for e in events], ["test.a", "test.b", "test.c"])
        self.assertEqual(events[1].prev_hash, events[0].hash)
        self.assertEqual(events[2].prev_hash, events[1].hash)
        self.assertTrue(audit.verify_chain().ok)


class DeferredTests(LifecycleTestCase):
    def test_events_are_written_when_the_block_ends_in_the_order_recorded(self):
        before = last_event_id()
        with transaction.atomic(), audit.deferred():
            audit.record(action="test.first", actor=IMPORT)
            audit.record(action="test.second", actor=IMPORT)
            self.assertEqual(actions_since(before), [])

        self.assertEqual(actions_since(before), ["test.first", "test.second"])
        self.assertTrue(audit.verify_chain().ok)

    def test_a_failed_action_leaves_no_event_behind(self):
        # Completing a rename records "proposal.complete", then finds the new name taken
        # and fails: its savepoint is rolled back, and so is its event.
        project = make_project(self.committee, "Old")
        rename = make_proposal(
            self.committee, self.member, state=State.ACCEPTED, chair=self.chair,
            kind=Kind.RENAME, project=project, new_name="Taken",
        )  # fmt: skip
        make_project(self.committee, "Taken")
        before = last_event_id()

        with transaction.atomic(), audit.deferred():
            audit.record(action="test.before", actor=IMPORT)
            with self.assertRaises(ConditionNotMet):
                actions.do_complete(proposal=rename, actor=self.chair)
            audit.record(action="test.after", actor=IMPORT)

        self.assertEqual(actions_since(before), ["test.before", "test.after"])
        self.assertEqual(Proposal.objects.get(pk=rename.pk).state, State.ACCEPTED)
        self.assertTrue(audit.verify_chain().ok)

    def test_nothing_is_written_when_the_block_fails(self):
        before = last_event_id()
        with contextlib.suppress(RuntimeError), transaction.atomic(), audit.deferred():
            audit.record(action="test.lost", actor=IMPORT)
            raise RuntimeError

        self.assertEqual(actions_since(before), [])
        with transaction.atomic():
            audit.record(action="test.next", actor=IMPORT)
        self.assertTrue(audit.verify_chain().ok)

    def test_events_of_a_block_that_writes_none_are_dropped(self):
        before = last_event_id()
        with transaction.atomic(), audit.deferred(write=False):
            audit.record(action="test.previewed", actor=IMPORT)
            with audit.kept_if_done():
                audit.record(action="test.previewed_too", actor=IMPORT)

        self.assertEqual(actions_since(before), [])
        with transaction.atomic():
            audit.record(action="test.next", actor=IMPORT)
        self.assertEqual(actions_since(before), ["test.next"])
        self.assertTrue(audit.verify_chain().ok)

    def test_a_nested_block_leaves_the_writing_to_the_outer_one(self):
        before = last_event_id()
        with transaction.atomic(), audit.deferred():
            with audit.deferred():
                audit.record(action="test.inner", actor=IMPORT)
            self.assertEqual(actions_since(before), [])
            audit.record(action="test.outer", actor=IMPORT)

        self.assertEqual(actions_since(before), ["test.inner", "test.outer"])


class LinkMeetingsTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.meeting = make_meeting(cls.committee)
        cls.first = make_proposal(cls.committee, cls.member, state=State.DISCUSSION)
        cls.second = make_proposal(cls.committee, cls.member, state=State.DISCUSSION)
        cls.third = make_proposal(cls.committee, cls.member, state=State.DISCUSSION)

    def link(self, *proposals: Proposal) -> list[int]:
        return actions.do_link_meetings(
            meeting=self.meeting,
            actor=IMPORT,
            links=[actions.MeetingLink(p.pk, "Agenda", f"About {p}") for p in proposals],
        )

    def test_it_links_each_proposal_once_with_one_event_each(self):
        actions.do_link_meeting(proposal=self.first, meeting=self.meeting, actor=IMPORT)
        before = last_event_id()

        linked = self.link(self.first, self.second, self.third, self.second)

        self.assertEqual(linked, [self.second.pk, self.third.pk])
        self.assertEqual(ProposalMeeting.objects.filter(meeting=self.meeting).count(), 3)
        events = Event.objects.filter(id__gt=before).order_by("id")
        self.assertEqual(
            [(e.action, e.proposal_id, e.committee_id) for e in events],
            [
                ("proposal.meeting_linked", self.second.pk, self.committee.pk),
                ("proposal.meeting_linked", self.third.pk, self.committee.pk),
            ],
        )
        self.assertEqual(events[0].payload["section"], "Agenda")
        mention = ProposalMeeting.objects.get(proposal=self.third, meeting=self.meeting)
        self.assertEqual(mention.excerpt, f"About {self.third}")

    def test_linking_again_changes_nothing(self):
        self.link(self.first, self.second)
        before = last_event_id()

        self.assertEqual(self.link(self.first, self.second), [])
        self.assertEqual(last_event_id(), before)

    def test_only_the_chair_or_an_administrator_may_link(self):
        for who in (self.member, self.foreign_member, self.outsider):
            with self.subTest(who=who.username), self.assertRaises(NotPermitted):
                actions.do_link_meetings(
                    meeting=self.meeting, actor=who, links=[actions.MeetingLink(self.first.pk)]
                )

        self.assertFalse(ProposalMeeting.objects.filter(meeting=self.meeting).exists())
        self.assertEqual(
            actions.do_link_meetings(
                meeting=self.meeting, actor=self.chair, links=[actions.MeetingLink(self.first.pk)]
            ),
            [self.first.pk],
        )

    def test_an_unknown_proposal_is_refused_and_nothing_is_linked(self):
        with self.assertRaisesMessage(LifecycleError, "There is no proposal #999999."):
            actions.do_link_meetings(
                meeting=self.meeting,
                actor=IMPORT,
                links=[actions.MeetingLink(self.first.pk), actions.MeetingLink(999999)],
            )

        self.assertFalse(ProposalMeeting.objects.filter(meeting=self.meeting).exists())


class OutsideATransactionTests(AppendOnlyTransactionTestCase):
    def test_events_are_refused_without_the_change_s_transaction(self):
        with self.assertRaisesMessage(RuntimeError, "inside the change's transaction"):
            audit.record_many([audit.new_event(action="test.a", actor=IMPORT)])
        refused = self.assertRaisesMessage(RuntimeError, "inside the changes' transaction")
        with refused, audit.deferred():
            pass  # pragma: no cover

        self.assertFalse(Event.objects.exists())
