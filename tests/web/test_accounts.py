"""A person's own account: password reset by e-mail (end to end, the link read from the
e-mail), its expiry and single use; password change; e-mail change confirmed from the new
address; full name on the profile; and which flow each password change ran in."""

from __future__ import annotations

import contextlib
import datetime
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db.models.signals import post_save
from django.test import override_settings
from django.urls import reverse

from pmc.models import Role
from proposals import account_flows, actions
from proposals.actions import invitations
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_user
from tests.test_security import POLICY, inline_code, policy_of

LINK = re.compile(r"http://\S+")


def link_in(message) -> str:
    """The path of the one link in an e-mail's body."""
    links = LINK.findall(message.body)
    assert len(links) == 1, links
    return links[0].removeprefix("http://127.0.0.1:8000")


@contextlib.contextmanager
def clock_of_reset_tokens(at: datetime.datetime):
    """Django's reset tokens judged as if it were `at` (the generator reads its clock
    from `_now`, naive local time)."""
    original = default_token_generator._now
    default_token_generator._now = lambda: at
    try:
        yield
    finally:
        default_token_generator._now = original


class FlowRecorder:
    """Which account flow each save of a user ran in, as a people-audit receiver sees it."""

    def __init__(self):
        self.seen: list[str | None] = []

    def __call__(self, sender, instance, **kwargs):
        current = account_flows.current()
        self.seen.append(current.name if current else None)

    def __enter__(self):
        post_save.connect(self, sender=get_user_model())
        return self

    def __exit__(self, *exc):
        post_save.disconnect(self, sender=get_user_model())


class PasswordResetTests(LifecycleTestCase):
    def request_reset(self, email="member@example.org"):
        return self.client.post(reverse("proposals:password_reset"), {"email": email})

    def test_it_resets_the_password_from_the_emailed_link_and_signs_out_other_sessions(self):
        other_browser = self.client_class()
        other_browser.force_login(self.member)

        response = self.request_reset()

        self.assertRedirects(response, reverse("proposals:password_reset_done"))
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["member@example.org"])
        self.assertEqual(message.subject, "Reset your PMC Lifecycle password")
        self.assertIn("within 60 minutes", message.body)
        self.assertEqual(message.extra_headers["Auto-Submitted"], "auto-generated")
        form_page = self.client.get(link_in(message), follow=True)
        self.assertContains(form_page, "Choose a new password")
        self.assertContains(form_page, "For the account <strong>member</strong>")
        set_url = form_page.redirect_chain[-1][0]
        with FlowRecorder() as flows:
            done = self.client.post(
                set_url,
                {"new_password1": "a-long-new-secret-7", "new_password2": "a-long-new-secret-7"},
            )
        self.assertRedirects(done, reverse("proposals:password_reset_complete"))
        self.member.refresh_from_db()
        self.assertTrue(self.member.check_password("a-long-new-secret-7"))
        self.assertEqual(flows.seen, [account_flows.PASSWORD_RESET])
        # The session hash changed with the password: the other browser is signed out.
        self.assertFalse(other_browser.get("/").wsgi_request.user.is_authenticated)

    def test_it_refuses_the_link_a_second_time(self):
        self.request_reset()
        link = link_in(mail.outbox[0])
        set_url = self.client.get(link, follow=True).redirect_chain[-1][0]
        new = {"new_password1": "a-long-new-secret-7", "new_password2": "a-long-new-secret-7"}
        self.client.post(set_url, new)

        again = self.client.get(link, follow=True)

        self.assertContains(again, "This link does not work: it was used already")
        second = self.client_class().get(link, follow=True)
        self.assertContains(second, "This link does not work")
        self.member.refresh_from_db()
        self.assertTrue(self.member.check_password("a-long-new-secret-7"))

    def test_the_link_works_for_an_hour_then_is_refused(self):
        self.request_reset()
        link = link_in(mail.outbox[0])
        now = datetime.datetime.now()

        with clock_of_reset_tokens(now + datetime.timedelta(minutes=59)):
            within = self.client_class().get(link, follow=True)
        with clock_of_reset_tokens(now + datetime.timedelta(minutes=61)):
            after = self.client_class().get(link, follow=True)

        self.assertContains(within, "new_password1")
        self.assertContains(after, "This link does not work")
        self.assertContains(after, "it expired (60 minutes after it was sent)")
        self.assertNotContains(after, "new_password1")

    def test_an_unknown_or_inactive_address_gets_the_same_answer_and_no_email(self):
        make_user("gone", is_active=False)
        for email in ("nobody@example.org", "gone@example.org"):
            response = self.request_reset(email)
            self.assertRedirects(response, reverse("proposals:password_reset_done"))
        self.assertEqual(mail.outbox, [])

    @override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,  # discard: nothing listens, the connection is refused
        EMAIL_TIMEOUT=2,
    )
    def test_a_mail_server_that_is_down_is_said_for_every_address(self):
        for email in ("member@example.org", "nobody@example.org"):
            response = self.request_reset(email)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "The mail server is not answering")
            self.assertContains(response, f'value="{email}"')

    def test_the_sign_in_page_links_to_the_reset(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, reverse("proposals:password_reset"))


