"""Security hardening: the Content Security Policy on every page (the admin's too), login
throttling on the site's and the admin's login forms, and which client address the
throttling counts behind a reverse proxy."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from pmc.security import client_ip
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_proposal, make_user

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "https:", "data:"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
CLIENT = "203.0.113.7"
OTHER_CLIENT = "203.0.113.8"
PROXY = "192.0.2.1"


def policy_of(response) -> dict[str, set[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy header on {response.wsgi_request.path}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


class InlineCode(HTMLParser):
    """Collects what the policy would block: inline scripts and styles, event handler
    attributes, style attributes and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            self._in_inline_script = True
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(response) -> list[str]:
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


class ContentSecurityPolicyTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.committee, cls.member, title="Move lattice to the attic")
        cls.meeting = make_meeting(cls.committee, notes="## Lifecycle\n\n- lattice: attic")
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)

    def assert_under_the_policy(self, response, status: int = 200) -> None:
        self.assertEqual(response.status_code, status, response.wsgi_request.path)
        self.assertEqual(policy_of(response), POLICY)
        self.assertEqual(inline_code(response), [], response.wsgi_request.path)

    def test_it_sends_the_policy_on_every_page(self):
        self.client.force_login(self.member)
        for path in (
            "/",
            "/proposals/",
            f"/proposals/{self.proposal.pk}/",
            "/proposals/new/",
            f"/meetings/{self.meeting.pk}/",
            "/audit/",
        ):
            with self.subTest(path=path):
                self.assert_under_the_policy(self.client.get(path))

    def test_it_sends_the_policy_to_visitors_and_on_error_pages(self):
        self.assert_under_the_policy(self.client.get(LOGIN))
        self.assert_under_the_policy(self.client.get("/no-such-page/"), status=404)

    def test_it_asks_browsers_for_no_favicon(self):
        response = self.client.get(LOGIN)
        self.assertContains(response, '<link rel="icon" href="data:,">', html=True)

    def test_it_renders_the_admin_login_under_the_policy(self):
        response = self.client.get(ADMIN_LOGIN)
        self.assert_under_the_policy(response)
        self.assertContains(response, 'id="login-form"')

    def test_it_renders_the_admin_index_and_change_pages_under_the_policy(self):
        self.client.force_login(self.admin)
        for path in (
            reverse("admin:index"),
            reverse("admin:proposals_proposal_changelist"),
            reverse("admin:proposals_proposal_change", args=[self.proposal.pk]),
            reverse("admin:pmc_meeting_change", args=[self.meeting.pk]),
            reverse("admin:pmc_committee_change", args=[self.committee.pk]),
        ):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assert_under_the_policy(response)
                self.assertContains(response, 'src="/static/admin/js/')

    def test_it_sends_the_policy_with_the_lockout_page(self):
        for _ in range(5):
            response = self.client.post(LOGIN, {"username": "member", "password": "wrong"})
        self.assert_under_the_policy(response, status=429)


