"""The account, seat and invitation pages in the real browser: axe-core finds nothing
serious on any of them (the chair's seat forms opened), the Content Security Policy
blocks nothing on them, and the journeys work end to end:
a chair invites by e-mail and a newcomer accepts from the e-mailed link; a person resets
a forgotten password from the e-mailed link and signs in with it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from pmc.models import Membership, Role
from proposals import actions
from proposals.actions import invitations
from tests.e2e.helpers import broken_references, describe_violations, open_all_details
from tests.e2e.test_content_security_policy import PolicyWatch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def assert_accessible(page, axe, what: str) -> None:
    open_all_details(page)
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {what}:\n{describe_violations(blocking)}"
    assert not broken_references(page), f"{what}: {broken_references(page)}"


def path_in(message) -> str:
    [link] = re.findall(r"http://\S+", message.body)
    return re.sub(r"^http://[^/]+", "", link)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_new_pages_pass_axe(width, browser_as, axe, runtime):
    invitation = actions.do_invite(
        committee=runtime.committee, email="new@example.net", actor=runtime.chair
    )
    invitation_path = f"/invitations/{invitations.token(invitation)}/"
    pages = {
        None: ["/accounts/reset/", "/accounts/reset/sent/", invitation_path, "/invitations/x/"],
        "member": ["/profile/", "/accounts/password/", invitation_path],
        "chair": [f"/committees/{runtime.committee.slug}/"],
    }
    for who, paths in pages.items():
        page = browser_as(who)
        page.set_viewport_size({"width": width, "height": 900})
        policy = PolicyWatch(page)
        for path in paths:
            response = page.goto(path)
            assert response.status in (200, 404), (path, response.status)
            assert_accessible(page, axe, f"{path} as {who or 'a visitor'} at {width}px")
            policy.assert_clean(path)
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} is {scroll}px wide at {width}px"


def test_a_chair_invites_and_a_newcomer_accepts_from_the_email(browser_as, axe, runtime):
    chair = browser_as("chair")
    chair.goto(f"/committees/{runtime.committee.slug}/")
    chair.get_by_label("E-mail address").fill("dara@example.net")
    chair.locator("#invite_role").select_option("member")
    chair.get_by_role("button", name="Send the invitation").click()
    expect(chair.locator(".messages")).to_contain_text("dara@example.net is invited to Runtime")
    expect(chair.locator("#invitations-h")).to_contain_text("(1)")

    newcomer = browser_as()
    newcomer.goto(path_in(mail.outbox[-1]))
    assert_accessible(newcomer, axe, "the invitation as a newcomer")
    newcomer.get_by_label("Username").fill("dara.novak")
    newcomer.get_by_label("First name").fill("Dara")
    newcomer.get_by_label("Last name").fill("Novak")
    newcomer.get_by_label("Password", exact=True).fill("a-long-new-secret-7")
    newcomer.get_by_label("Password confirmation").fill("a-long-new-secret-7")
    newcomer.get_by_role("button", name="Make the account and accept").click()

    expect(newcomer.locator(".messages")).to_contain_text("Welcome: you sit on Runtime as member.")
    expect(newcomer.locator("header .who")).to_contain_text("Dara Novak")
    assert (
        Membership.objects.active()
        .filter(committee=runtime.committee, user__username="dara.novak", role=Role.MEMBER)
        .exists()
    )


def test_a_chair_ends_a_seat_with_a_reason(browser_as, runtime):
    chair = browser_as("chair")
    chair.goto(f"/committees/{runtime.committee.slug}/")
    chair.get_by_text("Change the role or end the seat of Dara Novak").click()
    seat = Membership.objects.get(user=runtime.third_member)
    chair.locator(f"#end-reason-{seat.pk}").fill("Moved to another foundation.")
    chair.locator(f"form[action$='/seats/{seat.pk}/end/'] button").click()

    expect(chair.locator(".messages")).to_contain_text("third_member's seat on Runtime ended")
    seat.refresh_from_db()
    assert seat.ended_on is not None


def test_a_forgotten_password_is_reset_from_the_email(browser_as, axe, runtime):
    page = browser_as()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("member@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    page.goto(path_in(mail.outbox[-1]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page, axe, "the new password form")
    page.get_by_label("New password", exact=True).fill("a-long-new-secret-7")
    page.get_by_label("New password confirmation").fill("a-long-new-secret-7")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is set")
    assert_accessible(page, axe, "the reset's last page")

    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill("a-long-new-secret-7")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header .who")).to_contain_text("Sign out")
