"""The discussion on the proposal page: who sees which form, posting with a preview,
replying, editing (with every version readable), withdrawing and hiding, each posted by
an anonymous visitor, an outsider, a member of another committee, a former member, a
member, the chair and staff. Allowed posts change the comment and write an event;
refused ones answer 403 with the reason (or the form again, with the text kept) and
change nothing."""

from __future__ import annotations

import datetime
import html
from html.parser import HTMLParser

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from pmc.models import Membership
from proposals import actions, audit, events
from proposals.models import Comment, CommentVersion, Concern, Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user
from tests.permission_table import COMMENT_REFUSAL, COMMENTERS, DISCUSSION_ACTORS

ACTORS = DISCUSSION_ACTORS
MEMBERS = COMMENTERS


class DiscussionTestCase(LifecycleTestCase):
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
        cls.proposal = make_proposal(
            cls.committee, cls.member, state=State.DISCUSSION, chair=cls.chair
        )

    def sign_in(self, who: str) -> None:
        if who == "anonymous":
            self.client.logout()
        else:
            self.client.force_login(getattr(self, who))

    def url(self, name: str, comment=None) -> str:
        if comment is None:
            return reverse(f"proposals:{name}", args=[self.proposal.pk])
        return reverse(f"proposals:{name}", args=[self.proposal.pk, comment.pk])

    def page(self) -> str:
        response = self.client.get(self.proposal.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def comment(self, body="Looks right to me.", actor=None, **kwargs) -> Comment:
        return actions.do_post_comment(
            proposal=self.proposal, actor=actor or self.member, body=body, **kwargs
        )

    def comment_events(self) -> list[str]:
        return list(
            Event.objects.filter(proposal=self.proposal, action__startswith="comment.")
            .order_by("id")
            .values_list("action", flat=True)
        )


class WhoSeesTheFormTests(DiscussionTestCase):
    def test_members_get_the_form_and_everyone_else_is_told_why_not(self):
        said = {
            "anonymous": "Sign in to comment",
            "outsider": "Only members of Runtime comment on its proposals.",
            "foreign_member": "Only members of Runtime comment on its proposals.",
            "former": "Only members of Runtime comment on its proposals.",
            "staff": "Only members of Runtime comment on its proposals.",
        }
        for who in ACTORS:
            with self.subTest(who=who):
                self.sign_in(who)
                page = self.page()
                has_form = 'id="comment-form-new"' in page
                self.assertEqual(has_form, who in MEMBERS)
                if who not in MEMBERS:
                    self.assertIn(said[who], page)
                    self.assertNotIn("Post the comment", page)

    def test_the_sign_in_link_comes_back_to_the_form(self):
        page = self.page()

        login = reverse("login")
        self.assertIn(
            f'href="{login}?next=/proposals/{self.proposal.pk}/%23comment-form-new"', page
        )

    def test_on_a_draft_only_the_proposer_gets_the_form(self):
        self.proposal = make_proposal(self.committee, self.member)
        self.sign_in("member")
        self.assertIn('id="comment-form-new"', self.page())
        self.sign_in("chair")
        page = self.page()
        self.assertNotIn('id="comment-form-new"', page)
        self.assertIn("is a draft: only its proposer comments on it", page)

    @override_settings(PMC_PUBLIC_READ=False)
    def test_a_closed_site_keeps_the_discussion_from_anonymous_readers(self):
        comment = self.comment("For members only.")
        for name in ("detail", "comment_versions"):
            with self.subTest(page=name):
                url = self.url(name, comment if name != "detail" else None)
                self.assertRedirects(
                    self.client.get(url), redirect_to_login(url).url, fetch_redirect_response=False
                )


class PostingTests(DiscussionTestCase):
    def test_the_post_matrix(self):
        for who in ACTORS:
            with self.subTest(who=who):
                self.sign_in(who)
                before = Comment.objects.count()
                response = self.client.post(self.url("comment_post"), {"body": f"Hi from {who}"})
                if who == "anonymous":
                    self.assertRedirects(
                        response,
                        redirect_to_login(self.url("comment_post")).url,
                        fetch_redirect_response=False,
                    )
                    self.assertEqual(Comment.objects.count(), before)
                elif who in MEMBERS:
                    comment = Comment.objects.get(body=f"Hi from {who}")
                    self.assertRedirects(
                        response,
                        f"{self.proposal.get_absolute_url()}#comment-{comment.pk}",
                        fetch_redirect_response=False,
                    )
                    self.assertEqual(comment.author, getattr(self, who))
                else:
                    self.assertEqual(response.status_code, 403)
                    self.assertContains(response, COMMENT_REFUSAL, status_code=403)
                    self.assertEqual(Comment.objects.count(), before)
        self.assertEqual(self.comment_events(), [events.COMMENT_POSTED] * 2)

    def test_a_posted_comment_reads_in_the_timeline(self):
        self.sign_in("member")
        response = self.client.post(
            self.url("comment_post"), {"body": "**Yes**, once the DEAs are gone."}, follow=True
        )

        self.assertContains(response, "Your comment is posted.")
        timeline = response.content.decode().split('class="timeline"')[1]
        self.assertIn("<strong>member</strong>", timeline)
        self.assertIn("<strong>Yes</strong>, once the DEAs are gone.", timeline)
        # The comment stands for its event: no second line says it again.
        self.assertNotIn("commented on the proposal", timeline)
        self.assertNotIn("comment.posted", timeline)

    def test_a_refusal_comes_back_in_the_form_with_the_text_kept(self):
        self.sign_in("member")
        with override_settings(PMC_COMMENT_MAX_CHARS=40):
            response = self.client.post(
                self.url("comment_post"), {"body": "A point about <b>this</b> " * 4}
            )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A comment is at most 40 characters; this one has 103.")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertContains(response, html.escape("A point about <b>this</b> " * 4))
        self.assertFalse(Comment.objects.exists())

    def test_an_empty_comment_is_refused_with_what_to_do(self):
        self.sign_in("member")
        response = self.client.post(self.url("comment_post"), {"body": "   "})

        self.assertContains(response, "Write something first: the comment is empty.")
        self.assertFalse(Comment.objects.exists())

    def test_the_preview_shows_the_sanitised_text_and_saves_nothing(self):
        self.sign_in("member")
        body = "*Careful*: <script>alert(1)</script> [see](javascript:alert(2))"
        response = self.client.post(self.url("comment_post"), {"body": body, "preview": "1"})

        self.assertEqual(response.status_code, 200)
        preview = response.content.decode().split('class="comment-preview"')[1].split("</div>")[0]
        self.assertIn("<em>Careful</em>", preview)
        self.assertNotIn("<script", preview)
        self.assertNotIn("javascript:", preview)
        self.assertContains(response, html.escape(body))  # the text, kept in the form
        self.assertFalse(Comment.objects.exists())
        self.assertEqual(self.comment_events(), [])

    def test_a_preview_of_a_reply_opens_under_its_thread(self):
        first = self.comment("First point.")
        self.sign_in("chair")
        response = self.client.post(
            self.url("comment_post"),
            {"body": "An _answer_.", "reply_to": first.pk, "preview": "1"},
        )

        page = response.content.decode()
        thread = page.split(f'id="comment-{first.pk}"')[1].split('id="comment-form-new"')[0]
        self.assertIn('<details class="reply-form" open>', thread)
        self.assertIn("<em>answer</em>", thread)
        self.assertIn(f'name="reply_to" value="{first.pk}"', thread)

    def test_a_preview_is_refused_to_whoever_may_not_comment(self):
        self.sign_in("outsider")
        response = self.client.post(self.url("comment_post"), {"body": "x", "preview": "1"})

        self.assertEqual(response.status_code, 403)

    def test_a_form_without_its_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.member)
        response = client.post(self.url("comment_post"), {"body": "No token."})

        self.assertEqual(response.status_code, 403)
        self.assertFalse(Comment.objects.exists())

    def test_get_is_not_a_way_to_post(self):
        self.sign_in("member")
        self.assertEqual(self.client.get(self.url("comment_post")).status_code, 405)

    @override_settings(PMC_NON_MEMBER_COMMENTS=True)
    def test_with_the_setting_non_members_comment_labelled_as_such(self):
        self.sign_in("outsider")
        response = self.client.post(self.url("comment_post"), {"body": "From outside."})
        self.assertEqual(response.status_code, 302)

        page = self.page()
        self.assertIn("not a member of Runtime", page)
        self.assertIn("From outside.", page)


