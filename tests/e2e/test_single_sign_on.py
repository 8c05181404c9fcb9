"""Signing in with OpenID Connect in the real browser, against a real provider (Node's
oidc-provider, started on 127.0.0.1 over HTTP): the redirect to the provider, its sign-in
and consent pages, the code exchanged for tokens by the site, and the ID token checked
(signature, audience, issuer). A verified address signs into its account; an unverified
one never does; an ID token altered after signing, or issued for another client, is
refused."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from tests.e2e.helpers import describe_violations
from tests.e2e.oidc import server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}

ACCOUNTS = {
    # The chair, whose provider verified the address the site has for them.
    "amelia": {
        "email": "chair@example.org",
        "email_verified": True,
        "name": "Amelia Chen",
        "preferred_username": "amelia",
    },
    # Someone who typed the chair's address at the provider without proving it.
    "mallory": {
        "email": "chair@example.org",
        "email_verified": False,
        "name": "Mallory",
        "preferred_username": "chair",
    },
    # A newcomer the site has never seen.
    "newcomer": {
        "email": "dana@example.org",
        "email_verified": True,
        "name": "Dana Newcomer",
        "preferred_username": "Dana N.",
    },
}


@pytest.fixture
def oidc(request, live_server, settings):
    """Starts a provider (pass token_mode with indirect parametrisation) and points the
    site at it."""
    reason = server.missing()
    if reason:
        pytest.skip(reason)
    token_mode = getattr(request, "param", "honest")
    redirect_uri = f"{live_server.url}/accounts/sso/oidc/login/callback/"
    with server.running_provider(
        redirect_uri=redirect_uri, accounts=ACCOUNTS, token_mode=token_mode
    ) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider.settings()
        settings.CONTENT_SECURITY_POLICY = server.policy_allowing(provider.settings())
        yield provider


def sign_in_at_provider(page: Page, provider, login: str, *, next_path: str = "/proposals/"):
    page.goto(f"/accounts/login/?next={next_path}")
    expect(page.locator("#sign-ins-enabled")).to_contain_text(
        "Sign-ins enabled here: user name and password, Foundation ID."
    )
    page.get_by_role("button", name="Sign in with Foundation ID").click()
    # The provider's own pages, on its own origin.
    page.wait_for_url(f"{provider.issuer}/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()


def signed_in_user(page: Page):
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    user_id = SessionStore(session_key=session["value"]).get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_a_verified_address_signs_into_its_account(browser_as, oidc, runtime, live_server):
    page = browser_as()

    sign_in_at_provider(page, oidc, "amelia")

    page.wait_for_url("**/proposals/")
    expect(page.locator("header .who")).to_contain_text("Amelia Chen")
    expect(page.locator("header .who")).to_contain_text("Sign out")
    assert signed_in_user(page) == runtime.chair
    runtime.chair.refresh_from_db()
    assert runtime.chair.has_usable_password()

    # Signing out and in again: the provider remembers the person and their consent, so
    # the browser comes straight back, signed in.
    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Foundation ID").click()
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/$"))
    expect(page.locator("header .who")).to_contain_text("Amelia Chen")


def test_an_unverified_address_never_signs_into_the_account_that_has_it(browser_as, oidc, runtime):
    page = browser_as()
    users_before = set(get_user_model().objects.values_list("pk", flat=True))

    sign_in_at_provider(page, oidc, "mallory")

    page.wait_for_url("**/proposals/")
    expect(page.locator("header .who")).to_contain_text("Sign out")
    expect(page.locator("header .who")).not_to_contain_text("Amelia Chen")
    user = signed_in_user(page)
    assert user != runtime.chair
    assert user.pk not in users_before
    assert (user.username, user.email) == ("chair-2", "")
    assert not user.memberships.exists()


def test_a_newcomer_gets_an_account_without_a_seat(browser_as, oidc, runtime):
    page = browser_as()

    sign_in_at_provider(page, oidc, "newcomer")

    page.wait_for_url("**/proposals/")
    user = signed_in_user(page)
    assert (user.username, user.email) == ("dana-n", "dana@example.org")
    assert not user.memberships.exists() and not user.is_staff
    expect(page.locator("header .who")).to_contain_text("Dana Newcomer")


@pytest.mark.parametrize("oidc", ["bad-signature", "wrong-audience"], indirect=True)
def test_an_id_token_not_made_for_this_site_is_refused(browser_as, axe, oidc, runtime):
    page = browser_as()
    users_before = get_user_model().objects.count()

    sign_in_at_provider(page, oidc, "mallory")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in failed")
    expect(page.locator("header .who")).to_contain_text("Sign in")
    expect(page.locator("header .who")).not_to_contain_text("Sign out")
    assert signed_in_user(page) is None
    assert get_user_model().objects.count() == users_before
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe_violations(blocking)


def test_the_login_page_with_single_sign_on_passes_axe(browser_as, axe, oidc, runtime):
    page = browser_as()
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in with Foundation ID")).to_be_visible()
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe_violations(blocking)
