"""On PostgreSQL, the API reads each page of proposals and of the audit log from an index,
as the site's pages do (the same data and checks as `tests/web/test_list_indexes.py` and
`tests/web/test_audit_indexes.py`): in each order, after each filter, with
`updated_since`, and deep in the list by cursor."""

from __future__ import annotations

import datetime

from django.utils import timezone

from proposals.api.paging import id_cursor
from proposals.models import Event, Proposal
from proposals.states import Kind, State
from proposals.views import paging
from tests.web import test_audit_indexes as site_log
from tests.web import test_list_indexes as site_list


class ApiProposalIndexTests(site_list.ProposalListIndexTests):
    # The site's own tests of this data run in their module.
    test_the_default_order_and_each_filter_read_from_an_index = None
    test_pages_past_the_numbered_ones_read_from_the_index_too = None

    def assert_sorted_by_an_index(self, url: str, index: str) -> None:
        for sql in self.page_queries(url):
            plan = self.plan(sql)
            self.assertNotIn("Seq Scan on proposals_proposal", plan, f"{url}\n{plan}")
            plan = self.plan(sql, "enable_seqscan", "enable_bitmapscan")
            self.assertNotRegex(plan, r"Sort\s+\(", f"{url}\n{plan}")
            self.assertRegex(plan, rf"Index Scan .*{index}", f"{url}\n{plan}")

    def test_each_filter_and_updated_since_read_from_an_index(self):
        since = (timezone.now() - datetime.timedelta(days=30)).isoformat()
        for params in (
            "",
            f"committee={self.committee.pk}",
            f"state={State.COMPLETED}",
            f"kind={Kind.ATTIC}",
            f"project={self.projects[7].pk}",
            f"committee={self.committee.pk}&state={State.DRAFT}",
            f"updated_since={since.replace('+', '%2B')}",
        ):
            with self.subTest(params=params):
                self.assert_read_from_an_index(f"/api/proposals/?{params}")

    def test_each_order_reads_from_its_index_deep_in_the_list(self):
        for sort, order, index in (
            ("-updated", ("-updated_at", "-pk"), "proposal_updated_idx"),
            ("title", ("title", "-pk"), "proposal_title_idx"),
            ("-created", ("-created_at", "-pk"), "proposal_created_idx"),
        ):
            with self.subTest(sort=sort):
                rows = Proposal.objects.order_by(*order)
                cursor = paging.cursor_of(rows, rows[len(rows) // 2])

                self.assert_sorted_by_an_index(f"/api/proposals/?sort={sort}", index)
                self.assert_sorted_by_an_index(
                    f"/api/proposals/?sort={sort}&cursor={cursor}", index
                )


class ApiAuditLogIndexTests(site_log.AuditLogIndexTests):
    # The site's own tests of this data run in their module.
    test_the_newest_page_and_each_filter_read_from_an_index = None
    test_a_date_range_far_back_reads_its_events_from_the_index_on_their_time = None
    test_deep_pages_read_from_the_index_too = None

    def test_each_filter_reads_from_an_index_deep_in_the_log(self):
        person = self.people[7].username
        events = Event.objects.all()
        deep = events.order_by("id")[len(events) // 10]
        by_time = events.order_by("-at", "-pk")
        for params, cursor in (
            ("", id_cursor(deep.pk)),
            (f"committee={self.committee.pk}&", id_cursor(deep.pk)),
            (f"proposal={self.proposals[42].pk}&", id_cursor(deep.pk)),
            (f"actor={person.upper()}&", id_cursor(deep.pk)),
            ("action=vote.cast&", id_cursor(deep.pk)),
            ("action=vote.&", id_cursor(deep.pk)),
            ("date_from=2020-02-01&date_to=2020-12-31&", paging.cursor_of(by_time, deep)),
        ):
            with self.subTest(params=params):
                url = f"/api/events/?{params}cursor={cursor}"
                shown = [row["id"] for row in self.client.get(url).json()["results"]]

                self.assertTrue(shown)
                if "date" not in params:
                    self.assertLess(max(shown), deep.pk)
                self.assert_read_from_an_index(f"/api/events/?{params}")
                self.assert_read_from_an_index(url)
