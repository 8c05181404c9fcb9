"""Accessibility of the main pages: axe-core finds nothing serious, the keyboard alone is
enough to vote, and a phone-sized screen needs no sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from proposals import actions
from proposals.models import Vote
from tests.e2e.helpers import (
    PAGES,
    broken_references,
    cut_off_cells,
    describe_violations,
    main_pages,
    open_all_details,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PHONE = VIEWPORTS["phone"]


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const box = el.getBoundingClientRect();
            return {tag: el.tagName.toLowerCase(), id: el.id, name: el.name || "",
                    value: el.value || "", checked: !!el.checked,
                    text: (el.textContent || "").trim(),
                    outline: getComputedStyle(el).outlineStyle,
                    left: box.left, top: box.top, width: box.width, height: box.height};
        }"""
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_problem(name, viewport, browser_as, axe, populated):
    page = browser_as("member")
    page.set_viewport_size(VIEWPORTS[viewport])
    response = page.goto(main_pages(populated)[name])
    assert response.ok, f"{name} answered {response.status}"
    open_all_details(page)
    violations = axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    if minor := [v for v in violations if v["impact"] not in BLOCKING]:
        print(f"axe-core's lesser findings on {name}:\n{describe_violations(minor)}")
    assert not blocking, f"axe-core on {name} ({viewport}):\n{describe_violations(blocking)}"
    broken = broken_references(page)
    assert not broken, f"{name} points at ids that do not exist: {broken}"


def test_axe_finds_no_serious_problem_for_a_visitor(browser_as, axe, populated):
    page = browser_as()
    for path in ("/", f"/proposals/{populated.proposals['voting'].pk}/", "/accounts/login/"):
        page.goto(path)
        open_all_details(page)
        blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
        assert not blocking, f"axe-core on {path}:\n{describe_violations(blocking)}"
        broken = broken_references(page)
        assert not broken, f"{path} points at ids that do not exist: {broken}"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_chairs_add_project_form_passes_axe_and_fits_a_phone(
    viewport, browser_as, axe, populated
):
    page = browser_as("chair")
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(f"/projects/new/?committee={populated.committee.pk}&kind=attic")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a project to Runtime")
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on the add-project form:\n{describe_violations(blocking)}"
    assert not broken_references(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"the add-project form is {width}px wide"


def test_the_skip_link_leads_to_the_content(browser_as, populated):
    page = browser_as()
    page.goto("/proposals/")
    link = page.get_by_role("link", name="Skip to content")
    assert link.bounding_box()["x"] < 0, "off screen until focused"
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to content"
    assert skip["left"] >= 0 and skip["top"] >= 0 and skip["width"] > 0, "visible when focused"
    assert skip["outline"] != "none", "a focus ring shows where the focus is"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    after = focused(page)
    assert after["tag"] in {"input", "select", "a", "button"}
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_a_member_votes_with_the_keyboard_alone(browser_as, populated):
    proposal = populated.proposals["voting"]
    page = browser_as("member")
    page.goto(f"/proposals/{proposal.pk}/")

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    page.keyboard.press("Enter")
    for _ in range(100):
        page.keyboard.press("Tab")
        if focused(page)["name"] == "value":
            break
    else:
        pytest.fail("Tab never reached the vote's radio buttons")

    radio = focused(page)
    assert radio["tag"] == "input" and radio["outline"] != "none"
    assert (radio["value"], radio["checked"]) == ("1", False)
    for key, value in (("Space", "1"), ("ArrowDown", "0"), ("ArrowUp", "1")):
        page.keyboard.press(key)
        now = focused(page)
        assert (now["name"], now["value"], now["checked"]) == ("value", value, True), key
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Your vote is recorded.")
    expect(page.locator("#vote")).to_contain_text("You voted +1")
    assert Vote.objects.get(proposal=proposal, voter=populated.member).value == 1


@pytest.mark.parametrize("name", PAGES)
def test_a_phone_screen_needs_no_sideways_scrolling(name, browser_as, populated):
    page = browser_as("member")
    page.set_viewport_size(PHONE)
    response = page.goto(main_pages(populated)[name])
    assert response.ok, f"{name} answered {response.status}"
    open_all_details(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width}px wide at {PHONE['width']}px"


@pytest.mark.parametrize("name", ["proposal-detail", "proposal-closed-vote"])
def test_a_phone_shows_the_vote_before_the_history_and_every_table_column(
    name, browser_as, populated
):
    page = browser_as("member")
    page.set_viewport_size(PHONE)
    page.goto(main_pages(populated)[name])
    open_all_details(page)

    cut = cut_off_cells(page)
    assert not cut, f"{name} hides table columns off the edge at 390px: {cut}"
    vote = page.get_by_role("heading", name="Vote", exact=True).bounding_box()
    history = page.get_by_role("heading", name="Discussion and history").bounding_box()
    assert vote["y"] < history["y"], "on a phone the vote panel comes before the history"


def test_signing_in_works_from_the_keyboard(browser_as, populated):
    page = browser_as()
    page.goto("/accounts/login/")
    assert focused(page)["name"] == "username", "the form takes the focus on arrival"
    page.keyboard.type("member")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type("pw")
    page.keyboard.press("Enter")
    expect(page.locator("header .who")).to_contain_text("Sign out")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_chairs_meeting_record_and_proxy_vote_forms_pass_axe_and_fit_a_phone(
    viewport, browser_as, axe, populated
):
    """The forms only a chair sees: who attended and the minutes on the meeting's page,
    the meeting rules on the committee's page, the proxy vote in the vote panel."""
    actions.do_record_attendance(
        meeting=populated.meeting, actor=populated.chair, guests=["A Guest"]
    )
    page = browser_as("chair")
    page.set_viewport_size(VIEWPORTS[viewport])
    pages = {
        "meeting": (f"/meetings/{populated.meeting.pk}/", "Save who attended"),
        "committee": (f"/committees/{populated.committee.slug}/", "Save the meeting rules"),
        "proposal": (f"/proposals/{populated.proposals['voting'].pk}/", "Record their vote"),
    }
    for name, (path, button) in pages.items():
        page.goto(path)
        open_all_details(page)
        expect(page.get_by_role("button", name=button)).to_be_visible()
        blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
        assert not blocking, (
            f"axe-core on the chair's {name} page:\n{describe_violations(blocking)}"
        )
        assert not broken_references(page), f"the chair's {name} page has broken references"
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"the chair's {name} page is {width}px wide"
