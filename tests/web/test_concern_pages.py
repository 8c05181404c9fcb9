"""Concerns and watching on the web: who may raise and resolve a concern (GET and POST,
for an anonymous visitor, an outsider, a member of another committee, a former member,
a member, the chair and staff), what the proposal page says where "Start the vote"
would be, the vote panel, titles rendered inert, Watch and Unwatch, the home page and a
person's page."""

from __future__ import annotations

import datetime

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmc.models import Membership
from proposals import actions, watching
from proposals.models import Concern, Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user

ACTORS = ("anonymous", "outsider", "foreign_member", "former", "member", "chair", "staff")
XSS = '<script>alert("t")</script><img src=x onerror=alert(1)>'


class ConcernPageTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.former = make_user("former")
        Membership.objects.create(
            user=cls.former,
            committee=cls.committee,
            started_on=datetime.date(2020, 1, 1),
            ended_on=datetime.date(2021, 1, 1),
        )
        cls.staff = make_user("staff", is_staff=True)
        cls.other_member.first_name, cls.other_member.last_name = "Julz", "Friedman"
        cls.other_member.save()

    def setUp(self) -> None:
        super().setUp()
        self.proposal = make_proposal(self.committee, self.third_member, state=State.DISCUSSION)

    def sign_in(self, who: str) -> None:
        self.client.logout()
        if who != "anonymous":
            self.client.force_login(getattr(self, who))

    def raise_url(self) -> str:
        return reverse("proposals:raise_concern", args=[self.proposal.pk])

    def resolve_url(self, concern: Concern) -> str:
        return reverse("proposals:resolve_concern", args=[self.proposal.pk, concern.pk])

    def concern(self, actor=None, title="Wait for the DEAs") -> Concern:
        return actions.do_raise_concern(
            proposal=self.proposal,
            actor=actor or self.other_member,
            title=title,
            explanation="They still depend on it.",
        )


class RaiseMatrixTests(ConcernPageTestCase):
    def test_who_may_open_the_form_and_raise_a_concern(self):
        allowed = {"member", "chair"}
        for who in ACTORS:
            with self.subTest(who=who):
                self.sign_in(who if who != "member" else "other_member")
                before = Concern.objects.count()
                get = self.client.get(self.raise_url())
                post = self.client.post(
                    self.raise_url(), {"title": f"From {who}", "explanation": "Because."}
                )
                if who == "anonymous":
                    login = redirect_to_login(self.raise_url()).url
                    self.assertRedirects(get, login, fetch_redirect_response=False)
                    self.assertRedirects(post, login, fetch_redirect_response=False)
                    self.assertEqual(Concern.objects.count(), before)
                elif who in allowed:
                    self.assertContains(get, "Raise the concern")
                    concern = Concern.objects.get(title=f"From {who}")
                    self.assertRedirects(
                        post,
                        f"{self.proposal.get_absolute_url()}#concern-{concern.pk}",
                        fetch_redirect_response=False,
                    )
                else:
                    self.assertContains(
                        get, "Only members of Runtime raise concerns", status_code=403
                    )
                    self.assertEqual(post.status_code, 403)
                    self.assertEqual(Concern.objects.count(), before)

    def test_a_form_with_errors_comes_back_with_what_was_typed(self):
        self.sign_in("chair")
        explanation = "A long explanation I do not want to type again."

        response = self.client.post(
            self.raise_url(), {"title": "x" * 201, "explanation": explanation}
        )

        self.assertContains(response, "The concern was not raised")
        self.assertContains(response, explanation)
        self.assertFalse(Concern.objects.exists())

    def test_a_post_without_the_csrf_token_is_refused(self):
        client = self.client_class(enforce_csrf_checks=True)
        client.force_login(self.chair)

        response = client.post(self.raise_url(), {"title": "T", "explanation": "E"})

        self.assertEqual(response.status_code, 403)
        self.assertFalse(Concern.objects.exists())

    def test_on_a_decided_proposal_the_form_says_why_not(self):
        self.proposal = make_proposal(
            self.committee, self.third_member, state=State.REJECTED, chair=self.chair
        )
        self.sign_in("chair")

        response = self.client.get(self.raise_url(), follow=True)

        self.assertContains(response, "a concern is raised while a proposal is discussed")


