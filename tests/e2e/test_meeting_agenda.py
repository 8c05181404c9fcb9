"""A chair's meeting from start to finish in a real browser: they schedule it on the
committee's page, download its agenda, and upload the notes written on that agenda,
which come back linked to the proposals they number, with the decision recorded."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pmc.models import Meeting
from proposals.models import Proposal, ProposalMeeting, Reading
from proposals.states import ReadingStatus, State
from tests.e2e.helpers import describe_violations
from tests.factories import make_proposal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def no_blocking_violations(axe, page) -> None:
    blocking = [v for v in axe(page) if v["impact"] in BLOCKING]
    assert not blocking, describe_violations(blocking)


def test_a_chair_schedules_downloads_the_agenda_and_uploads_the_notes(
    browser_as, axe, runtime, tmp_path
):
    proposal = make_proposal(
        runtime.committee,
        runtime.member,
        state=State.DISCUSSION,
        project=runtime.project,
        title="Move legacy-cli to the attic",
    )
    day = timezone.localdate() + datetime.timedelta(days=3)

    page = browser_as("chair")
    page.goto(f"/committees/{runtime.committee.slug}/")
    page.get_by_role("link", name="Schedule a meeting").click()
    no_blocking_violations(axe, page)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("16:00")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Call link (optional)").fill("http://meet.example.org/runtime")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_text("plain http is refused")).to_be_visible()
    page.get_by_label("Call link (optional)").fill("https://meet.example.org/runtime")
    page.get_by_role("button", name="Schedule the meeting").click()

    expect(page.get_by_role("heading", name="Scheduled meeting")).to_be_visible()
    meeting = Meeting.objects.get(committee=runtime.committee, date=day)
    expect(page.get_by_role("link", name="https://meet.example.org/runtime")).to_be_visible()
    page.get_by_label("A point for the agenda").fill("Summit talks")
    page.get_by_role("button", name="Add the point").click()
    preview = page.locator("article.agenda-preview")
    expect(preview.get_by_role("link", name=f"#{proposal.pk}")).to_be_visible()
    expect(preview).to_contain_text("Summit talks")
    no_blocking_violations(axe, page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda (markdown)").click()
    assert download.value.suggested_filename == f"{day:%Y-%m-%d}-runtime.md"
    download.value.save_as(tmp_path / "agenda.md")
    text = (tmp_path / "agenda.md").read_text(encoding="utf-8")
    line = next(li for li in text.splitlines() if li.startswith(f"- [#{proposal.pk}]"))
    assert line == f"- [#{proposal.pk}] Move legacy-cli to the attic (in discussion)"

    # The meeting is held (moved to yesterday: notes of a day still to come are
    # refused), and the secretary writes the outcome on the proposal's line.
    held = timezone.localdate() - datetime.timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(date=held)
    notes = text.replace(line, f"{line} — accepted").replace(f"{day:%Y-%m-%d}", f"{held:%Y-%m-%d}")
    upload = tmp_path / f"{held:%Y-%m-%d}-runtime.md"
    upload.write_text(notes, encoding="utf-8")

    page.goto("/meetings/upload/")
    page.get_by_label("Committee").select_option(label="Runtime")
    page.get_by_label("Notes files").set_input_files(str(upload))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name=re.compile("Preview for Runtime"))).to_be_visible()
    page.get_by_role("button", name="Import into Runtime").click()
    expect(page.get_by_role("heading", name="Imported into Runtime")).to_be_visible()
    no_blocking_violations(axe, page)

    page.goto(f"/meetings/{meeting.pk}/")
    came_up = page.get_by_role("region", name="Proposals that came up")
    expect(came_up.get_by_role("link", name="Move legacy-cli to the attic")).to_be_visible()
    no_blocking_violations(axe, page)
    assert Meeting.objects.filter(committee=runtime.committee, date=held).count() == 1
    assert ProposalMeeting.objects.filter(meeting=meeting, proposal=proposal).exists()
    assert Proposal.objects.get(pk=proposal.pk).state == State.ACCEPTED
    readings = Reading.objects.filter(meeting=meeting)
    assert {r.status for r in readings} == {ReadingStatus.CONFIRMED}
