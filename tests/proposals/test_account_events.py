"""Every change to a person's account or powers appends its event, in the transaction
of the change, whichever way it comes: the site (the profile page, the sign-in form, a
password reset link), the admin, the management commands and plain code. Nothing is
written when nothing changed, and no event holds a secret."""

from __future__ import annotations

import datetime
import html
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.html import strip_tags
from django.utils.http import urlsafe_base64_encode

from pmc.urls import urlpatterns as site_urlpatterns
from proposals import acting, actions, audit, event_sentences, events
from proposals.actors import SystemActor
from proposals.errors import NotPermitted
from proposals.models import Event, NotificationKind
from tests.base import AppendOnlyTransactionTestCase
from tests.factories import make_user

User = get_user_model()
LOGIN = "/accounts/login/"
ADDRESS = "203.0.113.7"
PASSWORD = "a-long-new-passphrase-4711"  # noqa: S105

# The site with a password reset link, which the site itself does not offer yet: the
# reset flow of Django it would use, to show how its events read.
urlpatterns = [
    path(
        "reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(success_url="/"),
        name="password_reset_confirm",
    ),
    *site_urlpatterns,
]


class AccountEventsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)
        cls.alice = make_user("alice", first_name="Alice", last_name="Chen")
        cls.group = Group.objects.create(name="Editors")
        cls.other_group = Group.objects.create(name="Reviewers")

    def setUp(self) -> None:
        self.last = Event.objects.order_by("id").last().pk

    def new_events(self) -> list[Event]:
        return list(Event.objects.filter(pk__gt=self.last).order_by("id"))

    def the_event(self, action: str) -> Event:
        """The one event written since setUp, which must be `action`."""
        written = self.new_events()
        self.assertEqual([e.action for e in written], [action])
        return written[0]

    def assert_nothing_written(self) -> None:
        self.assertEqual([e.action for e in self.new_events()], [])

    def assert_no_secrets(self, event: Event, user) -> None:
        user.refresh_from_db()
        text = json.dumps(event.payload)
        self.assertNotIn(user.password, text)
        self.assertNotIn(user.password.split("$")[-1], text)
        self.assertNotIn(PASSWORD, text)
        self.assertNotIn("@example.org", text)

    def sentence(self, event: Event) -> str:
        """The event's line in the history, as read (without its markup)."""
        return html.unescape(strip_tags(event_sentences.lines([event])[0].sentence))


