"""The vote panel of a proposal's page: a closed vote reads as its result, a ballot sent
back keeps what was chosen and says what to fix where it was filled in, everyone who
cannot vote is told why, and the chair chooses when a vote closes."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pmc.models import Membership
from proposals import actions
from proposals.actors import SYSTEM
from proposals.errors import LifecycleError
from proposals.models import Event, Proposal, Vote
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user

DAY = datetime.timedelta(days=1)

# Words that tell the reader a vote is still going on.
STILL_OPEN = ("So far", "not yet voted", "Quorum:", "Closes ", " left</p>", ">not yet<")


class VotePanelTestCase(LifecycleTestCase):
    def make(self, state: str = State.VOTING, **fields) -> Proposal:
        return make_proposal(
            self.committee, self.member, state=state, chair=self.chair, kind=Kind.OTHER, **fields
        )

    def page(self, proposal: Proposal, who=None):
        if who is None:
            self.client.logout()
        else:
            self.client.force_login(who)
        return self.client.get(proposal.get_absolute_url())

    def vote_panel(self, response) -> str:
        """The vote panel's HTML."""
        html = response.content.decode()
        match = re.search(r'<section class="card" id="vote".*?</section>', html, re.S)
        self.assertIsNotNone(match, "the page has no vote panel")
        return match[0]


class ClosedVoteTests(VotePanelTestCase):
    def closed(self) -> Proposal:
        """Accepted at the deadline: two +1, a -1 with its reason, a recusal, and the
        fourth member never voted."""
        proposal = self.make()
        actions.do_cast_vote(proposal=proposal, actor=self.chair, value=1)
        actions.do_cast_vote(proposal=proposal, actor=self.member, value=1, reason="Ready.")
        actions.do_cast_vote(
            proposal=proposal, actor=self.other_member, value=-1, reason="Too soon."
        )
        actions.do_recuse(proposal=proposal, actor=self.third_member, reason="I lead it.")
        actions.do_close_vote(proposal=proposal, actor=SYSTEM, at=proposal.closes_at)
        proposal.refresh_from_db()
        return proposal

    def test_it_reads_a_closed_vote_as_its_result(self):
        proposal = self.closed()

        response = self.page(proposal, self.member)

        panel = self.vote_panel(response)
        self.assertIn("Accepted: +1 2, −1 1, 0 0, 1 recused; quorum 2 of 3 reached.", panel)
        self.assertIn(f"Closed {timezone.localtime(proposal.vote_closed_at):%Y-%m-%d %H:%M}", panel)
        for words in STILL_OPEN:
            self.assertNotIn(words, panel)
        self.assertNotIn("Cast my vote", panel)
        self.assertNotIn("Recuse myself", panel)

    def test_it_shows_how_each_member_voted(self):
        proposal = self.make()
        actions.do_cast_vote(proposal=proposal, actor=self.chair, value=1)
        actions.do_cast_vote(
            proposal=proposal, actor=self.other_member, value=-1, reason="Too soon."
        )
        actions.do_recuse(proposal=proposal, actor=self.third_member, reason="I lead it.")
        actions.do_close_vote(proposal=proposal, actor=SYSTEM, at=proposal.closes_at)

        panel = self.vote_panel(self.page(proposal))

        self.assertIn("How each member voted", panel)
        self.assertNotIn("<details>", panel, "the ballots of a closed vote are not hidden")
        texts = [
            " ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr><td>.*?</tr>", panel, re.S)
        ]
        rows = {text.split()[0]: text for text in texts}
        self.assertEqual(rows["chair"], "chair +1")
        self.assertEqual(rows["member"], "member did not vote")
        self.assertEqual(rows["other_member"], "other_member -1 Too soon.")
        self.assertEqual(rows["third_member"], "third_member recused I lead it.")

    def test_it_reads_a_rejected_vote_and_one_without_quorum(self):
        rejected = self.make()
        for voter, value in ((self.chair, -1), (self.member, 1), (self.other_member, -1)):
            actions.do_cast_vote(proposal=rejected, actor=voter, value=value, reason="Because.")
        actions.do_close_vote(proposal=rejected, actor=SYSTEM, at=rejected.closes_at)
        self.committee.quorum_extensions = 0
        self.committee.save()
        deferred = self.make()
        actions.do_cast_vote(proposal=deferred, actor=self.chair, value=1)
        actions.do_close_vote(proposal=deferred, actor=SYSTEM, at=deferred.closes_at)

        for proposal, result in (
            (rejected, "Rejected: +1 1, −1 2, 0 0, 1 did not vote; quorum 3 of 4 reached."),
            (deferred, "No quorum: +1 1, −1 0, 0 0, 3 did not vote; quorum 3 of 4 not reached."),
        ):
            with self.subTest(state=proposal.state):
                panel = self.vote_panel(self.page(proposal, self.member))

                self.assertIn(result, panel)
                for words in STILL_OPEN:
                    self.assertNotIn(words, panel)

    def test_it_says_what_happened_after_the_chair_closes_the_vote(self):
        proposal = self.make()
        for voter in (self.chair, self.member, self.other_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)
        actions.do_cast_vote(proposal=proposal, actor=self.third_member, value=-1, reason="No.")
        self.client.force_login(self.chair)

        response = self.client.post(
            reverse("proposals:transition", args=[proposal.pk, "close_vote"]),
            {"close_vote-expected_state": State.VOTING},
            follow=True,
        )

        self.assertContains(
            response,
            '<li class="success">The vote closed: accepted (+1 3, −1 1, 0 0; quorum 3 of 4 '
            "reached).</li>",
            html=True,
        )
        self.assertNotContains(response, "Done: close the vote")

    def test_it_says_that_a_vote_without_quorum_was_extended_or_deferred(self):
        self.client.force_login(self.chair)
        url = "proposals:transition"
        for extensions, said in (
            (
                1,
                "The vote missed its quorum (+1 1, −1 0, 0 0, 3 did not vote; quorum 3 of 4 "
                "not reached), so it is extended until ",
            ),
            (
                0,
                "The vote closed without a quorum, so the proposal is deferred (+1 1, −1 0, "
                "0 0, 3 did not vote; quorum 3 of 4 not reached).",
            ),
        ):
            with self.subTest(extensions=extensions):
                self.committee.quorum_extensions = extensions
                self.committee.save()
                proposal = self.make(State.DISCUSSION)
                started = timezone.now() - 4 * DAY
                actions.do_start_vote(proposal=proposal, actor=self.chair, at=started)
                actions.do_cast_vote(proposal=proposal, actor=self.chair, value=1, at=started)

                response = self.client.post(
                    reverse(url, args=[proposal.pk, "close_vote"]),
                    {"close_vote-expected_state": State.VOTING},
                    follow=True,
                )

                self.assertContains(response, escape(said))


