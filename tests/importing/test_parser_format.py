"""The notes parser on the shapes of the real notes that the samples do not show: odd file
names, bad encodings, pasted release notes, mis-levelled headings, cancelled meetings,
and items under "PMC Lifecycle Activities" that are not lifecycle items."""

from __future__ import annotations

import datetime
import textwrap

from django.test import SimpleTestCase

from pmc.notes import (
    MeetingNotes,
    NotMeeting,
    Unreadable,
    meeting_date,
    parse_lifecycle,
    parse_team_reports,
    read_notes,
)


def notes(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def teams(text: str) -> list[tuple[str, str]]:
    return [(report.team, report.lead) for report in parse_team_reports(notes(text))]


def items(text: str) -> list[tuple[str, str]]:
    return [(mention.kind, mention.subject) for mention in parse_lifecycle(notes(text))]


class FileNameTests(SimpleTestCase):
    def test_it_reads_the_date_in_every_file_name_shape(self):
        for name, date in [
            ("2017-05-16-runtime.md", datetime.date(2017, 5, 16)),
            (" 2017-05-16-runtime.md", datetime.date(2017, 5, 16)),
            ("10-30-2017.md", datetime.date(2017, 10, 30)),
            ("2017_05_16.md", datetime.date(2017, 5, 16)),
            ("20170516-bosh.md", datetime.date(2017, 5, 16)),
            ("Runtime/2017/2017-5-6-runtime.md", datetime.date(2017, 5, 6)),
            ("runtime-notes.md", None),
            ("2017-13-45-runtime.md", None),
        ]:
            with self.subTest(name):
                self.assertEqual(meeting_date(name), date)

    def test_it_trusts_the_file_name_over_a_date_in_the_title(self):
        data = b"# Runtime PMC Meeting 2015-06-02\n\n## Backlog Reviews\n### UAA - Sree\n"
        result = read_notes("Runtime/2015/2015-06-16-runtime.md", data)
        self.assertEqual(result.title, "Runtime PMC Meeting 2015-06-02")
        self.assertEqual(result.date, datetime.date(2015, 6, 16))

    def test_it_takes_the_committee_from_the_folder_and_skips_year_folders(self):
        for name, committee in [
            ("Runtime/2017/2017-05-16-runtime.md", "Runtime"),
            ("notes/Bosh/2019-03-21-bosh.md", "Bosh"),
            ("Runtime/2018/ 2018-03-06-runtime.md", "Runtime"),
        ]:
            with self.subTest(name):
                result = read_notes(name, b"# Notes\n")
                self.assertIsInstance(result, MeetingNotes)
                self.assertEqual(result.committee, committee)

    def test_it_needs_a_committee_for_a_bare_file_name(self):
        result = read_notes("2017-05-16.md", b"# Notes\n")
        self.assertIsInstance(result, Unreadable)
        self.assertIn("committee", result.reason)
        result = read_notes("2017-05-16.md", b"# Notes\n", committee="Runtime")
        self.assertEqual(result.committee, "Runtime")
        self.assertEqual(result.source, "2017-05-16.md")

    def test_it_skips_files_that_are_not_meetings_with_a_reason(self):
        for name, reason in [
            ("Runtime/template.md", "template"),
            ("Runtime/template-runtime.md", "template"),
            ("Runtime/YYYY-MM-DD-runtime.md", "template"),
            ("Runtime/2019-MM-DD-runtime.md", "template"),
            ("Runtime/MM-DD-YYYY.md", "template"),
            ("Runtime/README.md", "README"),
            ("readme.markdown", "README"),
            ("Runtime/images/logo.png", "image"),
            ("Runtime/.gitkeep", "hidden"),
            ("Runtime/notes.txt", "not a markdown file"),
        ]:
            with self.subTest(name):
                result = read_notes(name, b"# Template\n")
                self.assertIsInstance(result, NotMeeting)
                self.assertIn(reason, result.reason)
                self.assertNotIn("\n", result.reason)

    def test_it_reports_files_it_cannot_read(self):
        for name, data, reason in [
            ("Runtime/agenda.md", b"# Agenda\n", "no date in the file name"),
            ("Runtime/2017-05-16.md", b"", "empty file"),
            ("Runtime/2017-05-16.md", b" \n\n\t\n", "empty file"),
            ("Runtime/2017-05-16.md", bytes(range(0x80, 0x100)) * 4, "not UTF-8"),
            ("Runtime/2017-05-16.md", b"# Notes\n" + b"\xe9\xe8\xff\xfe\xfd" * 20, "not UTF-8"),
            ("Runtime/2017-05-16.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not"),
        ]:
            with self.subTest(reason=reason, data=data[:10]):
                result = read_notes(name, data)
                self.assertIsInstance(result, Unreadable)
                self.assertIn(reason, result.reason)


class EncodingTests(SimpleTestCase):
    def test_it_reads_notes_saved_as_windows_1252(self):
        data = "# Runtime\n\n## Backlog Reviews\n\n### CLI – Dies Köper\n".encode("cp1252")
        result = read_notes("Runtime/2017-05-16.md", data)
        self.assertEqual(result.team_reports[0].lead, "Dies Köper")
        self.assertIn("Windows-1252", result.repairs[0])
        self.assertEqual(result.original, result.text)

    def test_it_repairs_mojibake_and_keeps_the_original(self):
        data = "## Backlog Reviews\n### CLI - Dies KÃ¶per\n".encode()
        result = read_notes("Runtime/2017-05-16.md", data)
        self.assertEqual(result.team_reports[0].lead, "Dies Köper")
        self.assertIn("KÃ¶per", result.original)
        self.assertNotIn("KÃ¶per", result.text)

    def test_it_reads_a_truncated_file_that_ends_inside_a_character(self):
        data = "## Backlog Reviews\n### CLI - Dies Köper\n- cf push for Dö".encode()[:-1]
        result = read_notes("Runtime/2017-05-16.md", data)
        self.assertEqual([(r.team, r.lead, r.body) for r in result.team_reports], [
            ("CLI", "Dies Köper", "- cf push for D"),
        ])  # fmt: skip
        self.assertIn("truncated", result.repairs[0])

    def test_it_drops_a_byte_order_mark_and_reads_crlf_lines(self):
        data = b"\xef\xbb\xbf# Notes\r\n\r\n## Backlog Reviews\r\n### CLI - Dies\r\n- done\r\n"
        result = read_notes("Runtime/2017-05-16.md", data)
        self.assertEqual(result.title, "Notes")
        self.assertEqual([(r.team, r.lead, r.body) for r in result.team_reports], [
            ("CLI", "Dies", "- done")
        ])  # fmt: skip


class TeamReportShapeTests(SimpleTestCase):
    def test_it_keeps_teams_after_pasted_release_notes(self):
        text = """
            # Runtime PMC Meeting 2018-02-06

            ## Backlog Reviews

            ### CLI - Dies Köper
            - Released 6.34.0:

            # cf CLI v6.34.0
            ## Features
            - multiple buildpacks
            ## Bug Fixes
            - cf ssh exits cleanly

            ### Garden - Julz Friedman
            - rootless containers

            ## Discussion
            ### Not a team
        """
        reports = parse_team_reports(notes(text))
        self.assertEqual([(r.team, r.lead) for r in reports], [
            ("CLI", "Dies Köper"), ("Garden", "Julz Friedman"),
        ])  # fmt: skip
        self.assertIn("## Bug Fixes", reports[0].body)

    def test_it_keeps_a_mis_levelled_sub_heading_in_the_report(self):
        text = """
            ## Backlog Reviews
            ### CLI - Zach Robinson
            ### V7 (as of 4/21/2020)
            - GA soon
            ### Upcoming
            - v8
            ### `cf-deployment`
            ### CAPI - Zach Robinson
        """
        reports = parse_team_reports(notes(text))
        self.assertEqual([r.team for r in reports], ["CLI", "CAPI"])
        self.assertIn("### V7 (as of 4/21/2020)", reports[0].body)

    def test_it_reads_the_lead_shapes_of_the_headings(self):
        text = """
            ## Backlog Reviews
            ### [Stratos](https://github.com/cloudfoundry/stratos) - Neil MacDougall
            ### UAA - ~~Sree Tummidi~~
            ### Loggregator – ~~Adam Hevenor~~ Jesse Weaver
            ### **Diego** - Eric Malm
            ### KubeCF (incubating) - Vlad Iovanov
            ### CFCR (aka Kubo)
            ### Eirini (Julz Friedman)
            ### Multi-Buildpacks (?)
            ### Services API - TBD
        """
        self.assertEqual(teams(text), [
            ("Stratos", "Neil MacDougall"),
            ("UAA", ""),
            ("Loggregator", "Jesse Weaver"),
            ("Diego", "Eric Malm"),
            ("KubeCF", "Vlad Iovanov"),
            ("CFCR (aka Kubo)", ""),
            ("Eirini", "Julz Friedman"),
            ("Multi-Buildpacks", ""),
            ("Services API", ""),
        ])  # fmt: skip

    def test_it_reads_project_status_sections_and_updates(self):
        text = """
            # CF Extensions PMC Notes
            ## Updates
            ### Stratos
            - 4.1.0
            # Projects
            ## _Incubating_
            ### App AutoScaler (Julz)
            - [Service Fabrik](https://github.com/cloudfoundry-incubator/service-fabrik-broker)
            ## _Under Review_
            ### CF Local (Stephen)
        """
        self.assertEqual(teams(text), [
            ("Stratos", ""), ("App AutoScaler", "Julz"), ("CF Local", "Stephen"),
        ])  # fmt: skip

    def test_it_reads_teams_after_an_unclosed_code_fence_in_a_truncated_file(self):
        text = "## Backlog Reviews\n### CLI - Dies\n```\ncf push\n### Diego - Eric Malm\n- cells"
        self.assertEqual(teams(text), [("CLI", "Dies"), ("Diego", "Eric Malm")])

    def test_it_reads_setext_headings(self):
        text = "Backlog Reviews\n---------------\n\n### CLI - Dies\n"
        self.assertEqual(teams(text), [("CLI", "Dies")])

    def test_it_keeps_the_teams_of_a_cancelled_meeting_with_the_empty_template(self):
        text = notes(
            """
            # Runtime PMC Meeting 2018-03-06

            Meeting cancelled (KubeCon).

            ## Agenda
            * PMC Lifecycle Activities
            * Backlog Review

            ## PMC Lifecycle Activities

            ## Backlog Reviews

            ### CLI - Dies Köper

            ### Garden - Julz Friedman
            """
        )
        result = read_notes("Runtime/2018/2018-03-06-runtime.md", text.encode())
        self.assertTrue(result.cancelled)
        self.assertEqual([(r.team, r.lead, r.body) for r in result.team_reports], [
            ("CLI", "Dies Köper", ""), ("Garden", "Julz Friedman", ""),
        ])  # fmt: skip
        self.assertEqual(result.mentions, ())

    def test_it_does_not_take_a_cancelled_release_for_a_cancelled_meeting(self):
        text = "# Runtime\n## Backlog Reviews\n### CLI - Dies\n- v7 release was cancelled\n"
        result = read_notes("Runtime/2018-03-06.md", text.encode())
        self.assertFalse(result.cancelled)
        self.assertEqual(len(result.team_reports), 1)


class LifecycleShapeTests(SimpleTestCase):
    def test_it_leaves_out_what_is_not_lifecycle_under_the_lifecycle_heading(self):
        text = """
            ## PMC Lifecycle Activities

            - Deprecating the `cf v3-push` command in favour of `cf push`
            - The v1 firehose API will be retired in 2019
            - Moving the PMC meeting to every other Tuesday at 9am PT
            - Meeting time changes to 8am PT from March
            - Restructuring cf-release into separate releases per component
            - Retiring support for Ubuntu Trusty stemcells
            - Proposal to move [cf-mysql](https://github.com/cloudfoundry/cf-mysql) to the attic
        """
        self.assertEqual(items(text), [("attic", "cf-mysql")])

    def test_it_leaves_out_technical_words_in_team_reports(self):
        text = """
            ## Backlog Reviews
            ### Garden - Julz Friedman
            - Renamed the `garden.log_level` property to `garden.logging.level`
            - archived old CI pipelines
            - The team will retire the old auctioneer
            - Promoted the release candidate to stable
            - Tech lead: the new scheduler replaces the old auctioneer
        """
        self.assertEqual(items(text), [])

    def test_it_reads_a_decision_nested_under_its_proposal(self):
        text = """
            ## PMC Lifecycle Activities
            * Proposal: [Move GrootFS to active](https://lists.example.org/g/cf-dev/message/1)
              * Decision: approved
            * Proposal: Rename `bosh-bootloader` to `bbl`
              * Decision: rejected, the name is used elsewhere
            * The Garden team proposes to move [garden-linux](https://github.com/x/gl) to the attic
              * agreed, once cf-deployment drops it
        """
        mentions = {m.kind: m for m in parse_lifecycle(notes(text))}
        self.assertEqual(
            (mentions["promotion"].subject, mentions["promotion"].outcome), ("GrootFS", "approved")
        )
        self.assertEqual(
            (mentions["rename"].subject, mentions["rename"].new_name), ("bosh-bootloader", "bbl")
        )
        self.assertEqual(mentions["rename"].outcome, "rejected")
        attic = mentions["attic"]
        self.assertEqual((attic.subject, attic.proposing_team), ("garden-linux", "Garden team"))
        self.assertEqual(
            (attic.outcome, attic.condition), ("deferred", "once cf-deployment drops it")
        )

    def test_it_reads_an_outcome_written_after_the_item(self):
        text = """
            ## PMC Lifecycle Activities
            * Proposal to archive [cf-release](https://github.com/cloudfoundry/cf-release) now
              that cf-deployment is the way to deploy. Approved.
            * Move `cf-mysql-release` to the attic — approved by PMC vote
            * Voting on promotion of Eirini to active: +1 from Dieu, Chip, Eric. Passed.
            * Incubation proposal: [Quarks](https://github.com/cloudfoundry-incubator/quarks)
              - Passed unanimously
            * Proposal to rename CF Dev to cfdev - rejected
            * Proposal to move Stratos to active, to be voted on next time
        """
        mentions = parse_lifecycle(notes(text))
        self.assertEqual([(m.kind, m.subject, m.outcome) for m in mentions], [
            ("attic", "cf-release", "approved"),
            ("attic", "cf-mysql-release", "approved"),
            ("promotion", "Eirini", "approved"),
            ("incubation", "Quarks", "approved"),
            ("rename", "CF Dev", "rejected"),
            ("promotion", "Stratos", "pending"),
        ])  # fmt: skip

    def test_it_takes_the_project_from_the_label_of_a_line(self):
        text = """
            ## PMC Lifecycle Activities
            - [x] cf-mgmt: proposal to promote to active — accepted
            - Project Quarks: the SUSE team would like to incubate it here. Vote next meeting.
            - Stratos graduated from incubation and is now an active project
            - Incubating HP projects: next steps with the Utilities PMC
            - Chip: we could incubate it next quarter
        """
        mentions = parse_lifecycle(notes(text))
        self.assertEqual([(m.kind, m.subject, m.outcome) for m in mentions], [
            ("promotion", "cf-mgmt", "approved"),
            ("incubation", "Project Quarks", "pending"),
            ("promotion", "Stratos", "completed"),
        ])  # fmt: skip

    def test_it_reads_tables_dashes_and_quoted_names(self):
        text = """
            ## Project Lifecycle
            Archive the following repos, since they are unused:
            - https://github.com/cloudfoundry/cf-smoke-tests-release

            | Project | Proposal | Status |
            |---|---|---|
            | kubecf | incubation | approved |
            | cf-for-k8s | move to active | voting |

            * Rename of 'cf-networking-release' to 'cf-networking' was approved
            * Eirini - moving to active - vote passed 5-0
        """
        mentions = parse_lifecycle(notes(text))
        self.assertEqual([(m.kind, m.subject, m.outcome) for m in mentions], [
            ("attic", "cf-smoke-tests-release", "pending"),
            ("incubation", "kubecf", "approved"),
            ("promotion", "cf-for-k8s", "pending"),
            ("rename", "cf-networking-release", "approved"),
            ("promotion", "Eirini", "approved"),
        ])  # fmt: skip
        self.assertEqual(mentions[3].new_name, "cf-networking")

    def test_it_reads_lists_after_a_label_on_the_line_or_in_a_heading(self):
        text = """
            ## Incubation Proposals
            * [bosh-dns-aliases](https://github.com/cloudfoundry/bosh-dns-aliases-release)

            ## Lifecycle
            * Attic: cf-uaa-lib, omniauth-uaa-oauth2
            * Proposals for incubation: credhub-cli, bosh-bootloader and bosh-deployment
            * ~~bosh-init~~ moved to the attic last month
            * Active: cf-deployment, bosh
        """
        mentions = parse_lifecycle(notes(text))
        self.assertEqual([(m.kind, m.subject, m.tier, m.outcome) for m in mentions], [
            ("incubation", "bosh-dns-aliases", "core", "pending"),
            ("attic", "cf-uaa-lib", "core", "pending"),
            ("attic", "omniauth-uaa-oauth2", "core", "pending"),
            ("incubation", "credhub-cli", "core", "pending"),
            ("incubation", "bosh-bootloader", "core", "pending"),
            ("incubation", "bosh-deployment", "core", "pending"),
            ("attic", "bosh-init", "core", "completed"),
        ])  # fmt: skip

    def test_it_reads_labelled_lists_in_the_agenda_and_status_sections(self):
        text = """
            ## Agenda
            * PMC Lifecycle Activities
              - To Attic
                - https://github.com/cloudfoundry/gibson
              - To Active
                - https://github.com/cloudfoundry-incubator/route-registrar

            # Projects
            ## _To Be Retired_
            - [Brooklyn Broker](https://github.com/cloudfoundry-incubator/brooklyn) - Robert Moss
            ## _Retired_
            - [CF Abacus](https://github.com/cloudfoundry-incubator/cf-abacus)
        """
        mentions = parse_lifecycle(notes(text))
        self.assertEqual([(m.kind, m.subject, m.tier) for m in mentions], [
            ("attic", "gibson", "core"),
            ("promotion", "route-registrar", "core"),
            ("attic", "Brooklyn Broker", "implicit"),
        ])  # fmt: skip

    def test_it_reads_nominations_and_new_leads(self):
        text = """
            ## Announcements
            - Project Lead opening for CAPI project, nominations due January 17th.
                - Pivotal nominated Zach Robinson
            - Marco Nicosia is the new project lead for MySQL.
            - Loggregator project lead change: Adam Hevenor → Jesse Weaver
            - Project lead for Garden changes from Julz Friedman to Ed King
            - Diego project lead: Eric Malm replaces Jim Myers
        """
        mentions = parse_lifecycle(notes(text))
        self.assertEqual([(m.kind, m.project, m.new_lead) for m in mentions], [
            ("ownership", "CAPI", "Zach Robinson"), ("ownership", "MySQL", "Marco Nicosia"),
            ("ownership", "Loggregator", "Jesse Weaver"), ("ownership", "Garden", "Ed King"),
            ("ownership", "Diego", "Eric Malm"),
        ])  # fmt: skip

    def test_it_resolves_it_to_the_team_or_the_heading(self):
        text = """
            ## Updates
            ### cflocal
            - we will move it to the attic when we end support for v2 buildpacks

            ## Proposals
            ### `null-buildpack` deprecation
            It is proposed to move this to the attic.
        """
        self.assertEqual(items(text), [("attic", "cflocal"), ("attic", "null-buildpack")])

    def test_it_merges_mentions_of_one_proposal_in_a_file(self):
        text = """
            ## Agenda
            1. TCP router into cloudfoundry-incubator

            ## PMC Lifecycle Activities
            No objections to having TCP Router in the cloudfoundry-incubator
        """
        (mention,) = parse_lifecycle(notes(text))
        self.assertEqual((mention.kind, mention.outcome), ("incubation", "approved"))
        self.assertEqual(mention.section, "PMC Lifecycle Activities")
        self.assertEqual(mention.lines, (2, 5))

    def test_it_reads_the_other_ways_the_notes_raise_items(self):
        text = """
            ## PMC Lifecycle Activities
            - Gorouter PM is changing to Jane Doe
            - OpenStack CPI ownership
            - Proposal to move `cf-registrar` to the attic (Amit)
              - No objections (members present: Sree, Shannon)
            - Proposal to move UAA Java Client Library out of incubation (Sree)
            - Container Networking Team proposal for Incubation in the Runtime PMC

            ## Discussion
            - [EM] Call for vote to approve Laurel Gray as Services API Project Lead
              - no objections; Laurel confirmed as new Project Lead

            ## Backlog Reviews
            ### Loggregator - Jim Campbell
            - Name "change" from LAMB to Loggregator

            # Projects
            ## _Under Review_
            ### Service Fabrik (Ashish)
            - [proposal](https://docs.google.com/document/d/1) submitted and under review
        """
        found = [
            (m.kind, m.subject, m.outcome, m.new_lead or m.new_name or m.proposing_team)
            for m in parse_lifecycle(notes(text))
        ]
        self.assertEqual(found, [
            ("ownership", "Gorouter", "pending", "Jane Doe"),
            ("ownership", "OpenStack CPI", "pending", ""),
            ("attic", "cf-registrar", "approved", "Amit"),
            ("promotion", "UAA Java Client Library", "pending", "Sree"),
            ("incubation", "Container Networking", "pending", ""),
            ("ownership", "Services API", "approved", "Laurel Gray"),
            ("rename", "LAMB", "pending", "Loggregator"),
            ("incubation", "Service Fabrik", "pending", ""),
        ])  # fmt: skip
