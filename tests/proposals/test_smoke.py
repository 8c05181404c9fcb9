from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal


class ReachEveryStateTests(LifecycleTestCase):
    def test_it_reaches_every_state_through_actions(self):
        for state in State.values:
            proposal = make_proposal(self.committee, self.member, state=state, chair=self.chair)
            self.assertEqual(proposal.state, state)
            self.assertEqual(proposal.events.last().to_state or proposal.state, state)
