"""The proposal list as CSV: the rows the filters select, every page of them, in the
list's order, with cells a spreadsheet shows as text."""

from __future__ import annotations

import csv
import io
import re

from django.urls import reverse

from proposals import actions
from proposals.states import Kind, State
from proposals.views.downloads import csv_safe
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

URL = reverse("proposals:list")


class ProposalCsvTests(LifecycleTestCase):
    def download(self, **params) -> list[dict]:
        response = self.client.get(URL, {**params, "format": "csv"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertRegex(response["Content-Disposition"], r'^attachment; filename="proposals-')
        text = b"".join(response.streaming_content).decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        return list(csv.DictReader(io.StringIO(text[1:])))

    def listed(self, **params) -> list[str]:
        """The titles on every page of the list, in order."""
        titles, page = [], 1
        while True:
            response = self.client.get(URL, {**params, "page": page})
            titles += re.findall(
                r'<a href="/proposals/\d+/">([^<]+)</a>', response.content.decode()
            )
            if 'rel="next"' not in response.content.decode():
                return titles
            page += 1

    def test_it_downloads_the_rows_of_the_filtered_list_in_its_order(self):
        for i in range(30):
            actions.do_create_proposal(
                actor=self.member,
                committee=self.committee,
                kind=Kind.OTHER,
                title=f"Draft {i:02}",
                body="",
            )
        make_proposal(self.committee, self.member, state=State.DISCUSSION, title="Talked about")
        make_proposal(self.other_committee, self.foreign_member, kind=Kind.OTHER, title="Draft X")
        filters = {"committee": self.committee.pk, "state": "draft", "sort": "title"}

        rows = self.download(**filters)

        self.assertEqual([row["title"] for row in rows], self.listed(**filters))
        self.assertEqual(len(rows), 30)
        self.assertEqual(rows[0]["title"], "Draft 00")
        self.assertEqual(rows[0]["state"], "Draft")
        self.assertEqual(rows[0]["committee"], "Runtime")
        self.assertEqual(rows[0]["proposer"], "member")
        self.assertTrue(rows[0]["url"].startswith("http://testserver/proposals/"))
        self.assertEqual(len(self.download()), 32)

    def test_a_bad_filter_downloads_no_rows_as_the_page_shows_none(self):
        make_proposal(self.committee, self.member, kind=Kind.OTHER)

        self.assertEqual(self.download(state="nonsense"), [])
        self.assertContains(
            self.client.get(URL, {"state": "nonsense"}), "No proposal matches these filters."
        )

    def test_it_keeps_formulas_from_running_in_a_spreadsheet(self):
        titles = ['=HYPERLINK("http://evil")', "+1 for this", "-2 ideas", "@SUM(A1)", "Plain"]
        for title in titles:
            make_proposal(self.committee, self.member, kind=Kind.OTHER, title=title)

        rows = self.download(sort="title")

        self.assertCountEqual(
            [row["title"] for row in rows],
            ['\'=HYPERLINK("http://evil")', "'+1 for this", "'-2 ideas", "'@SUM(A1)", "Plain"],
        )
        self.assertEqual(csv_safe(3), 3)
        self.assertEqual(csv_safe("\tx"), "'\tx")

    def test_the_list_offers_its_rows_as_csv_with_its_filters(self):
        make_proposal(self.committee, self.member, kind=Kind.OTHER)

        response = self.client.get(URL, {"state": "draft", "page": 1})

        self.assertContains(
            response, 'href="?state=draft&amp;format=csv" download>Download it as CSV'
        )
