"""The home page tells a chair what waits for them in each committee they chair, and
tells everyone which checklist items of accepted proposals they own."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from pmc.models import Role
from proposals import actions, todos
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user

HOME = reverse("proposals:home")
DAY = datetime.timedelta(days=1)


class ChairTodosTests(LifecycleTestCase):
    def proposal(self, title: str, state: str = State.DRAFT, **fields):
        return make_proposal(
            self.committee, self.member, state=state, chair=self.chair, title=title, **fields
        )

    def submitted(self, title: str, days_ago: int):
        proposal = self.proposal(title)
        actions.do_submit(proposal=proposal, actor=self.member, at=timezone.now() - days_ago * DAY)
        return proposal

    def todos_of(self, user) -> str:
        self.client.force_login(user)
        page = self.client.get(HOME).content.decode()
        start = page.find('<div id="todos"')
        return page[start : page.find("</div>", start)] if start >= 0 else ""

    def test_it_lists_votes_ready_to_close(self):
        everyone_voted = self.proposal("Everyone voted", State.VOTING)
        for voter in (self.chair, self.member, self.other_member):
            actions.do_cast_vote(proposal=everyone_voted, actor=voter, value=1)
        actions.do_recuse(proposal=everyone_voted, actor=self.third_member, reason="Conflict.")
        still_open = self.proposal("Still open", State.VOTING)
        actions.do_cast_vote(proposal=still_open, actor=self.member, value=1)
        past_deadline = self.submitted("Past its deadline", days_ago=10)
        actions.do_start_vote(proposal=past_deadline, actor=self.chair, at=timezone.now() - 4 * DAY)

        section = self.todos_of(self.chair)

        self.assertIn("Your to-dos as chair of Runtime", section)
        self.assertIn("Votes ready to close", section)
        self.assertIn(f'href="{everyone_voted.get_absolute_url()}#vote">Everyone voted<', section)
        self.assertIn("every eligible member has voted", section)
        self.assertIn(f'href="{past_deadline.get_absolute_url()}#vote">Past its deadline<', section)
        self.assertIn("the deadline passed", section)
        self.assertNotIn("Still open", section)

    def test_it_lists_proposals_discussed_for_the_committees_discussion_time(self):
        self.submitted("Discussed eight days", days_ago=8)
        self.submitted("Discussed two days", days_ago=2)

        section = self.todos_of(self.chair)

        self.assertIn("Discussed long enough to vote", section)
        self.assertIn("Discussed eight days", section)
        self.assertIn("(8 days)", section)
        self.assertNotIn("Discussed two days", section)
        self.assertIn("Runtime discusses a proposal for 7 days before its vote.", section)

        self.committee.discussion_days = 1
        self.committee.save(update_fields=["discussion_days"])
        self.assertIn("Discussed two days", self.todos_of(self.chair))

    def test_it_counts_discussion_from_the_last_return_to_discussion(self):
        proposal = self.submitted("Deferred and resumed", days_ago=20)
        actions.do_defer(proposal=proposal, actor=self.chair, at=timezone.now() - 10 * DAY)
        actions.do_resume(proposal=proposal, actor=self.chair, at=timezone.now() - 3 * DAY)
        self.assertNotIn("Deferred and resumed", self.todos_of(self.chair))

    def test_it_lists_accepted_proposals_waiting_on_items_drafts_and_deferred_ones(self):
        accepted = self.proposal("Carry me out", State.ACCEPTED, kind=Kind.ATTIC)
        done = self.proposal("All ticked", State.ACCEPTED, kind=Kind.ATTIC)
        for item in done.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.chair)
        self.proposal("A draft of mine")
        self.proposal("Parked for now", State.DEFERRED)

        section = self.todos_of(self.chair)

        self.assertIn("Accepted, waiting on checklist items", section)
        self.assertIn(f'href="{accepted.get_absolute_url()}#checklist">Carry me out<', section)
        self.assertIn("2 items open", section)  # archive and announce; the attic is the system's
        self.assertNotIn("All ticked", section)
        self.assertIn("A draft of mine", section)
        self.assertIn("by member", section)
        self.assertIn("Deferred", section)
        self.assertIn("Parked for now", section)

    def test_it_lists_the_latest_drafts_and_links_to_the_rest(self):
        for i in range(todos.LISTED + 2):
            self.proposal(f"Draft number {i}")
        section = self.todos_of(self.chair)
        self.assertIn(f"Draft number {todos.LISTED + 1}", section)
        self.assertNotIn("Draft number 0<", section)
        self.assertIn(f"All {todos.LISTED + 2} drafts of Runtime", section)
        self.assertIn(f"?committee={self.committee.pk}&amp;state=draft", section)

    def test_it_says_when_nothing_waits(self):
        self.assertIn("Nothing waits for you in Runtime.", self.todos_of(self.chair))

    def test_only_the_committees_chair_sees_its_to_dos(self):
        self.proposal("A draft of mine")
        foreign_chair = make_member(self.other_committee, make_user("foreign_chair"), Role.CHAIR)
        for user in (self.member, self.outsider, foreign_chair):
            with self.subTest(user=user.username):
                self.assertNotIn("A draft of mine", self.todos_of(user))
                self.assertNotIn("as chair of Runtime", self.todos_of(user))
        self.client.logout()
        self.assertNotContains(self.client.get(HOME), "Your to-dos")


class OwnedItemsTests(LifecycleTestCase):
    def test_owners_see_their_open_items_on_their_home_page(self):
        accepted = make_proposal(
            self.committee, self.member, state=State.ACCEPTED, chair=self.chair, title="Attic it"
        )
        first, second = accepted.checklist.to_do().order_by("position")
        actions.do_set_checklist_item(item=first, actor=self.member)
        self.client.force_login(self.member)

        response = self.client.get(HOME)

        self.assertContains(response, "Your checklist items")
        self.assertContains(response, second.text)
        self.assertNotContains(response, first.text)
        self.assertNotContains(response, "Move the project to the attic in the project list")
        self.assertContains(response, f'href="{accepted.get_absolute_url()}#checklist">Attic it<')

    def test_no_one_else_sees_them(self):
        make_proposal(self.committee, self.member, state=State.ACCEPTED, chair=self.chair)
        self.client.force_login(self.other_member)
        self.assertNotContains(self.client.get(HOME), "Your checklist items")