class AdminTests(AccountEventsTestCase):
    """A staff superuser working in Django's admin: the event names them."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)
        self.last = Event.objects.order_by("id").last().pk

    def change(self, user, **changes):
        """Post the admin's change form of `user` with its current values and `changes`."""
        data = {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": "on" if user.is_active else "",
            "is_staff": "on" if user.is_staff else "",
            "is_superuser": "on" if user.is_superuser else "",
            "groups": [g.pk for g in user.groups.all()],
            "user_permissions": [p.pk for p in user.user_permissions.all()],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        }
        data.update(changes)
        data = {key: value for key, value in data.items() if value not in ("", None)}
        url = reverse("admin:auth_user_change", args=[user.pk])
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["adminform"].form.errors,
        )
        return response

    def test_it_records_an_account_created_in_the_admin(self):
        response = self.client.post(
            reverse("admin:auth_user_add"),
            {
                "username": "bob",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "usable_password": "true",
            },
        )
        self.assertEqual(response.status_code, 302)

        event = self.the_event(events.ACCOUNT_CREATED)
        bob = User.objects.get(username="bob")
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(
            event.payload,
            {"user": "bob", "user_id": bob.pk, "active": True, "staff": False, "superuser": False},
        )
        self.assert_no_secrets(event, bob)

    def test_it_writes_nothing_for_a_form_saved_unchanged(self):
        self.change(self.alice)

        self.assert_nothing_written()

    def test_it_records_staff_granted_and_removed(self):
        self.change(self.alice, is_staff="on")
        granted = self.the_event(events.ACCOUNT_STAFF_GRANTED)
        self.assertEqual(granted.actor, self.admin)
        self.assertEqual(granted.payload, {"user": "alice", "user_id": self.alice.pk})
        self.assertEqual(self.sentence(granted), "admin granted staff status to Alice Chen.")

        self.last = granted.pk
        self.alice.refresh_from_db()
        self.change(self.alice, is_staff="")
        removed = self.the_event(events.ACCOUNT_STAFF_REMOVED)
        self.assertEqual(removed.actor, self.admin)

    def test_it_records_superuser_granted_and_removed(self):
        self.change(self.alice, is_superuser="on")
        granted = self.the_event(events.ACCOUNT_SUPERUSER_GRANTED)
        self.assertEqual(granted.actor, self.admin)
        self.assertIn("granted superuser status to Alice Chen", self.sentence(granted))

        self.last = granted.pk
        self.alice.refresh_from_db()
        self.change(self.alice, is_superuser="")
        self.the_event(events.ACCOUNT_SUPERUSER_REMOVED)

    def test_it_records_an_account_deactivated_and_reactivated(self):
        self.change(self.alice, is_active="")
        event = self.the_event(events.ACCOUNT_DEACTIVATED)
        self.assertEqual(event.actor, self.admin)
        self.assertIn("deactivated the account of Alice Chen", self.sentence(event))

        self.last = event.pk
        self.alice.refresh_from_db()
        self.change(self.alice, is_active="on")
        self.the_event(events.ACCOUNT_REACTIVATED)

    def test_one_save_that_adds_and_removes_groups_is_one_event(self):
        self.alice.groups.add(self.group)
        self.last = Event.objects.order_by("id").last().pk

        self.change(self.alice, groups=[self.other_group.pk])

        event = self.the_event(events.ACCOUNT_GROUPS_CHANGED)
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(
            event.payload,
            {
                "user": "alice",
                "user_id": self.alice.pk,
                "added": ["Reviewers"],
                "removed": ["Editors"],
            },
        )
        self.assertIn(
            "added Alice Chen to the group “Reviewers” and removed Alice Chen from the group "
            "“Editors”",
            self.sentence(event),
        )

    def test_it_records_permissions_given_to_a_person(self):
        permission = Permission.objects.get(codename="view_vote")

        self.change(self.alice, user_permissions=[permission.pk])

        event = self.the_event(events.ACCOUNT_PERMISSIONS_CHANGED)
        self.assertEqual(event.payload["added"], ["proposals.view_vote"])
        self.assertEqual(event.payload["removed"], [])

    def test_it_records_a_group_given_permissions(self):
        permission = Permission.objects.get(codename="view_vote")

        response = self.client.post(
            reverse("admin:auth_group_change", args=[self.group.pk]),
            {"name": "Editors", "permissions": [permission.pk]},
        )

        self.assertEqual(response.status_code, 302)
        event = self.the_event(events.GROUP_PERMISSIONS_CHANGED)
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(
            event.payload,
            {
                "group": "Editors",
                "group_id": self.group.pk,
                "added": ["proposals.view_vote"],
                "removed": [],
            },
        )

    def test_it_records_a_detail_changed_without_the_e_mail_address(self):
        self.change(self.alice, last_name="Chen-Park", email="alice.chen@example.net")

        event = self.the_event(events.ACCOUNT_DETAILS_CHANGED)
        self.assertEqual(
            event.payload["changed"],
            {"last_name": {"from": "Chen", "to": "Chen-Park"}, "email": {}},
        )
        self.assertNotIn("example", json.dumps(event.payload))
        self.assertIn(
            "changed the account of Alice Chen-Park: the last name from “Chen” to “Chen-Park”; "
            "the e-mail address",
            self.sentence(event),
        )

    def test_a_password_set_by_an_administrator_is_a_reset(self):
        url = reverse("admin:auth_user_password_change", args=[self.alice.pk])

        response = self.client.post(
            url, {"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"}
        )

        self.assertEqual(response.status_code, 302)
        event = self.the_event(events.ACCOUNT_PASSWORD_RESET)
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.payload, {"user": "alice", "user_id": self.alice.pk, "usable": True})
        self.assert_no_secrets(event, self.alice)
        self.assertIn("set a new password for Alice Chen", self.sentence(event))

    def test_a_password_changed_by_its_owner_is_a_change(self):
        response = self.client.post(
            reverse("admin:password_change"),
            {"old_password": "pw", "new_password1": PASSWORD, "new_password2": PASSWORD},
        )

        self.assertEqual(response.status_code, 302)
        event = self.the_event(events.ACCOUNT_PASSWORD_CHANGED)
        self.assertEqual(event.actor, self.admin)
        self.assert_no_secrets(event, self.admin)
        self.assertEqual(self.sentence(event), "admin changed their password.")

    def test_it_records_an_account_deleted(self):
        response = self.client.post(
            reverse("admin:auth_user_delete", args=[self.alice.pk]), {"post": "yes"}
        )

        self.assertEqual(response.status_code, 302)
        event = self.the_event(events.ACCOUNT_DELETED)
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(event.payload, {"user": "alice", "user_id": self.alice.pk})

    def test_an_administrator_deleting_their_own_account_is_named(self):
        other = make_user("other_admin", is_staff=True, is_superuser=True)
        self.client.force_login(other)
        self.last = Event.objects.order_by("id").last().pk

        self.client.post(reverse("admin:auth_user_delete", args=[other.pk]), {"post": "yes"})

        event = self.the_event(events.ACCOUNT_DELETED)
        self.assertFalse(User.objects.filter(pk=other.pk).exists())
        self.assertIsNone(event.actor)
        self.assertEqual(event.actor_name, "other_admin")

    def test_it_records_an_unlock_by_deleting_the_attempts(self):
        fail_to_sign_in(self.client_class(), "alice", 5)
        self.last = Event.objects.order_by("id").last().pk

        response = self.client.post(
            reverse("admin:axes_accessattempt_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
                "post": "yes",
            },
        )

        self.assertEqual(response.status_code, 302)
        self.assertFalse(AccessAttempt.objects.exists())
        event = self.the_event(events.ACCOUNT_UNLOCKED)
        self.assertEqual(event.actor, self.admin)
        self.assertEqual(
            event.payload,
            {"by": "user name", "user": "alice", "user_id": self.alice.pk, "addresses": 1},
        )


