"""Recording a meeting's decision: only a meeting held since the proposal was filed and
not in the future can be chosen; the decision is recorded when it is made, names the
meeting, and links the proposal to it."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from proposals import actions
from proposals.errors import LifecycleError
from proposals.models import ProposalMeeting
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_project

DAY = datetime.timedelta(days=1)


class MeetingDecisionTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        cls.filed_on = today - 10 * DAY
        cls.long_ago = make_meeting(cls.committee, datetime.date(2017, 5, 16))
        cls.day_before = make_meeting(cls.committee, cls.filed_on - DAY)
        cls.same_day = make_meeting(cls.committee, cls.filed_on)
        cls.last_week = make_meeting(cls.committee, today - 7 * DAY)
        cls.tomorrow = make_meeting(cls.committee, today + DAY)
        cls.elsewhere = make_meeting(cls.other_committee, today - 7 * DAY)

    def setUp(self) -> None:
        filed_at = timezone.make_aware(datetime.datetime.combine(self.filed_on, datetime.time(9)))
        self.proposal = actions.do_create_proposal(
            actor=self.member,
            committee=self.committee,
            kind=Kind.ATTIC,
            title="Move Diego-Enabler to the attic",
            project=make_project(self.committee, "Diego-Enabler"),
            at=filed_at,
        )
        actions.do_submit(proposal=self.proposal, actor=self.member)
        self.client.force_login(self.chair)

    def decide(self, meeting, accepted: str = "1", reason: str = "", follow: bool = False):
        url = reverse("proposals:transition", args=[self.proposal.pk, "decide"])
        data = {
            "decide-expected_state": State.DISCUSSION,
            "decide-meeting": meeting.pk,
            "decide-accepted": accepted,
            "decide-reason": reason,
        }
        return self.client.post(url, data, follow=follow)

    def offered_meetings(self) -> set[int]:
        page = self.client.get(self.proposal.get_absolute_url()).content.decode()
        select = re.search(r'<select name="decide-meeting".*?</select>', page, re.S)
        self.assertIsNotNone(select, "the chair is offered no meeting to record the decision in")
        return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select[0])}

    def test_it_offers_only_meetings_held_since_the_proposal_was_filed(self):
        self.assertEqual(self.offered_meetings(), {self.same_day.pk, self.last_week.pk})

    def test_it_records_the_decision_now_naming_the_meeting_and_links_the_proposal(self):
        before = timezone.now()

        response = self.decide(self.last_week, reason="consensus, no objections")

        self.assertRedirects(
            response, self.proposal.get_absolute_url(), fetch_redirect_response=False
        )
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.ACCEPTED)
        self.assertEqual(self.proposal.decided_in, self.last_week)
        self.assertGreaterEqual(self.proposal.decided_at, before)
        event = self.proposal.events.get(action="proposal.decide")
        self.assertGreaterEqual(event.at, before)
        self.assertEqual(
            event.reason,
            f"Decided in Runtime's meeting of {self.last_week.date:%Y-%m-%d}: "
            "consensus, no objections",
        )
        self.assertEqual(event.payload["date"], self.last_week.date.isoformat())
        # The history reads in order: filed, submitted, then decided.
        actions_in_order = list(
            self.proposal.events.order_by("at", "id").values_list("action", flat=True)
        )
        self.assertEqual(actions_in_order[:2], ["proposal.created", "proposal.submit"])
        self.assertIn("proposal.decide", actions_in_order)
        linked = self.proposal.events.get(action="proposal.meeting_linked")
        self.assertEqual(linked.payload["meeting"], self.last_week.pk)
        self.assertGreaterEqual(linked.at, before)
        self.assertTrue(
            ProposalMeeting.objects.filter(proposal=self.proposal, meeting=self.last_week).exists()
        )

        detail = self.client.get(self.proposal.get_absolute_url())
        self.assertNotContains(detail, "Not yet raised in a meeting")
        meeting_page = self.client.get(self.last_week.get_absolute_url())
        self.assertContains(meeting_page, escape(self.proposal.title))

    def test_it_names_the_meeting_when_no_reason_is_given(self):
        self.decide(self.same_day, accepted="0")

        event = self.proposal.events.get(action="proposal.decide")
        self.assertEqual(event.reason, f"Decided in Runtime's meeting of {self.filed_on:%Y-%m-%d}.")

    def test_it_refuses_a_forged_post_naming_an_earlier_or_future_meeting(self):
        for meeting in (self.long_ago, self.day_before, self.tomorrow, self.elsewhere):
            with self.subTest(meeting=str(meeting)):
                response = self.decide(meeting, follow=True)

                self.assertContains(response, "This decision cannot be recorded in that meeting.")
                self.assertContains(
                    response,
                    f"Choose a meeting of Runtime held between {self.filed_on:%Y-%m-%d}, "
                    "when the proposal was filed, and today",
                )
                self.proposal.refresh_from_db()
                self.assertEqual(self.proposal.state, State.DISCUSSION)
                self.assertFalse(self.proposal.events.filter(action="proposal.decide").exists())
                self.assertFalse(ProposalMeeting.objects.filter(proposal=self.proposal).exists())

    def test_the_action_refuses_a_meeting_held_before_the_proposal_was_filed(self):
        with self.assertRaisesMessage(
            LifecycleError,
            f"Runtime's meeting of 2017-05-16 was held before “{self.proposal}” was filed.",
        ):
            actions.do_decide(
                proposal=self.proposal, actor=self.chair, accepted=True, meeting=self.long_ago
            )
        with self.assertRaisesMessage(LifecycleError, "has not been held yet"):
            actions.do_decide(
                proposal=self.proposal, actor=self.chair, accepted=True, meeting=self.tomorrow
            )
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)
