"""In a real browser: the banner a failed audit verification puts on every page for a
chair, and the audit page with its checkpoints and public key, pass axe-core, fit a
phone and break no rule of the Content Security Policy."""

from __future__ import annotations

import pytest
from django.db import connection
from playwright.sync_api import expect

from proposals import audit_triggers, checkpoints, verification
from proposals.models import Event
from tests.e2e.helpers import describe_violations
from tests.e2e.test_content_security_policy import PolicyWatch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]
)
def test_the_audit_alarm_reads_well_everywhere(viewport, browser_as, axe, populated):
    checkpoints.sign()
    edited = Event.objects.order_by("id").first()
    audit_triggers.uninstall(connection)
    try:
        Event.objects.filter(pk=edited.pk).update(reason="rewritten")
    finally:
        audit_triggers.install(connection)
    verification.verify_and_store()
    page = browser_as("chair")
    page.set_viewport_size(viewport)
    watch = PolicyWatch(page)

    for path in ("/", "/audit/"):
        watch.visit(path)
        banner = page.locator(".audit-banner")
        expect(banner).to_contain_text("The audit log failed verification")
        expect(banner).to_contain_text(f"event #{edited.pk} was edited")
        blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
        assert not blocking, f"axe-core on {path}:\n{describe_violations(blocking)}"
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} is {width}px wide"
        watch.assert_clean(path)
    expect(page.get_by_role("heading", name="Signed checkpoints")).to_be_visible()
