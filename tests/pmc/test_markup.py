"""pmc.markup: markdown from notes and proposals becomes HTML that is safe to show."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import markdown
from django.test import SimpleTestCase

from pmc.markup import (
    EXTENSIONS,
    MAX_ABBREVIATIONS,
    MAX_DEPTH,
    MarkupTooComplex,
    markdown_html,
    render_markdown,
)
from pmc.models import Meeting
from proposals import actions
from tests.base import LifecycleTestCase
from tests.factories import make_meeting

REL = 'rel="nofollow noopener noreferrer"'


class RenderMarkdownSanitisesTests(SimpleTestCase):
    def assertNoActiveContent(self, html: str) -> None:
        lowered = html.lower()
        for needle in ("<script", "javascript:", "onerror", "onload", "data:", "vbscript:"):
            self.assertNotIn(needle, lowered)

    def test_it_drops_script_elements_and_their_content(self):
        for text in (
            "<script>alert(1)</script>\n\nAfter.",
            "<SCRIPT src=//evil.example/x.js></SCRIPT>\n\nAfter.",
            "Inline <script>alert(1)</script> text.",
        ):
            with self.subTest(text=text):
                html = render_markdown(text)

                self.assertNoActiveContent(html)
                self.assertNotIn("alert(1)", html)

    def test_it_strips_event_handler_attributes(self):
        for text in (
            '<img src="x.png" onerror="alert(1)">',
            "<IMG SRC=x.png OnError=alert(1)>",
            '<p onclick="alert(1)" style="color:red">Hi</p>',
            '<svg onload="alert(1)"></svg>',
        ):
            with self.subTest(text=text):
                html = render_markdown(text)

                self.assertNoActiveContent(html)
                self.assertNotIn("onclick", html.lower())
                self.assertNotIn("style=", html.lower())

    def test_it_removes_javascript_links(self):
        for text in (
            "[a](javascript:alert(1))",
            "[a](JaVaScRiPt:alert(1))",
            "[a]( javascript:alert(1) )",
            "[a](<javascript:alert(1)>)",
            "[a](java&#x09;script:alert(1))",
            "[a](&#106;avascript:alert(1))",
            '<a href="javascript:alert(1)">a</a>',
            '<a href="  JAVASCRIPT:alert(1)">a</a>',
            "<javascript:alert(1)>",
            "[a](vbscript:msgbox(1))",
        ):
            with self.subTest(text=text):
                html = render_markdown(text)

                self.assertNoActiveContent(html)
                self.assertNotIn("href=", html)

    def test_it_removes_javascript_in_reference_style_links(self):
        for text in (
            "[a][ref]\n\n[ref]: javascript:alert(1)",
            '[a][ref]\n\n[ref]:   JavaScript:alert(1)  "Title"',
            "[a][]\n\n[a]: <javascript:alert(1)>",
            "[a]\n\n[a]:\tjavascript:alert(1)",
        ):
            with self.subTest(text=text):
                html = render_markdown(text)

                self.assertNoActiveContent(html)
                self.assertNotIn("href=", html)

    def test_it_removes_data_urls_from_images(self):
        for text in (
            "![pic](data:image/png;base64,iVBORw0KGgo=)",
            "![pic](DATA:text/html;base64,PHNjcmlwdD4=)",
            "![pic][img]\n\n[img]: data:image/svg+xml;base64,PHN2Zz4=",
            '<img src="data:image/png;base64,iVBORw0KGgo=" alt="pic">',
        ):
            with self.subTest(text=text):
                html = render_markdown(text)

                self.assertNoActiveContent(html)
                self.assertIn("pic", html)  # the picture's alt text, as plain text
                self.assertNotIn("src=", html)

    def test_it_drops_elements_outside_the_allowlist(self):
        html = render_markdown(
            '<iframe src="https://evil.example"></iframe><form><input name=x></form>'
            "<style>body{}</style><object data=x></object>"
        )

        for tag in ("<iframe", "<form", "<style", "<object"):
            self.assertNotIn(tag, html)

    def test_it_renders_nothing_for_empty_input(self):
        self.assertEqual(render_markdown(""), "")
        self.assertEqual(render_markdown(None), "")


class RenderMarkdownKeepsMarkdownTests(SimpleTestCase):
    def test_it_keeps_headings_and_lists(self):
        html = render_markdown("# Runtime PMC\n\n## Backlog\n\n- one\n- two\n\n1. first\n2. second")

        self.assertIn("<h1>Runtime PMC</h1>", html)
        self.assertIn("<h2>Backlog</h2>", html)
        self.assertIn("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", html)
        self.assertIn("<ol>\n<li>first</li>\n<li>second</li>\n</ol>", html)

    def test_it_keeps_links_with_rel_nofollow_noopener_noreferrer(self):
        html = render_markdown(
            'See [the CLI](https://github.com/cloudfoundry/cli "CLI"), '
            "<https://example.org/a>, [mail](mailto:pmc@example.org) and [ref][r].\n\n"
            "[r]: http://example.org/ref"
        )

        self.assertIn(
            f'<a href="https://github.com/cloudfoundry/cli" title="CLI" {REL}>the CLI</a>', html
        )
        self.assertIn(f'<a href="https://example.org/a" {REL}>https://example.org/a</a>', html)
        self.assertIn(f'<a href="mailto:pmc@example.org" {REL}>mail</a>', html)
        self.assertIn(f'<a href="http://example.org/ref" {REL}>ref</a>', html)

    def test_it_keeps_code_and_escapes_html_inside_it(self):
        html = render_markdown("Run `cf push <app>`.\n\n```\nif a < b && c:\n    <script>\n```")

        self.assertIn("<code>cf push &lt;app&gt;</code>", html)
        self.assertIn(
            "<pre><code>if a &lt; b &amp;&amp; c:\n    &lt;script&gt;\n</code></pre>", html
        )

    def test_it_keeps_emphasis_tables_and_https_images(self):
        html = render_markdown(
            "**bold** _it_\n\n| Team | Lead |\n| --- | --- |\n| CLI | Jane |\n\n"
            "![logo](https://example.org/logo.png)"
        )

        self.assertIn("<strong>bold</strong>", html)
        self.assertIn("<em>it</em>", html)
        self.assertIn("<td>CLI</td>", html)
        self.assertInHTML('<img src="https://example.org/logo.png" alt="logo">', html)


class ReusedConverterTests(SimpleTestCase):
    """One Markdown converter per thread renders every text as a new one would."""

    texts = [
        "Footnote here[^1].\n\n[^1]: The note.",
        "*[PMC]: Project Management Committee\n\nThe PMC met.",
        "[home]: https://example.org\n\nSee [home].",
        "See [home].",  # the reference above must not carry over
        "The PMC met.",  # nor the abbreviation, nor the footnote
        "| a | b |\n|---|---|\n| 1 | 2 |",
    ]

    def fresh(self, text: str) -> str:
        return markdown.markdown(text, extensions=EXTENSIONS, output_format="html")

    def test_each_text_renders_as_with_a_new_converter(self):
        for text in self.texts * 2:
            with self.subTest(text=text):
                self.assertEqual(markdown_html(text), self.fresh(text))

    def test_threads_rendering_at_once_get_their_own_text(self):
        def render_many(text: str) -> set[str]:
            return {markdown_html(text) for _ in range(30)}

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(render_many, self.texts))

        self.assertEqual(results, [{self.fresh(text)} for text in self.texts])


class SavingRendersMarkdownTests(LifecycleTestCase):
    def test_it_fills_meeting_notes_html_on_save(self):
        meeting = make_meeting(
            self.committee, notes="## Attendees\n\n- Jane <script>alert(1)</script>"
        )

        meeting.refresh_from_db()
        self.assertIn("<h2>Attendees</h2>", meeting.notes_html)
        self.assertIn("<li>Jane", meeting.notes_html)
        self.assertNotIn("<script", meeting.notes_html)

        meeting.notes = "[x](javascript:alert(1))"
        meeting.save()
        meeting.refresh_from_db()
        self.assertEqual(meeting.notes_html, "<p>x</p>")  # the link text, not a dead link

    def test_it_renders_meeting_notes_again_only_when_they_change(self):
        meeting = Meeting.objects.get(pk=make_meeting(self.committee, notes="## Agenda").pk)

        with mock.patch("pmc.models.render_markdown", wraps=render_markdown) as render:
            meeting.title = "Renamed"
            meeting.save()
            render.assert_not_called()
            meeting.notes = "## Minutes"
            meeting.save()
            render.assert_called_once_with("## Minutes")

        meeting.refresh_from_db()
        self.assertEqual((meeting.title, meeting.notes_html), ("Renamed", "<h2>Minutes</h2>"))

    def test_it_fills_proposal_body_html_on_create_and_edit(self):
        proposal = actions.do_create_proposal(
            actor=self.member,
            committee=self.committee,
            kind="other",
            title="Adopt a code of conduct",
            body="We **should**. <img src=x onerror=alert(1)>",
        )

        proposal.refresh_from_db()
        self.assertIn("<strong>should</strong>", proposal.body_html)
        self.assertNotIn("onerror", proposal.body_html)

        actions.do_edit_proposal(
            proposal=proposal, actor=self.member, body="See [notes](https://example.org)."
        )
        proposal.refresh_from_db()
        self.assertEqual(
            proposal.body_html, f'<p>See <a href="https://example.org" {REL}>notes</a>.</p>'
        )


class RenderingCostIsBoundedTests(SimpleTestCase):
    """Texts built to make Python-Markdown slow or recurse are refused with a reason, or
    rendered in time that grows with their length (the figures: benchmarks/
    pathological_markup.py); ordinary texts render as before."""

    def scanned(self, text: str, owner, name: str, cost) -> int:
        """Render `text` while adding up `cost(result, args)` over the calls of
        `owner.name`: how much the renderer scanned."""
        total = 0
        original = getattr(owner, name)

        def counting(*args):
            nonlocal total
            result = original(*args)
            total += cost(result, args)
            return result

        with mock.patch.object(owner, name, counting):
            render_markdown(text)
        return total

    def test_it_refuses_a_text_longer_than_the_setting(self):
        with self.settings(PMC_MARKDOWN_MAX_CHARS=1000):
            render_markdown("x" * 1000)
            with self.assertRaisesMessage(
                MarkupTooComplex, "The text is 1,001 characters long; at most 1,000 can be"
            ):
                render_markdown("x" * 1001)

    def test_it_refuses_lists_and_blockquotes_nested_too_deep(self):
        for text in (
            "- " * 1000 + "x",
            "1. " * 1000 + "x",
            "".join("    " * level + "- item\n" for level in range(60)),
            "> " * 1000 + "x",
        ):
            with (
                self.subTest(text=text[:12]),
                self.assertRaisesMessage(MarkupTooComplex, f"at most {MAX_DEPTH} can be"),
            ):
                render_markdown(text)

    def test_it_renders_lists_nested_up_to_the_limit(self):
        html = render_markdown("".join("    " * level + "- item\n" for level in range(MAX_DEPTH)))
        self.assertEqual(html.count("<ul>"), MAX_DEPTH)

    def test_a_recursion_error_becomes_a_refusal(self):
        with (
            mock.patch("markdown.Markdown.convert", side_effect=RecursionError),
            self.assertRaisesMessage(MarkupTooComplex, "nests too deeply"),
        ):
            render_markdown("- x")

    def test_it_refuses_too_many_abbreviations(self):
        text = "".join(f"*[AB{i}]: abbreviation {i}\n" for i in range(MAX_ABBREVIATIONS + 1))
        with self.assertRaisesMessage(MarkupTooComplex, "abbreviations"):
            render_markdown(text + "AB1")

    def test_link_scanning_stays_linear_on_nested_and_unclosed_brackets(self):
        from markdown.inlinepatterns import LinkInlineProcessor

        def cost(result, args):
            return result[1] - args[2]  # getText(self, data, index) -> (text, end, handled)

        for text in ("[" * 2000 + "x" + "](" * 2000, "[a" * 3000, "![" * 3000):
            with self.subTest(text=text[:6]):
                scanned = self.scanned(text, LinkInlineProcessor, "getText", cost)
                self.assertLess(scanned, 30 * len(text) + 100_000)

    def test_unclosed_tags_do_not_make_the_html_reader_quadratic(self):
        from markdown.htmlparser import htmlparser  # Python-Markdown's copy of html.parser

        HTMLParser = htmlparser.HTMLParser  # noqa: N806

        def cost(result, args):
            parser, start = args
            end = parser.rawdata.find(">", start)
            return (len(parser.rawdata) if end < 0 else end) - start

        for text, scanner in (
            ("<a " * 2000, "check_for_whole_start_tag"),
            ("<http://" * 1000, "check_for_whole_start_tag"),
            ("</a " * 2000, "parse_endtag"),
            ("</a" * 3000, "parse_endtag"),
        ):
            with self.subTest(text=text[:8]):
                scanned = self.scanned(text, HTMLParser, scanner, cost)
                self.assertLess(scanned, 30 * len(text) + 100_000)

    def test_ordinary_texts_render_as_python_markdown_renders_them(self):
        for text in (
            "A stray [ bracket, a <b and `code` and [a link](https://example.org) [^1].",
            "Nested [links [in] text](https://example.org/(x)) and ![img](https://e.org/i.png)",
            "`` a ` b `` and ``` c ``` and ` unclosed\n\n> quoted\n> > twice\n\n- a\n    - b",
            "<div>raw</div>\n\n*[PMC]: Project Management Committee\n\nThe PMC met.",
        ):
            with self.subTest(text=text):
                expected = markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
                self.assertEqual(markdown_html(text), expected)