class PasswordChangeTests(LifecycleTestCase):
    def test_it_changes_the_password_keeps_this_session_and_ends_the_others(self):
        other_browser = self.client_class()
        other_browser.force_login(self.member)
        self.client.force_login(self.member)

        with FlowRecorder() as flows:
            response = self.client.post(
                reverse("proposals:password_change"),
                {
                    "old_password": "pw",
                    "new_password1": "a-long-new-secret-7",
                    "new_password2": "a-long-new-secret-7",
                },
                follow=True,
            )

        self.assertContains(response, "Your password is changed.")
        self.assertTrue(response.wsgi_request.user.is_authenticated)
        self.assertFalse(other_browser.get("/").wsgi_request.user.is_authenticated)
        self.assertEqual(flows.seen, [account_flows.PASSWORD_CHANGE])

    def test_a_wrong_old_password_changes_nothing(self):
        self.client.force_login(self.member)
        response = self.client.post(
            reverse("proposals:password_change"),
            {"old_password": "nope", "new_password1": "x-7-long-b", "new_password2": "x-7-long-b"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your old password was entered incorrectly")
        self.member.refresh_from_db()
        self.assertTrue(self.member.check_password("pw"))

    def test_anonymous_readers_are_sent_to_sign_in(self):
        response = self.client.get(reverse("proposals:password_change"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])


class EmailChangeTests(LifecycleTestCase):
    def ask(self, new="bruno@new.example.org", password=None):
        return self.client.post(
            reverse("proposals:profile"), {"new_email": new, "password": password or "pw"}
        )

    def test_the_address_changes_only_when_the_link_sent_to_it_is_confirmed(self):
        self.client.force_login(self.member)

        response = self.ask()

        self.assertRedirects(response, reverse("proposals:profile"))
        self.member.refresh_from_db()
        self.assertEqual(self.member.email, "member@example.org")
        [message] = mail.outbox
        self.assertEqual(message.to, ["bruno@new.example.org"])
        link = link_in(message)
        page = self.client.get(link)
        self.assertContains(page, "Use the new address")
        self.member.refresh_from_db()
        self.assertEqual(self.member.email, "member@example.org")  # a GET changes nothing

        with FlowRecorder() as flows:
            done = self.client.post(link, follow=True)

        self.assertContains(done, "Your e-mail address is now bruno@new.example.org.")
        self.member.refresh_from_db()
        self.assertEqual(self.member.email, "bruno@new.example.org")
        self.assertEqual(flows.seen, [account_flows.EMAIL_CHANGE])
        notice = mail.outbox[1]
        self.assertEqual(notice.to, ["member@example.org"])
        self.assertIn("now uses bruno@new.example.org", notice.body)

        again = self.client.post(link, follow=True)
        self.assertContains(again, "This link was used already")

    def test_the_link_expires(self):
        self.client.force_login(self.member)
        self.ask()
        link = link_in(mail.outbox[0])

        with override_settings(PMC_EMAIL_CHANGE_HOURS=-1):
            response = self.client.post(link, follow=True)

        self.assertContains(response, "This link has expired")
        self.member.refresh_from_db()
        self.assertEqual(self.member.email, "member@example.org")

    def test_the_link_works_only_for_the_account_that_asked(self):
        self.client.force_login(self.member)
        self.ask()
        link = link_in(mail.outbox[0])
        self.client.force_login(self.outsider)

        response = self.client.post(link, follow=True)

        self.assertContains(response, "This link is for another account")
        self.outsider.refresh_from_db()
        self.assertEqual(self.outsider.email, "outsider@example.org")

    def test_a_tampered_link_is_refused(self):
        self.client.force_login(self.member)
        self.ask()
        link = link_in(mail.outbox[0])
        response = self.client.post(link[:-3] + "xyz/", follow=True)
        self.assertContains(response, "This link is not valid")

    def test_a_wrong_password_or_a_taken_address_sends_nothing_and_keeps_the_input(self):
        self.client.force_login(self.member)

        wrong = self.ask(password="nope")
        taken = self.ask(new="outsider@example.org")

        self.assertContains(wrong, "That is not your password; nothing was changed.")
        self.assertContains(wrong, 'value="bruno@new.example.org"')
        self.assertContains(taken, "Another account uses that address.")
        self.assertEqual(mail.outbox, [])

    @override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,
        EMAIL_TIMEOUT=2,
    )
    def test_a_mail_server_that_is_down_is_said_and_the_input_kept(self):
        self.client.force_login(self.member)
        response = self.ask()
        self.assertContains(response, "The mail server did not take the e-mail")
        self.assertContains(response, 'value="bruno@new.example.org"')

    def test_confirming_needs_a_signed_in_account(self):
        self.client.force_login(self.member)
        self.ask()
        link = link_in(mail.outbox[0])
        self.client.logout()
        response = self.client.post(link)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])


