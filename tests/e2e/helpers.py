"""Helpers shared by the browser tests."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "pw"  # every user made by tests.factories.make_user has it


def sign_in(page: Page, username: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("header .who")).to_contain_text("Sign out")


PAGES = [
    "home",
    "proposal-list",
    "proposal-detail",
    "proposal-closed-vote",
    "meeting-detail",
    "audit-log",
    "project-detail",
    "proposal-kind",
    "proposal-form",
    "revision-list",
    "revision-detail",
    "revision-changes",
    "search",
    "committee",
]


def main_pages(rt) -> dict[str, str]:
    """The pages people use most, by a short name, for a `populated` Runtime."""
    return {
        "home": "/",
        "proposal-list": "/proposals/",
        "proposal-detail": f"/proposals/{rt.proposals['voting'].pk}/",
        "proposal-closed-vote": f"/proposals/{rt.proposals['closed'].pk}/",
        "meeting-detail": f"/meetings/{rt.meeting.pk}/",
        "audit-log": "/audit/",
        "project-detail": f"/projects/{rt.project.pk}/",
        "proposal-kind": "/proposals/new/",
        "proposal-form": "/proposals/new/?kind=ownership",
        "revision-list": f"/proposals/{rt.proposals['discussion'].pk}/revisions/",
        "revision-detail": f"/proposals/{rt.proposals['discussion'].pk}/revisions/1/",
        "revision-changes": f"/proposals/{rt.proposals['discussion'].pk}/revisions/2/changes/",
        "search": "/search/?q=diego+attic",
        "committee": f"/committees/{rt.committee.slug}/",
    }


def open_all_details(page: Page) -> None:
    """Open every <details>, so that checks see what a click would show."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


BROKEN_REFERENCES = """() => {
    const broken = [];
    for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
        for (const el of document.querySelectorAll(`[${attr}]`)) {
            for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
                if (!document.getElementById(id)) {
                    broken.push(`<${el.tagName.toLowerCase()} id="${el.id}"> ${attr}="${id}"`);
                }
            }
        }
    }
    for (const label of document.querySelectorAll("label[for]")) {
        if (!document.getElementById(label.htmlFor)) broken.push(`<label for="${label.htmlFor}">`);
    }
    return broken;
}"""


def broken_references(page: Page) -> list[str]:
    """Elements that point by id (aria-describedby, label for=...) at nothing: axe-core
    reports these only as "needs review", yet a screen reader then reads no help text."""
    return page.evaluate(BROKEN_REFERENCES)


CUT_OFF_CELLS = """() => {
    // A table cell is cut off when it lies beyond the right or left edge of the screen,
    // or of an element that clips it, unless a box between them scrolls sideways (and that
    // box is itself on screen): then the reader can scroll the table inside it.
    const cut = [];
    const width = document.documentElement.clientWidth;
    const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
        `${el.className ? "." + String(el.className).split(" ").join(".") : ""}`;
    for (const cell of document.querySelectorAll("main table th, main table td")) {
        const box = cell.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;  // not displayed
        let frame = {left: 0, right: width}, by = "the screen";
        for (let el = cell.parentElement; el && el !== document.body; el = el.parentElement) {
            const overflow = getComputedStyle(el).overflowX;
            if (overflow === "auto" || overflow === "scroll") {
                const scroller = el.getBoundingClientRect();
                if (scroller.right > width + 1 || scroller.left < -1) {
                    cut.push(`${name(el)} (scrolls) reaches past the screen`);
                }
                frame = null;
                break;
            }
            if (overflow === "hidden" || overflow === "clip") {
                const clip = el.getBoundingClientRect();
                if (box.right > clip.right + 1 || box.left < clip.left - 1) {
                    frame = clip; by = name(el);
                    break;
                }
            }
        }
        if (frame && (box.right > frame.right + 1 || box.left < frame.left - 1)) {
            const text = cell.textContent.trim().slice(0, 40);
            cut.push(`"${text}" ends at ${Math.round(box.right)}px, past ${by}`);
        }
    }
    return [...new Set(cut)];
}"""


def cut_off_cells(page: Page) -> list[str]:
    """Table cells a reader cannot see, because they lie off the edge of the screen (or
    of a box that clips them) and nothing around them scrolls sideways."""
    return page.evaluate(CUT_OFF_CELLS)


def describe_violations(violations: list[dict]) -> str:
    """axe-core's violations, one rule a paragraph, each failing element on its own line."""
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:160]}")
            summary = re.sub(r"\s+", " ", node.get("failureSummary") or "").strip()
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path
