"""The pages, the admin and the lockout page work in a real browser under the Content
Security Policy: the stylesheets load, the admin's scripts run, and Chromium reports no
violation, neither on the console nor as a securitypolicyviolation event."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import PAGES, main_pages
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""
SITE_HEADER = "rgb(20, 35, 58)"  # header.site in site.css


class PolicyWatch:
    """What the browser reported about the policy on one page, from its first request on."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path

    def assert_clean(self, where: str) -> None:
        events = self.page.evaluate("() => window.cspViolations")
        assert not self.console, f"{where}: console reports {self.console}"
        assert not events, f"{where}: the page reported {events}"


def stylesheet_rules(page: Page) -> int:
    return page.evaluate(
        "() => Array.from(document.styleSheets).reduce((n, s) => n + s.cssRules.length, 0)"
    )


def background_of(page: Page, selector: str) -> str:
    return page.evaluate(
        "(selector) => getComputedStyle(document.querySelector(selector)).backgroundColor",
        selector,
    )


def test_the_main_pages_load_their_css_and_break_no_rule(browser_as, populated):
    page = browser_as()
    watch = PolicyWatch(page)
    watch.visit("/accounts/login/")
    assert background_of(page, "header.site") == SITE_HEADER, "site.css did not apply"
    watch.assert_clean("the login page")

    page = browser_as("member")
    watch = PolicyWatch(page)
    pages = main_pages(populated)
    for name in PAGES:
        watch.visit(pages[name])
        assert stylesheet_rules(page) > 50, f"{name}: site.css is not loaded"
        assert background_of(page, "header.site") == SITE_HEADER, f"{name}: site.css"
    watch.assert_clean("the main pages")


def test_the_admin_works_under_the_policy(browser_as, populated):
    make_user("admin", is_staff=True, is_superuser=True)
    page = browser_as()
    watch = PolicyWatch(page)

    watch.visit("/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    assert background_of(page, "#header") not in {"", "rgba(0, 0, 0, 0)"}, "admin CSS"

    # The proposals' change list: the actions bar is built by actions.js.
    watch.visit("/admin/proposals/proposal/")
    expect(page.locator("#changelist")).to_be_visible()
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text(re.compile(r"\d+ of \d+ selected"))

    # A proposal: its meetings' "Add another" row comes from the admin's scripts.
    watch.visit(f"/admin/proposals/proposal/{populated.proposals['discussion'].pk}/change/")
    expect(page.locator("#content h1")).to_be_visible()
    rows = page.locator("#mentions-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#mentions-group .add-row a").click()
    expect(rows).to_have_count(before + 1)

    # A new seat: the calendar shortcuts come from the admin's scripts too.
    watch.visit("/admin/pmc/membership/add/")
    page.locator("#id_started_on").fill("")
    page.locator(".field-started_on .datetimeshortcuts a", has_text="Today").click()
    expect(page.locator("#id_started_on")).not_to_have_value("")

    # The colour theme toggle (theme.js).
    theme = page.evaluate("() => document.documentElement.dataset.theme || 'auto'")
    page.locator("button.theme-toggle").first.click()
    assert page.evaluate("() => document.documentElement.dataset.theme") != theme

    watch.assert_clean("the admin")


def test_the_lockout_page_renders_under_the_policy(browser_as, populated):
    page = browser_as()
    watch = PolicyWatch(page)
    watch.visit("/accounts/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("member")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")
    expect(page.get_by_role("alert")).to_contain_text("locked for 15 minutes")
    assert background_of(page, "header.site") == SITE_HEADER
    watch.assert_clean("the lockout page")
