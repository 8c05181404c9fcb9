"""Search everywhere: proposals, meetings' notes, projects (and their former names) and
team reports, found on SQLite and PostgreSQL alike, ranked, grouped, quoted safely and
paginated; the PostgreSQL search reads its GIN indexes."""

from __future__ import annotations

import datetime
import re
from unittest.mock import patch

import pytest
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from pmc import search as pmc_search
from pmc.models import ProjectStatus, TeamReport
from proposals import actions, search
from proposals.search import marked_html
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_project, make_proposal

URL = reverse("proposals:search")


def hits(response, key: str) -> list[str]:
    """The titles of group `key`'s hits, in page order, without their markup."""
    html = response.content.decode()
    section = re.search(rf'<section[^>]*aria-labelledby="results-{key}".*?</section>', html, re.S)
    assert section, f"no {key} section"
    titles = re.findall(r"<li>\s*<a href=\"[^\"]+\">(.*?)</a>", section.group(0), re.S)
    return [re.sub(r"<[^>]+>", "", title) for title in titles]


class SearchTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.enabler = make_project(
            cls.committee,
            name="diego-enabler",
            lead="Chidi Okafor",
            former_names=["dea-switcher"],
            status=ProjectStatus.ACTIVE,
        )
        cls.in_title = make_proposal(
            cls.committee,
            cls.member,
            state=State.DISCUSSION,
            kind=Kind.ATTIC,
            project=cls.enabler,
            title="Retire the Diego enabler plugin",
            body="Every foundation runs the new runtime; nothing needs the plugin.",
        )
        cls.in_body = make_proposal(
            cls.committee,
            cls.member,
            kind=Kind.OTHER,
            title="Tidy the CLI plugins",
            body="Among others, the diego enabler is no longer needed by anyone.",
        )
        cls.unrelated = make_proposal(
            cls.committee, cls.member, kind=Kind.OTHER, title="Promote quasar", body="Stable."
        )
        cls.meeting = make_meeting(
            cls.committee,
            date=datetime.date(2017, 5, 16),
            title="Runtime PMC",
            notes="## Lifecycle\n\n- The enabler for Diego is superseded by the v3 CLI.\n",
        )
        cls.report = TeamReport.objects.create(
            meeting=cls.meeting, position=0, team="Garden", lead="Julz Friedman", body="On track."
        )

    def search(self, q: str, **params):
        return self.client.get(URL, {"q": q, **params})


class FindingTests(SearchTestCase):
    def test_it_finds_each_kind_of_thing_and_groups_them(self):
        response = self.search("diego enabler")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            hits(response, "proposals"),
            ["Retire the Diego enabler plugin", "Tidy the CLI plugins"],
        )
        self.assertEqual(hits(response, "meetings"), ["Runtime PMC"])
        self.assertEqual(hits(response, "projects"), ["diego-enabler"])
        self.assertEqual(hits(response, "team_reports"), [])
        self.assertContains(response, "Everything (4)")
        self.assertContains(response, "Proposals (2)")
        self.assertContains(response, "No team reports match “diego enabler”.")
        self.assertNotContains(response, "Promote quasar")

    def test_it_finds_a_project_by_its_former_name_and_part_of_its_name(self):
        for q in ("dea-switcher", "enab"):
            with self.subTest(q=q):
                response = self.search(q)

                self.assertEqual(hits(response, "projects"), ["diego-enabler"])
                self.assertContains(response, "formerly dea-switcher")

    def test_it_finds_team_reports_by_team_and_lead(self):
        for q in ("garden", "Friedman"):
            with self.subTest(q=q):
                response = self.search(q)

                self.assertEqual(hits(response, "team_reports"), ["Garden"])
                self.assertContains(
                    response, f'href="{self.meeting.get_absolute_url()}#team-{self.report.pk}"'
                )
        meeting_page = self.client.get(self.meeting.get_absolute_url())
        self.assertContains(meeting_page, f'id="team-{self.report.pk}"')

    def test_it_ranks_a_match_in_the_title_above_one_in_the_text(self):
        response = self.search("enabler")

        self.assertEqual(
            hits(response, "proposals"),
            ["Retire the Diego enabler plugin", "Tidy the CLI plugins"],
        )

    def test_it_needs_every_word_and_leaves_out_excluded_ones(self):
        self.assertEqual(hits(self.search("diego quasar"), "proposals"), [])
        self.assertEqual(
            hits(self.search("enabler -retire"), "proposals"), ["Tidy the CLI plugins"]
        )
        self.assertCountEqual(
            hits(self.search("quasar or retire"), "proposals"),
            ["Retire the Diego enabler plugin", "Promote quasar"],
        )

    def test_it_quotes_the_words_found_in_a_snippet(self):
        response = self.search("foundation")

        self.assertContains(response, "Every <mark>foundation</mark> runs the new runtime")

    def test_it_says_so_when_nothing_matches(self):
        response = self.search("zeppelin")

        self.assertContains(response, "Everything (0)")
        self.assertContains(response, "No proposals match “zeppelin”.")

    def test_it_shows_only_the_form_before_a_search(self):
        response = self.client.get(URL)

        self.assertContains(response, "<h1>Search</h1>", html=True)
        self.assertNotContains(response, "Everything (")

    def test_every_page_has_a_search_box_in_its_header(self):
        for url in (reverse("proposals:home"), reverse("proposals:list"), URL):
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertContains(response, '<form class="site-search" method="get"', count=1)
                self.assertContains(response, f'action="{URL}" role="search" aria-label="Site"')
                self.assertContains(response, '<input type="search" id="site-search" name="q"')


