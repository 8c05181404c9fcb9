"""Pages served again until something is recorded: anonymous readers share a copy,
signed-in readers each have theirs."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from pmc.models import Membership, Role
from proposals import actions, checkpoints
from proposals.models import Notification, NotificationKind, Proposal, ReaderSettings
from proposals.states import State
from proposals.views.proposal_filing import SET_ASIDE
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user


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
        self.assertContains(page, ">Start the vote</button>")

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


@override_settings(PMC_PAGE_CACHE_SECONDS=60)
class SignedInPageCacheTests(LifecycleTestCase):
    """A signed-in reader's own copy of a page, kept while the log's head and what the
    page shows of them stand."""

    def setUp(self) -> None:
        cache.clear()
        self.proposal = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, title="Move the CLI plugin"
        )
        self.url = reverse("proposals:detail", args=[self.proposal.pk])
        self.client.force_login(self.other_member)
        # The first page gives the CSRF cookie its forms are made for; it is not kept.
        self.assertIsNotNone(self.client.get(self.url).context)

    def kept(self) -> None:
        """Read the page until it comes from the cache."""
        self.client.get(self.url)
        self.assertIsNone(self.client.get(self.url).context)

    def test_a_second_reading_is_served_from_the_cache(self):
        first = self.client.get(self.url)
        # The session, the user, the time zone, the seats, the log's head, the own rows.
        with self.assertNumQueries(6):
            second = self.client.get(self.url)
        self.assertIsNone(second.context)
        self.assertEqual(second.content, first.content)

    def test_each_reader_gets_their_own_copy(self):
        self.kept()
        chair = Client()
        chair.force_login(self.chair)
        for _ in range(3):
            page = chair.get(self.url)
        self.assertIsNone(page.context)
        self.assertContains(page, ">Start the vote</button>")
        self.assertNotContains(self.client.get(self.url), ">Start the vote</button>")

    def test_a_new_notification_shows_at_once(self):
        self.kept()
        Notification.objects.create(
            key="test:1", user=self.other_member, kind=NotificationKind.COMMENTED,
            subject="A new comment", body="Read it.",
        )  # fmt: skip
        self.assertContains(self.client.get(self.url), '<span class="unread-count">1')

    def test_notifications_marked_read_show_at_once(self):
        Notification.objects.create(
            key="test:1", user=self.other_member, kind=NotificationKind.COMMENTED,
            subject="A new comment", body="Read it.",
        )  # fmt: skip
        self.kept()
        self.assertContains(self.client.get(self.url), '<span class="unread-count">1')
        Notification.objects.filter(user=self.other_member).mark_read()
        self.assertNotContains(self.client.get(self.url), "unread-count")

    def test_watching_shows_at_once(self):
        self.kept()
        self.assertContains(self.client.get(self.url), ">Watch</button>")
        actions.do_watch(proposal=self.proposal, actor=self.other_member)
        self.assertContains(self.client.get(self.url), ">Unwatch</button>")
        actions.do_watch(proposal=self.proposal, actor=self.other_member, watching=False)
        self.assertContains(self.client.get(self.url), ">Watch</button>")

    def test_a_changed_seat_shows_at_once(self):
        self.kept()
        Membership.objects.filter(user=self.other_member, committee=self.committee).update(
            role=Role.CHAIR
        )
        self.assertContains(self.client.get(self.url), ">Start the vote</button>")

    def test_a_changed_time_zone_renders_afresh(self):
        self.kept()
        ReaderSettings.objects.create(user=self.other_member, time_zone="Asia/Tokyo")
        self.assertIsNotNone(self.client.get(self.url).context)

    def test_a_waiting_message_is_shown_and_the_page_after_it_rendered_afresh(self):
        self.kept()
        watch = reverse("proposals:watch", args=[self.proposal.pk])
        page = self.client.post(watch, {"watching": "maybe"}, follow=True)
        self.assertContains(page, "Press Watch or Unwatch on the proposal")
        again = self.client.get(self.url)
        self.assertNotContains(again, "Press Watch or Unwatch on the proposal")

    def test_the_forms_of_a_kept_page_carry_a_valid_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.other_member)
        for _ in range(3):
            page = client.get(self.url)
        self.assertIsNone(page.context)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
        watch = reverse("proposals:watch", args=[self.proposal.pk])
        answer = client.post(
            watch, {"watching": "1", "csrfmiddlewaretoken": token.group(1).decode()}
        )
        self.assertEqual(answer.status_code, 302)
        self.assertContains(client.get(self.url), ">Unwatch</button>")

    def test_staff_pages_are_always_rendered_afresh(self):
        self.client.force_login(make_user("operator", is_staff=True))
        for _ in range(3):
            page = self.client.get(self.url)
        self.assertIsNotNone(page.context)

    def test_the_filing_form_is_kept_unless_it_took_a_form_back_from_the_session(self):
        url = reverse("proposals:create") + "?kind=attic&form=set-aside"
        session = self.client.session
        session[SET_ASIDE] = {"set-aside": {"title": "Retire the old CLI"}}
        session.save()
        self.assertContains(self.client.get(url), "Retire the old CLI")
        again = self.client.get(url)
        self.assertIsNotNone(again.context)  # rendered afresh for the session as it is now
        self.assertNotContains(again, "Retire the old CLI")
        self.assertIsNone(self.client.get(url).context)  # and kept

    def test_a_chair_sees_at_once_that_an_invitation_was_sent(self):
        invitation = actions.do_invite(
            committee=self.committee, email="newcomer@example.net", actor=self.chair
        )
        committee_page = reverse("proposals:committee", args=[self.committee.slug])
        self.client.force_login(self.chair)
        for _ in range(3):
            page = self.client.get(committee_page)
        self.assertIsNone(page.context)
        self.assertContains(page, "e-mail not sent")
        actions.do_mark_invitation_sent(invitation=invitation)  # by the mail job, no event
        self.assertNotContains(self.client.get(committee_page), "e-mail not sent")
