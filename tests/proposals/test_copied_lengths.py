"""Text copied from one field into another column fits there: the longest condition the
form takes becomes a checklist step in full, a long title becomes a project's name or an
e-mail subject in a short form that says it was cut."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from pmc.models import Project
from proposals import actions, notifications
from proposals.models import ChecklistItem, Notification, Proposal
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_proposal

LONGEST_CONDITION = "when the last foundation that ships it " + "x" * 461
LONGEST_TITLE = "Incubate " + "a-very-long-project-name " * 11 + "y" * 16


class LongConditionTests(LifecycleTestCase):
    """`Proposal.condition` takes 500 characters; its checklist step quotes it whole."""

    def test_the_longest_condition_fits(self):
        self.assertEqual(len(LONGEST_CONDITION), Proposal._meta.get_field("condition").max_length)

    def test_the_chair_accepts_and_completes_a_proposal_with_the_longest_condition(self):
        proposal = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, condition=LONGEST_CONDITION
        )
        meeting = make_meeting(self.committee, timezone.localdate())
        self.client.force_login(self.chair)

        response = self.client.post(
            reverse("proposals:transition", args=[proposal.pk, "decide"]),
            {
                "decide-expected_state": State.DISCUSSION,
                "decide-meeting": meeting.pk,
                "decide-accepted": "1",
            },
        )

        self.assertEqual(response.status_code, 302)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        first = proposal.checklist.order_by("position").first()
        self.assertEqual(first.text, f"Condition met: {LONGEST_CONDITION}")
        for item in proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.chair)
        actions.do_complete(proposal=proposal, actor=self.chair)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.COMPLETED)
        self.assertEqual(
            ChecklistItem.objects.get(pk=first.pk).text, f"Condition met: {LONGEST_CONDITION}"
        )

    def test_a_vote_on_it_closes_as_accepted_with_the_condition_as_first_step(self):
        proposal = make_proposal(
            self.committee,
            self.member,
            state=State.VOTING,
            chair=self.chair,
            condition=LONGEST_CONDITION,
        )
        for voter in (self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)

        actions.do_close_vote(proposal=proposal, actor=self.chair)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        texts = list(proposal.checklist.order_by("position").values_list("text", flat=True))
        self.assertEqual(texts[0], f"Condition met: {LONGEST_CONDITION}")


class LongTitleTests(LifecycleTestCase):
    """`Proposal.title` takes 300 characters; a project's name 200, a subject 300 with the
    committee's name before the title."""

    def test_the_longest_title_fits(self):
        self.assertEqual(len(LONGEST_TITLE), Proposal._meta.get_field("title").max_length)

    def test_an_incubation_named_only_by_its_long_title_creates_its_project_on_completion(self):
        proposal = make_proposal(
            self.committee,
            self.member,
            state=State.ACCEPTED,
            chair=self.chair,
            kind=Kind.INCUBATION,
            title=LONGEST_TITLE,
        )
        for item in proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.chair)

        actions.do_complete(proposal=proposal, actor=self.chair)

        proposal.refresh_from_db()
        project = Project.objects.get(pk=proposal.project_id)
        limit = Project._meta.get_field("name").max_length
        self.assertEqual(len(project.name), limit)
        self.assertEqual(project.name, LONGEST_TITLE[: limit - 1] + "…")

    def test_the_subject_of_a_notification_about_a_long_title_is_cut_with_an_ellipsis(self):
        proposal = make_proposal(self.committee, self.member, title=LONGEST_TITLE)
        actions.do_submit(proposal=proposal, actor=self.member)

        notifications.drain_outbox()

        subjects = set(Notification.objects.values_list("subject", flat=True))
        self.assertEqual(len(subjects), 1)
        subject = subjects.pop()
        limit = Notification._meta.get_field("subject").max_length
        self.assertEqual(len(subject), limit)
        self.assertTrue(subject.startswith(f"[{self.committee}] Submitted for discussion: "))
        self.assertTrue(subject.endswith("…"), subject)
