from django.urls import reverse

from pmc.models import Membership
from proposals import actions
from proposals.models import Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal


class ConcurrentEditTests(LifecycleTestCase):
    def setUp(self):
        self.proposal = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, title="Attic the plugin"
        )
        self.url = reverse("proposals:edit", args=[self.proposal.pk])

    def post_edit(self, title: str, revision: int):
        return self.client.post(
            self.url,
            {
                "title": title,
                "project": self.proposal.project_id,
                "body": "",
                "revision": revision,
                "save": "1",
            },
        )

    def test_it_refuses_an_edit_made_on_an_outdated_text(self):
        self.client.force_login(self.member)
        opened_at = self.proposal.revision
        actions.do_edit_proposal(proposal=self.proposal, actor=self.chair, title="Chair's title")
        edits = Event.objects.filter(action="proposal.edited").count()

        response = self.post_edit("Member's title", opened_at)

        self.assertContains(response, "was changed by someone else")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "Chair's title")
        self.assertEqual(Event.objects.filter(action="proposal.edited").count(), edits)

    def test_it_saves_an_edit_made_on_the_current_text(self):
        self.client.force_login(self.member)

        response = self.post_edit("Attic the Diego-Enabler plugin", self.proposal.revision)

        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "Attic the Diego-Enabler plugin")


class VoteDetailsTests(LifecycleTestCase):
    def setUp(self):
        self.proposal = make_proposal(
            self.committee, self.member, state=State.VOTING, chair=self.chair
        )

    def test_it_shows_a_plus_one_as_plus_one_in_the_history(self):
        actions.do_cast_vote(proposal=self.proposal, actor=self.member, value=1)

        response = self.client.get(self.proposal.get_absolute_url())

        timeline = response.content.decode().split('class="timeline"')[1]
        self.assertIn("<strong>member</strong> voted +1.", timeline)

    def test_it_offers_the_ballot_to_a_frozen_voter_whose_seat_ended(self):
        seat = Membership.objects.get(user=self.third_member, committee=self.committee)
        actions.do_end_membership(membership=seat, actor=self.chair)
        self.client.force_login(self.third_member)

        response = self.client.get(self.proposal.get_absolute_url())

        self.assertContains(response, "Cast my vote")
