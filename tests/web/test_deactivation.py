"""Leaving: deactivating an account ends its seats (each with its event), refuses it at
every door and deletes its sessions, while its votes and history stay; by the admin's
list action, by unticking *active* on its page, or by `manage.py deactivate_user`."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from pmc.models import Membership
from proposals import account_flows, actions, events
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Event, Vote
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user
from tests.web.test_accounts import FlowRecorder


def sessions_of(user) -> int:
    return sum(
        1
        for session in Session.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    )


class DeactivationTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)
        make_member(cls.other_committee, cls.member)  # a second seat, elsewhere

    def browsers_of(self, user, count=2):
        browsers = [self.client_class() for _ in range(count)]
        for browser in browsers:
            browser.force_login(user)
        return browsers

    def test_it_ends_every_seat_signs_out_everywhere_and_keeps_the_votes(self):
        proposal = make_proposal(self.committee, self.chair, state=State.VOTING, chair=self.chair)
        actions.do_cast_vote(proposal=proposal, actor=self.member, value=1)
        browsers = self.browsers_of(self.member)
        bystander = self.browsers_of(self.other_member, 1)[0]
        self.assertEqual(sessions_of(self.member), 2)

        with FlowRecorder() as flows:
            ended = actions.do_deactivate_user(user=self.member, actor=self.admin, reason="Left.")

        self.assertEqual(len(ended), 2)
        self.assertFalse(Membership.objects.active().filter(user=self.member).exists())
        ended_events = Event.objects.filter(action=events.MEMBERSHIP_ENDED)
        self.assertEqual(ended_events.count(), 2)
        self.assertEqual({e.reason for e in ended_events}, {"Left."})
        self.assertEqual({e.actor for e in ended_events}, {self.admin})
        self.member.refresh_from_db()
        self.assertFalse(self.member.is_active)
        self.assertEqual(flows.seen, [account_flows.DEACTIVATION])
        self.assertEqual(sessions_of(self.member), 0)
        for browser in browsers:
            self.assertFalse(browser.get("/").wsgi_request.user.is_authenticated)
        self.assertTrue(bystander.get("/").wsgi_request.user.is_authenticated)
        vote = Vote.objects.get(proposal=proposal, voter=self.member)
        self.assertTrue(vote.binding)
        self.assertTrue(Event.objects.filter(action=events.VOTE_CAST, actor=self.member).exists())

    def test_a_deactivated_account_cannot_sign_in_or_reset_its_password(self):
        actions.do_deactivate_user(user=self.member, actor=self.admin)
        response = self.client.post(reverse("login"), {"username": "member", "password": "pw"})
        self.assertFalse(response.wsgi_request.user.is_authenticated)
        self.client.post(reverse("proposals:password_reset"), {"email": "member@example.org"})
        self.assertEqual(mail.outbox, [])

    def test_only_administrators_may_and_never_on_themselves(self):
        staff = make_user("staff", is_staff=True)
        for actor in (self.chair, staff):
            with self.subTest(actor=actor), self.assertRaises(NotPermitted):
                actions.do_deactivate_user(user=self.member, actor=actor)
        with self.assertRaises(LifecycleError):
            actions.do_deactivate_user(user=self.admin, actor=self.admin)
        self.member.refresh_from_db()
        self.assertTrue(self.member.is_active)
        self.assertFalse(Event.objects.filter(action=events.MEMBERSHIP_ENDED).exists())

    def test_an_account_is_deactivated_once(self):
        actions.do_deactivate_user(user=self.member, actor=self.admin)
        with self.assertRaisesMessage(LifecycleError, "already deactivated"):
            actions.do_deactivate_user(user=self.member, actor=self.admin)


class AdminDeactivationTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)

    def test_the_list_action_deactivates_and_ends_the_seats(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "deactivate_selected", "_selected_action": [self.member.pk]},
            follow=True,
        )
        self.assertContains(response, "Member is deactivated; 1 seat(s) ended.")
        self.member.refresh_from_db()
        self.assertFalse(self.member.is_active)
        self.assertFalse(Membership.objects.active().filter(user=self.member).exists())

    def test_the_list_action_is_offered_to_administrators_only(self):
        staff = make_user("staff", is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="change_user"))
        self.client.force_login(staff)
        page = self.client.get(reverse("admin:auth_user_changelist"))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "deactivate_selected")
        refused = self.client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "deactivate_selected", "_selected_action": [self.member.pk]},
        )
        self.assertEqual(refused.status_code, 200)  # the list again: no such action for staff
        self.member.refresh_from_db()
        self.assertTrue(self.member.is_active)
        self.client.force_login(self.admin)
        self.assertContains(
            self.client.get(reverse("admin:auth_user_changelist")), "deactivate_selected"
        )

    def test_staff_who_untick_active_are_refused_and_nothing_is_saved(self):
        staff = make_user("staff", is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="change_user"))
        self.client.force_login(staff)
        url = reverse("admin:auth_user_change", args=[self.member.pk])
        joined = self.member.date_joined
        response = self.client.post(
            url,
            {
                "username": "member",
                "first_name": "Changed",
                "email": "member@example.org",
                "date_joined_0": joined.strftime("%Y-%m-%d"),
                "date_joined_1": joined.strftime("%H:%M:%S"),
            },
            follow=True,
        )
        self.assertContains(response, "Only an administrator may deactivate an account.")
        self.member.refresh_from_db()
        self.assertTrue(self.member.is_active)
        self.assertEqual(self.member.first_name, "")  # the whole save was rolled back
        self.assertTrue(Membership.objects.active().filter(user=self.member).exists())

    def test_unticking_active_on_the_account_page_ends_the_seats_too(self):
        self.client.force_login(self.admin)
        browser = self.client_class()
        browser.force_login(self.member)
        url = reverse("admin:auth_user_change", args=[self.member.pk])
        joined = self.member.date_joined
        data = {  # the account's page as it is, with "active" unticked (left out)
            "username": "member",
            "email": "member@example.org",
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
        }

        response = self.client.post(url, data)

        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.member.refresh_from_db()
        self.assertFalse(self.member.is_active)
        self.assertFalse(Membership.objects.active().filter(user=self.member).exists())
        self.assertEqual(Event.objects.filter(action=events.MEMBERSHIP_ENDED).count(), 1)
        self.assertFalse(browser.get("/").wsgi_request.user.is_authenticated)


class CommandTests(LifecycleTestCase):
    def test_the_command_deactivates_with_a_reason(self):
        out = StringIO()
        call_command("deactivate_user", "member", "--reason", "Left the foundation.", stdout=out)

        self.assertIn("ended: Runtime (Member)", out.getvalue())
        self.assertIn("member is deactivated; 1 seat(s) ended.", out.getvalue())
        event = Event.objects.get(action=events.MEMBERSHIP_ENDED)
        self.assertEqual(
            (event.actor_name, event.reason), ("system:deactivate_user", "Left the foundation.")
        )

    def test_an_unknown_user_name_is_said(self):
        with self.assertRaisesMessage(CommandError, "No account is called 'nobody'"):
            call_command("deactivate_user", "nobody", "--reason", "x")

    def test_a_reason_is_required(self):
        with self.assertRaises(CommandError):
            call_command("deactivate_user", "member")
