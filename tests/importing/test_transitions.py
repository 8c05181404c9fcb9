"""Recorded decisions move proposals through the state machine's own transitions, at the
meeting's date, as system:import, and the audit chain stays intact."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.test import TestCase

from pmc.models import Project, ProjectStatus
from proposals.actions import do_confirm_reading
from proposals.importing import apply_import
from proposals.models import Event, Proposal
from proposals.states import Kind, State
from tests.factories import make_user
from tests.importing.accuracy import expected_meetings
from tests.importing.helpers import sample_files


def noon(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


class DecisionTransitionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        apply_import(sample_files())

    def history(self, proposal: Proposal) -> list[tuple]:
        return list(
            proposal.events.order_by("id").values_list("action", "from_state", "to_state", "at")
        )

    def test_it_decides_a_promotion_at_the_meeting_date(self):
        proposal = Proposal.objects.get(kind=Kind.PROMOTION, project__name="BPM")
        self.assertEqual(proposal.state, State.ACCEPTED)
        at = noon(2019, 3, 21)
        self.assertEqual(self.history(proposal), [
            ("proposal.created", "", State.DRAFT, at),
            ("proposal.meeting_linked", "", "", at),
            ("proposal.submit", State.DRAFT, State.DISCUSSION, at),
            ("proposal.decide", State.DISCUSSION, State.ACCEPTED, at),
        ])  # fmt: skip
        self.assertEqual(proposal.decided_in.date, datetime.date(2019, 3, 21))
        self.assertEqual(proposal.decided_at, at)
        self.assertEqual(proposal.checklist.count(), 3)
        decide = proposal.events.get(action="proposal.decide")
        self.assertIn("Decision: Moved to active projects!", decide.reason)

    def test_it_acts_as_system_import(self):
        actors = set(Event.objects.values_list("actor_name", flat=True))
        self.assertEqual(actors, {"system:import"})
        self.assertFalse(Event.objects.filter(actor__isnull=False).exists())

    def test_it_completes_what_the_notes_report_as_done_once_the_reading_is_confirmed(self):
        proposal = Proposal.objects.get(kind=Kind.OWNERSHIP, project__name="cf-uaa-lib")
        reading = proposal.readings.get()
        self.assertEqual(reading.outcome, "completed")
        self.assertIn("complete", reading.held)  # completing renames or hands over a project
        self.assertNotEqual(proposal.state, State.COMPLETED)
        self.assertEqual(proposal.project.lead, "")
        do_confirm_reading(reading=reading, actor=make_user("staff", is_staff=True))
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.COMPLETED)
        self.assertEqual(proposal.new_lead, "Dr. Nic")
        self.assertEqual(proposal.project.lead, "Dr. Nic")
        self.assertFalse(proposal.checklist.filter(done=False).exists())
        at = noon(2020, 9, 28)
        history = [row for row in self.history(proposal) if not row[0].startswith("reading.")]
        actions = [a for a, *_ in history]
        self.assertEqual(actions[-2:], ["proposal.complete", "project.lead_changed"])
        # The lead in the project list is the completion's own doing, ticked by nobody.
        self.assertEqual(actions.count("checklist.done"), 2)
        self.assertEqual({event_at for *_, event_at in history}, {at})

    def test_it_defers_an_item_waiting_for_a_condition_once_the_reading_is_confirmed(self):
        proposal = Proposal.objects.get(kind=Kind.ATTIC, project__name="CF Local")
        reading = proposal.readings.get(outcome="deferred")
        self.assertEqual(reading.confidence, "low")  # "we will move it to the attic when ..."
        self.assertEqual((proposal.state, reading.held), (State.DISCUSSION, ["defer"]))
        do_confirm_reading(reading=reading, actor=make_user("staff", is_staff=True))
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DEFERRED)
        self.assertEqual(proposal.condition, "when we end support for v2 buildpacks")

    def test_it_leaves_undecided_items_in_discussion(self):
        proposal = Proposal.objects.get(kind=Kind.ATTIC, project__name="Diego-Enabler")
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertIsNone(proposal.decided_in)

    def test_it_creates_projects_with_the_status_the_item_implies(self):
        self.assertEqual(Project.objects.get(name="jibber_jabber").status, ProjectStatus.PROPOSED)
        self.assertEqual(
            Project.objects.get(name="route-registrar").status, ProjectStatus.INCUBATING
        )
        self.assertEqual(Project.objects.get(name="gibson").status, ProjectStatus.ACTIVE)
        created = Event.objects.filter(action="project.created", project__name="gibson").get()
        self.assertEqual(created.at, noon(2017, 1, 11))

    def test_it_records_meetings_and_committees_in_the_audit_log(self):
        imported = Event.objects.filter(action="meeting.imported")
        self.assertEqual(imported.count(), len(expected_meetings()))
        bosh = imported.get(payload__source="Bosh/2019-03-21-bosh.md")
        self.assertEqual(bosh.at, noon(2019, 3, 21))
        self.assertEqual(bosh.payload["source"], "Bosh/2019-03-21-bosh.md")
        self.assertEqual(bosh.payload["team_reports"], 7)
        self.assertEqual(Event.objects.filter(action="committee.created").count(), 5)

    def test_it_keeps_the_audit_chain_valid(self):
        out = io.StringIO()
        call_command("verify_audit", stdout=out)
        self.assertIn("Audit chain intact", out.getvalue())
