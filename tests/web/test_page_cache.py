"""Public pages served again to anonymous readers until something is recorded."""

from __future__ import annotations

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from proposals import actions, checkpoints
from proposals.models import Proposal
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal


@override_settings(PMC_PAGE_CACHE_SECONDS=60)
class AnonymousPageCacheTests(LifecycleTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.proposal = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, title="Move the CLI plugin"
        )
        self.url = reverse("proposals:detail", args=[self.proposal.pk])

    def test_a_second_anonymous_reading_costs_one_query(self):
        first = self.client.get(self.url)
        with self.assertNumQueries(1):
            second = self.client.get(self.url)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.content, first.content)
        self.assertEqual(second["Content-Type"], first["Content-Type"])

    def test_a_new_event_shows_at_once(self):
        self.client.get(self.url)
        actions.do_edit_proposal(
            proposal=self.proposal, actor=self.member, title="Move the CLI plugin to the attic"
        )
        self.assertContains(self.client.get(self.url), "Move the CLI plugin to the attic")

    def test_the_audit_page_follows_new_checkpoints(self):
        audit = reverse("proposals:audit_log")
        self.client.get(audit)
        self.assertIsNone(self.client.get(audit).context)  # the same head: kept
        checkpoint = checkpoints.sign()
        self.assertIsNotNone(checkpoint)
        self.assertIsNotNone(self.client.get(audit).context)  # a new checkpoint: afresh

    def test_a_change_without_an_event_waits_for_the_time_limit(self):
        self.client.get(self.url)
        Proposal.objects.filter(pk=self.proposal.pk).update(title="Renamed by hand")
        self.assertNotContains(self.client.get(self.url), "Renamed by hand")
        with override_settings(PMC_PAGE_CACHE_SECONDS=0):
            self.assertContains(self.client.get(self.url), "Renamed by hand")

    def test_signed_in_readers_get_their_own_page(self):
        self.client.get(self.url)
        self.client.force_login(self.chair)
        page = self.client.get(self.url)
        self.assertContains(page, "Start the vote")

    def test_a_reader_with_a_session_is_not_served_from_the_cache(self):
        self.client.get(self.url)
        self.assertIsNone(self.client.get(self.url).context)  # from the cache
        self.client.cookies["sessionid"] = "not-a-session"
        self.assertIsNotNone(self.client.get(self.url).context)  # rendered afresh

    def test_pages_that_are_not_found_are_not_kept(self):
        missing = reverse("proposals:detail", args=[self.proposal.pk + 1000])
        self.assertEqual(self.client.get(missing).status_code, 404)
        again = self.client.get(missing)
        self.assertEqual(again.status_code, 404)
        self.assertIsNotNone(again.context)  # rendered afresh

    def test_each_query_string_is_its_own_page(self):
        listing = reverse("proposals:list")
        self.assertContains(self.client.get(listing, {"state": "discussion"}), "Move the CLI")
        self.assertNotContains(self.client.get(listing, {"state": "voting"}), "Move the CLI")

    def test_feeds_and_calendars_are_kept_too(self):
        for name, args in (("feed", []), ("committee_feed", ["runtime"]), ("calendar", [])):
            url = reverse(f"proposals:{name}", args=args)
            first = self.client.get(url)
            with self.assertNumQueries(1):
                second = self.client.get(url)
            self.assertEqual(second.content, first.content)
            self.assertEqual(second["Content-Type"], first["Content-Type"])