def fail_to_sign_in(client, username: str, times: int, address: str = ADDRESS):
    response = None
    for _ in range(times):
        response = client.post(
            LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )
    return response


class SignInTests(AccountEventsTestCase):
    """The sign-in form, throttled by django-axes."""

    def test_the_failure_that_reaches_the_limit_locks_out_with_one_event(self):
        fail_to_sign_in(self.client, "alice", 4)
        self.assert_nothing_written()

        response = fail_to_sign_in(self.client, "alice", 1)

        self.assertEqual(response.status_code, 429)
        event = self.the_event(events.ACCOUNT_LOCKED_OUT)
        self.assertIsNone(event.actor)
        self.assertEqual(event.actor_name, "system:sign-in throttle")
        self.assertEqual(
            event.payload,
            {
                "by": "user name",
                "user": "alice",
                "user_id": self.alice.pk,
                "failures": 5,
                "minutes": 15,
            },
        )
        self.assertNotIn(ADDRESS, json.dumps(event.payload))
        self.assertEqual(
            self.sentence(event),
            "The sign-in throttle locked out the sign-in of Alice Chen at one "
            "address for 15 minutes after 5 failed sign-ins.",
        )

    def test_attempts_during_the_lockout_write_no_more_events(self):
        fail_to_sign_in(self.client, "alice", 5)

        fail_to_sign_in(self.client, "alice", 3)
        self.client.post(LOGIN, {"username": "alice", "password": "pw"}, REMOTE_ADDR=ADDRESS)

        self.the_event(events.ACCOUNT_LOCKED_OUT)

    def test_a_user_name_that_is_no_account_is_not_written(self):
        fail_to_sign_in(self.client, "my-secret-password", 5)

        event = self.the_event(events.ACCOUNT_LOCKED_OUT)
        self.assertEqual(event.payload["user"], "")
        self.assertFalse(event.payload["account"])
        self.assertNotIn("my-secret-password", json.dumps(event.payload))

    def test_an_address_locked_out_across_user_names_is_one_event(self):
        for n in range(20):
            fail_to_sign_in(self.client, f"guess{n}", 1)

        event = self.the_event(events.ACCOUNT_LOCKED_OUT)
        self.assertEqual(event.payload, {"by": "address", "failures": 20, "minutes": 15})
        self.assertIn("locked out the sign-ins from one address", self.sentence(event))

    def test_signing_in_writes_nothing(self):
        fail_to_sign_in(self.client, "alice", 2)

        response = self.client.post(
            LOGIN, {"username": "alice", "password": "pw"}, REMOTE_ADDR=ADDRESS
        )

        self.assertEqual(response.status_code, 302)
        self.alice.refresh_from_db()
        self.assertIsNotNone(self.alice.last_login)
        self.assertFalse(AccessAttempt.objects.exists())  # the count was cleared
        self.assert_nothing_written()

    def test_attempts_expiring_after_the_cool_off_are_no_unlock(self):
        fail_to_sign_in(self.client, "alice", 5)
        AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
        self.last = Event.objects.order_by("id").last().pk

        response = self.client.post(
            LOGIN, {"username": "alice", "password": "pw"}, REMOTE_ADDR=ADDRESS
        )

        self.assertEqual(response.status_code, 302)
        self.assert_nothing_written()


