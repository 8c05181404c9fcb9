"""Notifications and to-dos in a real browser: a member reads what was sent to them and
marks it read; the notifications page and the home page of a chair and of an item's
owner pass axe-core and fit a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from proposals import notifications
from proposals.models import Notification
from tests.e2e.helpers import broken_references, describe_violations, open_all_details

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def notified(populated):
    """The populated Runtime with its notifications made (as the drain makes them)."""
    notifications.drain_outbox()
    assert Notification.objects.filter(user=populated.member).count() >= 2
    return populated


def test_a_member_reads_the_notifications_and_marks_them_read(live_server, browser_as, notified):
    rt = notified
    mine = Notification.objects.filter(user=rt.member)
    unread = mine.count()
    voting = rt.proposals["voting"]

    bruno = browser_as("member")
    bruno.goto("/")
    header_link = bruno.locator("header .who").get_by_role("link", name=re.compile("Notifications"))
    expect(header_link).to_have_text(f"Notifications {unread} unread")
    header_link.click()

    expect(bruno.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(bruno.locator("main")).to_contain_text(f"{unread} unread")
    items = bruno.locator("ul.notifications > li")
    expect(items).to_have_count(unread)
    opened = items.filter(has_text="Vote opened").filter(has_text=voting.title)
    expect(opened).to_have_count(1)

    # Its link leads to the proposal it is about.
    opened.get_by_role("link", name=voting.title).click()
    expect(bruno.get_by_role("heading", level=1)).to_contain_text(voting.title)
    bruno.go_back()

    # Marked read, it moves below the unread ones and the header counts one less.
    opened = (
        bruno.locator("ul.notifications > li")
        .filter(has_text="Vote opened")
        .filter(has_text=voting.title)
    )
    opened.get_by_role("button", name=re.compile(r"^Mark read")).click()
    expect(bruno.locator(".messages")).to_contain_text("Marked read:")
    expect(header_link).to_have_text(f"Notifications {unread - 1} unread")
    last = bruno.locator("ul.notifications > li").last
    expect(last).to_contain_text("Vote opened")
    expect(last).to_contain_text(voting.title)
    expect(last).to_contain_text("· read ")
    assert mine.get(proposal=voting, kind="vote_opened").read_at is not None

    bruno.get_by_role("button", name="Mark all read").click()
    expect(bruno.locator(".messages")).to_contain_text(f"Marked {unread - 1} notification")
    expect(header_link).to_have_text("Notifications")
    expect(bruno.locator("ul.notifications > li.unread")).to_have_count(0)
    assert not mine.unread().exists()

    # The profile leads to the same page.
    bruno.locator("header .who").get_by_role("link", name="Profile").click()
    bruno.get_by_role("link", name="Read the notifications sent to you").click()
    expect(bruno.get_by_role("heading", level=1)).to_have_text("Notifications")


PAGES = {
    # (who, path, what must be on the page for the check to mean something)
    "notifications": ("member", "/notifications/", "Mark all read"),
    "home-of-a-chair": ("chair", "/", "Your to-dos as chair of Runtime"),
    "home-of-an-owner": ("member", "/", "Your checklist items"),
}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_problem(name, viewport, browser_as, axe, notified):
    who, path, expected = PAGES[name]
    page = browser_as(who)
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    page.goto(path)
    expect(page.locator("main")).to_contain_text(expected)
    open_all_details(page)
    violations = axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {name} ({viewport}):\n{describe_violations(blocking)}"
    assert not broken_references(page)


@pytest.mark.parametrize("name", list(PAGES))
def test_a_phone_screen_needs_no_sideways_scrolling(name, browser_as, notified):
    who, path, expected = PAGES[name]
    page = browser_as(who)
    page.set_viewport_size(PHONE)
    page.goto(path)
    expect(page.locator("main")).to_contain_text(expected)
    open_all_details(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width}px wide at {PHONE['width']}px"
