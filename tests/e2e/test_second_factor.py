"""A chair's second factor in the real browser: asked to set one up before starting a vote,
then to confirm a code in a new session; the pages pass axe-core."""

from __future__ import annotations

import base64
import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from pmc import second_factor
from tests.e2e.helpers import broken_references, describe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    settings.PMC_REQUIRE_MFA = True


def press_start_vote(page: Page) -> None:
    details = page.locator("section.actions details").filter(
        has=page.locator("summary", has_text="Start the vote")
    )
    details.locator("summary").click()
    details.get_by_role("button", name="Start the vote").click()


def assert_passes_axe(page: Page, axe) -> None:
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {page.url}:\n{describe_violations(blocking)}"
    assert not broken_references(page)


def test_a_chair_sets_up_a_second_factor_before_starting_a_vote(browser_as, axe, populated):
    proposal = populated.proposals["discussion"]
    page = browser_as("chair")
    page.goto(proposal.get_absolute_url())

    press_start_vote(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a second factor")
    expect(page.locator(".messages")).to_contain_text("Staff and chairs need a second factor")
    expect(page.get_by_role("img", name="QR code holding the secret below")).to_be_visible()
    assert_passes_axe(page, axe)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    proposal.refresh_from_db()
    assert proposal.state == "discussion"

    page.get_by_label("Code").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Confirm and show my recovery codes").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not the one your app shows")
    assert_passes_axe(page, axe)
    page.wait_for_timeout(1100)  # the wrong code holds the next try back for a second
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and show my recovery codes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("ul.recovery-codes li")).to_have_count(10)
    assert_passes_axe(page, axe)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(re.compile(rf"{proposal.get_absolute_url()}$"))
    press_start_vote(page)
    expect(page.locator(".messages")).to_contain_text("The vote is open until")


def test_a_chair_confirms_a_code_in_a_new_session(browser_as, axe, populated):
    second_factor.confirm_authenticator(second_factor.pending_authenticator(populated.chair))
    device = second_factor.authenticator(populated.chair)
    proposal = populated.proposals["discussion"]
    page = browser_as("chair")
    page.goto(proposal.get_absolute_url())

    press_start_vote(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your second factor")
    assert_passes_axe(page, axe)
    totp = pyotp.TOTP(base64.b32encode(device.bin_key).decode())
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages")).to_contain_text("Second factor confirmed for this session")
    press_start_vote(page)
    expect(page.locator(".messages")).to_contain_text("The vote is open until")