@override_settings(ROOT_URLCONF=__name__)
class PasswordResetLinkTests(AccountEventsTestCase):
    def test_a_password_set_through_a_reset_link_is_a_reset_by_its_owner(self):
        uid = urlsafe_base64_encode(force_bytes(self.alice.pk))
        token = default_token_generator.make_token(self.alice)
        form = self.client.get(f"/reset/{uid}/{token}/", follow=True)
        self.assertEqual(form.status_code, 200)

        response = self.client.post(
            form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
        )

        self.assertEqual(response.status_code, 302)
        event = self.the_event(events.ACCOUNT_PASSWORD_RESET)
        self.assertEqual(event.actor, self.alice)
        self.assert_no_secrets(event, self.alice)
        self.assertIn("reset their password without signing in", self.sentence(event))


class ProfileTests(AccountEventsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)

    def save_kinds(self, kinds):
        return self.client.post(reverse("proposals:profile"), {"kinds": kinds})

    def test_it_records_notifications_turned_off_and_on(self):
        every = list(NotificationKind.values)
        self.save_kinds([k for k in every if k != "reminder"])

        event = self.the_event(events.ACCOUNT_PREFERENCES_CHANGED)
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(
            event.payload,
            {
                "user": "alice",
                "user_id": self.alice.pk,
                "notifications": {"turned_on": [], "turned_off": ["reminder"]},
            },
        )
        self.assertIn(
            "changed their preferences: turned off the e-mails “a reminder before a vote i have "
            "not voted in closes”",
            self.sentence(event),
        )

        self.last = event.pk
        self.save_kinds(every)
        again = self.the_event(events.ACCOUNT_PREFERENCES_CHANGED)
        self.assertEqual(
            again.payload["notifications"], {"turned_on": ["reminder"], "turned_off": []}
        )

    def test_saving_the_same_choices_writes_nothing(self):
        self.save_kinds(list(NotificationKind.values))
        self.client.post(reverse("proposals:profile"), {"time_zone": ""})

        self.assert_nothing_written()

    def test_it_records_the_time_zone_chosen(self):
        self.client.post(reverse("proposals:profile"), {"time_zone": "Europe/Berlin"})

        event = self.the_event(events.ACCOUNT_PREFERENCES_CHANGED)
        self.assertEqual(event.payload["time_zone"], {"from": "", "to": "Europe/Berlin"})
        self.assertIn(
            "changed their preferences: set the time zone to Europe/Berlin (was the site's)",
            self.sentence(event),
        )

    def test_only_the_person_changes_their_preferences(self):
        with self.assertRaises(NotPermitted):
            actions.do_set_time_zone(user=self.alice, name="Asia/Tokyo", actor=self.admin)
        self.assert_nothing_written()


class ScriptedChangePassword(changepassword.Command):
    """`changepassword` with the answers typed at its prompts."""

    def __init__(self, answers: list[str]) -> None:
        super().__init__()
        self.answers = answers

    def _get_pass(self, prompt="Password: "):
        return self.answers.pop(0)