class ResolveMatrixTests(ConcernPageTestCase):
    def test_who_may_resolve_a_concern(self):
        # other_member raised it; "member" here is the third one, who did not.
        allowed = {"other_member", "chair"}
        for who in (*ACTORS, "other_member"):
            with self.subTest(who=who):
                concern = self.concern(title=f"Concern for {who}")
                self.sign_in(who if who != "member" else "third_member")
                get = self.client.get(self.resolve_url(concern))
                post = self.client.post(self.resolve_url(concern), {"reason": "Answered."})
                concern.refresh_from_db()
                if who == "anonymous":
                    self.assertEqual(get.status_code, 302)
                    self.assertIn(reverse("login"), get["Location"])
                    self.assertTrue(concern.is_open)
                elif who in allowed:
                    self.assertContains(get, "Resolve the concern")
                    self.assertEqual(post.status_code, 302)
                    self.assertFalse(concern.is_open)
                    self.assertEqual(concern.resolution, "Answered.")
                else:
                    self.assertContains(get, "who raised it, or the chair", status_code=403)
                    self.assertEqual(post.status_code, 403)
                    self.assertTrue(concern.is_open)

    def test_the_chair_without_a_reason_is_told_and_nothing_changes(self):
        concern = self.concern()
        self.sign_in("chair")

        response = self.client.post(self.resolve_url(concern), {"reason": ""}, follow=True)

        self.assertContains(response, "Say why you resolve Julz Friedman&#x27;s concern")
        concern.refresh_from_db()
        self.assertTrue(concern.is_open)


class ProposalPageTests(ConcernPageTestCase):
    def test_the_page_says_why_the_vote_cannot_start_where_the_button_would_be(self):
        self.concern()
        self.sign_in("chair")

        response = self.client.get(self.proposal.get_absolute_url())

        self.assertNotContains(response, "transition/start_vote/")
        self.assertContains(response, 'id="start-vote-blocked"')
        self.assertContains(
            response,
            "Julz Friedman raised a concern: “Wait for the DEAs”. Resolve it (Julz Friedman, "
            "or the chair with a reason) before starting the vote.",
        )

    def test_a_stale_start_the_vote_is_refused_with_the_concerns_title(self):
        self.sign_in("chair")
        page = self.client.get(self.proposal.get_absolute_url())
        self.assertContains(page, "Start the vote")
        self.concern()

        response = self.client.post(
            reverse("proposals:transition", args=[self.proposal.pk, "start_vote"]),
            {"expected_state": State.DISCUSSION, "reason": ""},
            follow=True,
        )

        self.assertContains(response, "raised a concern: “Wait for the DEAs”")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)

    def test_everyone_else_reads_why_in_the_vote_panel(self):
        self.concern()
        for who in ("anonymous", "outsider", "third_member"):
            with self.subTest(who=who):
                self.sign_in(who)
                response = self.client.get(self.proposal.get_absolute_url())
                self.assertContains(response, 'id="vote-blocked"')
                self.assertContains(response, "Julz Friedman raised a concern: “Wait for the DEAs”")
                self.assertNotContains(response, 'id="start-vote-blocked"')

    def test_once_resolved_the_button_is_back_and_the_concern_stays(self):
        concern = self.concern()
        actions.do_resolve_concern(concern=concern, actor=self.other_member)
        self.sign_in("chair")

        response = self.client.get(self.proposal.get_absolute_url())

        self.assertContains(response, "transition/start_vote/")
        self.assertNotContains(response, 'id="start-vote-blocked"')
        self.assertContains(response, "Wait for the DEAs")
        self.assertContains(response, "resolved by Julz Friedman")

    def test_a_concern_title_is_shown_inert_everywhere(self):
        self.concern(title=XSS)
        for who in ("anonymous", "chair", "other_member"):
            with self.subTest(who=who):
                self.sign_in(who)
                for url in (self.proposal.get_absolute_url(), reverse("proposals:home")):
                    response = self.client.get(url)
                    self.assertNotContains(response, "<script>alert")
                    self.assertNotContains(response, "<img src=x")
        self.sign_in("other_member")
        self.assertContains(self.client.get(reverse("proposals:home")), "&lt;script&gt;")

    def test_the_vote_panel_shows_open_concerns_to_whoever_has_not_voted(self):
        actions.do_start_vote(proposal=self.proposal, actor=self.chair)
        concern = self.concern(title="Raised during the vote")
        actions.do_cast_vote(proposal=self.proposal, actor=self.chair, value=1)

        self.sign_in("third_member")
        self.assertContains(self.client.get(self.proposal.get_absolute_url()), 'id="vote-concerns"')
        self.sign_in("chair")
        self.assertNotContains(
            self.client.get(self.proposal.get_absolute_url()), 'id="vote-concerns"'
        )
        actions.do_resolve_concern(concern=concern, actor=self.other_member)
        self.sign_in("third_member")
        self.assertNotContains(
            self.client.get(self.proposal.get_absolute_url()), 'id="vote-concerns"'
        )

    def test_the_page_runs_as_many_queries_for_many_concerns_as_for_one(self):
        self.concern()
        self.sign_in("chair")
        url = self.proposal.get_absolute_url()
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for i in range(60):
            concern = self.concern(actor=self.chair if i % 2 else self.other_member, title=f"C{i}")
            if i % 3 == 0:
                actions.do_resolve_concern(concern=concern, actor=self.chair, reason="Done.")
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertContains(response, "C59")
        self.assertEqual(len(few.captured_queries), len(many.captured_queries))


