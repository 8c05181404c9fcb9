"""The same proposal raised in several meetings, of one committee or several, ends as
one proposal linked to each: its project is found however the notes spell it, and a
later item takes the proposal while it is open or recently decided. Each file is a
minimal notes file around lines quoted from tests/fixtures/notes."""

from __future__ import annotations

import datetime

from django.test import TestCase

from pmc.models import Project, Role
from proposals import actions
from proposals.actors import SYSTEM
from proposals.importing import NoteFile, apply_import
from proposals.models import LinkSuggestion, Proposal, ProposalMeeting
from proposals.states import Kind, State
from tests.factories import make_committee, make_member, make_proposal, make_user

SERVICE_FABRIK_VOTE = [
    "### Service Fabrik (Ashish)",
    "",
    "- Voting on the [incubation proposal](https://docs.google.com/document/d/1LiYxLkHoAThL"
    "XQp08Wvrit8kg07J1GdsbIkid6X145I/edit) Wednesday 8th November",
    "- Open for comments on the proposal till Monday 6th November",
]
SERVICE_FABRIK_MIGRATION = [
    "### Service Fabrik (Ashish)",
    "",
    "- Service Fabrik repo migration from SAP to cloudfoundry-incubator to be completed by "
    "next weekend",
    "- BOSH 2.0 adoption has started, soon user stories will be added on pivotal tracker",
]
BACKUP_PLUGIN_ACCEPTED = ["- CF Backup Plugin - *accepted* as the newest extension"]


def notes(committee: str, date: str, heading: str, lines: list[str]) -> NoteFile:
    """`committee`'s notes of `date` (YYYY-MM-DD): one section of the given lines."""
    text = "\n".join([f"# {committee} PMC Meeting", "", f"## {heading}", "", *lines, ""])
    return NoteFile(f"{committee}/{date}-{committee.lower()}.md", data=text.encode())


def imported(*files: NoteFile, **options) -> None:
    """Import the files one after the other, each as its own run."""
    for file in files:
        result = apply_import([file], **options)
        assert result.ok, result
        changes = [change for one in result.files for change in one.proposals]
        assert not [change for change in changes if change.action == "failed"], changes