class FullNameTests(LifecycleTestCase):
    def test_it_saves_the_full_name(self):
        self.client.force_login(self.member)
        with FlowRecorder() as flows:
            response = self.client.post(
                reverse("proposals:profile"),
                {"first_name": "Bruno", "last_name": "Silva"},
                follow=True,
            )
        self.assertContains(response, "Your name is saved.")
        self.assertContains(response, "Profile of Bruno Silva")
        self.assertEqual(flows.seen, [account_flows.PROFILE_EDIT])

    def test_the_profile_offers_the_account_forms(self):
        self.client.force_login(self.member)
        response = self.client.get(reverse("proposals:profile"))
        self.assertContains(response, 'name="first_name"')
        self.assertContains(response, 'name="new_email"')
        self.assertContains(response, reverse("proposals:password_change"))
        self.assertContains(response, 'name="time_zone"')


class AccountPagesMatrixTests(LifecycleTestCase):
    """Who reads each new page: the reset pages and an invitation's are for anyone with
    the link; the profile, the password change and the e-mail confirmation need an
    account, any account (each acts on its own)."""

    def test_each_page_for_each_reader(self):
        former = make_user("former")
        make_member(
            self.committee,
            former,
            started_on=datetime.date(2016, 1, 1),
            ended_on=datetime.date(2019, 1, 1),
            role=Role.MEMBER,
        )
        staff = make_user("staff", is_staff=True)
        invitation = actions.do_invite(
            committee=self.committee, email="new@example.net", actor=self.chair
        )
        open_to_all = [
            reverse("proposals:password_reset"),
            reverse("proposals:password_reset_done"),
            reverse("proposals:password_reset_complete"),
            reverse("proposals:invitation", args=[invitations.token(invitation)]),
        ]
        for_accounts = [
            reverse("proposals:profile"),
            reverse("proposals:password_change"),
            reverse("proposals:email_confirm", args=["any-token"]),
        ]
        readers = {
            "outsider": self.outsider,
            "member of another committee": self.foreign_member,
            "former member": former,
            "member": self.member,
            "chair": self.chair,
            "staff": staff,
        }
        for url in open_to_all + for_accounts:
            with self.subTest(reader="anonymous", url=url):
                self.client.logout()
                response = self.client.get(url)
                if url in open_to_all:
                    self.assertEqual(response.status_code, 200)
                else:
                    self.assertEqual(response.status_code, 302)
                    self.assertIn(reverse("login"), response["Location"])
            for who, user in readers.items():
                with self.subTest(reader=who, url=url):
                    self.client.force_login(user)
                    self.assertEqual(self.client.get(url).status_code, 200)


class PolicyTests(LifecycleTestCase):
    """The new pages carry no inline script or style, which the policy would block."""

    def test_the_new_pages_have_no_inline_code(self):
        invitation = actions.do_invite(
            committee=self.committee, email="new@example.net", actor=self.chair
        )
        pages = {
            None: [
                reverse("proposals:password_reset"),
                reverse("proposals:password_reset_done"),
                reverse("proposals:invitation", args=[invitations.token(invitation)]),
            ],
            self.member: [
                reverse("proposals:profile"),
                reverse("proposals:password_change"),
                reverse("proposals:email_confirm", args=["any-token"]),
            ],
            self.chair: [reverse("proposals:committee", args=[self.committee.slug])],
        }
        for user, urls in pages.items():
            for url in urls:
                with self.subTest(url=url):
                    if user is None:
                        self.client.logout()
                    else:
                        self.client.force_login(user)
                    response = self.client.get(url)
                    self.assertEqual(policy_of(response), POLICY)
                    self.assertEqual(inline_code(response), [])
