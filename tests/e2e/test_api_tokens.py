"""API tokens in a real browser: a member creates one on their profile page, sees its text
once, uses it, finds it listed by its start only, and revokes it; the pages pass
axe-core and the browser reports nothing against the Content Security Policy."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from proposals.models import ApiToken
from tests.e2e.helpers import broken_references, describe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def assert_passes_axe(page, axe) -> None:
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {page.url}:\n{describe_violations(blocking)}"
    assert not broken_references(page)


def test_a_member_creates_a_token_sees_it_once_and_revokes_it(browser_as, axe, runtime):
    page = browser_as("member")
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/profile/")
    section = page.locator("section", has=page.get_by_role("heading", name="API tokens"))
    expect(section).to_contain_text("You have no API tokens.")
    assert_passes_axe(page, axe)

    section.get_by_label("Name").fill("chat notifications")
    section.get_by_label("It may").select_option("write")
    section.get_by_role("button", name="Create the token").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your new API token")
    expect(page.locator("main")).to_contain_text("It is shown only now")
    text = page.locator("#api-token-text").inner_text()
    assert re.fullmatch(r"pmc_[\w-]{40,}", text), text
    assert_passes_axe(page, axe)
    me = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert me.status_code == 200 and me.json()["token"]["scope"] == "write"

    page.get_by_role("link", name="Back to your profile").click()
    row = section.locator("li", has_text="chat notifications")
    expect(row).to_contain_text("read and write")
    expect(row).to_contain_text(text[:12] + "…")
    assert text not in page.content()
    assert_passes_axe(page, axe)

    row.get_by_role("button", name="Revoke the token chat notifications").click()

    expect(page.locator(".messages")).to_contain_text("is revoked: it works no more.")
    expect(row.get_by_role("button")).to_have_count(0)
    assert ApiToken.objects.get().revoked_at is not None
    assert Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 401
    assert not [line for line in console if "Content Security Policy" in line], console
