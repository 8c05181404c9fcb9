"""What the sanitiser leaves of links and pictures it cannot keep (their text), and bare
web addresses, which become links."""

from __future__ import annotations

from django.test import SimpleTestCase

from pmc.markup import render_markdown
from tests.base import LifecycleTestCase
from tests.factories import make_meeting

REL = 'rel="nofollow noopener noreferrer"'


class DeadLinksBecomeTextTests(SimpleTestCase):
    def test_a_link_whose_address_is_removed_leaves_its_text(self):
        for text in (
            "Read [the plan](javascript:alert(1)) first.",
            '[the plan][p] first.\n\n[p]: vbscript:msgbox(1)"',
            'Read <a href="javascript:alert(1)">the plan</a> first.',
            'Read <a href="data:text/html;base64,PHNjcmlwdD4=">the plan</a> first.',
        ):
            with self.subTest(text=text):
                html = render_markdown(text)

                self.assertNotIn("<a", html)
                self.assertIn("the plan", html)
                self.assertNotIn("javascript", html.lower())

    def test_a_picture_that_would_not_show_leaves_its_alt_text(self):
        for text in (
            "Logo: ![the logo](data:image/png;base64,iVBORw0KGgo=).",
            "Logo: ![the logo](http://example.org/logo.png).",
            "Logo: ![the logo](images/logo.png).",
            'Logo: <img src="javascript:alert(1)" alt="the logo">.',
        ):
            with self.subTest(text=text):
                html = render_markdown(text)

                self.assertNotIn("<img", html)
                self.assertIn("Logo: the logo.", html)

    def test_the_alt_text_stays_text(self):
        html = render_markdown('<img src="x.png" alt="<script>alert(1)</script> &amp; co">')

        self.assertNotIn("<script", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", html)

    def test_links_and_https_pictures_stay(self):
        html = render_markdown(
            "[plan](https://example.org/plan) ![logo](https://example.org/logo.png) "
            "[mail](mailto:pmc@example.org)"
        )

        self.assertIn(f'<a href="https://example.org/plan" {REL}>plan</a>', html)
        self.assertInHTML('<img src="https://example.org/logo.png" alt="logo">', html)
        self.assertIn(f'<a href="mailto:pmc@example.org" {REL}>mail</a>', html)


class BareAddressesBecomeLinksTests(SimpleTestCase):
    def test_a_bare_address_becomes_a_link_without_the_punctuation_after_it(self):
        html = render_markdown(
            "See https://github.com/cloudfoundry/cli_tools, and "
            "(https://en.wikipedia.org/wiki/Attic_(architecture)) or http://example.org/a?b=1&c=2."
        )

        self.assertIn(
            f'See <a href="https://github.com/cloudfoundry/cli_tools" {REL}>'
            "https://github.com/cloudfoundry/cli_tools</a>, and",
            html,
        )
        self.assertIn(
            f'(<a href="https://en.wikipedia.org/wiki/Attic_(architecture)" {REL}>'
            "https://en.wikipedia.org/wiki/Attic_(architecture)</a>)",
            html,
        )
        self.assertIn(
            f'<a href="http://example.org/a?b=1&amp;c=2" {REL}>http://example.org/a?b=1&amp;c=2</a>.',
            html,
        )

    def test_only_http_and_https_addresses_become_links(self):
        html = render_markdown("javascript://example.org/%0Aalert(1) ftp://example.org/file")

        self.assertNotIn("<a", html)

    def test_addresses_in_links_and_code_stay_as_they_are(self):
        html = render_markdown(
            "[https://example.org](https://example.org) <https://example.org/b> "
            '<a href="https://example.org/c">https://example.org/c</a> '
            "`https://example.org/d`\n\n    https://example.org/e\n"
        )

        self.assertEqual(html.count("<a "), 3)
        self.assertIn("<code>https://example.org/d</code>", html)
        self.assertIn("<pre><code>https://example.org/e\n</code></pre>", html)

    def test_an_address_cannot_break_out_of_its_link(self):
        html = render_markdown('https://example.org/"onmouseover="alert(1) and <https://x.org/">')

        self.assertNotIn('"onmouseover', html.replace('>"onmouseover', ""))
        self.assertIn(f'<a href="https://example.org/" {REL}>https://example.org/</a>', html)


class MeetingNotesTests(LifecycleTestCase):
    def test_meeting_notes_link_their_bare_addresses_and_drop_dead_pictures(self):
        meeting = make_meeting(
            self.committee,
            notes="Minutes: https://docs.example.org/runtime\n\n![chart](chart.png)",
        )

        self.assertIn(
            f'<a href="https://docs.example.org/runtime" {REL}>https://docs.example.org/runtime</a>',
            meeting.notes_html,
        )
        self.assertIn("<p>chart</p>", meeting.notes_html)
