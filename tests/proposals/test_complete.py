"""Carrying out an accepted proposal: its checklist, and what completing does to the project."""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps
from django.utils import timezone

from pmc.models import Project, ProjectStatus
from proposals import actions, kinds
from proposals.actors import SYSTEM
from proposals.errors import ConditionNotMet, InvalidTransition, NotPermitted
from proposals.models import ChecklistItem, Event, Proposal
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_project, make_proposal


class CompleteTestCase(LifecycleTestCase):
    def accepted(self, kind: str = Kind.ATTIC, **fields) -> Proposal:
        return make_proposal(
            self.committee,
            self.member,
            state=State.ACCEPTED,
            chair=self.chair,
            kind=kind,
            **fields,
        )

    def tick_all(self, proposal: Proposal) -> None:
        for item in proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.chair)

    def complete(self, proposal: Proposal) -> Proposal:
        self.tick_all(proposal)
        actions.do_complete(proposal=proposal, actor=self.chair)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.COMPLETED)
        return proposal

    def project_event(self, proposal: Proposal) -> Event:
        return Event.objects.filter(proposal=proposal, action__startswith="project.").get()


class ChecklistTests(CompleteTestCase):
    def test_it_gives_each_kind_its_checklist(self):
        for kind in Kind.values:
            with self.subTest(kind=kind):
                proposal = self.accepted(kind)

                items = list(proposal.checklist.order_by("position"))

                self.assertEqual([i.text for i in items], kinds.STEPS[kind])
                self.assertEqual([i.position for i in items], list(range(len(items))))
                self.assertFalse(any(i.done for i in items))
                people = [i for i in items if not i.by_system]
                self.assertEqual([i.text for i in people], list(kinds.KINDS[kind].steps))
                self.assertTrue(all(i.owner == self.member for i in people))

    def test_it_puts_the_condition_first(self):
        proposal = self.accepted(condition="at the same time the DEAs reach EOL")

        texts = list(proposal.checklist.order_by("position").values_list("text", flat=True))

        self.assertEqual(texts[0], "Condition met: at the same time the DEAs reach EOL")
        self.assertEqual(texts[1:], kinds.STEPS[Kind.ATTIC])

    def test_it_refuses_to_complete_until_every_item_is_done(self):
        proposal = self.accepted(condition="after the 2.0 release")
        items = list(proposal.checklist.to_do().order_by("position"))
        self.assertEqual(len(items), 3)  # the condition, archive, announce

        for item in items:
            events = Event.objects.count()
            with self.assertRaises(ConditionNotMet) as refused:
                actions.do_complete(proposal=proposal, actor=self.chair)
            self.assertIn("open checklist item", refused.exception.message)
            self.assertEqual(Event.objects.count(), events)
            proposal.refresh_from_db()
            self.assertEqual(proposal.state, State.ACCEPTED)

            actions.do_set_checklist_item(item=item, actor=self.chair)

        actions.do_complete(proposal=proposal, actor=self.chair)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.COMPLETED)

    def test_it_names_the_number_of_open_items(self):
        proposal = self.accepted()
        actions.do_set_checklist_item(item=proposal.checklist.first(), actor=self.member)

        with self.assertRaises(ConditionNotMet) as refused:
            actions.do_complete(proposal=proposal, actor=self.chair)

        self.assertIn("still has 1 open checklist item(s)", refused.exception.message)

    def test_it_records_ticking_an_item(self):
        proposal = self.accepted()
        item = proposal.checklist.first()

        actions.do_set_checklist_item(item=item, actor=self.member)

        item.refresh_from_db()
        self.assertTrue(item.done)
        self.assertEqual(item.done_by, self.member)
        self.assertIsNotNone(item.done_at)
        event = proposal.events.last()
        self.assertEqual(event.action, "checklist.done")
        self.assertEqual(event.actor, self.member)
        self.assertEqual(event.payload, {"item": item.pk, "text": item.text})

    def test_it_records_reopening_an_item(self):
        proposal = self.accepted()
        item = proposal.checklist.first()
        actions.do_set_checklist_item(item=item, actor=self.member)

        actions.do_set_checklist_item(item=item, actor=self.chair, done=False)

        item.refresh_from_db()
        self.assertFalse(item.done)
        self.assertIsNone(item.done_by)
        self.assertIsNone(item.done_at)
        self.assertEqual(proposal.events.last().action, "checklist.reopened")

    def test_it_writes_nothing_when_the_item_is_already_done(self):
        proposal = self.accepted()
        item = proposal.checklist.first()
        actions.do_set_checklist_item(item=item, actor=self.member)
        events = Event.objects.count()

        actions.do_set_checklist_item(item=item, actor=self.chair)

        item.refresh_from_db()
        self.assertEqual(item.done_by, self.member)
        self.assertEqual(Event.objects.count(), events)

    def test_it_lets_only_the_owner_or_the_chair_tick(self):
        proposal = self.accepted()
        item = proposal.checklist.first()

        for actor in (self.other_member, self.foreign_member, self.outsider):
            with self.subTest(actor=actor.username):
                events = Event.objects.count()
                with self.assertRaises(NotPermitted):
                    actions.do_set_checklist_item(item=item, actor=actor)
                self.assertEqual(Event.objects.count(), events)
                item.refresh_from_db()
                self.assertFalse(item.done)

        for actor in (self.member, self.chair):
            with self.subTest(actor=actor.username):
                actions.do_set_checklist_item(item=item, actor=actor, done=False)
                actions.do_set_checklist_item(item=item, actor=actor)
                item.refresh_from_db()
                self.assertEqual(item.done_by, actor)

    def test_it_freezes_the_checklist_once_completed(self):
        proposal = self.complete(self.accepted(Kind.OTHER))
        item = proposal.checklist.first()
        events = Event.objects.count()

        with self.assertRaises(InvalidTransition):
            actions.do_set_checklist_item(item=item, actor=self.chair, done=False)

        item.refresh_from_db()
        self.assertTrue(item.done)
        self.assertEqual(Event.objects.count(), events)


