"""A long discussion stays fast: the proposal page, a comment's versions and the pages of
its forms run as many SQL queries for hundreds of comments, replies, versions and
concerns as for one of each."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from proposals import actions
from proposals.models import Comment, CommentVersion, Concern
from proposals.states import State
from tests.factories import make_member, make_user
from tests.web.test_query_counts import READERS, QueryCountTestCase


class DiscussionQueriesTests(QueryCountTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.staff = make_user("staff", is_staff=True)

    def discuss(self, proposal, *, threads: int, replies: int, edits: int, concerns: int) -> None:
        """`threads` comments with `replies` replies each, by several members; `edits`
        of the first comment; `concerns` concerns, half resolved; one comment withdrawn
        and one hidden."""
        people = [self.member, self.other_member, self.third_member, self.chair]
        people += [make_member(self.committee) for _ in range(min(threads, 20))]
        at = timezone.now()
        first = None
        for i in range(threads):
            author = people[i % len(people)]
            comment = actions.do_post_comment(
                proposal=proposal, actor=author, body=f"Point {i} with *markdown*.", at=at
            )
            first = first or comment
            for j in range(replies):
                actions.do_post_comment(
                    proposal=proposal,
                    actor=people[(i + j + 1) % len(people)],
                    body=f"Answer {j} to {i}.",
                    reply_to=comment,
                    at=at,
                )
        for k in range(edits):
            actions.do_edit_comment(comment=first, actor=first.author, body=f"Point 0, take {k}.")
        later = Comment.objects.filter(proposal=proposal, parent=None).order_by("-id")
        actions.do_withdraw_comment(comment=later[0], actor=later[0].author)
        actions.do_hide_comment(comment=later[1], actor=self.chair, reason="Off topic")
        for c in range(concerns):
            raiser = people[c % len(people)]
            Concern.objects.create(
                proposal=proposal,
                title=f"Concern {c}",
                comment=Comment.objects.create(
                    proposal=proposal, author=raiser, body=f"Why {c}", body_html=f"<p>Why {c}</p>"
                ),
                raised_by=raiser,
                raised_in=proposal.state,
                resolved_at=at + datetime.timedelta(minutes=1) if c % 2 else None,
                resolved_by=self.chair if c % 2 else None,
                resolution="Settled" if c % 2 else "",
            )

    def pages(self, proposal) -> list[str]:
        first = Comment.objects.filter(proposal=proposal).order_by("id").first()
        return [
            proposal.get_absolute_url(),
            reverse("proposals:comment_versions", args=[proposal.pk, first.pk]),
        ]

    def test_a_long_discussion_runs_as_many_queries_as_a_short_one(self):
        readers = (*READERS, "staff")
        small_proposal = self.make(State.DISCUSSION)
        self.discuss(small_proposal, threads=3, replies=1, edits=1, concerns=2)
        small = self.measure(self.pages(small_proposal), readers)

        big_proposal = self.make(State.DISCUSSION)
        self.discuss(big_proposal, threads=150, replies=2, edits=100, concerns=200)
        large = self.measure(self.pages(big_proposal), readers)

        self.assertEqual(
            list(small.values()), list(large.values()), {"small": small, "large": large}
        )
        self.assertLessEqual(max(large.values()), 30, large)
        self.assertGreaterEqual(Comment.objects.filter(proposal=big_proposal).count(), 650)
        first = Comment.objects.filter(proposal=big_proposal).order_by("id").first()
        self.assertEqual(CommentVersion.objects.filter(comment=first).count(), 101)
        self.sign_in("member")
        page = self.fetch(big_proposal.get_absolute_url()).content.decode()
        self.assertEqual(page.count('class="comment reply"'), 300)
        self.assertEqual(page.count("Hidden by chair: Off topic"), 1)
        self.assertEqual(page.count("resolved the concern"), 100)
        self.assertEqual(page.count("raised a concern:"), 200)

    def test_the_edit_withdraw_and_hide_pages_do_not_grow_with_the_versions(self):
        counts = []
        for edits in (1, 120):
            proposal = self.make(State.DISCUSSION)
            comment = actions.do_post_comment(proposal=proposal, actor=self.member, body="v1")
            for k in range(edits):
                actions.do_edit_comment(comment=comment, actor=self.member, body=f"v{k + 2}")
            urls = {
                "member": [
                    reverse(f"proposals:comment_{name}", args=[proposal.pk, comment.pk])
                    for name in ("edit", "withdraw")
                ],
                "chair": [reverse("proposals:comment_hide", args=[proposal.pk, comment.pk])],
            }
            counts.append(
                [self.queries(url, who) for who, listed in urls.items() for url in listed]
            )
        self.assertEqual(counts[0], counts[1])
