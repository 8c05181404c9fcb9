"""`@username` in comments: which words are mentions, the links they become (safely),
and the people each version of a comment names for the first time."""

from __future__ import annotations

from django.test import SimpleTestCase

from pmc.markup import render_markdown
from proposals import actions, events, mentions
from proposals.models import Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user


class WrittenTests(SimpleTestCase):
    def names(self, markdown: str) -> list[str]:
        return mentions.written(render_markdown(markdown))

    def test_it_finds_usernames_in_the_text_once_each_in_order(self):
        self.assertEqual(
            self.names("@bob, and @eric.malm. Thanks @bob!\n\n- @a_b-c+d"),
            ["bob", "eric.malm", "a_b-c+d"],
        )

    def test_code_links_and_addresses_are_not_mentions(self):
        text = (
            "`@incode` and\n\n    @inblock\n\n```\n@fenced\n```\n\n"
            "[@linked](https://example.org) mail bob@example.org or see "
            "https://example.org/@path and @real"
        )

        self.assertEqual(self.names(text), ["real"])


class LinkedTests(LifecycleTestCase):
    def test_only_active_people_become_links_to_their_page(self):
        make_user("gone", is_active=False)

        html, named = mentions.render("Ask @member, @gone and @nobody; not `@chair`.")

        self.assertIn('<a href="/people/member/" class="mention">@member</a>', html)
        self.assertIn("@gone", html)
        self.assertNotIn("/people/gone/", html)
        self.assertNotIn("/people/nobody/", html)
        self.assertIn("<code>@chair</code>", html)
        self.assertEqual(named, [self.member])

    def test_markup_around_a_mention_stays_sanitised(self):
        html, named = mentions.render(
            '@member<script>alert(1)</script> <img src=x onerror="alert(2)">@member '
            '[@member](javascript:alert(3)) "@member" <a href="/x" onclick="y">@member</a>'
        )

        self.assertNotIn("<script", html)
        self.assertNotIn("onerror", html)
        self.assertNotIn("onclick", html)
        self.assertNotIn("javascript:", html)
        self.assertEqual(named, [self.member])
        self.assertGreaterEqual(html.count('href="/people/member/"'), 2)


class MentionsInEventsTests(LifecycleTestCase):
    """Each person is listed in the event of the version that first names them."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.committee, cls.member, state=State.DISCUSSION)

    def mentioned(self, action: str) -> list[list[int]]:
        found = Event.objects.filter(action=action, proposal=self.proposal).order_by("id")
        return [event.payload["mentions"] for event in found]

    def test_a_comment_lists_whom_it_mentions_but_not_its_author(self):
        actions.do_post_comment(
            proposal=self.proposal,
            actor=self.chair,
            body="@member and @third_member: see @chair's note. @outsider too.",
        )

        self.assertEqual(
            self.mentioned(events.COMMENT_POSTED),
            [[self.member.pk, self.third_member.pk, self.outsider.pk]],
        )

    def test_an_edit_lists_only_the_people_no_earlier_version_named(self):
        comment = actions.do_post_comment(
            proposal=self.proposal, actor=self.chair, body="@member, what do you think?"
        )
        edit = actions.do_edit_comment  # each edit a new version
        edit(comment=comment, actor=self.chair, body="@member and @other_member, thoughts?")
        edit(comment=comment, actor=self.chair, body="@other_member, thoughts?")  # member out
        edit(comment=comment, actor=self.chair, body="@member @other_member again")  # back

        self.assertEqual(self.mentioned(events.COMMENT_POSTED), [[self.member.pk]])
        self.assertEqual(self.mentioned(events.COMMENT_EDITED), [[self.other_member.pk], [], []])
        comment.refresh_from_db()
        self.assertIn('href="/people/member/"', comment.body_html)
        self.assertEqual(comment.version, 4)