class CommandTests(AccountEventsTestCase):
    """Management commands: outside a request, the command is who acted."""

    def test_createsuperuser_records_the_account_with_its_powers(self):
        os.environ["DJANGO_SUPERUSER_PASSWORD"] = PASSWORD
        try:
            call_command(
                "createsuperuser",
                "--noinput",
                username="root",
                email="root@example.org",
                verbosity=0,
            )
        finally:
            del os.environ["DJANGO_SUPERUSER_PASSWORD"]

        event = self.the_event(events.ACCOUNT_CREATED)
        root = User.objects.get(username="root")
        self.assertIsNone(event.actor)
        self.assertEqual(event.actor_name, "system:command")
        self.assertEqual(
            event.payload,
            {"user": "root", "user_id": root.pk, "active": True, "staff": True, "superuser": True},
        )
        self.assert_no_secrets(event, root)
        self.assertEqual(
            self.sentence(event),
            "A management command created the account of root (staff, superuser).",
        )

    def test_changepassword_is_a_reset(self):
        call_command(ScriptedChangePassword([PASSWORD, PASSWORD]), "alice", stdout=io.StringIO())

        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(PASSWORD))
        event = self.the_event(events.ACCOUNT_PASSWORD_RESET)
        self.assertEqual(event.actor_name, "system:command")
        self.assert_no_secrets(event, self.alice)

    def test_axes_reset_records_the_unlock(self):
        fail_to_sign_in(self.client, "alice", 5)
        fail_to_sign_in(self.client, "alice", 5, address="203.0.113.8")
        self.last = Event.objects.order_by("id").last().pk

        call_command("axes_reset", verbosity=0)

        event = self.the_event(events.ACCOUNT_UNLOCKED)
        self.assertEqual(event.actor_name, "system:command")
        self.assertEqual(event.payload["addresses"], 2)
        self.assertIn("unlocked the sign-in of Alice Chen at 2 addresses", self.sentence(event))

    def test_axes_reset_username_records_the_unlock_and_nothing_for_a_name_not_locked(self):
        fail_to_sign_in(self.client, "alice", 5)
        fail_to_sign_in(self.client, "admin", 2)
        self.last = Event.objects.order_by("id").last().pk

        call_command("axes_reset_username", "admin", verbosity=0)
        self.assert_nothing_written()
        call_command("axes_reset_username", "alice", verbosity=0)

        self.assertEqual(self.the_event(events.ACCOUNT_UNLOCKED).payload["user"], "alice")

    def test_axes_reset_ip_records_the_address_unlocked(self):
        for n in range(20):
            fail_to_sign_in(self.client, f"guess{n}", 1)
        self.last = Event.objects.order_by("id").last().pk

        call_command("axes_reset_ip", ADDRESS, verbosity=0)

        event = self.the_event(events.ACCOUNT_UNLOCKED)
        self.assertEqual(event.payload, {"by": "address"})

    def test_a_command_of_ours_names_itself(self):
        with acting.acting_as(SystemActor("seed_demo")):
            make_user("carol")

        self.assertEqual(self.the_event(events.ACCOUNT_CREATED).actor_name, "system:seed_demo")

    def test_manage_py_names_the_command_run(self):
        self.assertEqual(
            str(acting.command_actor(["manage.py", "createsuperuser", "--noinput"])),
            "system:command:createsuperuser",
        )
        self.assertEqual(str(acting.command_actor(["manage.py"])), "system:command")
        event = Event(actor_name="system:command:createsuperuser", action=events.ACCOUNT_CREATED)
        self.assertEqual(event_sentences.who(event), "The command createsuperuser")


