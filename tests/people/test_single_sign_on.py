"""Single sign-on without a network: which sign-ins the environment enables and the login
page offers, GitHub's sign-in start and callback refusals, and pmc.sso's rules for who a
person becomes, run through allauth's own sign-in flow with GitHub's own account parsing
(only the exchange with github.com, which needs the internet, is left out; the browser
tests sign in against a real OpenID Connect provider)."""

from __future__ import annotations

import os
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from allauth.core import context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.urls import reverse

from pmc import sso
from pmc.sso_settings import form_action_origins, sso_providers
from tests.base import LifecycleTestCase
from tests.factories import make_user

GITHUB_ENV = {"GITHUB_CLIENT_ID": "gh-client", "GITHUB_CLIENT_SECRET": "gh-secret"}
OIDC_ENV = {
    "OIDC_SERVER_URL": "http://127.0.0.1:9/",
    "OIDC_CLIENT_ID": "pmc",
    "OIDC_CLIENT_SECRET": "oidc-secret",
    "OIDC_NAME": "Foundation ID",
}
SSO_VARIABLES = [*GITHUB_ENV, *OIDC_ENV]


def providers_from(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in SSO_VARIABLES}
    with mock.patch.dict(os.environ, {**clean, **env}, clear=True):
        return sso_providers()


class ConfigurationTests(SimpleTestCase):
    def test_nothing_is_enabled_by_default(self):
        self.assertEqual(providers_from({}), {})

    def test_each_provider_comes_from_its_variables(self):
        providers = providers_from({**GITHUB_ENV, **OIDC_ENV})

        (github,) = providers["github"]["APPS"]
        self.assertEqual((github["client_id"], github["secret"]), ("gh-client", "gh-secret"))
        self.assertIn("user:email", providers["github"]["SCOPE"])
        (oidc,) = providers["oidc"]["APPS"]
        self.assertEqual(oidc["name"], "Foundation ID")
        self.assertEqual(oidc["settings"]["server_url"], "http://127.0.0.1:9/")
        self.assertEqual((oidc["client_id"], oidc["secret"]), ("pmc", "oidc-secret"))

    def test_a_half_configured_provider_stops_the_start_and_says_what_is_missing(self):
        with self.assertRaisesMessage(
            ImproperlyConfigured, "GITHUB_CLIENT_SECRET is not set. Set GITHUB_CLIENT_ID"
        ):
            providers_from({"GITHUB_CLIENT_ID": "gh-client"})
        with self.assertRaisesMessage(ImproperlyConfigured, "OIDC_NAME is not set"):
            providers_from({k: v for k, v in OIDC_ENV.items() if k != "OIDC_NAME"})

    def test_sign_in_forms_may_send_the_browser_to_the_enabled_providers_only(self):
        # The policy's form-action governs the redirect that starts a single sign-on.
        self.assertEqual(form_action_origins(providers_from({})), [])
        self.assertEqual(
            form_action_origins(
                providers_from(
                    {**GITHUB_ENV, **OIDC_ENV, "OIDC_SERVER_URL": "https://id.example.org/realms/x"}
                )
            ),
            ["https://id.example.org", "https://github.com"],
        )


class LoginPageTests(LifecycleTestCase):
    def test_without_single_sign_on_it_offers_the_password_only(self):
        response = self.client.get(reverse("login"))

        self.assertContains(response, "Sign-ins enabled here: user name and password.")
        self.assertNotContains(response, "Sign in with")

    def test_it_offers_each_enabled_sign_in_and_only_those(self):
        with override_settings(SOCIALACCOUNT_PROVIDERS=providers_from(GITHUB_ENV)):
            response = self.client.get(reverse("login") + "?next=/proposals/")

        self.assertContains(response, "Sign-ins enabled here: user name and password, GitHub.")
        self.assertContains(response, "Sign in with GitHub</button>")
        self.assertContains(response, 'action="/accounts/sso/github/login/?next=%2Fproposals%2F"')
        self.assertNotContains(response, "Foundation ID")

        with override_settings(SOCIALACCOUNT_PROVIDERS=providers_from({**GITHUB_ENV, **OIDC_ENV})):
            response = self.client.get(reverse("login"))
        self.assertContains(
            response, "Sign-ins enabled here: user name and password, Foundation ID, GitHub."
        )

    def test_the_password_sign_in_still_works(self):
        with override_settings(SOCIALACCOUNT_PROVIDERS=providers_from(GITHUB_ENV)):
            response = self.client.post(reverse("login"), {"username": "member", "password": "pw"})
        self.assertRedirects(response, reverse("proposals:home"), fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.member.pk)