class EffectTests(CompleteTestCase):
    def test_it_moves_the_project_to_the_attic(self):
        project = make_project(self.committee, "cf-uaa-legacy", status=ProjectStatus.ACTIVE)

        proposal = self.complete(self.accepted(Kind.ATTIC, project=project))

        project.refresh_from_db()
        self.assertEqual(project.status, ProjectStatus.ATTIC)
        event = self.project_event(proposal)
        self.assertEqual(event.action, "project.status_changed")
        self.assertEqual(event.project, project)
        self.assertEqual(event.actor, self.chair)
        self.assertEqual(event.payload["from"], ProjectStatus.ACTIVE)
        self.assertEqual(event.payload["to"], ProjectStatus.ATTIC)

    def test_it_promotes_the_project_to_active(self):
        project = make_project(self.committee, "stratos", status=ProjectStatus.INCUBATING)

        proposal = self.complete(self.accepted(Kind.PROMOTION, project=project))

        project.refresh_from_db()
        self.assertEqual(project.status, ProjectStatus.ACTIVE)
        event = self.project_event(proposal)
        self.assertEqual(event.action, "project.status_changed")
        self.assertEqual((event.payload["from"], event.payload["to"]), ("incubating", "active"))

    def test_it_incubates_an_existing_project(self):
        project = make_project(self.committee, "korifi")

        proposal = self.complete(self.accepted(Kind.INCUBATION, project=project))

        project.refresh_from_db()
        self.assertEqual(project.status, ProjectStatus.INCUBATING)
        self.assertEqual(self.project_event(proposal).action, "project.status_changed")

    def test_it_creates_the_project_of_an_incubation_without_one(self):
        proposal = self.accepted(Kind.INCUBATION, new_name="Paketo Buildpacks")
        self.assertIsNone(proposal.project)

        proposal = self.complete(proposal)

        project = Project.objects.get(name="Paketo Buildpacks")
        self.assertEqual(proposal.project, project)
        self.assertEqual(project.committee, self.committee)
        self.assertEqual(project.status, ProjectStatus.INCUBATING)
        event = self.project_event(proposal)
        self.assertEqual(event.action, "project.created")
        self.assertEqual(event.project, project)
        self.assertEqual(event.payload["to"], ProjectStatus.INCUBATING)

    def test_it_renames_the_project(self):
        project = make_project(self.committee, "Diego")

        proposal = self.complete(self.accepted(Kind.RENAME, project=project, new_name="Eirini"))

        project.refresh_from_db()
        self.assertEqual(project.name, "Eirini")
        self.assertEqual(project.former_names, ["Diego"])
        self.assertEqual(list(Project.objects.named("Diego")), [project])
        self.assertEqual(list(Project.objects.named("diego")), [project])
        self.assertEqual(list(Project.objects.named("Eirini")), [project])
        event = self.project_event(proposal)
        self.assertEqual(event.action, "project.renamed")
        self.assertEqual((event.payload["from"], event.payload["to"]), ("Diego", "Eirini"))

    def test_it_keeps_every_former_name_oldest_first(self):
        project = make_project(self.committee, "Lattice")
        self.complete(self.accepted(Kind.RENAME, project=project, new_name="Garden"))
        self.complete(self.accepted(Kind.RENAME, project=project, new_name="Garden Runc"))

        project.refresh_from_db()

        self.assertEqual(project.former_names, ["Lattice", "Garden"])
        for name in ("Lattice", "Garden", "Garden Runc"):
            with self.subTest(name=name):
                self.assertEqual(list(Project.objects.named(name)), [project])
        self.assertFalse(Project.objects.named("Garden Run").exists())

    def test_it_hands_the_project_to_its_new_lead(self):
        project = make_project(self.committee, "cf-cli", lead="Old Lead")

        proposal = self.complete(
            self.accepted(Kind.OWNERSHIP, project=project, new_lead="Ada Lovelace")
        )

        project.refresh_from_db()
        self.assertEqual(project.lead, "Ada Lovelace")
        event = self.project_event(proposal)
        self.assertEqual(event.action, "project.lead_changed")
        self.assertEqual((event.payload["from"], event.payload["to"]), ("Old Lead", "Ada Lovelace"))

    def test_it_leaves_the_project_alone_for_other_proposals(self):
        project = make_project(self.committee, "docs", status=ProjectStatus.ACTIVE, lead="Grace")

        proposal = self.complete(self.accepted(Kind.OTHER, project=project))

        project.refresh_from_db()
        self.assertEqual((project.name, project.status, project.lead), ("docs", "active", "Grace"))
        self.assertFalse(proposal.events.filter(action__startswith="project.").exists())

    def test_it_lets_the_system_complete(self):
        proposal = self.accepted(Kind.ATTIC)
        for item in proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=SYSTEM)

        actions.do_complete(proposal=proposal, actor=SYSTEM)

        proposal.project.refresh_from_db()
        self.assertEqual(proposal.project.status, ProjectStatus.ATTIC)
        self.assertEqual(self.project_event(proposal).actor_name, "system:system")


