"""The rules that read a meeting's team reports and their leads, each on a small document
in the foundation's layout whose telling lines are quoted from the real notes."""

from __future__ import annotations

import textwrap

from django.test import SimpleTestCase

from pmc.notes import parse_team_reports, read_notes
from pmc.notes.people import lead_names


def notes(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def teams(text: str) -> list[tuple[str, str]]:
    return [(report.team, report.lead) for report in parse_team_reports(notes(text))]


class TableOfContentsTests(SimpleTestCase):
    def test_the_h2_headings_after_a_table_of_contents_are_teams(self):
        text = """
            # Buildpacks PMC Notes as of 2015-10-08

            The last set of notes were sent out on 2015-09-09

            ## Table of Contents

            1. Update on Stacks
            2. Update on Buildpacks
              1. General
              2. java-buildpack

            ## Stacks

            ### Releases

            Released cflinuxfs2 1.9.0 and 1.8.0.

            ## Buildpacks

            ### General

            The Buildpacks team has been doing further experimentation.

            ### java-buildpack
        """
        reports = parse_team_reports(notes(text))
        self.assertEqual([(r.team, r.lead) for r in reports], [("Stacks", ""), ("Buildpacks", "")])
        self.assertIn("### java-buildpack", reports[1].body)

    def test_a_team_after_the_table_of_contents_keeps_its_sub_headings(self):
        text = """
            # Utilities PMC Notes as of 2015-11-09

            ## Table of Contents

            1. CLI
            2. Java Utilities

            ## CLI

            ### Releases

            CLI v6.13.0 was released.

            ### Ongoing / Upcoming work

            ### Risks

            ## Java Utilities
        """
        self.assertEqual(teams(text), [("CLI", ""), ("Java Utilities", "")])


class EndOfTheBacklogTests(SimpleTestCase):
    def test_an_h2_section_after_h3_teams_ends_the_backlog(self):
        text = """
            ## Backlog Reviews

            ### Bits-Service - Simon Moser

            - released 1.6.0

            ## Appendix
            ### CF Roadmap Proposal - Dies

            ## CF Feature Roadmap Review
        """
        self.assertEqual(teams(text), [("Bits-Service", "Simon Moser")])

    def test_h2_teams_may_follow_an_h3_team(self):
        text = """
            ## Current Backlogs and Priorities

            ### TCP Routing - Shannon

            ## UAA - Sree

            ## Diego

            ## Routing Team

            ## PMC Lifecycle Activities
        """
        self.assertEqual(teams(text), [
            ("TCP Routing", "Shannon"), ("UAA", "Sree"), ("Diego", ""), ("Routing Team", ""),
        ])  # fmt: skip

    def test_a_meeting_section_after_h2_teams_ends_the_backlog(self):
        text = """
            ## Current Backlogs and Priorities

            ## UAA - Sree

            ## Diego

            ## Appendix

            ## When/Where?
        """
        self.assertEqual(teams(text), [("UAA", "Sree"), ("Diego", "")])


class TeamNameTests(SimpleTestCase):
    def test_a_word_that_runs_on_into_a_name_is_a_team_not_a_sub_heading(self):
        text = (
            "## Backlog Reviews\n\n"
            "### Logging and Metrics - Jesse Weaver\n\n"
            "### Releases\n- v6.2.0\n\n"
            "### Release Integration\n"
            "- Migrating component Kubernetes release template pipelines into Release"
            " Integration Concourse.\n\n"
            "### KubeCF (incubating) - Vlad Iovanov\n"
        )
        reports = parse_team_reports(text)
        self.assertEqual([(r.team, r.lead) for r in reports], [
            ("Logging and Metrics", "Jesse Weaver"),
            ("Release Integration", ""),
            ("KubeCF", "Vlad Iovanov"),
        ])  # fmt: skip
        self.assertIn("### Releases", reports[0].body)

    def test_a_colon_after_the_team_is_not_its_name(self):
        text = (
            "## Updates\n\n"
            "### Cloud Service Broker: \n\n"
            "* Onboarded to the PMC by Chris. \n\n"
            "### Stratos: \n\n"
            "* 4.4.0 release!\n"
        )
        reports = parse_team_reports(text)
        self.assertEqual([r.team for r in reports], ["Cloud Service Broker", "Stratos"])

    def test_a_proposed_status_in_parentheses_is_not_the_team_name(self):
        text = """
            ## Backlog Reviews
            ### Oratos (proposed incubating) - Adam Hevenor
            ### Eirini (incubating) - Julz Friedman
            ### CFCR (aka Kubo) (Sean O'Sullivan, Pivotal)
        """
        self.assertEqual(teams(text), [
            ("Oratos", "Adam Hevenor"), ("Eirini", "Julz Friedman"),
            ("CFCR (aka Kubo)", "Sean O'Sullivan"),
        ])  # fmt: skip


class LeadTests(SimpleTestCase):
    def test_an_organisation_after_a_lead_is_not_part_of_the_lead(self):
        text = """
            ## _Incubating_
            ### CFCR (aka Kubo) (George Lestaris, Pivotal)
            ### CFCR (aka Kubo) (Ryan Jones, Pivotal & Merlin Glynn, VMware)
        """
        self.assertEqual(teams(text), [
            ("CFCR (aka Kubo)", "George Lestaris"),
            ("CFCR (aka Kubo)", "Ryan Jones & Merlin Glynn"),
        ])  # fmt: skip

    def test_a_list_of_names_keeps_every_name(self):
        text = """
            ## _Incubating_
            ### CF Dev (Scott, Stephen)
            ### CF Abacus (Hristo and Martina)
            ### App Lifecycle Management (Nikolay et al.)
            ## Backlog Reviews
            ### Container Networking - Usha Ramachandran/Preethi Varambally
            ### Garden-Windows - A William Martin / Colin Jackson
        """
        self.assertEqual(teams(text), [
            ("CF Dev", "Scott, Stephen"),
            ("CF Abacus", "Hristo and Martina"),
            ("App Lifecycle Management", "Nikolay et al."),
            ("Container Networking", "Usha Ramachandran/Preethi Varambally"),
            ("Garden-Windows", "A William Martin / Colin Jackson"),
        ])  # fmt: skip

    def test_a_remark_in_parentheses_after_the_lead_is_not_part_of_the_lead(self):
        text = """
            ## Backlog Reviews
            ### Bits-Service (incubating) - Peter Goetz (Out of the office until 09/13)
            ### Diego - Eric Malm (out until 09/13
            ### UAA - (vacant)
            ## _Incubating_
            ### Volume Services (Julian Hjortshoj (OOO until 9/13))
        """
        self.assertEqual(teams(text), [
            ("Bits-Service", "Peter Goetz"), ("Diego", "Eric Malm"), ("UAA", ""),
            ("Volume Services", "Julian Hjortshoj"),
        ])  # fmt: skip

    def test_the_names_of_a_lead_as_written(self):
        for written, names in [
            ("Sean O'Sullivan, Pivotal", "Sean O'Sullivan"),
            ("Dies Köper, SAP", "Dies Köper"),
            ("Julz, IBM", "Julz"),
            ("Dies Köper, of Fujitsu", "Dies Köper"),
            ("Peter Goetz (Out of the office until 09/13", "Peter Goetz"),
            ("Dies Köper (SAP)", "Dies Köper"),
            ("Ryan Jones, Merlin Glynn", "Ryan Jones, Merlin Glynn"),
            ("Julz (Julian Friedman)", "Julz (Julian Friedman)"),
            ("Dieu Cao & Nicholas Calugar", "Dieu Cao & Nicholas Calugar"),
        ]:
            with self.subTest(written):
                self.assertEqual(lead_names(written), names)


class CancelledMeetingTests(SimpleTestCase):
    def test_a_cancelled_meeting_keeps_the_teams_of_its_empty_template(self):
        text = """
            # BOSH PMC Meeting 2019-11-21

            Meeting cancelled du to lack of attendance.

            ## Agenda

            * Backlog Review

            ## PMC Lifecycle Activities


            ## Backlog Reviews

            ### BOSH Core SF - Morgan Fine


            ### Azure CPI – Jason Stevens
        """
        result = read_notes("Bosh/2019-11-21-bosh.md", notes(text).encode())
        self.assertTrue(result.cancelled)
        self.assertEqual([(r.team, r.lead, r.body) for r in result.team_reports], [
            ("BOSH Core SF", "Morgan Fine", ""), ("Azure CPI", "Jason Stevens", ""),
        ])  # fmt: skip

    def test_a_sentence_in_a_long_line_can_say_the_meeting_is_cancelled(self):
        text = (
            "# Runtime PMC Meeting 2020-11-24\n\n"
            "## Announcements\n\n"
            "NOTE: We are cancelling this Nov 24th PMC meeting due to the holiday week in the"
            " US. See you on December 8th!\n\n"
            "## Backlog Reviews\n\n"
            "### CLI - Zach Robinson\n"
        )
        result = read_notes("Runtime/2020/2020-11-24-runtime.md", text.encode())
        self.assertTrue(result.cancelled)
        self.assertEqual(len(result.team_reports), 1)

    def test_the_title_or_a_short_line_can_say_the_meeting_is_cancelled(self):
        for text in [
            "# Runtime PMC Meeting 2018-03-06 - CANCELLED\n\n## Backlog Reviews\n",
            "# Runtime PMC Meeting 2018-03-06\n\nNo PMC meeting this week (KubeCon).\n",
        ]:
            with self.subTest(text):
                result = read_notes("Runtime/2018/2018-03-06-runtime.md", text.encode())
                self.assertTrue(result.cancelled)

    def test_cancelling_a_later_meeting_does_not_cancel_this_one(self):
        text = """
            # Runtime PMC Meeting 2018-12-11

            ## Announcements

            - Cancelling 2018-12-25 meeting; next meeting will be 2019-01-08
        """
        result = read_notes("Runtime/2018/2018-12-11-runtime.md", notes(text).encode())
        self.assertFalse(result.cancelled)


class PastedReleaseNotesTests(SimpleTestCase):
    def test_an_h2_team_with_a_lead_ends_release_notes_pasted_into_an_h2_team(self):
        text = """
            # Runtime PMC Meeting 2015-06-16

            ## Current Backlogs and Priorities

            ## LAMB - Erik
            - Released:

            # cf CLI v6.13.0
            ## v6.13.0 - 2015-06-10
            ## Bug Fixes
            - cf ssh exits cleanly

            ## Lattice - Marco

            ## PMC Lifecycle Activities
        """
        reports = parse_team_reports(notes(text))
        self.assertEqual(
            [(r.team, r.lead) for r in reports], [("LAMB", "Erik"), ("Lattice", "Marco")]
        )
        self.assertIn("## v6.13.0 - 2015-06-10", reports[0].body)

    def test_the_pasted_notes_own_h3_headings_stay_in_the_report(self):
        text = """
            ## Backlog Reviews

            ### CLI - Dies Köper
            - Released 6.34.0:

            # cf CLI v6.34.0
            ### Improved cf push output
            ### New command `cf ssh-code`

            ### Garden - Julz Friedman
            - rootless containers

            ### UAA - (vacant)
        """
        reports = parse_team_reports(notes(text))
        self.assertEqual([(r.team, r.lead) for r in reports], [
            ("CLI", "Dies Köper"), ("Garden", "Julz Friedman"), ("UAA", ""),
        ])  # fmt: skip
        self.assertIn("### Improved cf push output", reports[0].body)

    def test_a_heading_that_links_a_project_is_a_team_after_pasted_notes(self):
        text = """
            # Projects
            ## _Incubating_
            ### CF Dev and Local (Scott, Stephen)
            # cf dev v0.0.17
            ### Improved start time
            ### [Service Fabrik](https://github.com/cloudfoundry-incubator/service-fabrik-broker)
        """
        self.assertEqual(
            teams(text), [("CF Dev and Local", "Scott, Stephen"), ("Service Fabrik", "")]
        )

    def test_teams_without_leads_stay_teams_after_pasted_notes(self):
        text = """
            # CF Extensions PMC Notes
            ## Updates
            ### Stratos
            # Stratos 4.4.0
            ### cflocal
        """
        self.assertEqual(teams(text), [("Stratos", ""), ("cflocal", "")])

    def test_a_team_the_table_of_contents_lists_ends_pasted_notes(self):
        text = """
            # Utilities PMC Notes as of 2015-11-09

            ## Table of Contents

            1. CLI
            2. Java Utilities

            ## CLI

            # cf CLI v6.13.0
            ## Install guide

            ## Java Utilities
        """
        self.assertEqual(teams(text), [("CLI", ""), ("Java Utilities", "")])
