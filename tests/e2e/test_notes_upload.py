"""A chair uploads meeting notes in a real browser, without JavaScript of the page's own:
the preview lists each lifecycle item read with an "import this reading" box, the chair
unchecks one, and the import leaves that one out."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pmc.models import Meeting
from pmc.notes import read_notes
from proposals.models import Reading
from proposals.states import ReadingStatus
from tests.e2e.helpers import describe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "notes" / "Runtime" / "2020"
SAMPLE = SAMPLE / "2020-09-29-runtime.md"
BLOCKING = {"serious", "critical"}


def test_a_chair_leaves_one_reading_out_of_the_import(browser_as, axe, runtime):
    keys = list(
        dict.fromkeys(
            m.key
            for m in read_notes(SAMPLE.name, SAMPLE.read_bytes(), committee="Runtime").mentions
        )
    )
    assert len(keys) >= 2, "the sample should read two items or more"

    page = browser_as("chair")
    page.goto("/meetings/upload/")
    page.get_by_label("Committee").select_option(label="Runtime")
    page.get_by_label("Notes files").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Lifecycle items read")).to_be_visible()

    boxes = page.get_by_role("checkbox", name="Import this reading")
    expect(boxes).to_have_count(len(keys))
    for index in range(len(keys)):
        expect(boxes.nth(index)).to_be_checked()
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe_violations(blocking)

    boxes.first.uncheck()
    page.get_by_role("button", name="Import into Runtime").click()

    expect(page.get_by_role("heading", name="Imported into Runtime")).to_be_visible()
    expect(page.get_by_text("left out when the notes were uploaded")).to_have_count(1)
    readings = Reading.objects.filter(meeting=Meeting.objects.get(date=datetime.date(2020, 9, 29)))
    dismissed = readings.get(status=ReadingStatus.DISMISSED)
    assert dismissed.key == keys[0]
    assert dismissed.proposal is None
    assert readings.exclude(pk=dismissed.pk).filter(proposal__isnull=False).count() == len(keys) - 1