class NameTakenTests(CompleteTestCase):
    def assertCompleteRefused(self, proposal: Proposal) -> None:
        self.tick_all(proposal)
        events = Event.objects.count()
        projects = Project.objects.count()

        with self.assertRaises(ConditionNotMet) as refused:
            actions.do_complete(proposal=proposal, actor=self.chair)

        self.assertIn("already has a project named", refused.exception.message)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertEqual(Event.objects.count(), events)
        self.assertEqual(Project.objects.count(), projects)

    def test_it_refuses_to_rename_to_a_name_already_taken(self):
        make_project(self.other_committee, "Eirini")
        project = make_project(self.committee, "Diego")

        self.assertCompleteRefused(self.accepted(Kind.RENAME, project=project, new_name="eirini"))

        project.refresh_from_db()
        self.assertEqual((project.name, project.former_names), ("Diego", []))

    def test_it_refuses_to_create_an_incubated_project_under_a_taken_name(self):
        make_project(self.committee, "Paketo")

        proposal = self.accepted(Kind.INCUBATION, new_name="Paketo")

        self.assertCompleteRefused(proposal)
        self.assertIsNone(proposal.project)


class SystemItemTests(CompleteTestCase):
    """What completing does to the project is on the checklist, done by the system."""

    def test_each_kind_leaves_its_project_list_change_to_the_system(self):
        expected = {
            Kind.ATTIC: ["Move the project to the attic in the project list"],
            Kind.INCUBATION: ["Add the project to the project list as incubating"],
            Kind.PROMOTION: ["List the project as active in the project list"],
            Kind.OWNERSHIP: ["Update the lead in the project list"],
            Kind.RENAME: ["Rename the project in the project list, keeping the old name"],
            Kind.OTHER: [],
        }
        for kind, texts in expected.items():
            with self.subTest(kind=kind):
                proposal = self.accepted(kind)
                system = proposal.checklist.filter(by_system=True).order_by("position")
                self.assertEqual(list(system.values_list("text", flat=True)), texts)
                self.assertFalse(system.filter(owner__isnull=False).exists())

    def test_it_completes_once_the_peoples_items_are_done(self):
        proposal = self.accepted(Kind.ATTIC)
        for item in proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=self.member)
        system = proposal.checklist.get(by_system=True)
        self.assertFalse(system.done)

        at = timezone.now()
        actions.do_complete(proposal=proposal, actor=self.chair, at=at)

        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.COMPLETED)
        system.refresh_from_db()
        self.assertEqual((system.done, system.done_at, system.done_by), (True, at, None))
        complete = proposal.events.get(action="proposal.complete")
        self.assertEqual(complete.payload, {"done_by_system": [system.text]})
        self.assertFalse(proposal.events.filter(action="checklist.done").exclude(actor=self.member))

    def test_nobody_ticks_what_the_system_does(self):
        proposal = self.accepted(Kind.ATTIC)
        system = proposal.checklist.get(by_system=True)
        events = Event.objects.count()
        for actor in (self.chair, SYSTEM):  # who may tick the people's items
            with self.subTest(actor=str(actor)):
                with self.assertRaises(InvalidTransition) as refused:
                    actions.do_set_checklist_item(item=system, actor=actor)
                self.assertIn("is done by the system when", refused.exception.message)
        system.refresh_from_db()
        self.assertFalse(system.done)
        self.assertEqual(Event.objects.count(), events)


