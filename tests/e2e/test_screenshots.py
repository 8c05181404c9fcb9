"""Screenshots of the main pages, kept as test artifacts (test-artifacts/screenshots/, not
committed) for a person to look over, and the README's picture of a proposal.

docs/screenshot-proposal.png is committed: it is written when it is missing or when
PMC_UPDATE_SCREENSHOTS=1, so that ordinary test runs do not rewrite it.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.helpers import PAGES, ROOT, SCREENSHOTS, main_pages, save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

README_SCREENSHOT = ROOT / "docs" / "screenshot-proposal.png"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_screenshots_of_the_main_pages(browser_as, populated):
    page = browser_as("member")
    pages = main_pages(populated)
    too_wide = []
    for name in PAGES:
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(pages[name])
            save_screenshot(page, f"{name}-{size}")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > viewport["width"]:
                too_wide.append(f"{name} is {width}px wide at {viewport['width']}px")
    visitor = browser_as()
    visitor.goto("/accounts/login/")
    save_screenshot(visitor, "sign-in-desktop")
    saved = {path.name for path in SCREENSHOTS.glob("*.png")}
    assert {f"{name}-{size}.png" for name in PAGES for size in ("desktop", "phone")} <= saved
    assert not too_wide, "; ".join(too_wide)


def test_the_readme_screenshot_of_a_proposal(browser_as, populated):
    if README_SCREENSHOT.exists() and os.environ.get("PMC_UPDATE_SCREENSHOTS") != "1":
        pytest.skip(f"{README_SCREENSHOT.name} exists; PMC_UPDATE_SCREENSHOTS=1 rewrites it")
    page = browser_as("member")
    page.set_viewport_size(DESKTOP)
    page.goto(f"/proposals/{populated.proposals['voting'].pk}/")
    page.locator("#vote details summary", has_text="Who voted what").click()
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.screenshot(path=str(README_SCREENSHOT), full_page=height <= 1600, animations="disabled")
    assert README_SCREENSHOT.stat().st_size < 400_000, "keep the README's picture small"
