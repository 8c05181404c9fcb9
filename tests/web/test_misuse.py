"""Bad input and misuse: late votes, double submissions, stale pages, edits during a vote,
forged posts without a CSRF token, markup typed by users, and made-up transition names."""

from __future__ import annotations

import base64
import datetime
import json
import re
from html.parser import HTMLParser

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from proposals import actions
from proposals.actors import IMPORT
from proposals.models import AuditCheck, ChecklistItem, EligibleVoter, Event, Proposal, Vote
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_project, make_proposal

HOURS_73 = datetime.timedelta(hours=73)


class LiveMarkup(HTMLParser):
    """Collects the elements and attributes of a page that could run script, but the
    site's own script files (a `<script src>` under STATIC_URL, which the CSP allows)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "script" and (dict(attrs).get("src") or "").startswith(settings.STATIC_URL):
            return
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src") and "javascript:" in "".join((value or "").split()).lower():
                self.found.append(f"<{tag} {name}={value}>")


class MisuseTestCase(LifecycleTestCase):
    def make(self, state: str, **fields) -> Proposal:
        return make_proposal(self.committee, self.member, state=state, chair=self.chair, **fields)

    def transition(self, proposal: Proposal, name: str, expected_state: str, **data):
        url = reverse("proposals:transition", args=[proposal.pk, name])
        data = {f"{name}-{key}": value for key, value in data.items()}
        return self.client.post(url, {f"{name}-expected_state": expected_state, **data})

    def follow(self, response):
        self.assertEqual(response.status_code, 302)
        return self.client.get(response["Location"])

    def assertNoScript(self, response) -> None:
        """No markup a user typed became live: no script or frame element, no event
        handler attribute, no javascript: link."""
        parser = LiveMarkup()
        parser.feed(response.content.decode())
        self.assertEqual(parser.found, [])


class LateVoteTests(MisuseTestCase):
    def setUp(self) -> None:
        discussion = self.make(State.DISCUSSION)
        self.proposal = actions.do_start_vote(
            proposal=discussion, actor=self.chair, at=timezone.now() - HOURS_73
        )
        self.assertLess(self.proposal.closes_at, timezone.now())
        self.client.force_login(self.other_member)

    def test_it_refuses_a_vote_after_the_deadline(self):
        response = self.client.post(
            reverse("proposals:vote", args=[self.proposal.pk]), {"value": "1"}
        )

        page = self.follow(response)
        self.assertContains(page, "no more votes are accepted")
        self.assertContains(page, escape(f"The vote on “{self.proposal.title}” closed at"))
        self.assertFalse(Vote.objects.filter(proposal=self.proposal).exists())
        self.assertFalse(self.proposal.events.filter(action__startswith="vote.").exists())

    def test_it_refuses_a_recusal_after_the_deadline(self):
        response = self.client.post(
            reverse("proposals:recuse", args=[self.proposal.pk]), {"reason": "conflict"}
        )

        self.assertContains(self.follow(response), "no more votes are accepted")
        self.assertFalse(Vote.objects.filter(proposal=self.proposal).exists())
        self.assertFalse(self.proposal.events.filter(action__startswith="vote.").exists())

    def test_it_refuses_changing_a_vote_after_the_deadline(self):
        actions.do_cast_vote(
            proposal=self.proposal,
            actor=self.other_member,
            value=1,
            at=self.proposal.vote_started_at,
        )

        response = self.client.post(
            reverse("proposals:vote", args=[self.proposal.pk]), {"value": "-1", "reason": "No"}
        )

        self.assertContains(self.follow(response), "no more votes are accepted")
        self.assertEqual(Vote.objects.get(proposal=self.proposal).value, 1)
        self.assertFalse(self.proposal.events.filter(action="vote.changed").exists())

    def test_it_offers_no_ballot_after_the_deadline(self):
        response = self.client.get(self.proposal.get_absolute_url())

        self.assertContains(response, "The deadline has passed")
        self.assertNotContains(response, reverse("proposals:vote", args=[self.proposal.pk]))


class DoubleSubmitTests(MisuseTestCase):
    def test_it_runs_a_double_submitted_transition_once(self):
        proposal = self.make(State.DISCUSSION)
        self.client.force_login(self.chair)

        first = self.transition(proposal, "start_vote", State.DISCUSSION, reason="go")
        self.assertContains(self.follow(first), "The vote is open until ")
        second = self.transition(proposal, "start_vote", State.DISCUSSION, reason="go")

        page = self.follow(second)
        self.assertContains(
            page,
            escape(
                f"“{proposal.title}” is now voting (it was discussion when the page was loaded). "
                "Reload the page and try again."
            ),
        )
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        self.assertEqual(proposal.vote_round, 1)
        self.assertEqual(proposal.events.filter(action="proposal.start_vote").count(), 1)
        self.assertEqual(EligibleVoter.objects.filter(proposal=proposal).count(), 4)

    def test_it_runs_a_double_submitted_decision_once(self):
        proposal = self.make(State.DISCUSSION)
        meeting = make_meeting(self.committee, timezone.localdate())
        self.client.force_login(self.chair)

        for _ in range(2):
            response = self.transition(
                proposal, "decide", State.DISCUSSION, meeting=meeting.pk, accepted="1"
            )

        self.assertContains(self.follow(response), "Reload the page and try again.")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertEqual(proposal.events.filter(action="proposal.decide").count(), 1)
        self.assertEqual(ChecklistItem.objects.filter(proposal=proposal).count(), 3)

    def test_it_records_a_double_submitted_vote_once(self):
        proposal = self.make(State.VOTING)
        self.client.force_login(self.other_member)
        url = reverse("proposals:vote", args=[proposal.pk])

        for _ in range(2):
            self.client.post(url, {"value": "1", "reason": "fine"})

        self.assertEqual(Vote.objects.filter(proposal=proposal).count(), 1)
        self.assertEqual(proposal.events.filter(action__startswith="vote.").count(), 1)

    def test_it_ticks_a_double_submitted_checklist_item_once(self):
        proposal = self.make(State.ACCEPTED)
        item = proposal.checklist.first()
        self.client.force_login(self.chair)
        url = reverse("proposals:checklist_item", args=[proposal.pk, item.pk])

        for _ in range(2):
            self.client.post(url, {"done": "1"})

        self.assertEqual(proposal.events.filter(action="checklist.done").count(), 1)

    def test_it_records_a_double_submitted_edit_once(self):
        proposal = self.make(State.DRAFT)
        self.client.force_login(self.member)
        url = reverse("proposals:edit", args=[proposal.pk])
        data = {"title": "Clearer title", "body": "Clearer text", "project": proposal.project_id}

        for _ in range(2):
            response = self.client.post(url, data)
            self.assertRedirects(response, proposal.get_absolute_url())

        proposal.refresh_from_db()
        self.assertEqual(proposal.revision, 2)
        self.assertEqual(proposal.events.filter(action="proposal.edited").count(), 1)


class StalePageTests(MisuseTestCase):
    def hidden_state(self, response, name: str) -> str:
        match = re.search(rf'name="{name}-expected_state" value="(\w+)"', response.content.decode())
        self.assertIsNotNone(match, f"the {name} form carries no expected_state")
        return match[1]

    def test_it_refuses_a_transition_from_a_page_loaded_before_someone_else_moved_it(self):
        proposal = self.make(State.DISCUSSION)
        self.client.force_login(self.chair)
        page = self.client.get(proposal.get_absolute_url())
        expected = self.hidden_state(page, "start_vote")
        actions.do_withdraw(proposal=proposal, actor=self.member)
        events = proposal.events.count()

        response = self.transition(proposal, "start_vote", expected)

        self.assertContains(
            self.follow(response),
            escape(f"“{proposal.title}” is now withdrawn (it was discussion when the page"),
        )
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.WITHDRAWN)
        self.assertEqual(proposal.events.count(), events)

    def test_it_refuses_a_transition_that_came_back_to_the_same_state(self):
        proposal = self.make(State.VOTING)
        self.client.force_login(self.member)
        page = self.client.get(proposal.get_absolute_url())
        expected = self.hidden_state(page, "withdraw")
        actions.do_return_to_discussion(proposal=proposal, actor=self.chair)

        response = self.transition(proposal, "withdraw", expected)

        self.assertContains(self.follow(response), "is now discussion (it was voting")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertFalse(proposal.events.filter(action="proposal.withdraw").exists())

    def test_it_refuses_a_vote_from_a_page_loaded_before_the_vote_stopped(self):
        proposal = self.make(State.VOTING)
        self.client.force_login(self.other_member)
        self.assertContains(self.client.get(proposal.get_absolute_url()), "Cast my vote")
        actions.do_return_to_discussion(proposal=proposal, actor=self.chair)

        response = self.client.post(reverse("proposals:vote", args=[proposal.pk]), {"value": "1"})

        self.assertContains(self.follow(response), "is discussion, not open for voting.")
        self.assertFalse(Vote.objects.filter(proposal=proposal).exists())

    def test_it_refuses_a_transition_without_the_state_it_expects(self):
        proposal = self.make(State.DISCUSSION)
        self.client.force_login(self.chair)
        url = reverse("proposals:transition", args=[proposal.pk, "start_vote"])

        response = self.client.post(url, {"start_vote-reason": "go"})

        self.assertContains(response, "This field is required.")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertFalse(proposal.events.filter(action="proposal.start_vote").exists())


class EditDuringVoteTests(MisuseTestCase):
    def setUp(self) -> None:
        self.proposal = self.make(State.VOTING, body="The text voted on.")
        self.url = reverse("proposals:edit", args=[self.proposal.pk])
        self.client.force_login(self.member)

    def test_it_refuses_an_edit_during_the_vote(self):
        response = self.client.post(
            self.url,
            {
                "title": "Changed title",
                "body": "Sneaky change",
                "project": self.proposal.project_id,
            },
        )

        self.assertContains(
            response,
            "its text can only change in draft or discussion. The chair can return it to "
            "discussion first.",
        )
        self.proposal.refresh_from_db()
        self.assertNotEqual(self.proposal.title, "Changed title")
        self.assertEqual(self.proposal.body, "The text voted on.")
        self.assertEqual(self.proposal.revision, 1)
        self.assertFalse(self.proposal.events.filter(action="proposal.edited").exists())

    def test_it_refuses_the_edit_page_during_the_vote(self):
        response = self.client.get(self.url)

        self.assertRedirects(
            response, self.proposal.get_absolute_url(), fetch_redirect_response=False
        )
        page = self.follow(response)
        self.assertContains(page, "its text can only change in draft or discussion.")
        self.assertNotContains(page, "Edit the text")

    def test_it_refuses_an_edit_after_the_decision(self):
        proposal = self.make(State.ACCEPTED)
        url = reverse("proposals:edit", args=[proposal.pk])

        response = self.client.post(
            url, {"title": "Changed", "body": "Late", "project": proposal.project_id}
        )

        self.assertContains(
            response,
            "is accepted; its text can only change in draft or discussion.",
        )
        proposal.refresh_from_db()
        self.assertEqual(proposal.body, "")
        self.assertFalse(proposal.events.filter(action="proposal.edited").exists())


class CsrfTests(MisuseTestCase):
    def setUp(self) -> None:
        self.csrf_client = Client(enforce_csrf_checks=True)

    def token(self) -> str:
        self.csrf_client.get(reverse("proposals:home"))
        return self.csrf_client.cookies["csrftoken"].value

    def test_it_refuses_every_post_without_a_token(self):
        discussion = self.make(State.DISCUSSION)
        voting = self.make(State.VOTING)
        accepted = self.make(State.ACCEPTED)
        item = accepted.checklist.first()
        self.csrf_client.force_login(self.chair)
        events = Event.objects.count()
        posts = [
            (
                reverse("proposals:transition", args=[discussion.pk, "defer"]),
                {"defer-expected_state": State.DISCUSSION},
            ),
            (reverse("proposals:vote", args=[voting.pk]), {"value": "1"}),
            (reverse("proposals:recuse", args=[voting.pk]), {"reason": "x"}),
            (reverse("proposals:checklist_item", args=[accepted.pk, item.pk]), {"done": "1"}),
            (
                reverse("proposals:create"),
                {"committee": self.committee.pk, "kind": Kind.OTHER, "title": "Forged"},
            ),
            (reverse("proposals:edit", args=[discussion.pk]), {"title": "Forged", "body": "x"}),
            (reverse("proposals:verify_audit"), {}),
            (reverse("logout"), {}),
        ]
        for url, data in posts:
            with self.subTest(url=url):
                response = self.csrf_client.post(url, data)

                self.assertContains(response, "security token", status_code=403)
                self.assertContains(response, "Nothing was changed.", status_code=403)
        self.assertEqual(Event.objects.count(), events)
        self.assertFalse(Proposal.objects.filter(title="Forged").exists())
        self.assertFalse(AuditCheck.objects.exists())
        discussion.refresh_from_db()
        self.assertEqual(discussion.state, State.DISCUSSION)
        self.assertIn("_auth_user_id", self.csrf_client.session)

    def test_it_refuses_a_post_with_a_wrong_token(self):
        proposal = self.make(State.DISCUSSION)
        self.csrf_client.force_login(self.chair)
        self.token()

        response = self.csrf_client.post(
            reverse("proposals:transition", args=[proposal.pk, "defer"]),
            {"defer-expected_state": State.DISCUSSION, "csrfmiddlewaretoken": "x" * 64},
        )

        self.assertEqual(response.status_code, 403)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)

    def test_it_accepts_a_post_with_the_token_from_the_page(self):
        proposal = self.make(State.DISCUSSION)
        self.csrf_client.force_login(self.chair)
        page = self.csrf_client.get(proposal.get_absolute_url())
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]

        response = self.csrf_client.post(
            reverse("proposals:transition", args=[proposal.pk, "defer"]),
            {"defer-expected_state": State.DISCUSSION, "csrfmiddlewaretoken": token},
        )

        self.assertEqual(response.status_code, 302)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DEFERRED)

    def test_it_refuses_a_sign_in_without_a_token(self):
        response = self.csrf_client.post(reverse("login"), {"username": "member", "password": "pw"})

        self.assertEqual(response.status_code, 403)
        self.assertNotIn("_auth_user_id", self.csrf_client.session)


class EscapingTests(MisuseTestCase):
    TITLE = '<script>alert("title")</script> Retire <b>lattice</b>'

    def setUp(self) -> None:
        self.project = make_project(self.committee, name="lattice", lead="<i>Ada</i>")
        self.proposal = self.make(
            State.DISCUSSION,
            project=self.project,
            title=self.TITLE,
            condition='<img src=x onerror="alert(1)">',
            body=(
                "Intro\n\n<script>alert('body')</script>\n\n"
                "<img src=x onerror=alert('img')>\n\n"
                "[innocent link](javascript:alert('link'))\n\n"
                '<a href="JaVaScRiPt:alert(2)">other link</a>\n\n'
                "<iframe src=https://evil.example></iframe>\n\n"
                "**kept**"
            ),
        )
        meeting = make_meeting(self.committee)
        actions.do_link_meeting(
            proposal=self.proposal,
            meeting=meeting,
            actor=IMPORT,
            section="<script>alert('section')</script>",
            excerpt="<script>alert('excerpt')</script>",
        )
        self.meeting = meeting

    def test_it_escapes_the_title_everywhere_it_is_shown(self):
        self.client.force_login(self.member)
        for url in (
            self.proposal.get_absolute_url(),
            reverse("proposals:list"),
            reverse("proposals:home"),
            reverse("proposals:audit_log"),
            self.project.get_absolute_url(),
            self.meeting.get_absolute_url(),
            reverse("proposals:edit", args=[self.proposal.pk]),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertNoScript(response)
                self.assertContains(response, escape(self.TITLE))
                self.assertNotContains(response, "<b>lattice</b>")

    def test_it_sanitises_the_body(self):
        response = self.client.get(self.proposal.get_absolute_url())

        self.assertNoScript(response)
        self.assertNotContains(response, "<iframe")
        self.assertNotContains(response, "alert('body')")
        self.assertContains(response, "innocent link")
        self.assertContains(response, "other link")
        self.assertContains(response, "<strong>kept</strong>", html=True)

    def test_it_sanitises_the_preview(self):
        self.client.force_login(self.member)

        response = self.client.post(
            reverse("proposals:create"),
            {
                "committee": self.committee.pk,
                "kind": Kind.OTHER,
                "title": "Preview",
                "body": self.proposal.body,
                "preview": "1",
            },
        )

        self.assertNoScript(response)
        self.assertContains(response, "<strong>kept</strong>", html=True)
        self.assertContains(response, "innocent link")

    def test_it_escapes_the_condition_meeting_excerpt_and_project_lead(self):
        response = self.client.get(self.proposal.get_absolute_url())

        self.assertNoScript(response)
        self.assertContains(response, escape('<img src=x onerror="alert(1)">'))
        self.assertContains(response, escape("<script>alert('excerpt')</script>"))
        self.assertContains(response, escape("<script>alert('section')</script>"))

        response = self.client.get(self.project.get_absolute_url())

        self.assertNotContains(response, "<i>Ada</i>")
        self.assertContains(response, escape("<i>Ada</i>"))

    def test_it_escapes_vote_reasons(self):
        proposal = self.make(State.VOTING)
        self.client.force_login(self.other_member)
        reason = '<script>alert("vote")</script>'

        self.client.post(
            reverse("proposals:vote", args=[proposal.pk]), {"value": "-1", "reason": reason}
        )

        self.assertEqual(Vote.objects.get(proposal=proposal).reason, reason)
        for url in (proposal.get_absolute_url(), reverse("proposals:audit_log")):
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertNoScript(response)
                self.assertContains(response, escape(reason))

    def test_it_escapes_transition_reasons(self):
        self.client.force_login(self.chair)
        reason = "<script>alert('why')</script><b>later</b>"

        self.transition(self.proposal, "defer", State.DISCUSSION, reason=reason)

        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DEFERRED)
        for url in (self.proposal.get_absolute_url(), reverse("proposals:audit_log")):
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertNoScript(response)
                self.assertContains(response, escape(reason))

    def test_it_escapes_checklist_items(self):
        proposal = self.make(
            State.ACCEPTED, kind=Kind.OTHER, condition="<script>alert('cond')</script>"
        )
        item = proposal.checklist.first()
        self.assertEqual(item.text, "Condition met: <script>alert('cond')</script>")
        self.client.force_login(self.member)

        response = self.client.get(proposal.get_absolute_url())

        self.assertNoScript(response)
        self.assertContains(response, f"☐ {escape(item.text)}")
        self.assertContains(response, f'<span class="visually-hidden">: {escape(item.text)}</span>')

    def test_it_escapes_the_title_in_refusals_and_messages(self):
        self.client.force_login(self.outsider)

        refused = self.transition(self.proposal, "start_vote", State.DISCUSSION)

        self.assertEqual(refused.status_code, 403)
        self.assertNoScript(refused)
        self.assertContains(refused, escape(self.TITLE), status_code=403)

        self.client.force_login(self.chair)
        actions.do_defer(proposal=self.proposal, actor=self.chair)
        stale = self.follow(self.transition(self.proposal, "start_vote", State.DISCUSSION))

        self.assertNoScript(stale)
        self.assertContains(stale, escape(f"“{self.TITLE}” is now deferred"))

    def test_it_escapes_filter_input_echoed_back(self):
        typed = '"><script>alert("filter")</script>'
        for url, params in (
            (reverse("proposals:list"), {"q": typed, "state": typed}),
            (reverse("proposals:list"), {"q": typed}),
            (reverse("proposals:audit_log"), {"actor": typed, "date_from": typed}),
            (reverse("proposals:audit_log"), {"actor": typed}),
            (reverse("proposals:project_list"), {"status": typed}),
        ):
            with self.subTest(url=url, params=params):
                response = self.client.get(url, params)

                self.assertEqual(response.status_code, 200)
                self.assertNoScript(response)


class UnknownTransitionTests(MisuseTestCase):
    def test_it_answers_404_to_a_made_up_transition(self):
        proposal = self.make(State.DISCUSSION)
        self.client.force_login(self.chair)
        events = proposal.events.count()
        for name in ("delete", "save", "__init__", "accept", "get_available_state_transitions"):
            with self.subTest(name=name):
                response = self.transition(proposal, name, State.DISCUSSION)

                self.assertEqual(response.status_code, 404)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertEqual(proposal.events.count(), events)

    def test_it_answers_405_to_a_get_on_a_post_only_address(self):
        proposal = self.make(State.ACCEPTED)
        item = proposal.checklist.first()
        self.client.force_login(self.chair)
        for url in (
            reverse("proposals:transition", args=[proposal.pk, "complete"]),
            reverse("proposals:vote", args=[proposal.pk]),
            reverse("proposals:recuse", args=[proposal.pk]),
            reverse("proposals:checklist_item", args=[proposal.pk, item.pk]),
            reverse("proposals:verify_audit"),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)


class MarkupTooComplexTests(MisuseTestCase):
    """A body the renderer refuses is a form error on the page (HTTP 200), never a 500,
    whether previewed or saved."""

    DEEP = "- " * 1000 + "x"

    def post(self, url: str, body: str, **extra):
        self.client.force_login(self.member)
        data = {"committee": self.committee.pk, "kind": Kind.OTHER, "title": "Deep", "body": body}
        return self.client.post(url, {**data, **extra})

    def test_the_preview_shows_the_refusal(self):
        response = self.post(reverse("proposals:create"), self.DEEP, preview="1")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "nests lists or blockquotes 1000 levels deep")
        self.assertContains(response, "Flatten the nesting")

    def test_saving_shows_the_refusal_and_saves_nothing(self):
        count = Proposal.objects.count()

        response = self.post(reverse("proposals:create"), self.DEEP)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "levels deep")
        self.assertEqual(Proposal.objects.count(), count)

    def test_editing_and_its_preview_show_the_refusal(self):
        proposal = self.make(State.DRAFT)
        url = reverse("proposals:edit", args=[proposal.pk])
        for extra in ({"preview": "1"}, {}):
            with self.subTest(extra=extra):
                response = self.post(url, self.DEEP, revision=proposal.revision, **extra)

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "levels deep")
        proposal.refresh_from_db()
        self.assertNotEqual(proposal.body, self.DEEP)

    def test_a_body_over_the_size_limit_is_refused_with_the_limit(self):
        with self.settings(PMC_MARKDOWN_MAX_CHARS=500):
            response = self.post(reverse("proposals:create"), "x" * 501, preview="1")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "at most 500 can be rendered")


class OddFilterTests(LifecycleTestCase):
    """Filters and cursors no page wrote answer with the page, never an error."""

    def test_the_audit_page_takes_the_calendars_first_and_last_days(self):
        for params in ({"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}):
            with self.subTest(params=params):
                response = self.client.get(reverse("proposals:audit_log"), params)

                self.assertContains(response, "membership.started")

    def test_the_audit_page_refuses_a_proposal_number_past_any_id(self):
        response = self.client.get(reverse("proposals:audit_log"), {"proposal": "9" * 30})

        self.assertContains(response, "Ensure this value is less than or equal to")

    def test_the_list_refuses_a_cursor_with_a_nul(self):
        make_proposal(self.committee, self.member, title="A title")
        cursor = base64.urlsafe_b64encode(json.dumps(["a\x00", 1]).encode()).decode()

        response = self.client.get(reverse("proposals:list"), {"sort": "title", "after": cursor})

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["bad_cursor"])