@override_settings(SOCIALACCOUNT_PROVIDERS=providers_from(GITHUB_ENV))
class GitHubSignInTests(LifecycleTestCase):
    START = "/accounts/sso/github/login/"
    CALLBACK = "/accounts/sso/github/login/callback/"

    def test_the_sign_in_starts_at_github_with_our_callback_and_a_state(self):
        response = self.client.post(f"{self.START}?next=/proposals/")

        self.assertEqual(response.status_code, 302)
        url = urlsplit(response["Location"])
        self.assertEqual(
            (url.scheme, url.netloc, url.path), ("https", "github.com", "/login/oauth/authorize")
        )
        query = parse_qs(url.query)
        self.assertEqual(query["client_id"], ["gh-client"])
        self.assertEqual(query["redirect_uri"], [f"http://testserver{self.CALLBACK}"])
        self.assertEqual(set(query["scope"][0].split()), {"read:user", "user:email"})
        self.assertGreaterEqual(len(query["state"][0]), 12)

    def test_a_link_alone_does_not_start_it(self):
        # A GET (a link on another site) only asks to confirm: no sign-in by a third party.
        response = self.client.get(self.START)
        self.assertContains(response, "Continue to GitHub")

    def test_a_callback_with_a_state_we_did_not_issue_is_refused(self):
        self.client.post(self.START)  # a real sign-in under way, with its own state

        response = self.client.get(self.CALLBACK, {"code": "stolen-code", "state": "forged-state"})

        self.assertContains(response, "Sign-in failed", status_code=401)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(SocialAccount.objects.exists())

    def test_a_callback_without_any_sign_in_under_way_is_refused(self):
        response = self.client.get(self.CALLBACK, {"code": "c", "state": "s"})
        self.assertContains(response, "Sign-in failed", status_code=401)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_cancelled_sign_in_says_so(self):
        self.client.post(self.START)
        state = next(iter(self.client.session["socialaccount_states"]))

        response = self.client.get(
            self.CALLBACK, {"error": "access_denied", "state": state}, follow=True
        )

        self.assertContains(response, "You cancelled signing in")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_unconfigured_provider_is_not_found(self):
        self.assertEqual(self.client.post("/accounts/sso/oidc/login/").status_code, 404)


@override_settings(SOCIALACCOUNT_PROVIDERS=providers_from(GITHUB_ENV))
class WhoASignInBecomesTests(LifecycleTestCase):
    """pmc.sso's rules, through allauth's sign-in flow, from GitHub's /user and
    /user/emails answers as GitHub sends them."""

    def sign_in_with_github(self, uid: int, login: str, emails: list[dict]):
        request = RequestFactory().get("/accounts/sso/github/login/callback/")
        SessionMiddleware(lambda r: None).process_request(request)
        MessageMiddleware(lambda r: None).process_request(request)
        request.user = AnonymousUser()
        with context.request_context(request):
            provider = get_adapter(request).get_provider(request, "github")
            login_ = provider.sociallogin_from_response(
                request, {"id": uid, "login": login, "name": None, "emails": emails}
            )
            login_.state = {"process": "login", "next": "/"}
            response = complete_social_login(request, login_)
        user_id = request.session.get("_auth_user_id")
        return response, get_user_model().objects.get(pk=user_id) if user_id else None

    def test_a_verified_primary_address_signs_into_its_account(self):
        response, user = self.sign_in_with_github(
            1, "amelia-gh", [{"email": "CHAIR@example.org", "primary": True, "verified": True}]
        )

        self.assertEqual(user, self.chair)
        self.assertTrue(user.has_usable_password())
        self.assertEqual(SocialAccount.objects.get(uid="1").user, self.chair)
        # Next time the linked account alone decides, whatever the address says.
        _, again = self.sign_in_with_github(1, "amelia-gh", [])
        self.assertEqual(again, self.chair)

    def test_an_unverified_address_never_signs_into_the_account_that_has_it(self):
        _, user = self.sign_in_with_github(
            2, "chair", [{"email": "chair@example.org", "primary": True, "verified": False}]
        )

        self.assertNotEqual(user, self.chair)
        self.assertEqual(user.username, "chair-2")
        self.assertEqual(user.email, "")
        self.assertFalse(user.memberships.exists())
        self.assertEqual(SocialAccount.objects.get(uid="2").user, user)

    def test_a_verified_address_that_is_not_primary_does_not_match(self):
        _, user = self.sign_in_with_github(
            3,
            "someone",
            [
                {"email": "someone@users.example.org", "primary": True, "verified": False},
                {"email": "chair@example.org", "primary": False, "verified": True},
            ],
        )
        self.assertNotEqual(user, self.chair)
        self.assertEqual(user.username, "someone")

    def test_a_new_person_gets_an_account_without_a_seat(self):
        _, user = self.sign_in_with_github(
            4, "Zoë Ödegaard!", [{"email": "zoe@example.org", "primary": True, "verified": True}]
        )
        self.assertEqual(user.username, "zoe-odegaard")
        self.assertEqual(user.email, "zoe@example.org")
        self.assertFalse(user.memberships.exists())
        self.assertFalse(user.is_staff)

    def test_an_address_shared_by_two_accounts_is_refused(self):
        for username, email in (("twin", "shared@example.org"), ("twin2", "Shared@example.org")):
            twin = make_user(username)
            twin.email = email
            twin.save()
        count = get_user_model().objects.count()

        response, user = self.sign_in_with_github(
            5, "twin-gh", [{"email": "shared@example.org", "primary": True, "verified": True}]
        )

        self.assertIsNone(user)
        self.assertEqual(response.status_code, 409)
        self.assertIn(b"More than one account here has the address", response.content)
        self.assertEqual(get_user_model().objects.count(), count)
        self.assertFalse(SocialAccount.objects.exists())

    def test_a_deactivated_account_stays_out(self):
        self.member.is_active = False
        self.member.save()

        response, user = self.sign_in_with_github(
            6, "bruno", [{"email": "member@example.org", "primary": True, "verified": True}]
        )

        self.assertIsNone(user)
        self.assertEqual(response["Location"], reverse("account_inactive"))
        self.assertEqual(get_user_model().objects.filter(email="").count(), 0)


