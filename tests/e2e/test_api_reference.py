"""The API reference at /api/docs/ works in a real browser under the site's Content
Security Policy, unchanged: Swagger UI comes from the project's static files and starts
from a script file, lists every operation of the schema, and Chromium reports no
violation."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.test_content_security_policy import PolicyWatch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The site's URLs plus a few test views, so that the schema has operations whatever
# endpoints exist.
URLS = "tests.api.contract_urls"


def operations(schema: dict) -> int:
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return sum(1 for item in schema["paths"].values() for method in item if method in methods)


def test_the_reference_lists_the_operations_under_the_policy(browser_as, settings):
    settings.ROOT_URLCONF = URLS
    schema = json.loads(Client().get("/api/schema/?format=json").content)
    assert operations(schema) >= 5

    page = browser_as()
    watch = PolicyWatch(page)
    watch.visit("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("PMC Lifecycle API")
    expect(page.locator(".opblock")).to_have_count(operations(schema))

    tokens = page.locator(".opblock-post", has=page.locator("[data-path='/api/test/tokens/']"))
    tokens.locator(".opblock-summary-control").click()
    expect(tokens.locator(".parameters")).to_contain_text("Idempotency-Key")
    expect(tokens.locator(".responses-table")).to_contain_text("application/problem+json")

    # "Try it out" sends the request from the page (the policy's connect-src is 'self').
    things = page.locator(".opblock-get", has=page.locator("[data-path='/api/test/things/']"))
    things.locator(".opblock-summary-control").click()
    things.get_by_role("button", name="Try it out").click()
    things.get_by_role("button", name="Execute").click()
    expect(things.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    watch.assert_clean("the API reference")


def test_the_reference_loads_nothing_from_elsewhere(browser_as, live_server):
    page = browser_as()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    watch = PolicyWatch(page)
    watch.visit("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("PMC Lifecycle API")
    elsewhere = [url for url in requested if not url.startswith(live_server.url)]
    assert not elsewhere, elsewhere
    watch.assert_clean("the API reference")
