"""The proposal list at depth: numbered pages up to a capped count, then pages that go on
from the last row shown (`?after=`), in every sort, with the filters kept; and the
project filter, typed rather than chosen from every project."""

from __future__ import annotations

import datetime
import re
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from pmc.models import Committee
from proposals.models import Proposal
from proposals.states import Kind, State
from proposals.views import paging, proposal_pages
from tests.factories import make_committee, make_project

CAP = 20
SIZE = 6


def ids_in(response) -> list[int]:
    """The proposals linked from the list's table, in page order."""
    table = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [int(pk) for pk in re.findall(r'<a href="/proposals/(\d+)/">', table)]


def next_link(response) -> str | None:
    found = re.search(r'<a href="\?([^"]*)" rel="next">', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


@mock.patch.object(paging, "COUNT_CAP", CAP)
@mock.patch.object(proposal_pages, "PAGE_SIZE", SIZE)
class CursorPagesTests(TestCase):
    """50 proposals of one committee and 10 of another, with equal times, titles and
    deadlines among them, so that the order rests on the ids where the sort value ties."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.committee = make_committee("Runtime")
        cls.other = make_committee("BOSH")
        start = timezone.now() - datetime.timedelta(days=30)
        rows = []
        for i in range(60):
            committee = cls.committee if i < 50 else cls.other
            at = start + datetime.timedelta(hours=i // 3)  # three rows per time
            rows.append(
                Proposal(
                    committee=committee,
                    kind=Kind.OTHER,
                    title=f"proposal {i % 7:02d}",  # titles repeat
                    state=State.DRAFT,
                    created_at=at,
                    updated_at=at,
                    # Some without a deadline, the rest sharing a few.
                    closes_at=None if i % 4 == 0 else start + datetime.timedelta(days=i % 3),
                )
            )
        Proposal.objects.bulk_create(rows)

    def walk(self, **params) -> tuple[list[int], list[str]]:
        """Every row the list shows from its first page, following "Next →" to the end,
        with the links followed."""
        response = self.client.get(reverse("proposals:list"), params)
        seen, links = ids_in(response), []
        while link := next_link(response):
            links.append(link)
            response = self.client.get(f"{reverse('proposals:list')}?{link}")
            self.assertEqual(response.status_code, 200)
            seen += ids_in(response)
            self.assertLess(len(links), 60, "the pages go round in a circle")
        return seen, links

    def expected(self, key, rows=None) -> list[int]:
        rows = list(rows if rows is not None else Proposal.objects.all())
        return [p.pk for p in sorted(rows, key=key)]

    def test_it_goes_on_past_the_numbered_pages_to_the_last_row_in_the_default_order(self):
        seen, links = self.walk()

        newest = self.expected(lambda p: (-p.updated_at.timestamp(), -p.pk))
        self.assertEqual(seen, newest)
        numbered = [link for link in links if "page=" in link]
        # The count stops at 20 rows: pages 2 to 4 of 6 rows, then cursors to the end.
        self.assertEqual(numbered, ["page=2", "page=3", "page=4"])
        self.assertTrue(all("after=" in link for link in links[3:]))
        self.assertContains(self.client.get(reverse("proposals:list")), "More than 20 proposals")

    def test_it_goes_on_in_every_sort(self):
        nulls_last = connection.features.nulls_order_largest
        sorts = {
            "title": lambda p: (p.title, -p.pk),
            "-created": lambda p: (-p.created_at.timestamp(), -p.pk),
            "closes": lambda p: (
                (p.closes_at is None) == nulls_last,
                p.closes_at.timestamp() if p.closes_at else 0,
                -p.pk,
            ),
        }
        for sort, key in sorts.items():
            with self.subTest(sort=sort):
                seen, _ = self.walk(sort=sort)

                self.assertEqual(seen, self.expected(key))

    def test_later_pages_keep_the_filters(self):
        seen, links = self.walk(committee=self.committee.pk, sort="title")

        runtime = Proposal.objects.filter(committee=self.committee)
        self.assertEqual(seen, self.expected(lambda p: (p.title, -p.pk), runtime))
        self.assertTrue(all(f"committee={self.committee.pk}" in link for link in links))

    def test_the_last_numbered_page_links_on_and_a_later_page_links_back_to_the_first(self):
        last = self.client.get(reverse("proposals:list"), {"page": 99})

        self.assertContains(last, "Page 4 of more than 4")
        later = self.client.get(f"{reverse('proposals:list')}?{next_link(last)}")
        self.assertContains(later, '<a href="?">← First page</a>', html=False)

    def test_a_damaged_cursor_says_so_and_shows_the_first_page(self):
        for cursor in ("not-a-cursor", "WyJ4Il0", "WyJub3QgYSBkYXRlIiwgMV0"):
            with self.subTest(cursor=cursor):
                response = self.client.get(reverse("proposals:list"), {"after": cursor})

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "is not one this list made")
                self.assertEqual(ids_in(response), ids_in(self.client.get("/proposals/")))

    def test_the_download_has_every_row_whatever_the_cap(self):
        response = self.client.get(reverse("proposals:list"), {"format": "csv"})

        lines = b"".join(response.streaming_content).decode().splitlines()
        self.assertEqual(len(lines), 1 + 60)


class ProjectFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.committee = make_committee("Runtime")
        cls.other = make_committee("BOSH")
        cls.lattice = make_project(cls.committee, name="lattice")
        cls.quasar = make_project(cls.committee, name="quasar")
        cls.cirrus = make_project(cls.other, name="cirrus")
        for project, title in ((cls.lattice, "Move lattice"), (cls.cirrus, "Rename cirrus")):
            Proposal.objects.create(
                committee=project.committee, project=project, kind=Kind.OTHER, title=title
            )

    def get(self, **params):
        return self.client.get(reverse("proposals:list"), params)

    def titles(self, response) -> list[str]:
        return re.findall(r'<a href="/proposals/\d+/">([^<]+)</a>', response.content.decode())

    def test_it_filters_by_a_typed_name_in_any_case_or_by_the_id_links_give(self):
        for value in ("lattice", "  LATTICE ", str(self.lattice.pk)):
            with self.subTest(value=value):
                response = self.get(project=value)

                self.assertEqual(self.titles(response), ["Move lattice"])
                self.assertContains(response, 'name="project" value="lattice"')

    def test_an_unknown_name_says_what_to_do_and_lists_nothing(self):
        response = self.get(project="nimbus", committee=self.committee.pk)

        self.assertContains(response, "No project is called “nimbus”")
        self.assertEqual(self.titles(response), [])
        self.assertContains(response, 'value="nimbus"')  # what was typed stays

    def test_it_suggests_the_chosen_committees_projects_and_never_lists_them_all(self):
        everything = self.get()
        chosen = self.get(committee=self.committee.pk)

        self.assertNotContains(everything, '<select name="project"')
        self.assertNotContains(everything, '<option value="lattice">')
        self.assertContains(chosen, 'list="project-choices"')
        self.assertContains(chosen, '<option value="lattice">')
        self.assertContains(chosen, '<option value="quasar">')
        self.assertNotContains(chosen, '<option value="cirrus">')
        self.assertEqual(Committee.objects.count(), 2)

    def test_it_sends_the_names_that_contain_what_was_typed_a_few_at_a_time(self):
        for i in range(30):
            make_project(self.other, name=f"nimbus-{i:02d}")
        url = reverse("proposals:project_names")

        found = self.client.get(url, {"q": "IMBUS"}).json()["names"]
        runtime = self.client.get(url, {"q": "a", "committee": self.committee.pk}).json()
        nothing = self.client.get(url, {"q": ""}).json()

        self.assertEqual(found, [f"nimbus-{i:02d}" for i in range(proposal_pages.PROJECT_NAMES)])
        self.assertEqual(runtime["names"], ["lattice", "quasar"])
        self.assertEqual(nothing["names"], [])
