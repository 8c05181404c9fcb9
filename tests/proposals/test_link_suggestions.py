"""The actions behind link suggestions: a chair links and unlinks only their own
committees' proposals to their meetings; another committee's proposal is suggested to
its chair, who confirms or dismisses it once."""

from __future__ import annotations

from pmc.models import Role
from proposals import actions
from proposals.actors import IMPORT
from proposals.errors import LifecycleError, NotPermitted, StaleState
from proposals.models import Event, LinkSuggestion, ProposalMeeting
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_member, make_proposal, make_user


class LinkingAuthorityTests(LifecycleTestCase):
    def setUp(self) -> None:
        self.meeting = make_meeting(self.committee)
        self.ours = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        self.theirs = make_proposal(
            self.other_committee, self.foreign_member, state=State.DISCUSSION
        )
        self.other_chair = make_member(self.other_committee, make_user("xchair"), role=Role.CHAIR)

    def link(self, actor, *proposals):
        return actions.do_link_meetings(
            meeting=self.meeting,
            actor=actor,
            links=[actions.MeetingLink(p.pk) for p in proposals],
            from_notes=True,
        )

    def test_a_chair_links_no_proposal_of_another_committee(self):
        for actor in (self.chair, self.other_chair):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted):
                self.link(actor, self.ours, self.theirs)
        self.assertFalse(ProposalMeeting.objects.exists())
        self.assertEqual(self.link(self.chair, self.ours), [self.ours.pk])

    def test_the_import_and_administrators_link_across_committees(self):
        admin = make_user("admin", is_staff=True, is_superuser=True)
        self.assertEqual(self.link(IMPORT, self.theirs), [self.theirs.pk])
        other = make_proposal(self.other_committee, self.foreign_member)
        self.assertEqual(self.link(admin, other), [other.pk])

    def test_a_chair_unlinks_no_proposal_of_another_committee(self):
        self.link(IMPORT, self.ours, self.theirs)
        with self.assertRaisesMessage(NotPermitted, "only the chair of Extensions"):
            actions.do_unlink_meeting_notes(meeting=self.meeting, actor=self.chair, keep=set())
        self.assertEqual(ProposalMeeting.objects.count(), 2)
        actions.do_unlink_meeting_notes(
            meeting=self.meeting, actor=self.chair, keep={self.theirs.pk}
        )
        self.assertEqual(
            list(ProposalMeeting.objects.values_list("proposal", flat=True)), [self.theirs.pk]
        )

    def test_only_a_chair_who_may_not_link_suggests(self):
        with self.assertRaises(LifecycleError):
            actions.do_suggest_meeting_link(
                meeting=self.meeting, proposal=self.ours, actor=self.chair
            )
        with self.assertRaises(LifecycleError):
            actions.do_suggest_meeting_link(
                meeting=self.meeting, proposal=self.theirs, actor=IMPORT
            )
        with self.assertRaises(NotPermitted):  # not the meeting's chair
            actions.do_suggest_meeting_link(
                meeting=self.meeting, proposal=self.theirs, actor=self.other_chair
            )
        self.assertFalse(LinkSuggestion.objects.exists())

    def test_a_suggestion_is_decided_once(self):
        suggestion, status = actions.do_suggest_meeting_link(
            meeting=self.meeting, proposal=self.theirs, actor=self.chair, excerpt="raised"
        )
        self.assertEqual(status, "created")
        self.assertEqual(
            actions.do_suggest_meeting_link(
                meeting=self.meeting, proposal=self.theirs, actor=self.chair, excerpt="raised"
            )[1],
            "unchanged",
        )
        actions.do_decide_link_suggestion(
            suggestion=suggestion, actor=self.other_chair, accept=True
        )
        events = Event.objects.count()
        with self.assertRaisesMessage(StaleState, "was confirmed by xchair"):
            actions.do_decide_link_suggestion(
                suggestion=suggestion, actor=self.other_chair, accept=False
            )
        self.assertEqual(Event.objects.count(), events)
        self.assertEqual(
            actions.do_suggest_meeting_link(
                meeting=self.meeting, proposal=self.theirs, actor=self.chair, excerpt="again"
            )[1],
            "decided",
        )
        self.assertEqual(ProposalMeeting.objects.get().excerpt, "raised")
