"""The notifications page: what was sent to me, unread first, with a link to what each is
about; marking one or all read (POST with CSRF); the unread count in the header."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from proposals import actions, notifications
from proposals.models import Notification, NotificationKind
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

PAGE = reverse("proposals:notifications")


def unread_badge(count: int) -> str:
    return f'<span class="unread-count">{count}<span class="visually-hidden"> unread</span></span>'


class NotificationsPageTests(LifecycleTestCase):
    def setUp(self) -> None:
        # Two proposals submitted by the member: the other members are told of each.
        self.first = make_proposal(self.committee, self.member, title="Move legacy-cli")
        actions.do_submit(proposal=self.first, actor=self.member)
        self.second = make_proposal(self.committee, self.member, title="Promote networking")
        actions.do_submit(proposal=self.second, actor=self.member)
        notifications.drain_outbox()
        self.older, self.newer = Notification.objects.filter(user=self.other_member).order_by("id")

    def test_it_asks_visitors_to_sign_in(self):
        response = self.client.get(PAGE)
        self.assertRedirects(response, f"{reverse('login')}?next={PAGE}")

    def test_it_lists_what_was_sent_to_me_with_a_link_to_each_proposal(self):
        self.client.force_login(self.other_member)
        response = self.client.get(PAGE)
        self.assertContains(response, "[Runtime] Submitted for discussion: Move legacy-cli")
        self.assertContains(response, "[Runtime] Submitted for discussion: Promote networking")
        self.assertContains(response, f'href="{self.first.get_absolute_url()}">Move legacy-cli<')
        self.assertContains(response, "Submitted for discussion ·")
        self.assertContains(response, "e-mailed")
        self.assertContains(response, "2 unread")

    def test_it_shows_no_one_elses_notifications(self):
        self.client.force_login(self.member)  # the proposer is not told of their own acts
        response = self.client.get(PAGE)
        self.assertNotContains(response, "Submitted for discussion: Move legacy-cli")
        self.assertContains(response, "Nothing has been sent to you yet.")

    def test_it_counts_the_unread_ones_in_the_header_on_every_page(self):
        self.client.force_login(self.other_member)
        for url in (reverse("proposals:home"), reverse("proposals:list"), PAGE):
            response = self.client.get(url)
            header = response.content.decode().split("</header>")[0]
            self.assertIn(f'href="{PAGE}"', header, url)
            self.assertIn(unread_badge(2), header, url)

    def test_it_lists_unread_first_and_marks_one_read(self):
        self.client.force_login(self.other_member)
        response = self.client.post(reverse("proposals:notification_read", args=[self.newer.pk]))
        self.assertRedirects(response, PAGE)
        self.newer.refresh_from_db()
        self.assertIsNotNone(self.newer.read_at)

        page = self.client.get(PAGE).content.decode()
        self.assertIn(unread_badge(1), page)
        self.assertIn("1 unread", page)
        # The unread older one comes before the newer one that was read.
        self.assertLess(page.index("Move legacy-cli"), page.index("Promote networking"))
        self.assertIn("· read ", page)

    def test_marking_all_read_leaves_what_arrived_since_the_page_was_shown(self):
        self.client.force_login(self.other_member)
        shown = self.client.get(PAGE)
        self.assertContains(shown, f'name="through" value="{self.newer.pk}"')
        later = make_proposal(self.committee, self.member, title="Rename CF Local")
        actions.do_submit(proposal=later, actor=self.member)
        notifications.drain_outbox()

        response = self.client.post(
            reverse("proposals:notifications_read"), {"through": str(self.newer.pk)}
        )

        self.assertRedirects(response, PAGE)
        mine = Notification.objects.filter(user=self.other_member)
        self.assertEqual(list(mine.unread().values_list("proposal", flat=True)), [later.pk])
        self.assertContains(self.client.get(PAGE), unread_badge(1))
        self.client.post(reverse("proposals:notifications_read"))
        self.assertFalse(mine.unread().exists())
        self.assertNotContains(self.client.get(PAGE), 'class="unread-count"')

    def test_no_one_marks_another_persons_notification(self):
        self.client.force_login(self.third_member)
        response = self.client.post(reverse("proposals:notification_read", args=[self.older.pk]))
        self.assertEqual(response.status_code, 404)
        self.client.post(reverse("proposals:notifications_read"))
        self.older.refresh_from_db()
        self.assertIsNone(self.older.read_at)

    def test_marking_read_takes_a_post_with_the_csrf_token(self):
        self.client.force_login(self.other_member)
        url = reverse("proposals:notification_read", args=[self.older.pk])
        self.assertEqual(self.client.get(url).status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.other_member)
        self.assertEqual(strict.post(url).status_code, 403)
        self.assertEqual(strict.post(reverse("proposals:notifications_read")).status_code, 403)
        self.assertFalse(Notification.objects.filter(read_at__isnull=False).exists())

    def test_a_reminder_links_to_the_vote_and_a_digest_to_the_home_page(self):
        voting = make_proposal(
            self.committee, self.member, state=State.VOTING, chair=self.chair, title="Vote me"
        )
        Notification.objects.create(
            key="reminder:test",
            user=self.other_member,
            kind=NotificationKind.REMINDER,
            proposal=voting,
            subject="[Runtime] Your vote is missing: Vote me",
            body="The vote closes in 5 hours.",
        )
        Notification.objects.create(
            key="digest:test",
            user=self.other_member,
            kind=NotificationKind.DIGEST,
            subject="[PMC Lifecycle] Overdue checklist items",
            body="Runtime:\n- Move legacy-cli",
        )
        self.client.force_login(self.other_member)
        response = self.client.get(PAGE)
        self.assertContains(response, f'href="{voting.get_absolute_url()}#vote">Vote me<')
        self.assertContains(response, f'href="{reverse("proposals:home")}#todos"')
        self.assertContains(response, "The vote closes in 5 hours.")

    def test_the_profile_links_to_the_notifications(self):
        self.client.force_login(self.other_member)
        response = self.client.get(reverse("proposals:profile"))
        self.assertContains(response, f'<a href="{PAGE}">Read the notifications sent to you</a>')