class SystemItemMigrationTests(CompleteTestCase):
    """Migration 0011: the open items of accepted proposals that the system now does."""

    def test_it_hands_the_open_project_list_items_to_the_system(self):
        migration = importlib.import_module("proposals.migrations.0011_system_checklist_items")
        open_one = self.accepted(Kind.ATTIC)
        ticked = self.accepted(Kind.PROMOTION)
        renamed = self.accepted(Kind.RENAME)
        # As the checklists were made before: every item a person's.
        ChecklistItem.objects.update(by_system=False, owner=self.member)
        ticked_item = ticked.checklist.get(text="List the project as active in the project list")
        actions.do_set_checklist_item(item=ticked_item, actor=self.chair)
        old_rename = renamed.checklist.create(
            position=9, text="Update the project list and documentation", owner=self.member
        )

        migration.mark_system_items(django_apps, None)

        moved = open_one.checklist.get(text="Move the project to the attic in the project list")
        self.assertEqual((moved.by_system, moved.owner), (True, None))
        ticked_item.refresh_from_db()
        self.assertEqual((ticked_item.by_system, ticked_item.done_by), (False, self.chair))
        old_rename.refresh_from_db()
        self.assertEqual((old_rename.by_system, old_rename.owner), (False, self.member))
        self.assertEqual(ChecklistItem.objects.filter(by_system=True).count(), 1)