class MinusOneWithoutReasonTests(VotePanelTestCase):
    def test_it_keeps_the_choice_and_shows_the_error_at_the_reason(self):
        proposal = self.make()
        self.client.force_login(self.other_member)

        response = self.client.post(
            reverse("proposals:vote", args=[proposal.pk]), {"value": "-1", "reason": "  "}
        )

        self.assertEqual(response.status_code, 200)
        panel = self.vote_panel(response)
        self.assertIn('value="-1" required id="id_value_2" checked', panel)
        self.assertInHTML(
            '<ul class="errorlist" id="id_reason_error">'
            "<li>A -1 needs a reason: say what would change your vote.</li></ul>",
            panel,
        )
        reason = re.search(r"<textarea [^>]*>", panel)[0]
        self.assertIn('aria-invalid="true"', reason)
        self.assertIn('aria-describedby="id_reason_helptext id_reason_error"', reason)
        self.assertIn("Your vote was not recorded", panel)
        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())
        self.assertFalse(proposal.events.filter(action__startswith="vote.").exists())

    def test_its_form_returns_the_reader_to_the_vote_panel(self):
        proposal = self.make()
        self.client.force_login(self.other_member)

        response = self.client.post(reverse("proposals:vote", args=[proposal.pk]), {"value": "-1"})

        # The browser shows the answer to the form at the form's address, #vote included.
        self.assertContains(response, f'action="/proposals/{proposal.pk}/vote/#vote"')
        self.assertContains(response, 'id="vote"')

    def test_it_keeps_a_reason_typed_without_a_choice(self):
        proposal = self.make()
        self.client.force_login(self.other_member)

        response = self.client.post(
            reverse("proposals:vote", args=[proposal.pk]), {"reason": "Half of a thought"}
        )

        panel = self.vote_panel(response)
        self.assertIn("Half of a thought</textarea>", panel)
        self.assertIn("This field is required.", panel)
        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())

    def test_it_records_the_vote_once_the_reason_is_given(self):
        proposal = self.make()
        self.client.force_login(self.other_member)
        url = reverse("proposals:vote", args=[proposal.pk])
        self.client.post(url, {"value": "-1"})

        response = self.client.post(url, {"value": "-1", "reason": "Not before 2.0."})

        self.assertRedirects(response, f"{proposal.get_absolute_url()}#vote")
        self.assertEqual(Vote.objects.get(proposal=proposal).reason, "Not before 2.0.")