class WatchTests(ConcernPageTestCase):
    def watch(self, value: str):
        return self.client.post(
            reverse("proposals:watch", args=[self.proposal.pk]), {"watching": value}
        )

    def test_watch_and_unwatch(self):
        self.sign_in("outsider")
        self.assertContains(self.client.get(self.proposal.get_absolute_url()), ">Watch</button>")

        self.watch("1")
        self.assertTrue(watching.is_watching(self.outsider, self.proposal))
        self.assertContains(self.client.get(self.proposal.get_absolute_url()), ">Unwatch</button>")
        self.watch("0")
        self.assertFalse(watching.is_watching(self.outsider, self.proposal))

    def test_the_proposer_watches_until_they_unwatch(self):
        self.sign_in("third_member")
        self.assertTrue(watching.is_watching(self.third_member, self.proposal))

        self.watch("0")
        actions.do_post_comment(proposal=self.proposal, actor=self.third_member, body="Still here.")

        self.assertFalse(watching.is_watching(self.third_member, self.proposal))

    def test_anonymous_visitors_are_sent_to_sign_in_and_a_get_is_refused(self):
        response = self.watch("1")
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
        self.sign_in("member")
        self.assertEqual(
            self.client.get(reverse("proposals:watch", args=[self.proposal.pk])).status_code, 405
        )

    def test_watching_writes_no_event(self):
        self.sign_in("outsider")
        before = Event.objects.count()
        self.watch("1")
        self.assertEqual(Event.objects.count(), before)


class HomeAndPeopleTests(ConcernPageTestCase):
    def test_the_home_page_lists_the_concerns_i_raised_open_first(self):
        old = self.concern(title="Resolved one")
        actions.do_resolve_concern(concern=old, actor=self.other_member)
        self.concern(title="Still open")
        self.concern(actor=self.chair, title="Not mine")
        self.sign_in("other_member")

        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, "Concerns you raised")
        content = response.content.decode()
        self.assertLess(content.index("Still open"), content.index("Resolved one"))
        self.assertNotContains(response, "Not mine")

    def test_the_chairs_to_dos_say_the_vote_waits_for_open_concerns(self):
        self.committee.discussion_days = 0
        self.committee.save()
        self.concern()
        self.concern(actor=self.chair, title="Another")
        self.sign_in("chair")

        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, "the vote waits for 2 open concerns")

    def test_the_home_page_runs_as_many_queries_for_many_concerns_as_for_one(self):
        self.concern()
        self.sign_in("other_member")
        url = reverse("proposals:home")
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for i in range(40):
            proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
            concern = actions.do_raise_concern(
                proposal=proposal, actor=self.other_member, title=f"C{i}", explanation="E."
            )
            if i % 2:
                actions.do_resolve_concern(concern=concern, actor=self.other_member)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertContains(response, "C38")
        self.assertEqual(len(few.captured_queries), len(many.captured_queries))

    def test_a_mention_links_to_a_page_of_the_person(self):
        comment = actions.do_post_comment(
            proposal=self.proposal, actor=self.chair, body="@other_member, thoughts?"
        )
        self.assertIn('href="/people/other_member/"', comment.body_html)

        response = self.client.get(reverse("proposals:person", args=["other_member"]))

        self.assertContains(response, "Julz Friedman")
        self.assertContains(response, reverse("proposals:committee", args=[self.committee.slug]))
        self.assertEqual(
            self.client.get(reverse("proposals:person", args=["nobody"])).status_code, 404
        )
        self.outsider.is_active = False
        self.outsider.save()
        self.assertEqual(
            self.client.get(reverse("proposals:person", args=["outsider"])).status_code, 404
        )
