"""An accepted proposal's page says what remains before it is completed, who owns each
item, and what completing does by itself, which nobody is asked to do."""

from __future__ import annotations

import re

from proposals import actions
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

SYSTEM_ITEM = "Move the project to the attic in the project list"


class WhatRemainsTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for user, (first, last) in {
            cls.chair: ("Amelia", "Chen"),
            cls.member: ("Bruno", "Silva"),
        }.items():
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])

    def setUp(self) -> None:
        self.proposal = make_proposal(
            self.committee, self.member, state=State.ACCEPTED, chair=self.chair, kind=Kind.ATTIC
        )

    def panel(self, user=None) -> str:
        if user:
            self.client.force_login(user)
        page = self.client.get(self.proposal.get_absolute_url()).content.decode()
        match = re.search(r'<section class="card what-remains".*?</section>', page, re.S)
        return re.sub(r"\s+", " ", match.group(0)) if match else ""

    def test_it_says_what_remains_who_owns_it_and_what_completing_does(self):
        panel = self.panel()

        self.assertIn("Accepted: what remains", panel)
        self.assertIn("It is completed once these 2 items are done:", panel)
        for item in self.proposal.checklist.to_do():
            self.assertIn(f'<li>{item.text} <span class="muted">· Bruno Silva</span></li>', panel)
        self.assertIn("Then the chair (Amelia Chen) marks it completed", panel)
        self.assertIn("completing it does the rest:", panel)
        self.assertIn(f'{SYSTEM_ITEM} <span class="muted">· done by the system', panel)

    def test_it_asks_no_one_to_tick_what_the_system_does(self):
        self.client.force_login(self.chair)
        page = self.client.get(self.proposal.get_absolute_url()).content.decode()
        checklist = page[page.index('id="checklist"') : page.index('id="meetings-h"')]
        self.assertEqual(checklist.count("Mark done"), 2)
        self.assertNotIn(f'Mark done<span class="visually-hidden">: {SYSTEM_ITEM}', checklist)
        self.assertIn("done by the system when the proposal is completed", checklist)

    def test_it_says_who_completes_it_once_every_item_is_done(self):
        for item in self.proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.member)

        panel = self.panel(self.member)

        self.assertIn(
            "Every checklist item is done: the chair (Amelia Chen) can mark it completed", panel
        )
        self.assertIn(SYSTEM_ITEM, panel)

    def test_an_item_without_an_owner_is_the_chairs(self):
        self.proposal.checklist.to_do().update(owner=None)
        self.assertIn("no owner: the chair ticks it", self.panel())

    def test_a_completed_proposal_shows_the_system_item_done_and_no_panel(self):
        for item in self.proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.member)
        actions.do_complete(proposal=self.proposal, actor=self.chair)

        response = self.client.get(self.proposal.get_absolute_url())

        self.assertNotContains(response, "what remains")
        self.assertContains(response, "done by the system on completion")

    def test_no_panel_before_the_decision(self):
        voting = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        self.assertNotContains(self.client.get(voting.get_absolute_url()), "what remains")