def meetings_of(proposal: Proposal) -> list[tuple[str, datetime.date]]:
    rows = proposal.meetings.order_by("date").values_list("committee__name", "date")
    return list(rows)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class ProjectSpellingsTests(TestCase):
    """A project named again in another spelling is the project named before."""

    def test_a_name_followed_by_a_generic_noun_and_what_is_said_of_it_is_that_project(self):
        imported(
            notes("Extensions", "2017-10-30", "_Incubating_", SERVICE_FABRIK_VOTE),
            notes("Extensions", "2017-11-27", "_Incubating_", SERVICE_FABRIK_MIGRATION),
        )

        (project,) = Project.objects.all()
        self.assertEqual(project.name, "Service Fabrik")
        (proposal,) = Proposal.objects.all()
        self.assertEqual(proposal.kind, Kind.INCUBATION)
        self.assertEqual(
            meetings_of(proposal),
            [("Extensions", day("2017-10-30")), ("Extensions", day("2017-11-27"))],
        )

    def test_a_shortened_name_and_one_after_an_abbreviation_are_the_project_named_in_full(self):
        call = [
            "- call for Release Int Project Lead, submissions open until Jul 3",
            "\t- Pivotal nominates Josh Collins, current Interim Project Lead for "
            "Release Integration",
        ]
        vote = [
            "- call to accept Josh Collins as Project Lead for CF Release Integration",
            "\t- no objections raised",
        ]
        imported(
            notes("Runtime", "2018-06-26", "Announcements", call),
            notes("Runtime", "2018-07-10", "PMC Lifecycle Activities", vote),
        )

        self.assertEqual(Project.objects.count(), 1)
        (proposal,) = Proposal.objects.all()
        self.assertEqual((proposal.kind, proposal.new_lead), (Kind.OWNERSHIP, "Josh Collins"))
        self.assertEqual(proposal.state, State.ACCEPTED)
        self.assertEqual(
            meetings_of(proposal), [("Runtime", day("2018-06-26")), ("Runtime", day("2018-07-10"))]
        )

    def test_a_name_with_one_inner_word_more_is_the_same_project(self):
        retired = [
            "- [Brooklyn Broker](https://github.com/cloudfoundry-incubator/apache-brooklyn-"
            "service-broker) - Robert Moss",
        ]
        attic = ["Discussion on which projects to put in the Attic:", "", "To be moved to Attic:"]
        imported(
            notes("Extensions", "2020-09-28", "_To Be Retired_", retired),
            notes(
                "Extensions", "2021-01-25", "New business", [*attic, "* Brooklyn Service Broker"]
            ),
        )

        (project,) = Project.objects.all()
        self.assertEqual(project.name, "Brooklyn Broker")
        (proposal,) = Proposal.objects.all()
        self.assertEqual(proposal.kind, Kind.ATTIC)
        self.assertEqual(len(meetings_of(proposal)), 2)

    def test_an_item_naming_a_project_with_its_alias_finds_it_by_the_alias(self):
        kubo = actions.do_create_project(
            committee=make_committee("Extensions"), actor=SYSTEM, name="Kubo"
        )
        retired = [
            "- [CFCR (aka Kubo)](https://github.com/cloudfoundry-incubator/cfcr-home) - "
            "Stuart Charlton",
        ]

        imported(notes("Extensions", "2020-09-28", "_To Be Retired_", retired))

        self.assertEqual(Project.objects.get(), kubo)
        self.assertEqual(Proposal.objects.get().project, kubo)

    def test_a_project_named_with_an_alias_is_found_by_the_name_before_it(self):
        cfcr = actions.do_create_project(
            committee=make_committee("Extensions"), actor=SYSTEM, name="CFCR (aka Kubo)"
        )
        later = ["Chris to follow up on:", "* CFCR: should be retired at some point this year"]

        imported(notes("Extensions", "2021-01-25", "New business", later))

        self.assertEqual(Project.objects.get(), cfcr)
        proposal = Proposal.objects.get()
        self.assertEqual((proposal.kind, proposal.project), (Kind.ATTIC, cfcr))

    def test_a_client_for_an_api_is_the_client_named_for_the_api(self):
        imported(
            notes(
                "Runtime",
                "2015-06-16",
                "PMC Lifecycle Activities",
                [
                    "Ryan Morgan proposing moving a java client for the Receptor API from Diego "
                    "into incubation and the Runtime PMC."
                ],
            ),
            notes(
                "Utilities",
                "2015-07-07",
                "Proposal to accept receptor-client into incubation",
                [
                    "Last meeting, Ryan Morgan proposed receptor-client for acceptance into "
                    "incubation."
                ],
            ),
        )

        (proposal,) = Proposal.objects.all()
        self.assertEqual(proposal.kind, Kind.INCUBATION)
        self.assertEqual(
            meetings_of(proposal),
            [("Runtime", day("2015-06-16")), ("Utilities", day("2015-07-07"))],
        )

    def test_a_name_is_found_without_the_sort_of_thing_it_is(self):
        plugin = [
            "* Proposal for moving the plugin to the Eclipse Foundation has been completed, "
            "awaiting input from Chip.",
        ]
        tools = [
            '* Eclipse Tools for Cloud Foundry ("CFT") repo is now avilable at '
            "[github.com/eclipse/cft](https://github.com/eclipse/cft).",
        ]
        imported(
            notes(
                "Utilities",
                "2015-05-19",
                "Update on Eclipse plugin and Java tools (Ryan Morgan)",
                plugin,
            ),
            notes("Utilities", "2015-10-14", "Java Utilities", tools),
        )

        (proposal,) = Proposal.objects.all()
        self.assertEqual(proposal.kind, Kind.OTHER)
        self.assertEqual(len(meetings_of(proposal)), 2)

    def test_a_sort_of_thing_stays_in_the_name_of_a_new_project(self):
        imported(notes("Extensions", "2020-04-27", "_Under Review_", BACKUP_PLUGIN_ACCEPTED))

        self.assertEqual(Project.objects.get().name, "CF Backup Plugin")

    def test_a_name_is_not_loosened_into_a_shorter_projects_name(self):
        committee = make_committee("Runtime")
        garden = actions.do_create_project(committee=committee, actor=SYSTEM, name="Garden")

        imported(
            notes(
                "Runtime",
                "2020-04-28",
                "PMC Lifecycle Activities",
                ["- Rename Garden-Windows to Windows Containers"],
            )
        )

        (proposal,) = Proposal.objects.all()
        self.assertNotEqual(proposal.project, garden)
        self.assertEqual(proposal.project.name, "Garden-Windows")


class OtherCommitteesTests(TestCase):
    """An item about a proposal of another committee: the system's import links it, a
    chair's upload suggests the link to that committee's chair."""

    def setUp(self) -> None:
        imported(notes("Extensions", "2017-10-30", "_Incubating_", SERVICE_FABRIK_VOTE))
        (self.proposal,) = Proposal.objects.all()
        self.runtime_notes = notes("Runtime", "2017-11-07", "Updates", SERVICE_FABRIK_MIGRATION)

    def test_the_systems_import_links_the_proposal_to_the_other_committees_meeting(self):
        imported(self.runtime_notes)

        self.assertEqual(Proposal.objects.get(), self.proposal)
        self.assertEqual(self.proposal.committee.name, "Extensions")
        self.assertEqual(
            meetings_of(self.proposal),
            [("Extensions", day("2017-10-30")), ("Runtime", day("2017-11-07"))],
        )

    def test_a_chairs_upload_suggests_the_link_to_the_other_chair_instead(self):
        chair = make_user("runtime_chair")
        make_member(make_committee("Runtime"), chair, role=Role.CHAIR)

        imported(self.runtime_notes, actor=chair)

        self.assertEqual(Proposal.objects.get(), self.proposal)
        self.assertFalse(ProposalMeeting.objects.filter(meeting__committee__name="Runtime"))
        (suggestion,) = LinkSuggestion.objects.all()
        self.assertEqual(suggestion.proposal, self.proposal)
        self.assertEqual(suggestion.meeting.committee.name, "Runtime")
        self.assertIsNone(suggestion.accepted)


