"""Who hears of comments, mentions and concerns, and as what: each person once per
event, the mention first, the author never, and a mention once per comment however
often it is edited."""

from __future__ import annotations

from collections import Counter

from django.core import mail
from django.test import override_settings

from proposals import actions, notifications
from proposals.models import Notification, NotificationKind, NotificationPreference
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_member, make_proposal, make_user

MENTIONED = NotificationKind.MENTIONED
COMMENTED = NotificationKind.COMMENTED
CONCERN = NotificationKind.CONCERN


class DiscussionNoticeTestCase(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The proposer (member) watches; other_member watches by commenting first.
        self.proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_post_comment(proposal=self.proposal, actor=self.other_member, body="Hi.")
        self.drain()
        mail.outbox.clear()

    def drain(self) -> dict[str, str]:
        """Drain the outbox; {username: kind} of what it created, one each."""
        before = set(Notification.objects.values_list("pk", flat=True))
        notifications.drain_outbox()
        new = Notification.objects.exclude(pk__in=before).select_related("user")
        counts = Counter(n.user.username for n in new)
        self.assertEqual(max(counts.values(), default=1), 1, f"someone told twice: {counts}")
        return {n.user.username: n.kind for n in new}

    def comment(self, actor, body: str, **kwargs):
        return actions.do_post_comment(proposal=self.proposal, actor=actor, body=body, **kwargs)


class CommentNoticeTests(DiscussionNoticeTestCase):
    def test_watchers_hear_of_a_new_comment_and_the_author_does_not(self):
        self.comment(self.chair, "Let us wait a week.")

        told = self.drain()

        self.assertEqual(told, {"member": COMMENTED, "other_member": COMMENTED})
        message = next(m for m in mail.outbox if m.to == ["member@example.org"])
        self.assertEqual(message.subject, f"[Runtime] chair commented: {self.proposal.title}")
        self.assertIn("Let us wait a week.", message.body)
        self.assertIn("someone watching this proposal", message.body)

    def test_voters_concern_raisers_and_those_who_pressed_watch_watch_too(self):
        actions.do_watch(proposal=self.proposal, actor=self.outsider)
        actions.do_raise_concern(
            proposal=self.proposal, actor=self.third_member, title="Hm", explanation="Why."
        )
        self.drain()

        self.comment(self.chair, "Noted.")

        self.assertEqual(
            self.drain(),
            {
                "member": COMMENTED,
                "other_member": COMMENTED,
                "third_member": COMMENTED,
                "outsider": COMMENTED,
            },
        )

    def test_unwatch_is_remembered_when_they_take_part_again(self):
        actions.do_watch(proposal=self.proposal, actor=self.other_member, watching=False)
        self.comment(self.other_member, "One more thing.")
        self.drain()

        self.comment(self.chair, "Answer.")

        self.assertEqual(self.drain(), {"member": COMMENTED})

    def test_a_mentioned_watcher_is_told_once_of_the_mention(self):
        self.comment(self.chair, "@member, and @foreign_member from Extensions: see this.")

        told = self.drain()

        self.assertEqual(
            told, {"member": MENTIONED, "foreign_member": MENTIONED, "other_member": COMMENTED}
        )
        message = next(m for m in mail.outbox if m.to == ["member@example.org"])
        self.assertIn("chair mentioned you in a comment", message.body)
        self.assertEqual(len([m for m in mail.outbox if m.to == ["member@example.org"]]), 1)

    def test_a_watcher_who_turned_mentions_off_hears_of_the_comment_instead(self):
        NotificationPreference.objects.create(user=self.member, kind=MENTIONED, enabled=False)
        NotificationPreference.objects.create(
            user=self.foreign_member, kind=MENTIONED, enabled=False
        )
        self.comment(self.chair, "@member @foreign_member")

        self.assertEqual(self.drain(), {"member": COMMENTED, "other_member": COMMENTED})

    def test_a_mention_is_told_once_across_edits_and_a_new_one_only_to_the_newcomer(self):
        comment = self.comment(self.chair, "@third_member, thoughts?")
        self.assertEqual(
            self.drain(),
            {"third_member": MENTIONED, "member": COMMENTED, "other_member": COMMENTED},
        )

        actions.do_edit_comment(comment=comment, actor=self.chair, body="@third_member, ideas?")
        self.assertEqual(self.drain(), {})
        actions.do_edit_comment(
            comment=comment, actor=self.chair, body="@third_member and @outsider, ideas?"
        )
        self.assertEqual(self.drain(), {"outsider": MENTIONED})
        actions.do_edit_comment(comment=comment, actor=self.chair, body="@outsider only")
        actions.do_edit_comment(comment=comment, actor=self.chair, body="@third_member @outsider")
        self.assertEqual(self.drain(), {})

        keys = Notification.objects.filter(kind=MENTIONED).values_list("key", flat=True)
        self.assertEqual(
            sorted(keys),
            sorted(
                f"mention:{comment.pk}:{user.pk}" for user in (self.third_member, self.outsider)
            ),
        )

    def test_a_comment_withdrawn_before_it_was_told_is_told_to_nobody(self):
        comment = self.comment(self.chair, "@member oops")
        actions.do_withdraw_comment(comment=comment, actor=self.chair)

        self.assertEqual(self.drain(), {})

    @override_settings(PMC_PUBLIC_READ=False)
    def test_when_reading_is_for_members_people_without_a_seat_are_not_told(self):
        actions.do_watch(proposal=self.proposal, actor=self.outsider)
        staff = make_user("staff", is_staff=True)
        self.comment(self.chair, "@outsider @staff @foreign_member")

        self.assertEqual(
            self.drain(),
            {
                "staff": MENTIONED,
                "foreign_member": MENTIONED,
                "member": COMMENTED,
                "other_member": COMMENTED,
            },
        )
        self.assertTrue(staff.is_staff)


class ConcernNoticeTests(DiscussionNoticeTestCase):
    def test_watchers_hear_of_a_concern_once_not_of_its_explanation_as_a_comment(self):
        actions.do_raise_concern(
            proposal=self.proposal,
            actor=self.chair,
            title="Ask the Diego team",
            explanation="@third_member leads Diego: please weigh in.",
        )

        told = self.drain()

        self.assertEqual(
            told, {"member": CONCERN, "other_member": CONCERN, "third_member": MENTIONED}
        )
        concern_mail = next(m for m in mail.outbox if m.to == ["member@example.org"])
        self.assertEqual(
            concern_mail.subject,
            f"[Runtime] Concern raised: Ask the Diego team ({self.proposal.title})",
        )
        self.assertIn("The vote cannot start until it is resolved", concern_mail.body)
        mention_mail = next(m for m in mail.outbox if m.to == ["third_member@example.org"])
        self.assertIn("the concern “Ask the Diego team”", mention_mail.body)

    def test_watchers_hear_of_its_resolution_the_resolver_does_not(self):
        concern = actions.do_raise_concern(
            proposal=self.proposal, actor=self.third_member, title="Hm", explanation="Why."
        )
        self.drain()

        actions.do_resolve_concern(concern=concern, actor=self.chair, reason="Answered.")

        self.assertEqual(
            self.drain(), {"member": CONCERN, "other_member": CONCERN, "third_member": CONCERN}
        )
        message = next(m for m in mail.outbox if m.to == ["third_member@example.org"])
        self.assertIn("chair resolved the concern “Hm”", message.body)
        self.assertIn("Answered.", message.body)

    def test_a_concern_settled_by_a_meeting_is_told_with_the_decision_only(self):
        make_member(self.committee, make_user("watcher_member"))
        concern = actions.do_raise_concern(
            proposal=self.proposal, actor=self.third_member, title="Hm", explanation="Why."
        )
        self.drain()
        meeting = make_meeting(self.committee, date=self.proposal.created_at.date())
        actions.do_decide(proposal=self.proposal, actor=self.chair, accepted=True, meeting=meeting)

        told = self.drain()

        concern.refresh_from_db()
        self.assertFalse(concern.is_open)
        self.assertEqual(set(told.values()), {NotificationKind.DECIDED})
