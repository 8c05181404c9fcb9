"""A committee's page: its members with their roles and seats, its voting rules in
words, its open proposals and its meetings; committee names link to it."""

from __future__ import annotations

import datetime
import re
from unittest.mock import patch

from django.contrib.auth.views import redirect_to_login
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from pmc.models import PassRule, Role
from proposals.states import Kind, State
from proposals.views import paging
from proposals.voting_rules import duration, in_words
from tests.base import LifecycleTestCase
from tests.factories import make_committee, make_meeting, make_member, make_proposal, make_user

DAY = datetime.timedelta(days=1)


def text_of(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


class CommitteePageTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        cls.url = reverse("proposals:committee", args=[cls.committee.slug])
        cls.ada = make_member(
            cls.committee,
            make_user("ada", first_name="Ada", last_name="Lovelace"),
            started_on=datetime.date(2016, 3, 1),
            ended_on=datetime.date(2019, 6, 30),
            role=Role.CHAIR,
        )
        cls.newcomer = make_member(
            cls.committee,
            make_user("grace", first_name="Grace", last_name="Hopper"),
            started_on=today + 10 * DAY,
        )
        cls.voting = make_proposal(
            cls.committee, cls.member, state=State.VOTING, chair=cls.chair, title="Vote on it"
        )
        cls.draft = make_proposal(cls.committee, cls.member, kind=Kind.OTHER, title="Draft it")
        cls.deferred = make_proposal(
            cls.committee, cls.member, state=State.DEFERRED, chair=cls.chair, title="Later"
        )
        cls.withdrawn = make_proposal(
            cls.committee, cls.member, state=State.WITHDRAWN, title="Gone away"
        )
        cls.elsewhere = make_proposal(
            cls.other_committee, cls.foreign_member, kind=Kind.OTHER, title="Not ours"
        )
        cls.meeting = make_meeting(cls.committee, date=datetime.date(2017, 5, 16), title="May")

    def test_it_lists_the_members_with_their_roles_and_seats(self):
        response = self.client.get(self.url)

        text = text_of(response)
        since = (timezone.localdate() - 30 * DAY).isoformat()
        self.assertIn("Members (4)", text)
        self.assertIn(f"chair · Chair · since {since}", text)
        self.assertLess(text.index("chair · Chair"), text.index("member · Member"))
        self.assertIn(f"Joining Grace Hopper · Member · from {self.newcomer_start()}", text)
        self.assertIn("Former members Ada Lovelace · Chair · 2016-03-01 to 2019-06-30", text)
        self.assertNotIn("foreign_member", text)

    def newcomer_start(self) -> str:
        return (timezone.localdate() + 10 * DAY).isoformat()

    def test_it_says_the_voting_rules_in_words(self):
        response = self.client.get(self.url)

        self.assertContains(response, "More binding +1 than binding −1 votes; a tie fails.")
        self.assertContains(response, "A vote stays open 72 hours (3 days).")
        self.assertContains(
            response,
            "The vote is extended once, by 72 hours (3 days); if quorum is still missed, "
            "the proposal is deferred.",
        )

    def test_its_rules_follow_the_committee(self):
        strict = make_committee(
            "Strict",
            pass_rule=PassRule.TWO_THIRDS_ELIGIBLE,
            vote_duration_hours=100,
            quorum_extensions=0,
        )

        response = self.client.get(reverse("proposals:committee", args=[strict.slug]))

        self.assertContains(response, "+1 from at least two-thirds of the eligible voters")
        self.assertContains(response, "A vote stays open 100 hours.")
        self.assertContains(response, "<dd>The proposal is deferred.</dd>", html=True)
        self.assertContains(response, "No one holds a seat today.")
        self.assertContains(response, "No open proposals.")
        self.assertContains(response, "No meetings yet.")

    def test_rules_in_words_cover_every_pass_rule_and_extension_count(self):
        for rule in PassRule:
            for extensions in (0, 1, 2, 3):
                rules = {
                    "pass_rule": rule,
                    "duration_hours": 72,
                    "quorum_extensions": extensions,
                    "extension_hours": 24,
                }
                with self.subTest(rule=rule, extensions=extensions):
                    words = dict(in_words(rules))
                    self.assertEqual(len(words), 7)
                    if extensions == 3:
                        self.assertIn(
                            "extended 3 times, by 24 hours (1 day) each", words["Missed quorum"]
                        )
        self.assertEqual(duration(1), "1 hour")
        self.assertEqual(duration(48), "48 hours (2 days)")

    def test_it_lists_the_open_proposals_most_pressing_first(self):
        response = self.client.get(self.url)

        text = text_of(response)
        self.assertIn("Open proposals (3)", text)
        self.assertLess(text.index("Vote on it"), text.index("Later"))
        self.assertLess(text.index("Later"), text.index("Draft it"))
        self.assertIn("vote closes", text)
        self.assertNotIn("Gone away", text)
        self.assertNotIn("Not ours", text)
        self.assertContains(response, f'href="{reverse("proposals:list")}?committee=')

    def test_its_count_of_open_proposals_stops_at_the_cap(self):
        with patch.object(paging, "COUNT_CAP", 2):
            text = text_of(self.client.get(self.url))
        self.assertIn("Open proposals (2+)", text)

    def test_it_lists_the_meetings(self):
        response = self.client.get(self.url)

        self.assertContains(response, f'<a href="{self.meeting.get_absolute_url()}">')
        self.assertContains(response, "All 1 meeting of Runtime")
        self.assertContains(response, "?committee=runtime")

    def test_it_offers_the_readings_to_review_to_the_chair_only(self):
        readings = reverse("proposals:readings", args=[self.committee.slug])
        self.assertNotContains(self.client.get(self.url), readings)
        self.client.force_login(self.member)
        self.assertNotContains(self.client.get(self.url), readings)
        self.client.force_login(self.chair)
        self.assertContains(self.client.get(self.url), readings)

    def test_an_unknown_committee_is_not_found(self):
        response = self.client.get(reverse("proposals:committee", args=["nowhere"]))

        self.assertEqual(response.status_code, 404)

    def test_committee_names_link_to_their_page(self):
        project = self.voting.project
        for url in (
            reverse("proposals:list"),
            self.voting.get_absolute_url(),
            reverse("proposals:meeting_list"),
            self.meeting.get_absolute_url(),
            reverse("proposals:project_list"),
            project.get_absolute_url(),
        ):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), f'<a href="{self.url}">Runtime</a>')

    @override_settings(PMC_PUBLIC_READ=False)
    def test_it_is_for_members_when_reading_is_for_members(self):
        response = self.client.get(self.url)
        self.assertRedirects(
            response, redirect_to_login(self.url).url, fetch_redirect_response=False
        )
        self.client.force_login(self.outsider)
        self.assertContains(self.client.get(self.url), "for members", status_code=403)
        self.client.force_login(self.foreign_member)
        self.assertContains(self.client.get(self.url), "Vote on it")