class WhichProposalTests(TestCase):
    """A later item takes the proposal while it is open or recently decided."""

    def test_a_proposal_filed_on_the_site_takes_the_items_of_older_notes(self):
        committee = make_committee("Extensions")
        member = make_user("proposer")
        make_member(committee, member)
        project = actions.do_create_project(
            committee=committee, actor=SYSTEM, name="Service Fabrik"
        )
        filed = make_proposal(
            committee, member, state=State.DISCUSSION, kind=Kind.INCUBATION, project=project
        )

        imported(notes("Extensions", "2017-10-30", "_Incubating_", SERVICE_FABRIK_VOTE))

        self.assertEqual(Proposal.objects.get(), filed)
        self.assertEqual(meetings_of(filed), [("Extensions", day("2017-10-30"))])

    def test_a_decision_is_reported_at_the_next_meetings_and_raised_anew_a_year_later(self):
        imported(
            notes("Extensions", "2020-04-27", "_Under Review_", BACKUP_PLUGIN_ACCEPTED),
            notes("Extensions", "2020-05-26", "_Under Review_", BACKUP_PLUGIN_ACCEPTED),
            notes("Extensions", "2021-04-26", "_Under Review_", BACKUP_PLUGIN_ACCEPTED),
        )

        self.assertEqual(Project.objects.count(), 1)
        first, again = Proposal.objects.order_by("created_at")
        self.assertEqual(first.state, State.ACCEPTED)
        self.assertEqual(
            [date for _, date in meetings_of(first)], [day("2020-04-27"), day("2020-05-26")]
        )
        self.assertEqual([date for _, date in meetings_of(again)], [day("2021-04-26")])

    def test_an_open_proposal_unmentioned_for_over_a_year_is_not_raised_again(self):
        imported(
            notes("Extensions", "2017-10-30", "_Incubating_", SERVICE_FABRIK_VOTE),
            notes("Extensions", "2018-06-25", "_Incubating_", SERVICE_FABRIK_VOTE),
            notes("Extensions", "2019-09-30", "_Incubating_", SERVICE_FABRIK_VOTE),
        )

        first, again = Proposal.objects.order_by("created_at")
        self.assertEqual(first.state, again.state)
        self.assertEqual(
            [date for _, date in meetings_of(first)], [day("2017-10-30"), day("2018-06-25")]
        )
        self.assertEqual([date for _, date in meetings_of(again)], [day("2019-09-30")])

    def test_an_open_proposal_waiting_for_its_condition_takes_an_item_years_later(self):
        attic = [
            "The CLI team proposes to move the Diego-Enabler plugin to the attic at the same "
            "time the DEAs reach EOL:",
            "- https://github.com/cloudfoundry-incubator/Diego-Enabler",
        ]
        imported(
            notes("Runtime", "2017-05-16", "PMC Lifecycle Activities", attic),
            notes("Runtime", "2019-06-04", "PMC Lifecycle Activities", attic),
        )

        (proposal,) = Proposal.objects.all()
        self.assertTrue(proposal.condition)
        self.assertEqual(
            [date for _, date in meetings_of(proposal)], [day("2017-05-16"), day("2019-06-04")]
        )

    def test_after_a_lead_change_is_decided_a_call_naming_no_nominee_is_the_next_change(self):
        vote = [
            "- [EM] Call for vote to approve Jonathan Sirlin as CF Networking Project Lead",
            "  - no objections; Jonathan confirmed!",
        ]
        stepping_down = [
            "- Preethi Varambally stepping down from CF Networking Product Lead role",
            "  - Call for nominations closes 11:59 PM PST, 2018-12-21",
        ]
        imported(
            notes("Runtime", "2019-01-08", "Discussion", vote),
            notes("Runtime", "2019-02-05", "Announcements", stepping_down),
        )

        (project,) = Project.objects.all()
        decided, opening = Proposal.objects.order_by("created_at")
        self.assertEqual((decided.project, opening.project), (project, project))
        self.assertEqual((decided.new_lead, decided.state), ("Jonathan Sirlin", State.ACCEPTED))
        self.assertEqual(opening.new_lead, "")
        self.assertEqual([date for _, date in meetings_of(opening)], [day("2019-02-05")])

    def test_a_nominee_named_while_another_is_pending_is_another_proposal(self):
        imported(
            notes(
                "Runtime",
                "2018-10-02",
                "Announcements",
                ["* Pivotal is nominating Johannes Tuchscherer as new PM for Loggregator."],
            ),
            notes(
                "Runtime",
                "2018-10-16",
                "Discussion",
                ["- [EM] Request for approval of Jesse Weaver as new Loggregator project lead"],
            ),
        )

        self.assertEqual(Project.objects.count(), 1)
        leads = Proposal.objects.order_by("created_at").values_list("new_lead", flat=True)
        self.assertEqual(list(leads), ["Johannes Tuchscherer", "Jesse Weaver"])