def sign_in(client, username: str, password: str, path: str = LOGIN, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


class LoginThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.member = make_user("member")
        cls.other = make_user("other")
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)

    def fail(self, times: int, username: str = "member", **extra):
        response = None
        for _ in range(times):
            response = sign_in(self.client, username, "wrong", **extra)
        return response

    def assert_signed_in_as(self, user) -> None:
        self.assertEqual(self.client.session.get(SESSION_KEY), str(user.pk))

    def assert_signed_out(self) -> None:
        self.assertNotIn(SESSION_KEY, self.client.session)

    def assert_locked_out(self, response, username: str = "member") -> None:
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Sign-in locked", status_code=429)
        self.assertContains(response, "Too many failed sign-in attempts", status_code=429)
        self.assertContains(response, f"<strong>{username}</strong>", status_code=429)
        self.assertContains(response, "locked for 15 minutes", status_code=429)
        self.assertContains(response, "even the right password is refused", status_code=429)
        self.assertContains(response, f'href="{LOGIN}"', status_code=429)

    def test_it_shows_the_form_again_after_fewer_than_five_failures(self):
        response = self.fail(4)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please enter a correct username and password")
        self.assert_signed_out()

    def test_it_locks_out_at_the_fifth_failure_with_a_clear_message(self):
        self.fail(4)
        self.assert_locked_out(self.fail(1))
        self.assert_signed_out()

    def test_it_refuses_the_right_password_during_the_lockout(self):
        self.fail(5)
        response = sign_in(self.client, "member", "pw")
        self.assert_locked_out(response)
        self.assert_signed_out()

    def test_it_does_not_extend_the_lockout_with_attempts_during_it(self):
        self.fail(5)
        locked_at = AccessAttempt.objects.get().attempt_time
        self.fail(2)
        sign_in(self.client, "member", "pw")
        attempt = AccessAttempt.objects.get()
        self.assertEqual(attempt.attempt_time, locked_at)
        self.assertEqual(attempt.failures_since_start, 5)

    def test_it_lets_the_user_in_after_the_cool_off(self):
        self.fail(5)
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
        )
        response = sign_in(self.client, "member", "pw")
        self.assertRedirects(response, reverse("proposals:home"), fetch_redirect_response=False)
        self.assert_signed_in_as(self.member)

    def test_it_keeps_the_lockout_until_the_cool_off_has_passed(self):
        self.fail(5)
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - datetime.timedelta(minutes=14, seconds=30)
        )
        self.assert_locked_out(sign_in(self.client, "member", "pw"))

    def test_it_lets_the_user_in_after_axes_reset(self):
        self.fail(5)
        call_command("axes_reset", verbosity=0)
        self.assertFalse(AccessAttempt.objects.exists())
        sign_in(self.client, "member", "pw")
        self.assert_signed_in_as(self.member)

    def test_it_lets_the_user_in_after_an_administrator_unlocks_the_user_name(self):
        self.fail(5)
        call_command("axes_reset_username", "member", verbosity=0)
        sign_in(self.client, "member", "pw")
        self.assert_signed_in_as(self.member)

    def test_it_locks_only_that_user_name_at_that_address(self):
        self.fail(5)
        sign_in(self.client, "other", "pw")
        self.assert_signed_in_as(self.other)
        self.client.logout()
        sign_in(self.client, "member", "pw", REMOTE_ADDR=OTHER_CLIENT)
        self.assert_signed_in_as(self.member)

    def test_it_starts_counting_afresh_after_a_successful_sign_in(self):
        self.fail(4)
        sign_in(self.client, "member", "pw")
        self.assert_signed_in_as(self.member)
        self.client.logout()
        self.assertEqual(self.fail(4).status_code, 200)
        sign_in(self.client, "member", "pw")
        self.assert_signed_in_as(self.member)

    def test_it_throttles_the_admin_login_too(self):
        for _ in range(5):
            response = sign_in(self.client, "admin", "wrong", path=ADMIN_LOGIN)
        self.assert_locked_out(response, username="admin")
        self.assert_locked_out(sign_in(self.client, "admin", "pw", path=ADMIN_LOGIN), "admin")
        self.assert_signed_out()

    def test_it_counts_the_admin_and_site_forms_together(self):
        self.fail(3, username="admin")
        for _ in range(2):
            response = sign_in(self.client, "admin", "wrong", path=ADMIN_LOGIN)
        self.assert_locked_out(response, username="admin")

    @override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=datetime.timedelta(hours=1))
    def test_it_follows_the_configured_limit_and_cool_off(self):
        response = self.fail(3)
        self.assertContains(response, "locked for 60 minutes", status_code=429)
        self.assertContains(response, "after 3 wrong passwords", status_code=429)

    def test_it_escapes_the_user_name_on_the_lockout_page(self):
        response = self.fail(5, username="<b>member</b>")
        self.assertContains(response, "<strong>&lt;b&gt;member&lt;/b&gt;</strong>", status_code=429)

    def test_it_lets_tests_and_code_sign_in_with_force_login(self):
        self.fail(5)
        self.client.force_login(self.member)
        self.assertEqual(self.client.get(reverse("proposals:profile")).status_code, 200)


