"""Comments on a proposal: who may post, reply, edit, withdraw and hide, and what each
leaves behind (versions, placeholders, events in the chain)."""

from __future__ import annotations

import hashlib

from django.test import override_settings

from pmc.models import Membership
from proposals import actions, audit, events
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Comment, Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user


class CommentTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.committee, cls.member, state=State.DISCUSSION)

    def post(self, actor=None, body="I support this.", **kwargs) -> Comment:
        return actions.do_post_comment(
            proposal=self.proposal, actor=actor or self.other_member, body=body, **kwargs
        )

    def events_of(self, action: str):
        return list(Event.objects.filter(action=action, proposal=self.proposal))


class PostingTests(CommentTestCase):
    def test_a_member_comments_and_the_chain_records_the_text_it_published(self):
        comment = self.post(body="**Yes**, once the DEAs are gone.")

        self.assertEqual(comment.version, 1)
        self.assertIn("<strong>Yes</strong>", comment.body_html)
        self.assertTrue(comment.by_member)
        [event] = self.events_of(events.COMMENT_POSTED)
        self.assertEqual(event.actor, self.other_member)
        self.assertEqual(event.payload["comment"], comment.pk)
        self.assertEqual(
            event.payload["text_sha256"],
            hashlib.sha256(b"**Yes**, once the DEAs are gone.").hexdigest(),
        )
        self.assertTrue(audit.verify_chain().ok)

    def test_people_without_a_seat_are_refused_with_what_to_do(self):
        former = make_user("former")
        Membership.objects.create(
            user=former,
            committee=self.committee,
            started_on="2020-01-01",
            ended_on="2021-01-01",
        )
        for actor in (self.outsider, self.foreign_member, former):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted) as refused:
                self.post(actor=actor)
            self.assertIn("Only members of Runtime comment", refused.exception.message)
        self.assertFalse(Comment.objects.exists())
        self.assertEqual(self.events_of(events.COMMENT_POSTED), [])

    @override_settings(PMC_NON_MEMBER_COMMENTS=True)
    def test_the_setting_lets_signed_in_non_members_comment_shown_as_such(self):
        comment = self.post(actor=self.outsider)

        self.assertFalse(comment.by_member)

    def test_only_the_proposer_comments_on_a_draft(self):
        draft = make_proposal(self.committee, self.member)

        actions.do_post_comment(proposal=draft, actor=self.member, body="Note to self.")
        with self.assertRaises(NotPermitted) as refused:
            actions.do_post_comment(proposal=draft, actor=self.chair, body="Early thoughts.")
        self.assertIn("is a draft", refused.exception.message)

    def test_members_comment_in_every_state_after_draft(self):
        for state in (State.VOTING, State.ACCEPTED, State.WITHDRAWN, State.DEFERRED):
            with self.subTest(state=state):
                proposal = make_proposal(self.committee, self.member, state=state, chair=self.chair)
                actions.do_post_comment(proposal=proposal, actor=self.chair, body="Noted.")

    def test_an_empty_or_too_long_comment_is_refused_and_nothing_is_written(self):
        with self.assertRaises(LifecycleError) as empty:
            self.post(body="   \n ")
        self.assertIn("the comment is empty", empty.exception.message)
        with override_settings(PMC_COMMENT_MAX_CHARS=50), self.assertRaises(LifecycleError) as long:
            self.post(body="x" * 51)
        self.assertIn("at most 50 characters; this one has 51", long.exception.message)
        self.assertFalse(Comment.objects.exists())

    def test_script_in_a_comment_is_rendered_inert(self):
        comment = self.post(
            body="<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
        )

        self.assertNotIn("<script", comment.body_html)
        self.assertNotIn("javascript:", comment.body_html)
        self.assertNotIn("onerror", comment.body_html)