class ReplyTests(DiscussionTestCase):
    def test_a_reply_shows_under_its_comment(self):
        first = self.comment("First point.")
        later = self.comment("Another thread.", actor=self.third_member)
        self.sign_in("other_member")
        response = self.client.post(
            self.url("comment_post"), {"body": "Agreed with the first.", "reply_to": first.pk}
        )
        reply = Comment.objects.get(parent=first)
        self.assertRedirects(
            response,
            f"{self.proposal.get_absolute_url()}#comment-{reply.pk}",
            fetch_redirect_response=False,
        )

        page = self.page()
        first_at = page.index(f'id="comment-{first.pk}"')
        reply_at = page.index(f'id="comment-{reply.pk}"')
        later_at = page.index(f'id="comment-{later.pk}"')
        self.assertLess(first_at, reply_at)
        self.assertLess(reply_at, later_at)  # under its comment, not in time order
        self.assertIn('class="replies"', page[first_at:reply_at])
        self.assertIn("replied", page[reply_at:later_at])

    def test_a_hidden_comment_takes_no_replies_and_the_text_comes_back(self):
        first = self.comment("Off topic.")
        actions.do_hide_comment(comment=first, actor=self.chair, reason="Off topic")
        self.sign_in("other_member")
        response = self.client.post(
            self.url("comment_post"), {"body": "But I wanted to say…", "reply_to": first.pk}
        )

        self.assertContains(response, "A chair hid this comment: it takes no replies.")
        self.assertContains(response, "But I wanted to say…")
        self.assertEqual(Comment.objects.count(), 1)

    def test_a_reply_to_no_such_comment_says_to_reload(self):
        self.sign_in("member")
        response = self.client.post(self.url("comment_post"), {"body": "Hm.", "reply_to": 999})

        self.assertContains(response, "There is no comment #999")
        self.assertContains(response, "Hm.")