class PasswordSprayingTests(TestCase):
    """One guess each at many user names from one address: counted per address too."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.users = [make_user(f"user{n}") for n in range(30)]

    def spray(self, count: int, **extra):
        return [sign_in(self.client, f"user{n}", "wrong", **extra) for n in range(count)]

    def test_it_locks_the_address_out_after_the_address_limit_across_user_names(self):
        responses = self.spray(30)

        self.assertEqual([r.status_code for r in responses[:20]], [200] * 20)
        self.assertEqual({r.status_code for r in responses[20:]}, {429})
        page = responses[-1]
        self.assertContains(page, "Too many failed sign-ins from your address", status_code=429)
        self.assertContains(page, "20 wrong passwords for any user names", status_code=429)
        self.assertContains(page, "locked for 15 minutes", status_code=429)

    def test_it_refuses_even_a_right_password_from_that_address_until_the_cool_off(self):
        self.spray(20)

        response = sign_in(self.client, "user29", "pw")

        self.assertEqual(response.status_code, 429)
        self.assertNotIn(SESSION_KEY, self.client.session)
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
        )
        sign_in(self.client, "user29", "pw")
        self.assertEqual(self.client.session.get(SESSION_KEY), str(self.users[29].pk))

    def test_other_addresses_still_sign_in(self):
        self.spray(25)

        sign_in(self.client, "user3", "pw", REMOTE_ADDR=OTHER_CLIENT)

        self.assertEqual(self.client.session.get(SESSION_KEY), str(self.users[3].pk))

    @override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=3)
    def test_it_follows_the_configured_address_limit(self):
        responses = self.spray(4)

        self.assertEqual([r.status_code for r in responses], [200, 200, 200, 429])


class ClientAddressTests(TestCase):
    """Which address the failures are counted against: REMOTE_ADDR, unless BEHIND_PROXY says
    that a proxy in front appends the client's address to X-Forwarded-For."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.member = make_user("member")

    def request(self, forwarded: str | None = None, remote: str = PROXY):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().post(LOGIN, **extra)

    def test_it_uses_remote_addr_by_default_and_ignores_forwarded_addresses(self):
        self.assertEqual(client_ip(self.request(f"{CLIENT}")), PROXY)

    def test_it_cannot_be_dodged_by_forging_forwarded_addresses_without_a_proxy(self):
        for number in range(5):
            response = sign_in(
                self.client,
                "member",
                "wrong",
                REMOTE_ADDR=CLIENT,
                HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
            )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(set(AccessAttempt.objects.values_list("ip_address", flat=True)), {CLIENT})

    @override_settings(BEHIND_PROXY=True)
    def test_it_uses_the_forwarded_address_behind_a_proxy(self):
        self.assertEqual(client_ip(self.request(CLIENT)), CLIENT)
        self.assertEqual(client_ip(self.request(f" {CLIENT} ")), CLIENT)
        self.assertEqual(client_ip(self.request("2001:db8::7")), "2001:db8::7")

    @override_settings(BEHIND_PROXY=True)
    def test_it_trusts_only_the_address_the_proxy_appended(self):
        self.assertEqual(client_ip(self.request(f"198.51.100.99, {CLIENT}")), CLIENT)

    @override_settings(BEHIND_PROXY=True, PROXY_COUNT=2)
    def test_it_counts_proxies_from_the_right(self):
        self.assertEqual(client_ip(self.request(f"198.51.100.99, {CLIENT}, 192.0.2.9")), CLIENT)
        self.assertEqual(client_ip(self.request(CLIENT)), PROXY, "fewer hops than proxies")

    @override_settings(BEHIND_PROXY=True)
    def test_it_falls_back_to_remote_addr_on_a_missing_or_malformed_header(self):
        for forwarded in (None, "", " , ", "unknown", "203.0.113.7:4711", "<script>"):
            with self.subTest(forwarded=forwarded):
                self.assertEqual(client_ip(self.request(forwarded)), PROXY)

    @override_settings(BEHIND_PROXY=True)
    def test_it_locks_out_the_forwarded_address_behind_a_proxy(self):
        for _ in range(5):
            response = sign_in(
                self.client, "member", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT
            )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(set(AccessAttempt.objects.values_list("ip_address", flat=True)), {CLIENT})
        refused = sign_in(
            self.client, "member", "pw", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT
        )
        self.assertEqual(refused.status_code, 429)
        # Another client behind the same proxy still signs in.
        sign_in(self.client, "member", "pw", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)
        self.assertEqual(self.client.session.get(SESSION_KEY), str(self.member.pk))

    def test_it_locks_out_the_proxy_address_when_the_proxy_is_not_declared(self):
        for _ in range(5):
            sign_in(self.client, "member", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
        response = sign_in(
            self.client, "member", "pw", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT
        )
        self.assertEqual(response.status_code, 429)
