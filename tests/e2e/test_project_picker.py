"""The proposal list's project field in a browser: typing part of a name fills its
suggestions from the server (proposals/static/proposals/project_picker.js), under the
Content Security Policy, and the filter takes the name chosen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from proposals.models import Proposal
from proposals.states import Kind
from tests.factories import make_committee, make_project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def suggestions(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('#project-choices option')].map(o => o.value)"
    )


def test_typing_suggests_projects_and_the_filter_takes_the_name(browser_as):
    runtime = make_committee("Runtime")
    other = make_committee("BOSH")
    lattice = make_project(runtime, name="lattice")
    make_project(runtime, name="latte")
    make_project(other, name="lathe")
    Proposal.objects.create(committee=runtime, project=lattice, kind=Kind.OTHER, title="Move it")
    page = browser_as()
    errors = []
    page.on("console", lambda message: errors.append(message.text))
    page.goto("/proposals/")

    assert suggestions(page) == []
    page.fill("#id_project", "lat")
    expect(page.locator("#project-choices option")).to_have_count(3)
    assert suggestions(page) == ["lathe", "latte", "lattice"]

    page.select_option("#id_committee", str(runtime.pk))
    page.fill("#id_project", "latt")
    expect(page.locator("#project-choices option")).to_have_count(2)
    assert suggestions(page) == ["latte", "lattice"]

    page.fill("#id_project", "lattice")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody a", has_text="Move it")).to_be_visible()
    assert page.input_value("#id_project") == "lattice"
    assert not [e for e in errors if "Content Security Policy" in e], errors