class UsernameTests(LifecycleTestCase):
    def test_user_names_are_safe_and_unique(self):
        self.assertEqual(sso.unique_username("Member"), "member-2")
        self.assertEqual(sso.unique_username("../<script>"), "script")
        self.assertEqual(sso.unique_username(""), "person")
        self.assertEqual(sso.unique_username("@@@"), "person")
        long = sso.unique_username("x" * 80)
        self.assertEqual(long, "x" * 30)
        make_user(long)
        self.assertEqual(sso.unique_username("x" * 80), "x" * 28 + "-2")


class SingleSignOnPageAccessTests(LifecycleTestCase):
    """The pages a single sign-on can end on, for each kind of visitor: none shows
    anything of an account, none signs anyone in, and the ones that only make sense
    mid-sign-in send everyone elsewhere."""

    def setUp(self) -> None:
        self.staff = make_user("staff", is_staff=True)

    def visit_as(self, who: str, url: str):
        self.client.logout()
        if who != "anonymous":
            self.client.force_login(getattr(self, who))
        return self.client.get(url)

    def test_each_page_for_each_visitor(self):
        for who in ("anonymous", "outsider", "member", "chair", "staff"):
            with self.subTest(who=who):
                error = self.visit_as(who, "/accounts/sso/login/error/")
                self.assertContains(error, "Sign-in failed", status_code=401)
                cancelled = self.visit_as(who, "/accounts/sso/login/cancelled/")
                self.assertContains(cancelled, "You cancelled signing in")
                inactive = self.visit_as(who, "/accounts/sso/inactive/")
                self.assertContains(inactive, "This account has been deactivated")
                # No sign-in under way: nothing to finish.
                signup = self.visit_as(who, "/accounts/sso/signup/")
                self.assertEqual(signup.status_code, 302)
                self.assertNotIn("/accounts/sso/signup/", signup["Location"])
                # allauth's own sign-in and sign-up lead to the site's sign-in page.
                self.assertRedirects(
                    self.visit_as(who, "/accounts/sso/sign-up/"),
                    reverse("login"),
                    fetch_redirect_response=False,
                )
                self.assertEqual(
                    self.visit_as(who, "/accounts/sso/sign-in/?next=/proposals/")["Location"],
                    f"{reverse('login')}?next=/proposals/",
                )
                if who == "anonymous":
                    self.assertNotIn("_auth_user_id", self.client.session)

    def test_allauths_own_account_pages_are_not_there(self):
        for url in ("/accounts/sso/password/reset/", "/accounts/sso/email/", "/accounts/signup/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


class AdminTests(LifecycleTestCase):
    def test_staff_see_linked_accounts_but_configure_no_provider_there(self):
        staff = make_user("admin", is_staff=True, is_superuser=True)
        self.client.force_login(staff)
        index = self.client.get("/admin/")
        self.assertContains(index, "/admin/socialaccount/socialaccount/")
        self.assertNotContains(index, "/admin/socialaccount/socialapp/")
        self.assertEqual(self.client.get("/admin/socialaccount/socialapp/").status_code, 404)


@override_settings(SOCIALACCOUNT_PROVIDERS=providers_from(GITHUB_ENV))
class LinkingTests(LifecycleTestCase):
    """A signed-in person linking a provider account links it to their own account, even
    when its verified address is another account's."""

    def test_linking_goes_to_the_signed_in_account(self):
        request = RequestFactory().get("/accounts/sso/github/login/callback/")
        SessionMiddleware(lambda r: None).process_request(request)
        MessageMiddleware(lambda r: None).process_request(request)
        request.user = self.member
        with context.request_context(request):
            provider = get_adapter(request).get_provider(request, "github")
            login = provider.sociallogin_from_response(
                request,
                {
                    "id": 7,
                    "login": "bruno",
                    "emails": [{"email": "chair@example.org", "primary": True, "verified": True}],
                },
            )
            login.state = {"process": "connect", "next": "/profile/"}
            complete_social_login(request, login)

        self.assertEqual(SocialAccount.objects.get(uid="7").user, self.member)