class EditTests(DiscussionTestCase):
    def test_the_edit_matrix(self):
        comment = self.comment("First words.")
        for who in ACTORS:
            with self.subTest(who=who):
                self.sign_in(who)
                url = self.url("comment_edit", comment)
                got = self.client.get(url)
                posted = self.client.post(url, {"body": f"Words of {who}."})
                comment.refresh_from_db()
                if who == "anonymous":
                    for response in (got, posted):
                        self.assertRedirects(
                            response, redirect_to_login(url).url, fetch_redirect_response=False
                        )
                elif who == "member":
                    self.assertContains(got, "First words.")
                    self.assertEqual(posted.status_code, 302)
                    self.assertEqual(comment.body, "Words of member.")
                else:
                    self.assertContains(got, "Only its author may edit", status_code=403)
                    self.assertEqual(posted.status_code, 403)
                    self.assertNotEqual(comment.body, f"Words of {who}.")
        self.assertEqual(comment.version, 2)
        self.assertEqual(self.comment_events(), [events.COMMENT_POSTED, events.COMMENT_EDITED])

    def test_an_edited_comment_links_to_every_version(self):
        comment = self.comment("First words.")
        self.sign_in("member")
        self.client.post(self.url("comment_edit", comment), {"body": "Second *words*."})

        page = self.page()
        self.assertIn(self.url("comment_versions", comment), page)
        self.assertIn(">edited<", page)
        self.assertIn("Second <em>words</em>.", page)
        self.assertNotIn("First words.", page)
        versions = self.client.get(self.url("comment_versions", comment))
        self.assertContains(versions, "Version 1")
        self.assertContains(versions, "First words.")
        self.assertContains(versions, "Version 2")
        self.assertContains(versions, "Second <em>words</em>.")

    def test_the_edit_preview_saves_nothing(self):
        comment = self.comment("First words.")
        self.sign_in("member")
        response = self.client.post(
            self.url("comment_edit", comment), {"body": "New _text_.", "preview": "1"}
        )

        self.assertContains(response, "<em>text</em>")
        comment.refresh_from_db()
        self.assertEqual(comment.version, 1)

    def test_a_refused_edit_keeps_the_text(self):
        comment = self.comment("First words.")
        self.sign_in("member")
        with override_settings(PMC_COMMENT_MAX_CHARS=20):
            response = self.client.post(
                self.url("comment_edit", comment), {"body": "A much longer new text than allowed."}
            )

        self.assertContains(response, "A comment is at most 20 characters")
        self.assertContains(response, "A much longer new text than allowed.")
        comment.refresh_from_db()
        self.assertEqual(comment.body, "First words.")

    def test_a_withdrawn_or_hidden_comment_is_not_offered_for_editing(self):
        withdrawn = self.comment("Taken back.")
        actions.do_withdraw_comment(comment=withdrawn, actor=self.member)
        hidden = self.comment("Hidden.")
        actions.do_hide_comment(comment=hidden, actor=self.chair, reason="Off topic")
        self.sign_in("member")

        for comment, said in (
            (withdrawn, "nothing left to edit"),
            (hidden, "A chair hid this comment; it can no longer be edited."),
        ):
            with self.subTest(said=said):
                response = self.client.get(self.url("comment_edit", comment), follow=True)
                self.assertContains(response, said)
                self.assertNotIn(self.url("comment_edit", comment), response.content.decode())
                posted = self.client.post(self.url("comment_edit", comment), {"body": "Again"})
                self.assertContains(
                    posted, "can no longer be edited" if comment == hidden else said
                )
                comment.refresh_from_db()
                self.assertEqual(comment.version, 1)

    def test_a_member_whose_seat_ended_may_no_longer_edit(self):
        comment = self.comment("First words.", actor=self.other_member)
        Membership.objects.filter(user=self.other_member).update(
            ended_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        self.sign_in("other_member")

        self.assertEqual(self.client.get(self.url("comment_edit", comment)).status_code, 403)
        self.assertNotIn(self.url("comment_edit", comment), self.page())


class WithdrawTests(DiscussionTestCase):
    def test_the_withdraw_matrix(self):
        for who in ACTORS:
            with self.subTest(who=who):
                comment = self.comment(f"To withdraw, seen by {who}.")
                self.sign_in(who)
                url = self.url("comment_withdraw", comment)
                got = self.client.get(url)
                posted = self.client.post(url, {"reason": "I misread."})
                comment.refresh_from_db()
                if who == "anonymous":
                    self.assertEqual(got.status_code, 302)
                    self.assertEqual(posted.status_code, 302)
                    self.assertIsNone(comment.withdrawn_at)
                elif who == "member":
                    self.assertContains(got, "Withdraw the comment")
                    self.assertEqual(posted.status_code, 302)
                    self.assertIsNotNone(comment.withdrawn_at)
                else:
                    self.assertEqual(got.status_code, 403)
                    self.assertContains(posted, "Only its author may withdraw", status_code=403)
                    self.assertIsNone(comment.withdrawn_at)
        self.assertEqual(self.comment_events().count(events.COMMENT_WITHDRAWN), 1)

    def test_a_withdrawn_comment_leaves_a_placeholder_and_its_replies(self):
        comment = self.comment("I take this back.")
        reply = self.comment("I answered it.", actor=self.other_member, reply_to=comment)
        self.sign_in("member")
        self.client.post(self.url("comment_withdraw", comment), {"reason": ""})

        for who in ("anonymous", "member", "staff"):
            with self.subTest(who=who):
                self.sign_in(who)
                page = self.page()
                self.assertIn("Withdrawn by the author.", page)
                self.assertNotIn("I take this back.", page)
                self.assertIn("I answered it.", page)
                self.assertIn(f'id="comment-{reply.pk}"', page)
        self.sign_in("member")
        versions = self.client.get(self.url("comment_versions", comment))
        self.assertNotContains(versions, "I take this back.")
        self.assertContains(versions, "Withdrawn by the author.")

    def test_withdrawing_twice_says_so(self):
        comment = self.comment("Once.")
        self.sign_in("member")
        self.client.post(self.url("comment_withdraw", comment))
        response = self.client.post(self.url("comment_withdraw", comment))

        self.assertContains(response, "This comment was withdrawn; there is nothing left")


class HideTests(DiscussionTestCase):
    def test_the_hide_matrix(self):
        admin = make_user("admin", is_staff=True, is_superuser=True)
        for who in (*ACTORS, "admin"):
            with self.subTest(who=who):
                comment = self.comment(f"To hide, by {who}.", actor=self.other_member)
                if who == "admin":
                    self.client.force_login(admin)
                else:
                    self.sign_in(who)
                url = self.url("comment_hide", comment)
                got = self.client.get(url)
                posted = self.client.post(url, {"reason": "Personal attack"})
                comment.refresh_from_db()
                if who == "anonymous":
                    self.assertEqual(posted.status_code, 302)
                    self.assertIsNone(comment.hidden_at)
                elif who in ("chair", "admin"):
                    self.assertContains(got, "Hide the comment")
                    self.assertEqual(posted.status_code, 302)
                    self.assertEqual(comment.hidden_reason, "Personal attack")
                else:
                    self.assertContains(got, "Only the chair of Runtime", status_code=403)
                    self.assertEqual(posted.status_code, 403)
                    self.assertIsNone(comment.hidden_at)
        self.assertEqual(self.comment_events().count(events.COMMENT_HIDDEN), 2)

    def test_a_hide_without_a_reason_is_refused_in_the_form(self):
        comment = self.comment("Borderline.")
        self.sign_in("chair")
        response = self.client.post(self.url("comment_hide", comment), {"reason": " "})

        self.assertContains(response, "Say why the comment is hidden")
        comment.refresh_from_db()
        self.assertIsNone(comment.hidden_at)

    def test_the_thread_names_who_hid_it_and_why_and_staff_can_still_read_it(self):
        comment = self.comment("Something rude.")
        self.sign_in("chair")
        self.client.post(self.url("comment_hide", comment), {"reason": "Not civil"})

        for who in ACTORS:
            with self.subTest(who=who):
                self.sign_in(who)
                page = self.page()
                self.assertIn("Hidden by chair: Not civil", page)
                self.assertEqual("Something rude." in page, who == "staff")
                self.assertEqual("Read the hidden text (staff only)" in page, who == "staff")
                versions = self.client.get(self.url("comment_versions", comment))
                self.assertEqual("Something rude." in versions.content.decode(), who == "staff")

    def test_the_chair_sees_hide_links_and_members_do_not(self):
        comment = self.comment("Hello.", actor=self.other_member)
        hide = self.url("comment_hide", comment)
        self.sign_in("chair")
        self.assertIn(hide, self.page())
        self.sign_in("member")
        self.assertNotIn(hide, self.page())


XSS = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
    "<svg onload=alert(1)>",
    '"><iframe src="https://evil.example">',
]


