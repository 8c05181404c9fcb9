"""Editing a proposal's text: only in draft or discussion, each change a new revision."""

from __future__ import annotations

from proposals import actions
from proposals.errors import InvalidTransition, LifecycleError
from proposals.models import Event, Proposal
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_project, make_proposal


class EditTestCase(LifecycleTestCase):
    def make(self, state: str = State.DRAFT, **fields) -> Proposal:
        return make_proposal(self.committee, self.member, state=state, chair=self.chair, **fields)


class EditTests(EditTestCase):
    def test_it_bumps_the_revision_in_draft_and_discussion(self):
        for state in (State.DRAFT, State.DISCUSSION):
            with self.subTest(state=state):
                proposal = self.make(state, title="Move cf-uaa-legacy to the attic")

                actions.do_edit_proposal(
                    proposal=proposal,
                    actor=self.member,
                    reason="Clearer title.",
                    title="Move the legacy UAA to the attic",
                )

                proposal.refresh_from_db()
                self.assertEqual(proposal.state, state)
                self.assertEqual(proposal.title, "Move the legacy UAA to the attic")
                self.assertEqual(proposal.revision, 2)
                event = proposal.events.last()
                self.assertEqual(event.action, "proposal.edited")
                self.assertEqual(event.actor, self.member)
                self.assertEqual(event.reason, "Clearer title.")
                self.assertEqual(event.payload["revision"], 2)
                self.assertEqual(
                    event.payload["changed"],
                    {
                        "title": {
                            "from": "Move cf-uaa-legacy to the attic",
                            "to": "Move the legacy UAA to the attic",
                        }
                    },
                )

    def test_it_bumps_the_revision_once_per_edit(self):
        proposal = self.make(State.DISCUSSION)

        actions.do_edit_proposal(proposal=proposal, actor=self.member, body="One", condition="Two")
        actions.do_edit_proposal(proposal=proposal, actor=self.chair, body="Three")

        proposal.refresh_from_db()
        self.assertEqual(proposal.revision, 3)
        edits = proposal.events.filter(action="proposal.edited")
        self.assertEqual([e.payload["revision"] for e in edits], [2, 3])
        self.assertEqual(set(edits[0].payload["changed"]), {"body", "condition"})
        self.assertEqual(edits[1].actor, self.chair)

    def test_it_writes_nothing_when_nothing_changes(self):
        proposal = self.make(State.DISCUSSION, title="Same")
        events = Event.objects.count()

        actions.do_edit_proposal(proposal=proposal, actor=self.member, title="Same")

        proposal.refresh_from_db()
        self.assertEqual(proposal.revision, 1)
        self.assertEqual(Event.objects.count(), events)

    def test_it_keeps_the_revision_when_only_the_proposing_team_changes(self):
        proposal = self.make(State.DISCUSSION)

        actions.do_edit_proposal(proposal=proposal, actor=self.member, proposing_team="CLI team")

        proposal.refresh_from_db()
        self.assertEqual(proposal.proposing_team, "CLI team")
        self.assertEqual(proposal.revision, 1)
        self.assertEqual(proposal.events.last().action, "proposal.edited")

    def test_it_records_a_changed_project_by_name(self):
        old = make_project(self.committee, "garden-linux")
        new = make_project(self.committee, "garden-runc")
        proposal = self.make(State.DRAFT, project=old)

        actions.do_edit_proposal(proposal=proposal, actor=self.member, project=new)

        proposal.refresh_from_db()
        self.assertEqual(proposal.project, new)
        self.assertEqual(proposal.revision, 2)
        self.assertEqual(
            proposal.events.last().payload["changed"],
            {"project": {"from": "garden-linux", "to": "garden-runc"}},
        )

    def test_it_refuses_fields_that_are_not_editable(self):
        proposal = self.make(State.DRAFT)
        events = Event.objects.count()

        for field, value in (("kind", Kind.RENAME), ("revision", 7), ("proposer", self.chair)):
            with self.subTest(field=field), self.assertRaises(LifecycleError):
                actions.do_edit_proposal(proposal=proposal, actor=self.member, **{field: value})

        proposal.refresh_from_db()
        self.assertEqual((proposal.kind, proposal.revision), (Kind.ATTIC, 1))
        self.assertEqual(proposal.proposer, self.member)
        self.assertEqual(Event.objects.count(), events)

    def test_it_refuses_a_project_of_another_committee(self):
        proposal = self.make(State.DRAFT)
        project = proposal.project
        foreign = make_project(self.other_committee, "foreign-project")
        events = Event.objects.count()

        with self.assertRaises(LifecycleError) as refused:
            actions.do_edit_proposal(proposal=proposal, actor=self.member, project=foreign)

        self.assertIn(str(self.other_committee), refused.exception.message)
        proposal.refresh_from_db()
        self.assertEqual(proposal.project, project)
        self.assertEqual(Event.objects.count(), events)

    def test_it_refuses_an_empty_title(self):
        proposal = self.make(State.DRAFT, title="Keep me")
        events = Event.objects.count()

        with self.assertRaises(LifecycleError):
            actions.do_edit_proposal(proposal=proposal, actor=self.member, title="  ")

        proposal.refresh_from_db()
        self.assertEqual(proposal.title, "Keep me")
        self.assertEqual(Event.objects.count(), events)