class WhyNoBallotTests(VotePanelTestCase):
    """Where the ballot would be, whoever cannot vote reads why, by the rule that the vote
    action applies: whoever gets no ballot is refused by the action, and the reverse."""

    def readers(self, proposal: Proposal) -> dict[str, object]:
        today = timezone.localdate()
        former = make_user("former")
        make_member(self.committee, former, started_on=today - 90 * DAY, ended_on=today - DAY)
        future = make_user("future")
        make_member(self.committee, future, started_on=today + 5 * DAY)
        late = make_member(self.committee, make_user("late"))  # after the vote began
        return {
            "anonymous": None,
            "outsider": self.outsider,
            "foreign_member": self.foreign_member,
            "former": former,
            "future": future,
            "late": late,
            "member": self.other_member,
        }

    def test_each_reader_is_told_why_they_get_no_ballot(self):
        proposal = self.make()
        today = timezone.localdate()
        expected = {
            "anonymous": "Only members of Runtime vote.",
            "outsider": "Only members of Runtime vote; you can follow the vote here.",
            "foreign_member": "Only members of Runtime vote; you can follow the vote here.",
            "former": f"Your seat on Runtime ended on {today - DAY:%Y-%m-%d}, so you no "
            "longer vote; you can follow the vote here.",
            "future": f"Your seat on Runtime starts on {today + 5 * DAY:%Y-%m-%d}; you vote "
            "from then.",
            "late": None,
            "member": None,
        }
        for name, reader in self.readers(proposal).items():
            with self.subTest(reader=name):
                panel = self.vote_panel(self.page(proposal, reader))

                if expected[name] is None:
                    self.assertIn("Cast my vote", panel)
                    self.assertNotIn('class="cannot"', panel)
                else:
                    self.assertIn(f"{escape(expected[name])}</p>", panel)
                    self.assertNotIn("Cast my vote", panel)

    def test_the_ballot_is_offered_to_exactly_those_the_vote_action_accepts(self):
        proposal = self.make()
        for name, reader in self.readers(proposal).items():
            if reader is None:
                continue
            with self.subTest(reader=name):
                offered = "Cast my vote" in self.vote_panel(self.page(proposal, reader))
                try:
                    actions.do_cast_vote(proposal=proposal, actor=reader, value=1)
                    accepted = True
                except LifecycleError:
                    accepted = False

                self.assertEqual(offered, accepted)

    def test_a_visitor_signs_in_and_comes_back_to_the_vote(self):
        proposal = self.make()

        panel = self.vote_panel(self.page(proposal))

        url = f"{reverse('login')}?next=/proposals/{proposal.pk}/%23vote"
        self.assertIn(f'<a href="{url}">Sign in to vote</a>', panel)
        back = f"/proposals/{proposal.pk}/#vote"
        self.assertContains(self.client.get(url), f'name="next" value="{back}"')
        response = self.client.post(
            url, {"username": "other_member", "password": "pw", "next": back}
        )
        self.assertRedirects(response, back, fetch_redirect_response=False)

    def test_a_frozen_voter_whose_seat_ended_during_the_vote_still_votes(self):
        proposal = self.make()
        Membership.objects.filter(user=self.third_member).update(ended_on=timezone.localdate())

        panel = self.vote_panel(self.page(proposal, self.third_member))

        self.assertIn("Cast my vote", panel)

    def test_a_late_member_is_told_their_vote_will_not_count(self):
        proposal = self.make()
        late = make_member(self.committee, make_user("late"), started_on=timezone.localdate())

        panel = self.vote_panel(self.page(proposal, late))

        self.assertIn("so your vote will be shown but not counted (non-binding)", panel)

    def test_a_recused_member_reads_that_they_may_vote_instead(self):
        proposal = self.make()
        actions.do_recuse(proposal=proposal, actor=self.third_member, reason="I lead it.")

        panel = self.vote_panel(self.page(proposal, self.third_member))

        self.assertIn(
            "You recused yourself (“I lead it.”): you are out of this vote and of its quorum. "
            "If the conflict no longer applies, cast a vote below instead",
            panel,
        )
        self.assertIn("Cast my vote", panel)
        self.assertNotIn("Recuse myself", panel)

    def test_the_chair_reads_when_the_vote_can_be_closed(self):
        proposal = self.make()

        panel = self.vote_panel(self.page(proposal, self.chair))

        self.assertIn("You can close the vote early once every voter has voted", panel)
        for voter in (self.chair, self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)
        self.assertNotIn(
            "You can close the vote early", self.vote_panel(self.page(proposal, self.chair))
        )

    def test_no_one_votes_before_the_vote_starts(self):
        proposal = self.make(State.DISCUSSION)
        for reader in (None, self.member, self.chair):
            with self.subTest(reader=reader):
                panel = self.vote_panel(self.page(proposal, reader))

                self.assertIn(
                    "Not open yet: the chair of Runtime starts the vote when the discussion "
                    "is done. Members then have at least 72 hours to vote.",
                    panel,
                )
                self.assertNotIn("Cast my vote", panel)
                said = "You start it under Actions, where you can choose when it closes."
                self.assertEqual(said in panel, reader == self.chair)

    def test_no_one_votes_after_the_deadline(self):
        proposal = self.make(State.DISCUSSION)
        actions.do_start_vote(proposal=proposal, actor=self.chair, at=timezone.now() - 4 * DAY)

        panel = self.vote_panel(self.page(proposal, self.member))

        self.assertIn("The deadline has passed", panel)
        self.assertIn("no more votes are accepted", panel)
        self.assertNotIn("Cast my vote", panel)


