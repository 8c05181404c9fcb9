"""The profile page, where a signed-in user turns kinds of notification on and off."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from proposals import actions, notifications
from proposals.models import NotificationKind, NotificationPreference
from tests.base import LifecycleTestCase
from tests.factories import make_proposal

URL = reverse("proposals:profile")


class ProfileTests(LifecycleTestCase):
    def test_it_needs_a_signed_in_user(self):
        response = self.client.get(URL)

        self.assertRedirects(response, f"{reverse('login')}?next={URL}")

    def test_it_shows_every_kind_on_by_default_and_a_profile_link_in_the_header(self):
        self.client.force_login(self.member)

        response = self.client.get(URL)

        self.assertContains(response, "member@example.org")
        for kind in NotificationKind:
            self.assertContains(response, f'value="{kind.value}"')
            self.assertContains(response, kind.label)
        self.assertEqual(response.content.count(b"checked"), len(NotificationKind))
        self.assertContains(response, f'<a href="{URL}" aria-current="page">Profile</a>', html=True)
        self.assertContains(response, "Runtime: member since")

    def test_it_turns_a_kind_off_and_no_mail_of_that_kind_comes(self):
        self.client.force_login(self.chair)
        kept = [kind for kind in NotificationKind.values if kind != NotificationKind.SUBMITTED]

        response = self.client.post(URL, {"kinds": kept})

        self.assertRedirects(response, URL)
        self.assertEqual(
            set(NotificationPreference.objects.filter(user=self.chair, enabled=False)
                .values_list("kind", flat=True)),
            {NotificationKind.SUBMITTED},
        )  # fmt: skip
        page = self.client.get(URL)
        self.assertEqual(page.content.count(b"checked"), len(NotificationKind) - 1)

        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)
        notifications.drain_outbox()
        self.assertNotIn("chair@example.org", [m.to[0] for m in mail.outbox])
        self.assertEqual(len(mail.outbox), 2)

    def test_it_turns_a_kind_back_on(self):
        NotificationPreference.objects.create(
            user=self.chair, kind=NotificationKind.SUBMITTED, enabled=False
        )
        self.client.force_login(self.chair)

        self.client.post(URL, {"kinds": NotificationKind.values})

        self.assertFalse(
            NotificationPreference.objects.filter(user=self.chair, enabled=False).exists()
        )

    def test_it_refuses_an_unknown_kind_and_changes_nothing(self):
        self.client.force_login(self.chair)

        response = self.client.post(URL, {"kinds": ["everything"]})

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(NotificationPreference.objects.exists())