class EditRefusedTests(EditTestCase):
    def test_it_refuses_edits_during_the_vote(self):
        proposal = self.make(State.VOTING, body="Original.")
        events = Event.objects.count()

        with self.assertRaises(InvalidTransition) as refused:
            actions.do_edit_proposal(proposal=proposal, actor=self.member, body="Changed.")

        self.assertIn("return it to discussion", refused.exception.message)
        proposal.refresh_from_db()
        self.assertEqual((proposal.body, proposal.revision), ("Original.", 1))
        self.assertEqual(proposal.state, State.VOTING)
        self.assertEqual(Event.objects.count(), events)

    def test_it_allows_the_edit_once_returned_to_discussion(self):
        proposal = self.make(State.VOTING, body="Original.")
        actions.do_return_to_discussion(proposal=proposal, actor=self.chair)

        actions.do_edit_proposal(proposal=proposal, actor=self.member, body="Changed.")

        proposal.refresh_from_db()
        self.assertEqual((proposal.body, proposal.revision), ("Changed.", 2))

    def test_it_refuses_edits_once_the_text_is_settled(self):
        for state in (
            State.ACCEPTED,
            State.REJECTED,
            State.COMPLETED,
            State.WITHDRAWN,
            State.DEFERRED,
        ):
            with self.subTest(state=state):
                proposal = self.make(state, body="Original.")
                events = Event.objects.count()

                with self.assertRaises(InvalidTransition) as refused:
                    actions.do_edit_proposal(proposal=proposal, actor=self.chair, body="Changed.")

                self.assertIn("only change in draft or discussion", refused.exception.message)
                self.assertNotIn("return it to discussion", refused.exception.message)
                proposal.refresh_from_db()
                self.assertEqual((proposal.body, proposal.revision), ("Original.", 1))
                self.assertEqual(Event.objects.count(), events)


class BodyHtmlTests(EditTestCase):
    def test_it_renders_the_body_when_the_proposal_is_filed(self):
        proposal = self.make(State.DRAFT, body="Move it to the **attic**.\n\n- archive\n- announce")

        proposal.refresh_from_db()
        self.assertIn("<strong>attic</strong>", proposal.body_html)
        self.assertIn("<li>archive</li>", proposal.body_html)

    def test_it_renders_the_body_again_after_an_edit(self):
        proposal = self.make(State.DISCUSSION, body="*first*")

        actions.do_edit_proposal(
            proposal=proposal, actor=self.member, body="See [the notes](https://example.org/notes)."
        )

        proposal.refresh_from_db()
        self.assertNotIn("<em>first</em>", proposal.body_html)
        self.assertIn('href="https://example.org/notes"', proposal.body_html)
        self.assertIn(">the notes</a>", proposal.body_html)

    def test_it_strips_unsafe_html_from_the_body(self):
        proposal = self.make(
            State.DRAFT,
            body='<script>alert(1)</script>[click](javascript:alert(1)) <b onclick="x()">b</b>',
        )

        proposal.refresh_from_db()
        self.assertNotIn("<script", proposal.body_html)
        self.assertNotIn("javascript:", proposal.body_html)
        self.assertNotIn("onclick", proposal.body_html)