class SafetyTests(SearchTestCase):
    def test_it_escapes_what_it_quotes_and_marks_only_the_words_found(self):
        make_proposal(
            self.committee,
            self.member,
            kind=Kind.OTHER,
            title="<b>Zeppelin</b> & co",
            body="Before <script>alert('zeppelin')</script> after, \ue000zeppelin",
        )

        response = self.search("zeppelin")

        html = response.content.decode()
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<b>Zeppelin", html)
        # PostgreSQL's headline leaves tags out; the fallback quotes them, escaped.
        self.assertIn("alert(&#x27;", html)
        self.assertIn("after, <mark>zeppelin</mark>", html)
        self.assertIn("&lt;b&gt;<mark>Zeppelin</mark>&lt;/b&gt; &amp; co", html)
        self.assertEqual(html.count("<mark>"), html.count("</mark>"))

    def test_marks_that_do_not_pair_up_leave_balanced_html(self):
        self.assertEqual(
            marked_html("a \ue000<i>\ue000 b \ue001\ue001 c \ue000d"),
            "a <mark>&lt;i&gt; b </mark> c <mark>d</mark>",
        )

    def test_it_refuses_a_query_too_long_and_keeps_it(self):
        q = "enabler " * 30

        response = self.search(q)

        self.assertContains(response, "Search for at most 200 characters (this has 239)")
        self.assertContains(response, 'value="enabler enabler')
        self.assertNotContains(response, "Everything (")

    @override_settings(PMC_PUBLIC_READ=False)
    def test_it_is_for_members_when_reading_is_for_members(self):
        response = self.search("enabler")
        self.assertRedirects(
            response,
            redirect_to_login(f"{URL}?q=enabler").url,
            fetch_redirect_response=False,
        )
        self.client.force_login(self.outsider)
        self.assertContains(self.search("enabler"), "for members", status_code=403)
        self.client.force_login(self.foreign_member)
        self.assertEqual(hits(self.search("enabler"), "projects"), ["diego-enabler"])


class PaginationTests(SearchTestCase):
    def test_it_shows_the_first_hits_of_each_group_and_pages_one_group(self):
        for i in range(45):
            actions.do_create_proposal(
                actor=self.member,
                committee=self.committee,
                kind=Kind.OTHER,
                title=f"Zeppelin {i:02}",
                body="An airship.",
            )

        everything = self.search("zeppelin")
        self.assertEqual(len(hits(everything, "proposals")), 5)
        self.assertContains(everything, "All 45 proposals found")

        first = self.search("zeppelin", type="proposals")
        self.assertEqual(len(hits(first, "proposals")), 20)
        self.assertContains(first, "Page 1 of 3")
        self.assertNotContains(first, 'aria-labelledby="results-meetings"')
        self.assertContains(first, "Meetings (0)")
        self.assertContains(first, "?q=zeppelin&amp;type=proposals&amp;page=2")

        last = self.search("zeppelin", type="proposals", page=3)
        self.assertEqual(len(hits(last, "proposals")), 5)
        seen = set(hits(first, "proposals")) | set(hits(last, "proposals"))
        seen |= set(hits(self.search("zeppelin", type="proposals", page=2), "proposals"))
        self.assertEqual(len(seen), 45)

    def test_counts_stop_at_a_cap_and_say_there_are_more(self):
        for i in range(4):
            make_proposal(self.committee, self.member, title=f"Zeppelin {i}")
        with patch.object(search, "COUNTED_UP_TO", 3):
            everything = self.search("zeppelin")
            self.assertContains(everything, "Proposals (3+)")
            self.assertContains(everything, "More than 3 proposals found")
            self.assertContains(self.search("zeppelin", type="proposals"), "Proposals (3+)")
        with patch.object(search, "COUNTED_UP_TO", 4):
            exactly = self.search("zeppelin")
        self.assertContains(exactly, "Proposals (4)")
        self.assertNotContains(exactly, "(4+)")


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"
)
class PostgresFullTextTests(SearchTestCase):
    def test_it_finds_other_forms_of_a_word(self):
        response = self.search("retiring plugins")

        self.assertEqual(hits(response, "proposals"), ["Retire the Diego enabler plugin"])
        self.assertContains(response, "<mark>Retire</mark> the Diego enabler <mark>plugin</mark>")

    def test_it_matches_through_the_gin_indexes(self):
        for key, index in (
            ("proposals", "proposal_search_idx"),
            ("meetings", "pmc_meeting_search"),
            ("team_reports", "pmc_teamreport_search"),
            ("projects", "pmc_project_search"),
        ):
            with self.subTest(key=key):
                source = search.BY_KEY[key]
                # The search's own condition on its table alone: with reading every row
                # and walking a whole index ruled out, the words can only be matched
                # through an index that holds the same document (a bitmap scan needs a
                # condition its index can answer), whatever statistics earlier tests left.
                matching = (
                    source.rows()
                    .model.objects.alias(document=pmc_search.document(source.model_label))
                    .filter(document=search.ranked_query("diego"))
                    .values("pk")
                )
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_seqscan = off")
                    cursor.execute("SET LOCAL enable_indexscan = off")
                    cursor.execute("SET LOCAL enable_indexonlyscan = off")
                    plan = matching.explain()

                self.assertIn(index, plan)