class StartVoteDeadlineTests(VotePanelTestCase):
    def start(self, proposal: Proposal, closes_at: str, reason: str = ""):
        self.client.force_login(self.chair)
        return self.client.post(
            reverse("proposals:transition", args=[proposal.pk, "start_vote"]),
            {
                "start_vote-expected_state": State.DISCUSSION,
                "start_vote-reason": reason,
                "start_vote-closes_at": closes_at,
            },
        )

    def test_it_offers_the_chair_a_deadline_within_the_committees_rules(self):
        proposal = self.make(State.DISCUSSION)

        response = self.page(proposal, self.chair)

        self.assertContains(
            response, '<label for="id_start_vote-closes_at">Closes at (UTC):</label>'
        )
        field = re.search(
            r'<input [^>]*name="start_vote-closes_at"[^>]*>', response.content.decode()
        )[0]
        self.assertIn('type="datetime-local"', field)
        self.assertRegex(field, r'min="\d{4}-\d\d-\d\dT\d\d:\d\d"')
        self.assertRegex(field, r'max="\d{4}-\d\d-\d\dT\d\d:\d\d"')
        self.assertContains(
            response,
            "Leave empty to close 72 hours after the start, Runtime's rule; or choose a "
            "time from 72 hours to 14 days after the start.",
        )

    def test_it_closes_at_the_chosen_deadline(self):
        proposal = self.make(State.DISCUSSION)
        chosen = (timezone.now() + 5 * DAY).replace(second=0, microsecond=0)

        response = self.start(proposal, f"{chosen:%Y-%m-%dT%H:%M}")

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        self.assertEqual(proposal.closes_at, chosen)
        self.assertMessage(response, f"The vote is open until {chosen:%Y-%m-%d %H:%M} UTC.")

    def test_it_keeps_the_committees_duration_when_no_deadline_is_chosen(self):
        proposal = self.make(State.DISCUSSION)

        self.start(proposal, "")

        proposal.refresh_from_db()
        self.assertEqual(
            proposal.closes_at - proposal.vote_started_at, datetime.timedelta(hours=72)
        )

    def test_it_refuses_a_deadline_outside_the_rules_saying_the_range(self):
        proposal = self.make(State.DISCUSSION)
        events = Event.objects.count()
        for days in (1, 20):
            with self.subTest(days=days):
                chosen = f"{timezone.now() + days * DAY:%Y-%m-%dT%H:%M}"

                response = self.start(proposal, chosen, reason="Ready to decide.")

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "The vote can close from ")
                self.assertContains(
                    response, "(72 hours after it starts, the committee&#x27;s rule) to "
                )
                self.assertContains(response, "(14 days after it starts);")
                # Nothing typed is lost, and the form is open where it was filled in.
                self.assertContains(response, f'value="{chosen}"')
                self.assertContains(response, "Ready to decide.</textarea>")
                self.assertContains(response, '<details id="action-start_vote" open>')
                self.assertContains(
                    response,
                    f'action="/proposals/{proposal.pk}/transition/start_vote/#action-start_vote"',
                )
                proposal.refresh_from_db()
                self.assertEqual(proposal.state, State.DISCUSSION)
                self.assertEqual(Event.objects.count(), events)

    def test_it_refuses_a_deadline_that_is_no_date(self):
        proposal = self.make(State.DISCUSSION)

        response = self.start(proposal, "next Friday")

        self.assertContains(response, "Enter a valid date/time.")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)

    def assertMessage(self, response, text: str) -> None:
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get(response["Location"]), escape(text))
