"""The history reads as sentences: the proposal's timeline and the audit page name the
person who acted by their full name, and say the vote, the checklist item and what an
edit changed, for every action the application writes."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from pmc.models import Role
from proposals import actions, audit, event_sentences, events, lifecycle
from proposals.actors import IMPORT, SYSTEM
from proposals.models import Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_proposal, make_user


class HistoryTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for user, (first, last) in {
            cls.chair: ("Amelia", "Chen"),
            cls.member: ("Bruno", "Silva"),
            cls.other_member: ("Chidi", "Okafor"),
            cls.third_member: ("Dara", "Novak"),
        }.items():
            user.first_name, user.last_name = first, last
            user.save()

    def timeline(self, proposal) -> str:
        page = self.client.get(proposal.get_absolute_url()).content.decode()
        return page.split('class="timeline"')[1].split("</ol>")[0]

    def audit_rows(self, **params) -> str:
        response = self.client.get(reverse("proposals:audit_log"), params)
        return response.content.decode().split("<tbody>")[1].split("</tbody>")[0]


class TimelineTests(HistoryTestCase):
    def test_it_tells_a_vote_in_words_with_full_names(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        actions.do_cast_vote(proposal=proposal, actor=self.member, value=1)
        actions.do_cast_vote(
            proposal=proposal, actor=self.other_member, value=-1, reason="Not yet."
        )
        actions.do_cast_vote(proposal=proposal, actor=self.other_member, value=0)
        actions.do_recuse(proposal=proposal, actor=self.third_member, reason="I maintain it.")

        timeline = self.timeline(proposal)

        self.assertIn("<strong>Bruno Silva</strong> filed the proposal “Proposal", timeline)
        self.assertIn(
            "<strong>Bruno Silva</strong> submitted the proposal for discussion.", timeline
        )
        self.assertIn(
            "<strong>Amelia Chen</strong> started the vote on revision 1 of the text "
            "(4 members may vote, open for 72 hours).",
            timeline,
        )
        self.assertIn("<strong>Bruno Silva</strong> voted +1.", timeline)
        self.assertIn("<strong>Chidi Okafor</strong> voted −1.", timeline)
        self.assertIn("“Not yet.”", timeline)
        self.assertIn("<strong>Chidi Okafor</strong> changed their vote from −1 to 0.", timeline)
        self.assertIn(
            "<strong>Dara Novak</strong> recused themselves from the vote (a conflict of "
            "interest).",
            timeline,
        )
        for action in ("proposal.start_vote", "vote.cast", "vote.changed", "vote.recused"):
            self.assertNotIn(action, timeline)

    def test_it_tells_the_close_of_a_vote_with_its_tally(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        for voter in (self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)
        actions.do_close_vote(proposal=proposal, actor=self.chair)

        self.assertIn(
            "<strong>Amelia Chen</strong> closed the vote: accepted (+1 3, −1 0, 0 0, "
            "0 recused; quorum reached).",
            self.timeline(proposal),
        )

    def test_it_names_the_checklist_item_ticked(self):
        proposal = make_proposal(
            self.committee, self.member, state=State.ACCEPTED, chair=self.chair
        )
        item = proposal.checklist.first()
        actions.do_set_checklist_item(item=item, actor=self.chair)
        actions.do_set_checklist_item(item=item, actor=self.chair, done=False)

        timeline = self.timeline(proposal)

        self.assertIn(
            f"<strong>Amelia Chen</strong> ticked off the checklist item “{item.text}”.", timeline
        )
        self.assertIn(
            f"<strong>Amelia Chen</strong> reopened the checklist item “{item.text}”.", timeline
        )
        self.assertNotIn("checklist.done", timeline)

    def test_it_says_what_an_edit_changed_and_links_its_changes(self):
        proposal = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, title="Attic lattice"
        )
        actions.do_edit_proposal(
            proposal=proposal,
            actor=self.member,
            title="Move lattice to the attic",
            body="Nobody committed since 2019.",
            reason="Clearer.",
        )
        actions.do_edit_proposal(proposal=proposal, actor=self.chair, proposing_team="CLI team")

        timeline = self.timeline(proposal)

        changes = reverse("proposals:revision_changes", args=[proposal.pk, 2])
        self.assertIn(
            "<strong>Bruno Silva</strong> edited the proposal: changed the title from “Attic "
            "lattice” to “Move lattice to the attic” and changed the text, making revision 2 "
            f'(<a href="{changes}">see the changes in revision 2</a>).',
            timeline,
        )
        self.assertIn(
            "<strong>Amelia Chen</strong> edited the proposal: set the proposing team to "
            "“CLI team”.",
            timeline,
        )
        self.assertNotIn("proposal.edited", timeline)

    def test_it_tells_meeting_links_and_decisions(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        meeting = make_meeting(self.committee, date=timezone.localdate())
        held = f"{meeting.date:%Y-%m-%d}"
        actions.do_link_meeting(
            proposal=proposal, meeting=meeting, actor=IMPORT, section="Lifecycle"
        )
        actions.do_decide(proposal=proposal, actor=self.chair, accepted=True, meeting=meeting)

        timeline = self.timeline(proposal)

        url = meeting.get_absolute_url()
        self.assertIn(
            f'<strong>The notes import</strong> linked the proposal to <a href="{url}">the '
            f"meeting of {held}</a>, where it came up under “Lifecycle”.",
            timeline,
        )
        self.assertIn(
            f'<strong>Amelia Chen</strong> recorded the decision of <a href="{url}">the '
            f"meeting of {held}</a>: accepted.",
            timeline,
        )

    def test_it_escapes_what_people_typed(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_edit_proposal(
            proposal=proposal, actor=self.member, title="<script>alert(1)</script>"
        )

        timeline = self.timeline(proposal)

        self.assertNotIn("<script>", timeline)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", timeline)


class AuditPageTests(HistoryTestCase):
    def test_it_shows_the_vote_the_item_and_the_person_with_the_action_kept(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        actions.do_cast_vote(proposal=proposal, actor=self.other_member, value=-1, reason="No.")

        rows = self.audit_rows(proposal=proposal.pk)

        self.assertIn("Chidi Okafor", rows)
        self.assertIn("voted −1.", rows)
        # What an auditor filters and checks by stays: the user name, the action, the id.
        self.assertIn('<code class="action">other_member</code>', rows)
        self.assertIn('<code class="action">vote.cast</code>', rows)
        event = Event.objects.get(action="vote.cast")
        self.assertIn(f"<td>{event.pk}</td>", rows)

    def test_it_names_the_system_and_the_seat_holder(self):
        newcomer = make_user("newcomer", first_name="Nora", last_name="New")
        actions.do_add_member(
            committee=self.committee, user=newcomer, actor=self.chair, role=Role.MEMBER,
            started_on=datetime.date(2024, 1, 2),
        )  # fmt: skip
        make_proposal(self.committee, IMPORT)

        rows = self.audit_rows()

        self.assertIn("gave Nora New a seat on Runtime as member from 2024-01-02.", rows)
        self.assertIn("The notes import", rows)
        self.assertIn('<code class="action">system:import</code>', rows)

    def test_it_names_who_suggested_a_link_that_a_chair_confirmed(self):
        other_chair = make_user("erin", first_name="Erin", last_name="Ext")
        actions.do_add_member(
            committee=self.other_committee, user=other_chair, actor=SYSTEM, role=Role.CHAIR
        )
        meeting = make_meeting(self.other_committee, date=datetime.date(2017, 6, 1))
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        suggestion, _ = actions.do_suggest_meeting_link(
            meeting=meeting, proposal=proposal, actor=other_chair
        )
        actions.do_decide_link_suggestion(suggestion=suggestion, actor=self.chair, accept=True)

        self.assertIn(
            "<strong>Amelia Chen</strong> confirmed that the proposal came up in "
            f'<a href="{meeting.get_absolute_url()}">the Extensions meeting of 2017-06-01</a>, '
            "as Erin Ext suggested.",
            self.timeline(proposal),
        )
        self.assertIn("suggested to the chair of Runtime that their proposal", self.audit_rows())


class EveryActionTests(HistoryTestCase):
    def test_every_action_the_application_writes_has_its_own_wording(self):
        written = {
            value
            for name, value in vars(events).items()
            if name.isupper() and isinstance(value, str)
        } | {events.transition(name) for name in lifecycle.TRANSITIONS}

        self.assertEqual(written - set(event_sentences.WORDING), set())

    def test_an_unknown_action_still_reads_as_a_sentence(self):
        audit.record(
            action="proposal.teleport",
            actor=IMPORT,
            committee=self.committee,
            from_state="draft",
            to_state="voting",
        )
        audit.record(action="rocket.launched", actor=self.member, committee=self.committee)

        rows = self.audit_rows()

        self.assertIn("ran “teleport” on the proposal (draft → voting).", rows)
        self.assertIn("recorded “rocket.launched”.", rows)

    def test_each_sample_event_reads_without_its_action_name(self):
        for action in event_sentences.WORDING:
            with self.subTest(action=action):
                event = Event(action=action, actor_name="system:import", payload={})
                text = str(event_sentences.describe(event))
                self.assertTrue(text.endswith("."), text)
                self.assertNotIn(action, text)