class ReplyTests(CommentTestCase):
    def test_a_reply_to_a_reply_joins_the_same_thread(self):
        top = self.post()
        reply = self.post(actor=self.chair, body="Why?", reply_to=top)
        answer = self.post(actor=self.other_member, body="Because.", reply_to=reply)

        self.assertEqual(reply.parent, top)
        self.assertEqual(answer.parent, top)
        self.assertEqual(self.events_of(events.COMMENT_POSTED)[-1].payload["reply_to"], top.pk)

    def test_a_reply_to_a_comment_of_another_proposal_is_refused(self):
        other = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        elsewhere = actions.do_post_comment(proposal=other, actor=self.chair, body="Hm.")

        with self.assertRaises(LifecycleError) as refused:
            self.post(reply_to=elsewhere)
        self.assertIn(f"no comment #{elsewhere.pk}", refused.exception.message)


class EditingTests(CommentTestCase):
    def test_an_edit_keeps_every_earlier_version(self):
        comment = self.post(body="First thought.")
        actions.do_edit_comment(comment=comment, actor=self.other_member, body="Second thought.")
        actions.do_edit_comment(comment=comment, actor=self.other_member, body="Third thought.")

        comment.refresh_from_db()
        self.assertEqual(comment.version, 3)
        self.assertIsNotNone(comment.edited_at)
        self.assertEqual(
            list(comment.versions.values_list("number", "body")),
            [(1, "First thought."), (2, "Second thought."), (3, "Third thought.")],
        )
        self.assertEqual(
            [e.payload["version"] for e in self.events_of(events.COMMENT_EDITED)], [2, 3]
        )

    def test_saving_the_same_text_makes_no_version(self):
        comment = self.post(body="Same.")
        actions.do_edit_comment(comment=comment, actor=self.other_member, body="Same.")

        self.assertEqual(comment.versions.count(), 1)
        self.assertEqual(self.events_of(events.COMMENT_EDITED), [])

    def test_only_the_author_edits_or_withdraws(self):
        comment = self.post()
        for verb in ("edit", "withdraw"):
            with self.subTest(verb=verb), self.assertRaises(NotPermitted):
                if verb == "edit":
                    actions.do_edit_comment(comment=comment, actor=self.chair, body="Mine now.")
                else:
                    actions.do_withdraw_comment(comment=comment, actor=self.chair)


class WithdrawAndHideTests(CommentTestCase):
    def test_a_withdrawn_comment_keeps_its_text_and_takes_no_edit(self):
        comment = self.post(body="On second thought...")
        actions.do_withdraw_comment(comment=comment, actor=self.other_member)

        comment.refresh_from_db()
        self.assertIsNotNone(comment.withdrawn_at)
        self.assertEqual(comment.body, "On second thought...")
        with self.assertRaises(LifecycleError) as refused:
            actions.do_edit_comment(comment=comment, actor=self.other_member, body="Back.")
        self.assertIn("was withdrawn", refused.exception.message)
        self.assertEqual(len(self.events_of(events.COMMENT_WITHDRAWN)), 1)

    def test_a_chair_hides_a_comment_with_a_reason(self):
        comment = self.post(body="Off-topic rant.")

        with self.assertRaises(LifecycleError) as no_reason:
            actions.do_hide_comment(comment=comment, actor=self.chair, reason=" ")
        self.assertIn("Say why", no_reason.exception.message)
        actions.do_hide_comment(comment=comment, actor=self.chair, reason="Code of conduct.")

        comment.refresh_from_db()
        self.assertEqual(
            (comment.hidden_by, comment.hidden_reason), (self.chair, "Code of conduct.")
        )
        [event] = self.events_of(events.COMMENT_HIDDEN)
        self.assertEqual(event.reason, "Code of conduct.")

    def test_members_and_chairs_of_other_committees_cannot_hide(self):
        comment = self.post()
        for actor in (self.member, self.foreign_member, self.outsider):
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted):
                actions.do_hide_comment(comment=comment, actor=actor, reason="No.")
        comment.refresh_from_db()
        self.assertIsNone(comment.hidden_at)