class CodeTests(AccountEventsTestCase):
    """Plain saves and relation changes, as a script or the shell makes them."""

    def test_saving_without_a_change_writes_nothing(self):
        self.alice.save()
        self.alice.first_name = "Alice"
        self.alice.save(update_fields=["first_name"])
        User.objects.get(pk=self.alice.pk).save()

        self.assert_nothing_written()

    def test_last_login_writes_nothing(self):
        self.client.force_login(self.alice)
        self.alice.refresh_from_db()

        self.assertIsNotNone(self.alice.last_login)
        self.assert_nothing_written()

    def test_several_changes_in_one_save_are_one_event_each(self):
        self.alice.is_staff = True
        self.alice.is_active = False
        self.alice.set_password(PASSWORD)
        self.alice.save()

        self.assertEqual(
            [e.action for e in self.new_events()],
            [
                events.ACCOUNT_DEACTIVATED,
                events.ACCOUNT_STAFF_GRANTED,
                events.ACCOUNT_PASSWORD_RESET,
            ],
        )

    def test_a_group_added_twice_or_a_group_removed_that_was_not_held_writes_once(self):
        self.alice.groups.add(self.group)
        self.alice.groups.add(self.group)
        self.alice.groups.remove(self.other_group)

        event = self.the_event(events.ACCOUNT_GROUPS_CHANGED)
        self.assertEqual(event.payload["added"], ["Editors"])

    def test_groups_changed_from_the_group_side_or_cleared(self):
        self.group.user_set.add(self.alice, self.admin)
        added = [(e.payload["user"], e.payload["added"]) for e in self.new_events()]
        self.assertEqual(sorted(added), [("admin", ["Editors"]), ("alice", ["Editors"])])

        self.last = Event.objects.order_by("id").last().pk
        self.alice.groups.clear()
        self.assertEqual(
            self.the_event(events.ACCOUNT_GROUPS_CHANGED).payload["removed"], ["Editors"]
        )

    def test_deleting_a_group_takes_it_from_its_members(self):
        self.alice.groups.add(self.group)
        self.last = Event.objects.order_by("id").last().pk

        self.group.delete()

        event = self.the_event(events.ACCOUNT_GROUPS_CHANGED)
        self.assertEqual(event.payload["removed"], ["Editors"])

    def test_a_password_disabled_is_recorded(self):
        self.alice.set_unusable_password()
        self.alice.save()

        event = self.the_event(events.ACCOUNT_PASSWORD_RESET)
        self.assertFalse(event.payload["usable"])
        self.assertIn("disabled the password of Alice Chen", self.sentence(event))

    @override_settings(
        PASSWORD_HASHERS=[
            "tests.proposals.test_account_events.QuickPBKDF2",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
    )
    def test_a_stronger_hash_of_the_same_password_is_no_change(self):
        stored = User.objects.get(pk=self.alice.pk)
        self.assertTrue(stored.password.startswith("md5$"))

        self.assertTrue(stored.check_password("pw"))

        stored.refresh_from_db()
        self.assertTrue(stored.password.startswith("pbkdf2_sha256$"))
        self.assert_nothing_written()

    def test_a_restore_with_loaddata_writes_nothing(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as dump:
            call_command("dumpdata", "auth.user", stdout=dump)
        self.addCleanup(os.unlink, dump.name)
        User.objects.filter(pk=self.alice.pk).update(first_name="Changed")

        call_command("loaddata", dump.name, verbosity=0)

        self.assertEqual(User.objects.get(pk=self.alice.pk).first_name, "Alice")
        self.assert_nothing_written()

    def test_the_audit_page_filters_the_people_events(self):
        self.alice.is_staff = True
        self.alice.save()
        self.client.force_login(self.admin)

        page = self.client.get(reverse("proposals:audit_log"), {"action": "account.staff"})

        self.assertContains(page, "granted staff status to Alice Chen")
        self.assertNotContains(page, "created the account of")


@override_settings(DEBUG=True)
class SeedDemoTests(TestCase):
    def test_the_demo_data_records_each_account_it_creates(self):
        call_command("seed_demo", stdout=io.StringIO())

        created = Event.objects.filter(action=events.ACCOUNT_CREATED)
        self.assertEqual(
            sorted(created.values_list("payload__user", flat=True)),
            sorted(User.objects.values_list("username", flat=True)),
        )
        self.assertEqual(set(created.values_list("actor_name", flat=True)), {"system:seed_demo"})
        self.assertTrue(created.get(payload__user="admin").payload["superuser"])
        self.assertTrue(audit.verify_chain().ok)


class AuditPageQueriesTests(TestCase):
    """The audit page names the people its lines are about in one query, however many."""

    def queries(self) -> int:
        url = reverse("proposals:audit_log")
        self.client.get(url)
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def test_a_page_of_account_events_runs_as_many_queries_for_many_people(self):
        self.client.force_login(make_user("reader"))
        for n in range(3):
            make_user(f"person{n}", first_name=f"First{n}").is_staff = True
        few = self.queries()

        for n in range(3, 60):
            user = make_user(f"person{n}", first_name=f"First{n}")
            user.is_staff = True
            user.save()
        many = self.queries()

        self.assertEqual(few, many)
        page = self.client.get(reverse("proposals:audit_log")).content.decode()
        self.assertIn("granted staff status to First59", page)


class QuickPBKDF2(PBKDF2PasswordHasher):
    """A stronger hasher than the tests' MD5, quick enough for a test."""

    iterations = 1000


class SameTransactionTests(AppendOnlyTransactionTestCase):
    """Outside any transaction of the caller's, the row and its event are committed
    together, or neither is."""

    def test_a_save_whose_event_fails_keeps_the_old_row(self):
        alice = make_user("alice")
        created = Event.objects.get(action=events.ACCOUNT_CREATED)
        self.assertEqual(created.payload["user"], "alice")

        def refuse(event):
            raise RuntimeError("the log cannot be written")

        audit.on_written(refuse)
        try:
            alice.is_staff = True
            with self.assertRaises(RuntimeError):
                alice.save()
        finally:
            audit._listeners.remove(refuse)

        self.assertFalse(User.objects.get(pk=alice.pk).is_staff)
        self.assertFalse(Event.objects.filter(action=events.ACCOUNT_STAFF_GRANTED).exists())

        alice.save()
        self.assertTrue(User.objects.get(pk=alice.pk).is_staff)
        self.assertEqual(Event.objects.filter(action=events.ACCOUNT_STAFF_GRANTED).count(), 1)
        self.assertTrue(audit.verify_chain().ok)

    def test_a_new_account_whose_event_fails_is_not_created(self):
        def refuse(event):
            raise RuntimeError("the log cannot be written")

        audit.on_written(refuse)
        try:
            with self.assertRaises(RuntimeError):
                make_user("bob")
        finally:
            audit._listeners.remove(refuse)

        self.assertFalse(User.objects.filter(username="bob").exists())


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql",
    "needs PostgreSQL (row locks and concurrent connections): run with DATABASE_URL=postgres://...",
)
class ConcurrentSavesTests(AppendOnlyTransactionTestCase):
    def test_two_people_granting_staff_at_once_write_one_event(self):
        alice = make_user("alice")
        stale = User.objects.get(pk=alice.pk)  # read before either grant
        saved, release = threading.Event(), threading.Event()

        def first() -> None:
            try:
                with transaction.atomic():
                    user = User.objects.get(pk=alice.pk)
                    user.is_staff = True
                    user.save()
                    saved.set()
                    release.wait(timeout=10)  # keep the row locked a moment
            finally:
                connections.close_all()

        def second() -> None:
            try:
                stale.is_staff = True
                stale.save()  # waits for the first to commit, then finds nothing changed
            finally:
                connections.close_all()

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        threads[0].start()
        self.assertTrue(saved.wait(timeout=10))
        threads[1].start()
        threads[1].join(timeout=0.5)
        self.assertTrue(threads[1].is_alive())  # held by the first one's lock
        release.set()
        for thread in threads:
            thread.join(timeout=10)

        self.assertTrue(User.objects.get(pk=alice.pk).is_staff)
        self.assertEqual(Event.objects.filter(action=events.ACCOUNT_STAFF_GRANTED).count(), 1)
        self.assertTrue(audit.verify_chain().ok)


class ManagePyTests(TestCase):
    """`manage.py createsuperuser`, run as an operator runs it, on a SQLite database of
    its own (whichever database the suite runs on)."""

    def test_it_logs_the_account_as_created_by_the_command(self):
        root = Path(__file__).resolve().parents[2]
        with tempfile.TemporaryDirectory() as var:
            env = {
                **os.environ,
                "DEBUG": "1",
                "DATABASE_URL": f"sqlite:///{var}/db.sqlite3",
                "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
                "PMC_EMBEDDED_JOBS": "0",
            }
            env.pop("DJANGO_SETTINGS_MODULE", None)

            def manage(*args):
                return subprocess.run(  # noqa: S603
                    [sys.executable, "manage.py", *args],
                    cwd=root,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=120,
                )

            manage("migrate", "--verbosity=0")
            manage("createsuperuser", "--noinput", "--username=root", "--email=root@example.org")
            listed = manage(
                "shell",
                "-c",
                "from proposals.models import Event; "
                "print([(e.action, e.actor_name, e.payload['user']) for e in Event.objects.all()])",
            )

        self.assertEqual(
            listed.stdout.strip().splitlines()[-1],
            str([(events.ACCOUNT_CREATED, "system:command:createsuperuser", "root")]),
        )
