"""The Readings to review page: for the committee's chair and staff, with each reading's
evidence (escaped), its proposal and what is held, and a form per review; its queries
do not grow with the readings listed."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmc.models import Role
from proposals import actions
from proposals.importing import apply_import
from proposals.models import Reading
from proposals.states import ReadingStatus, State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_member, make_proposal, make_user
from tests.readings.notes import PROPOSED, RENAMED, notes_file


class ReadingsPageTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.foreign_chair = make_member(
            cls.other_committee, make_user("foreign_chair"), role=Role.CHAIR
        )
        cls.staff = make_user("staff", is_staff=True)
        apply_import([notes_file()])
        cls.url = reverse("proposals:readings", args=[cls.committee.slug])

    def review_url(self, reading: Reading, decision: str) -> str:
        return reverse("proposals:review_reading", args=[self.committee.slug, reading.pk, decision])

    def test_it_shows_the_chair_each_reading_with_its_evidence_and_forms(self):
        self.client.force_login(self.chair)
        response = self.client.get(self.url)
        self.assertContains(response, "Readings to review: Runtime")
        rename = Reading.objects.get(key=RENAMED)
        self.assertContains(response, "We renamed the cf-networking-helpers repo")
        self.assertContains(response, reverse("proposals:meeting_detail", args=[rename.meeting_id]))
        self.assertContains(response, f"line {rename.line}")
        self.assertContains(response, "rule: <code>change-words</code>", html=False)
        self.assertContains(response, "<dt>Held until confirmed</dt><dd>decide → complete</dd>")
        self.assertContains(response, rename.proposal.get_absolute_url())
        for decision in ("confirm", "correct", "merge", "dismiss"):
            self.assertContains(response, self.review_url(rename, decision))
        self.assertContains(response, "csrfmiddlewaretoken")

    def test_it_escapes_the_quoted_notes(self):
        Reading.objects.filter(key=RENAMED).update(quote="<script>alert('x')</script>")
        self.client.force_login(self.chair)
        response = self.client.get(self.url)
        self.assertNotContains(response, "<script>alert")
        self.assertContains(response, "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;")

    def test_staff_see_it(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_refuses_members_and_other_committees_chairs(self):
        for who in (self.member, self.foreign_chair, self.outsider):
            with self.subTest(who=who.username):
                self.client.force_login(who)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                reading = Reading.objects.get(key=PROPOSED)
                response = self.client.post(self.review_url(reading, "confirm"))
                self.assertEqual(response.status_code, 403)
                self.assertEqual(Reading.objects.get(key=PROPOSED).status, "unreviewed")

    def test_it_sends_anonymous_users_to_sign_in(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('login')}?next={self.url}")
        reading = Reading.objects.get(key=PROPOSED)
        response = self.client.post(self.review_url(reading, "dismiss"), {})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Reading.objects.get(key=PROPOSED).status, "unreviewed")

    def test_a_review_is_a_post_with_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.chair)
        reading = Reading.objects.get(key=PROPOSED)
        response = client.post(self.review_url(reading, "confirm"))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Reading.objects.get(key=PROPOSED).status, "unreviewed")
        self.client.force_login(self.chair)
        self.assertEqual(self.client.get(self.review_url(reading, "confirm")).status_code, 405)

    def test_the_chair_dismisses_a_reading_from_the_page(self):
        self.client.force_login(self.chair)
        reading = Reading.objects.get(key=PROPOSED)
        response = self.client.post(
            self.review_url(reading, "dismiss"), {f"dismiss-{reading.pk}-reason": "Misread"}
        )
        self.assertRedirects(response, self.url)
        reading.refresh_from_db()
        self.assertEqual((reading.status, reading.reviewed_by), ("dismissed", self.chair))
        self.assertEqual(reading.proposal.state, State.WITHDRAWN)
        page = self.client.get(self.url)
        self.assertNotContains(page, "diego-enabler")
        self.assertContains(self.client.get(f"{self.url}?show=all"), "diego-enabler")

    def test_a_form_left_incomplete_says_what_is_missing(self):
        self.client.force_login(self.chair)
        reading = Reading.objects.get(key=PROPOSED)
        response = self.client.post(self.review_url(reading, "merge"), follow=True)
        self.assertContains(response, "Give the number of the proposal to merge into.")
        self.assertEqual(Reading.objects.get(key=PROPOSED).status, ReadingStatus.UNREVIEWED)

    def test_the_home_page_links_it_for_the_chair_with_the_count(self):
        self.client.force_login(self.chair)
        response = self.client.get(reverse("proposals:home"))
        self.assertContains(response, f'<a href="{self.url}">Readings to review</a>')
        self.assertContains(response, "(3 waiting)")
        self.client.force_login(self.member)
        self.assertNotContains(self.client.get(reverse("proposals:home")), self.url)

    def test_its_queries_do_not_grow_with_the_readings(self):
        self.client.force_login(self.chair)
        few = self.count_queries()
        meeting = make_meeting(self.committee)
        Reading.objects.bulk_create(
            Reading(
                meeting=meeting,
                key=f"attic:item{number}",
                kind="attic",
                subject=f"item{number}",
                confidence="low",
                quote="* a line",
                proposal=make_proposal(self.committee, self.member),
            )
            for number in range(30)
        )
        self.assertEqual(self.count_queries(), few)

    def count_queries(self) -> int:
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(self.url).status_code, 200)
        return len(queries)


class CompleteFromThePageTests(LifecycleTestCase):
    """The proposal page's complete button, posted for a proposal filed from notes whose
    reading waits for review, is refused with what to do."""

    NOTES = "# Runtime PMC meeting 2021-03-04\n\n## New business\n\n- Welcome garden-windows! Ana\n"

    def test_it_says_to_confirm_the_reading_first(self):
        apply_import([notes_file(self.NOTES)])
        proposal = Reading.objects.get().proposal
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.client.force_login(self.chair)
        for item in proposal.checklist.to_do():
            self.client.post(
                reverse("proposals:checklist_item", args=[proposal.pk, item.pk]), {"done": "1"}
            )
        self.assertFalse(proposal.checklist.to_do().exists())
        url = reverse("proposals:transition", args=[proposal.pk, "complete"])
        response = self.client.post(url, {"complete-expected_state": State.ACCEPTED})
        self.assertRedirects(response, proposal.get_absolute_url(), fetch_redirect_response=False)
        said = " ".join(str(message) for message in get_messages(response.wsgi_request))
        self.assertIn(f"Confirm the reading of “{proposal.title}”", said)
        self.assertIn("on Readings to review first", said)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)

    def test_the_proposal_page_says_completion_waits_and_links_the_chair_to_the_review(self):
        apply_import([notes_file(self.NOTES)])
        proposal = Reading.objects.get().proposal
        readings = reverse("proposals:readings", args=[self.committee.slug])

        self.client.force_login(self.chair)
        response = self.client.get(proposal.get_absolute_url())
        self.assertContains(response, "Completion waits for a review")
        self.assertContains(response, f'href="{readings}"')

        self.client.force_login(self.member)
        response = self.client.get(proposal.get_absolute_url())
        self.assertContains(response, "Completion waits for a review")
        self.assertNotContains(response, f'href="{readings}"')

    def test_the_page_says_nothing_of_a_review_once_the_reading_is_confirmed(self):
        apply_import([notes_file(self.NOTES)])
        reading = Reading.objects.get()
        actions.do_confirm_reading(reading=reading, actor=self.chair)
        self.client.force_login(self.chair)
        response = self.client.get(reading.proposal.get_absolute_url())
        self.assertNotContains(response, "Completion waits for a review")