class LiveMarkup(HTMLParser):
    """What in a page would run or load: script and frame elements, event-handler
    attributes, and javascript: addresses. Escaped text is not markup, so it is not seen."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "iframe", "object", "embed", "svg"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action") and "javascript:" in (value or "").lower():
                self.found.append(f"<{tag} {name}={value}>")


class XssTests(DiscussionTestCase):
    def assertInert(self, page: str) -> None:
        parser = LiveMarkup()
        parser.feed(page)
        # The page's own drawing of the lifecycle is the one <svg> it may hold.
        self.assertEqual([found for found in parser.found if found != "<svg>"], [])
        self.assertEqual(parser.found.count("<svg>"), page.count('<svg class="lc-'))

    def test_payloads_in_comments_replies_versions_and_hidden_text_are_inert(self):
        body = "\n\n".join(XSS)
        comment = self.comment(body)
        self.comment(body, actor=self.other_member, reply_to=comment)
        actions.do_edit_comment(comment=comment, actor=self.member, body=body + "\n\nedited")
        hidden = self.comment(body, actor=self.third_member)
        actions.do_hide_comment(comment=hidden, actor=self.chair, reason=XSS[1])

        for who in ("anonymous", "member", "chair", "staff"):
            with self.subTest(who=who):
                self.sign_in(who)
                page = self.page()
                self.assertEqual("Read the hidden text" in page, who == "staff")
                self.assertInert(page)
                self.assertInert(
                    self.client.get(self.url("comment_versions", comment)).content.decode()
                )
                self.assertInert(
                    self.client.get(self.url("comment_versions", hidden)).content.decode()
                )
        self.sign_in("member")
        self.assertInert(self.client.get(self.url("comment_edit", comment)).content.decode())
        self.assertInert(
            self.client.post(
                self.url("comment_post"), {"body": body, "preview": "1"}
            ).content.decode()
        )


class TimelineTests(DiscussionTestCase):
    def timeline(self) -> str:
        return self.page().split('class="timeline"')[1].split('id="comment-new-h"')[0]

    def test_comments_concerns_votes_and_changes_read_in_time_order(self):
        first = self.comment("Is the CI green?")
        concern = actions.do_post_comment(
            proposal=self.proposal, actor=self.chair, body="The docs still point at it."
        )
        Concern.objects.create(
            proposal=self.proposal,
            title="Docs still link to <b>it</b>",
            comment=concern,
            raised_by=self.chair,
            raised_in=State.DISCUSSION,
            resolved_at=timezone.now(),
            resolved_by=self.chair,
            resolution="Fixed in the docs",
        )
        self.comment("Yes, green.", actor=self.other_member, reply_to=first)
        actions.do_start_vote(proposal=self.proposal, actor=self.chair)
        actions.do_cast_vote(
            proposal=self.proposal, actor=self.other_member, value=-1, reason="Wait a week"
        )

        timeline = self.timeline()
        order = [
            "submitted the proposal for discussion",
            "Is the CI green?",
            "Yes, green.",
            "<strong>chair</strong> raised a concern: “Docs still link to &lt;b&gt;it&lt;/b&gt;”",
            "The docs still point at it.",
            "<strong>chair</strong> resolved the concern “Docs still link to &lt;b&gt;it",
            "“Fixed in the docs”",
            "<strong>chair</strong> started the vote",
            "<strong>other_member</strong> voted −1.",
            "“Wait a week”",
        ]
        positions = [timeline.index(text) for text in order]
        self.assertEqual(positions, sorted(positions))
        self.assertEqual(timeline.count("raised a concern"), 1)  # said by its comment
        for action in (events.COMMENT_POSTED, events.CONCERN_RAISED, "proposal.start_vote"):
            self.assertNotIn(action, timeline)

    def test_a_concern_without_a_comment_is_a_line_of_its_own(self):
        Concern.objects.create(
            proposal=self.proposal,
            title="Licence unclear",
            raised_by=self.other_member,
            raised_in=State.DISCUSSION,
        )

        timeline = self.timeline()
        self.assertIn(
            "<strong>other_member</strong> raised a concern: “Licence unclear”.", timeline
        )
        self.assertNotIn("resolved the concern", timeline)

    def test_the_audit_page_tells_each_comment_event_as_a_sentence(self):
        comment = self.comment("Words.")
        actions.do_edit_comment(comment=comment, actor=self.member, body="Better words.")
        reply = self.comment("Reply.", actor=self.other_member, reply_to=comment)
        actions.do_withdraw_comment(comment=reply, actor=self.other_member)
        actions.do_hide_comment(comment=comment, actor=self.chair, reason="Duplicate")

        page = self.client.get(reverse("proposals:audit_log")).content.decode()
        link = f"{self.proposal.get_absolute_url()}#comment-{comment.pk}"
        self.assertIn(
            f'commented on the proposal (<a href="{link}">comment #{comment.pk}</a>)', page
        )
        self.assertIn(f'edited <a href="{link}">comment #{comment.pk}</a>, making version 2', page)
        self.assertIn(f"replied to comment #{comment.pk}", page)
        self.assertIn("withdrew their <a", page)
        self.assertIn(f'hid <a href="{link}">comment #{comment.pk}</a>.', page)
        for action in (events.COMMENT_POSTED, events.COMMENT_EDITED, events.COMMENT_HIDDEN):
            self.assertNotIn(f"recorded “{action}”", page)
        self.assertEqual(CommentVersion.objects.filter(comment=comment).count(), 2)

    def test_concern_events_read_as_sentences_with_their_titles_escaped(self):
        with transaction.atomic():
            for action, payload in (
                (events.CONCERN_RAISED, {"concern": 1, "title": "<img src=x onerror=alert(1)>"}),
                (events.CONCERN_RESOLVED, {"concern": 1, "title": "Licence <b>unclear</b>"}),
                (events.CONCERN_RAISED, {"concern": 2}),
            ):
                audit.record(
                    action=action,
                    actor=self.chair,
                    committee=self.committee,
                    proposal=self.proposal,
                    payload=payload,
                )

        page = self.client.get(reverse("proposals:audit_log")).content.decode()
        self.assertIn("raised a concern: “&lt;img src=x onerror=alert(1)&gt;”.", page)
        self.assertIn("resolved the concern “Licence &lt;b&gt;unclear&lt;/b&gt;”.", page)
        self.assertIn("<td>raised a concern.<br>", page)  # a concern without its title
        self.assertNotIn("recorded “concern.", page)
        parser = LiveMarkup()
        parser.feed(page)
        self.assertEqual(parser.found, [])
