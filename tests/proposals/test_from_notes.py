"""Proposals raised in meeting notes have no proposer; the chair moves them."""

from proposals import actions
from proposals.errors import NotPermitted
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_project


class FromNotesTests(LifecycleTestCase):
    def setUp(self):
        self.proposal = actions.do_create_proposal(
            actor=self.chair,
            committee=self.committee,
            kind=Kind.ATTIC,
            title="Move Diego-Enabler to the attic",
            project=make_project(self.committee, "Diego-Enabler"),
            proposing_team="CLI team",
            from_notes=True,
        )

    def test_it_records_no_proposer_for_a_proposal_from_notes(self):
        self.assertIsNone(self.proposal.proposer)
        self.assertEqual(self.proposal.events.get().actor, self.chair)

    def test_it_lets_the_chair_submit_and_withdraw_it(self):
        actions.do_submit(proposal=self.proposal, actor=self.chair)
        actions.do_withdraw(proposal=self.proposal, actor=self.chair)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.WITHDRAWN)

    def test_it_refuses_a_member_submitting_it(self):
        with self.assertRaises(NotPermitted):
            actions.do_submit(proposal=self.proposal, actor=self.member)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DRAFT)
