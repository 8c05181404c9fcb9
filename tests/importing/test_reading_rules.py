"""Each reading rule of the lifecycle reader, on lines quoted from the sample notes
(tests/fixtures/notes), set in a minimal notes document of the same layout: the kind,
subject, outcome, confidence and rule of what it reads."""

from __future__ import annotations

import textwrap

from django.test import SimpleTestCase

from pmc.notes import LifecycleMention, parse_lifecycle
from pmc.notes.rules import RULES


def read(text: str) -> list[LifecycleMention]:
    return parse_lifecycle(textwrap.dedent(text).lstrip("\n"))


def readings(text: str) -> list[tuple[str, str, str, str, str]]:
    return [(m.kind, m.subject, m.outcome, m.confidence, m.rule) for m in read(text)]


class SeveralProjectsTests(SimpleTestCase):
    def test_several_projects_one_line_gives_one_item_per_project(self):
        text = """
            ## PMC Lifecycle Activities

            - Chip: propose promotion of Diego, Garden, Greenhouse projects to Active
              - discuss over email in coming days
        """
        self.assertEqual(readings(text), [
            ("promotion", "Diego", "pending", "high", "several-projects-one-line"),
            ("promotion", "Garden", "pending", "high", "several-projects-one-line"),
            ("promotion", "Greenhouse", "pending", "high", "several-projects-one-line"),
        ])  # fmt: skip

    def test_several_teams_joined_by_and_give_one_item_each(self):
        text = """
            ## Announcements
            Plan to notify about Project Lead openings for Greenhouse and GrootFS teams and request for nominations to cf-dev [Dieu Cao]
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject) for m in read(text)],
            [("ownership", "Greenhouse"), ("ownership", "GrootFS")],
        )


class ListedProjectsTests(SimpleTestCase):
    def test_listed_under_change_label_gives_one_item_per_line(self):
        text = """
            ## New business

            To be moved to Attic:
            * Brooklyn Service Broker
            * cf-swagger (could be brought back)
        """
        self.assertEqual(readings(text), [
            ("attic", "Brooklyn Service Broker", "pending", "high", "listed-under-change-label"),
            ("attic", "cf-swagger", "pending", "high", "listed-under-change-label"),
        ])  # fmt: skip

    def test_listed_after_change_topic_reads_the_lists_that_follow_with_low_confidence(self):
        text = """
            ## New business

            Discussion on which projects to put in the Attic:

            Chris to follow up on:
            * Java Tools: Ben Hale to clarify
            * cf-dev: maintenance mode

            Being maintained:
            * BBR
        """
        self.assertEqual(readings(text), [
            ("attic", "Java Tools", "pending", "low", "listed-after-change-topic"),
            ("attic", "cf-dev", "pending", "low", "listed-after-change-topic"),
        ])  # fmt: skip

    def test_an_item_of_a_topic_list_that_says_more_is_read_on_its_own(self):
        text = """
            ## New business

            Discussion on which projects to put in the Attic:

            Chris to follow up on:
            * CFCR: should be retired at some point this year, hold off for now
        """
        self.assertEqual(
            [(m.kind, m.subject, m.outcome) for m in read(text)], [("attic", "CFCR", "deferred")]
        )

    def test_listed_under_change_heading_gives_one_item_per_project(self):
        text = """
            ## _To Be Retired_

            - [Brooklyn Broker](https://github.com/cloudfoundry-incubator/apache-brooklyn-service-broker) - Robert Moss
            - [SQL Server](https://github.com/cloudfoundry-incubator/mssql-server-broker) - Jared Gordon
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject, m.rule) for m in read(text)],
            [("attic", "Brooklyn Broker", "listed-under-change-heading"),
             ("attic", "SQL Server", "listed-under-change-heading")],
        )  # fmt: skip


class LeadChangeTests(SimpleTestCase):
    def test_welcome_gives_one_item_per_project_welcomed(self):
        text = """
            ## New business

            - Welcome omniauth-uaa-oauth2 and cf-uaa-lib! Dr. Nic
        """
        self.assertEqual(
            [(m.kind, m.subject, m.outcome, m.rule) for m in read(text)],
            [("ownership", "omniauth-uaa-oauth2", "completed", "welcome"),
             ("ownership", "cf-uaa-lib", "completed", "welcome")],
        )  # fmt: skip

    def test_lead_vacancy_with_the_projects_after_a_colon(self):
        text = """
            ## Announcements

            - Eric Malm: Project Lead positions open for nominations: UAA, Diego, Release Integration
        """  # noqa: E501
        self.assertEqual(readings(text), [
            ("ownership", "UAA", "pending", "high", "lead-vacancy"),
            ("ownership", "Diego", "pending", "high", "lead-vacancy"),
            ("ownership", "Release Integration", "pending", "high", "lead-vacancy"),
        ])  # fmt: skip

    def test_lead_vacancy_for_a_project_lead(self):
        text = """
            ## Announcements

            - [EM] vacancy for CLI project lead open for nominations until Mon, Feb 10
        """
        self.assertEqual(readings(text), [("ownership", "CLI", "pending", "high", "lead-vacancy")])

    def test_lead_vacancy_with_a_nominee(self):
        text = """
            ## Discussion

            - [Eric M] Eirini project lead vacant; Julz Skupnjak nominated
        """
        self.assertEqual(
            readings(text), [("ownership", "Eirini", "pending", "high", "lead-vacancy")]
        )

    def test_lead_nomination_listed_under_discussion_and_confirmed(self):
        text = """
            ## Discussion

            - [Eric] Requests for project lead confirmations:
              - Jeremy Morony for UAA project lead
                - confirmed!
              - Amin Jamali for Diego project lead
                - confirmed!
        """
        self.assertEqual(readings(text), [
            ("ownership", "UAA", "approved", "high", "lead-nomination"),
            ("ownership", "Diego", "approved", "high", "lead-nomination"),
        ])  # fmt: skip

    def test_lead_nomination_of_a_new_pm(self):
        text = """
            ## PMC Lifecycle Activities
            - Nick has completed PM dojo on CAPI. Propose to have Nick be the new CAPI PM now that his dojo is complete.
        """  # noqa: E501
        self.assertEqual(
            readings(text), [("ownership", "CAPI", "pending", "high", "lead-nomination")]
        )

    def test_lead_nomination_by_a_company(self):
        text = """
            ## Announcements
            * Pivotal is nominating Johannes Tuchscherer as new PM for Loggregator.
        """
        (mention,) = read(text)
        self.assertEqual(
            (mention.kind, mention.subject, mention.confidence, mention.rule),
            ("ownership", "Loggregator", "high", "lead-nomination"),
        )

    def test_a_lead_change_in_a_team_report_is_read_with_low_confidence(self):
        text = """
            ## Backlog Reviews

            ### Routing - Shannon Coen

            - Taking over responsibility for nats-release from Infrastructure team
        """
        self.assertEqual(
            readings(text), [("ownership", "nats-release", "pending", "low", "change-words")]
        )

    def test_someone_training_as_pm_is_not_a_lead_change(self):
        text = """
            ## Backlog Reviews

            ### CAPI - Dieu Cao
            - Simon will be dojo'ing as PM, looking at what tracks of work from the CAPI team make sense for him to take on
        """  # noqa: E501
        self.assertEqual(read(text), [])

    def test_a_nomination_for_an_award_is_not_a_lead_change(self):
        text = """
            ## Announcements
            - Dieu Cao: reminder to nominate people for Summit community awards by next Thursday, Sep 24
        """  # noqa: E501
        self.assertEqual(read(text), [])

    def test_merged_into_team_is_a_change_of_owner(self):
        text = """
            ## Announcements

            - As per discussion last time the Bits-Service project team and repositories are now merged into the Eirini team.
        """  # noqa: E501
        self.assertEqual(
            readings(text), [("ownership", "Bits-Service", "completed", "low", "merged-into-team")]
        )


class ShapeChangeTests(SimpleTestCase):
    def test_new_team_or_project_proposed_and_not_objected_to(self):
        text = """
            ## PMC Lifecycle Activities
            - Proposal to create Services API as a new active team under the Runtime PMC. Details [here](https://docs.google.com/document/d/17-g3B9mXXz_5bwlnksr1KeyjvXAeJQtW9jHMNJ3npP0)
              - No objections raised, Dieu to follow up with other project leads
        """  # noqa: E501
        self.assertEqual(
            readings(text), [("other", "Services API", "approved", "high", "new-team-or-project")]
        )

    def test_new_team_or_project_gives_each_new_repository(self):
        text = """
            ## PMC Lifecycle Activities
            * Mega team has a new open mega-ci repo (full pipeline provisioning repo) and a cf-deployment repo (how to coordinate a unified deployment composed of multiple releases, uaa, diego, etcd, etc.)
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject, m.rule) for m in read(text)],
            [("other", "mega-ci", "new-team-or-project"),
             ("other", "cf-deployment", "new-team-or-project")],
        )  # fmt: skip

    def test_team_split_with_a_lead_for_the_new_team(self):
        text = """
            ## PMC Lifecycle Activities
            Proposing to split the Garden team into two, with a proposal for Julz Friedman to be one of the garden PMs.
            Expectation to do this after current security epic completes.
            No objections on the call. Dieu to follow up with an email to Runtime PMC members.
        """  # noqa: E501
        self.assertEqual(readings(text), [
            ("other", "Garden", "approved", "high", "team-split"),
            ("ownership", "garden", "approved", "high", "lead-nomination"),
        ])  # fmt: skip

    def test_projects_merged_into_a_single_new_one(self):
        text = """
            ## Discussion

            - [EM/SC] Proposal to consolidate Routing and Container Networking projects into a single Networking project
              - no objections; approved!
        """  # noqa: E501
        self.assertEqual(
            readings(text), [("other", "Networking", "approved", "high", "projects-merged")]
        )

    def test_a_vendor_merging_its_teams_is_not_a_merge_of_projects(self):
        text = """
            ## Discussion
            * Pivotal merged the teams in Toronto and San Francisco
        """
        self.assertEqual(read(text), [])

    def test_joins_committee_takes_the_repository_named(self):
        text = """
            ## New business

            Attention all project leads, we have a new project that would like to be in
            Extensions PMC https://github.com/pivotal/cloud-service-broker/
        """
        (mention,) = read(text)
        self.assertEqual(
            (mention.kind, mention.subject, mention.rule, mention.repository_url),
            ("incubation", "cloud-service-broker", "joins-committee",
             "https://github.com/pivotal/cloud-service-broker/"),
        )  # fmt: skip

    def test_joins_committee_in_a_report_takes_the_reporting_project(self):
        text = """
            ## Updates

            ### Cloud Service Broker:

            * Onboarded to the PMC by Chris.
        """
        self.assertEqual(
            [(m.kind, m.subject, m.rule) for m in read(text)],
            [("incubation", "Cloud Service Broker", "joins-committee")],
        )

    def test_process_proposal_is_an_other_item(self):
        text = """
            ## Proposal: Buildpack Incubation Process

            Discussion today for PMC input; a draft document will be circulated
            for comment to cf-dev@ mailing list after the meeting, in a separate
            thread.
        """
        self.assertEqual(
            readings(text),
            [("other", "Buildpack Incubation Process", "pending", "high", "process-proposal")],
        )

    def test_end_of_life_of_a_project_is_an_attic_item(self):
        text = """
            ## Discussion
            - Discuss/Approve DEA EOL communication plan [here](https://docs.google.com/document/d/1L6behogKHG5GCs1suB-BLplb6_xB9L4LK0U0pAkuhYc/edit#)
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject, m.rule) for m in read(text)], [("attic", "DEA", "end-of-life")]
        )

    def test_a_move_to_the_core_org_is_a_promotion(self):
        text = """
            ## Backlog Reviews

            ### App AutoScaler (Bo Yang)

            - Rewriting of API server with GO lang
            - initiate move to core org
        """
        self.assertEqual(
            [(m.kind, m.subject, m.confidence) for m in read(text)],
            [("promotion", "App AutoScaler", "low")],
        )


class StatusSectionTests(SimpleTestCase):
    def test_under_review_proposal_accepted(self):
        text = """
            ## _Under Review_

            - CF Backup Plugin - *accepted* as the newest extension
        """
        self.assertEqual(
            readings(text),
            [("incubation", "CF Backup Plugin", "approved", "high", "under-review-proposal")],
        )

    def test_change_words_of_a_project_now_incubating(self):
        text = """
            ## _Incubating_

            ### CF Local (Stephen)

            * CF Local is officially incubating
        """
        self.assertEqual(
            [(m.kind, m.subject, m.outcome, m.rule) for m in read(text)],
            [("incubation", "CF Local", "approved", "change-words")],
        )


class OutcomeTests(SimpleTestCase):
    def test_a_proposal_accepted_by_the_attendees_is_approved(self):
        text = """
            ## Discussion

            - [EM] proposal to end the Bits-Service project and transfer ownership of the Bits-Service repositories to the Eirini team
              - proposal accepted by those attendees present
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject, m.outcome, m.confidence) for m in read(text)],
            [("ownership", "Bits-Service", "approved", "high")],
        )

    def test_a_lead_who_has_taken_over_is_a_completed_change(self):
        text = """
            ## CLI

            Dies Köper, of Fujitsu, has taken over the PM responsibilities for the CLI team after completing a "PM Dojo" on October 29.
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject, m.outcome) for m in read(text)],
            [("ownership", "CLI", "completed")],
        )


class TeamReportTests(SimpleTestCase):
    def test_proposed_in_team_heading_is_an_implicit_incubation(self):
        text = """
            ## Backlog Reviews

            ### Oratos (proposed incubating) - Adam Hevenor

            - Space Drain GA Announcement is near
        """
        self.assertEqual(
            [(m.kind, m.subject, m.tier, m.confidence, m.rule) for m in read(text)],
            [("incubation", "Oratos", "implicit", "low", "proposed-in-team-heading")],
        )

    def test_proposal_in_preparation_is_the_reporting_project_proposed(self):
        text = """
            ## _Misc_

            ### MS SQL Server Broker (Jared)
            - reviewing pre-proposal
        """
        self.assertEqual(
            [(m.kind, m.subject, m.tier, m.confidence, m.rule) for m in read(text)],
            [("incubation", "MS SQL Server Broker", "secondary", "low", "proposal-in-preparation")],
        )

    def test_proposal_in_preparation_for_a_thing_the_team_names_is_that_thing_proposed(self):
        text = """
            ## Backlog Reviews

            ### Flintstones - Simon Moser
            - Working on a proposal for a Bits Service to offload that from Cloud Controller
            - Plan to work on an initial proposal for MVP support of Tasks in Cloud Controller
        """
        self.assertEqual(
            [(m.kind, m.subject, m.tier, m.confidence, m.rule) for m in read(text)],
            [("incubation", "Bits Service", "secondary", "low", "proposal-in-preparation")],
        )

    def test_a_proposal_of_a_feature_is_not_the_project_proposed(self):
        text = """
            ## Backlog Reviews

            ### Loggregator - Jim Campbell
            - Working on proposal to augment container metrics with CC v3 process identifiers
        """
        self.assertEqual(read(text), [])

    def test_change_words_of_a_project_end_of_lifed(self):
        text = """
            ## Backlog Reviews

            ### Garden - Julz Friedman
            - Officially end of lifed garden-shed, story to delete it in-flight(!)
        """
        self.assertEqual(
            [(m.kind, m.subject, m.confidence) for m in read(text)],
            [("attic", "garden-shed", "low")],
        )

    def test_change_words_of_repositories_migrated_to_another_org(self):
        text = """
            ## Backlog Reviews

            ### Garden - Will Pragnell

            - Migrated Garden repos to cloudfoundry GitHub org, 'code.cloudfoundry.org' import paths
        """
        self.assertEqual(
            [(m.kind, m.subject, m.outcome) for m in read(text)],
            [("other", "Garden", "completed")],
        )

    def test_change_words_of_a_project_out_of_incubation_name_it_not_its_link(self):
        text = """
            ## Backlog Reviews

            ### Container Networking - Usha Ramachandran
            - CF networking is out of incubation, v1.8.0 is on [bosh.io](http://bosh.io/releases/github.com/cloudfoundry/cf-networking-release?all=1)!
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject, m.outcome, m.confidence) for m in read(text)],
            [("promotion", "CF networking", "completed", "low")],
        )

    def test_change_words_of_the_reporting_lead_rolling_off(self):
        text = """
            ## Backlog Reviews

            ### GrootFS - George Lestaris
            - Last PMC update from George as I am rolling off the team.
        """
        self.assertEqual([(m.kind, m.subject) for m in read(text)], [("ownership", "GrootFS")])

    def test_hosted_elsewhere_is_a_move_out_of_the_foundation(self):
        text = """
            ## Java Utilities

            * Eclipse Tools for Cloud Foundry ("CFT") repo is now avilable at [github.com/eclipse/cft](https://github.com/eclipse/cft).
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.project, m.outcome, m.rule) for m in read(text)],
            [("other", "Eclipse Tools for Cloud Foundry", "completed", "hosted-elsewhere")],
        )


class SubjectTests(SimpleTestCase):
    def test_a_pronoun_stands_for_the_name_before_the_comma(self):
        text = """
            ## Backlog Reviews

            ### Infrastructure - Dmitriy Kalinin
            - bosh boot loader (bbl), plan to move it from Pivotal org to cloud foundry org
        """
        self.assertEqual(
            [(m.kind, m.subject) for m in read(text)], [("other", "bosh boot loader (bbl)")]
        )

    def test_a_pronoun_stands_for_the_release_named_before_it(self):
        text = """
            ## Backlog Reviews

            ### PERSI - Julian Hjortshoj
            - Microsoft has completed legal review of their CIFS/SMB volume release for Azure and is ready to donate that to CFF.
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject) for m in read(text)], [("other", "CIFS/SMB volume release")]
        )

    def test_a_repository_subsection_of_a_report_is_the_subject(self):
        text = """
            ## Backlog Reviews

            ### Release Integration - Josh Collins

            #### `nats-release`
            - Handed off ownership to the Routing team
        """
        self.assertEqual([(m.kind, m.subject) for m in read(text)], [("ownership", "nats-release")])

    def test_a_proposer_named_before_the_proposal_is_not_the_subject(self):
        text = """
            ## Notes

            Last meeting, Ryan Morgan proposed receptor-client for acceptance into incubation.
        """
        self.assertEqual(
            [(m.kind, m.subject) for m in read(text)], [("incubation", "receptor-client")]
        )


class MergingTests(SimpleTestCase):
    def test_one_project_spelled_two_ways_in_a_file_is_one_item_named_as_its_team(self):
        text = """
            ## PMC Lifecycle Activities
            - Proposal to have Bit Service project for incubation by the Flintstone team with Simon Moser as PM.

            ## Backlog Reviews

            ### Bits-Service - Simon Moser
            - created first bits-service and bits-service release project under cf-incubation
        """  # noqa: E501
        self.assertEqual(
            [(m.kind, m.subject, m.line) for m in read(text)], [("incubation", "Bits-Service", 2)]
        )


class NotLifecycleTests(SimpleTestCase):
    def test_a_configuration_rename_is_not_an_item(self):
        text = """
            ## Backlog Reviews

            ### Diego - Eric Malm
            * Rename etcd cluster from `etcd` to `cf-etcd` (this will help for the migration from cf-release)
        """  # noqa: E501
        self.assertEqual(read(text), [])

    def test_metrics_renamed_are_not_an_item(self):
        text = """
            ## Backlog Reviews

            ### Loggregator - Jim Campbell
            - push for collector deprecation
              -- some diego metrics renamed
        """
        self.assertEqual(read(text), [])

    def test_a_repository_moved_within_its_org_is_not_an_incubation(self):
        text = """
            ## Backlog Reviews

            ### Lattice - David Wadden
            - Primary repository has moved to [cloudfoundry-incubator/lattice-release](https://github.com/cloudfoundry-incubator/lattice-release/)
        """  # noqa: E501
        self.assertEqual(read(text), [])

    def test_renaming_an_initiative_is_not_an_item(self):
        text = """
            ## Cross cutting initiatives
            - Elastic Clusters -> How about renaming it back to Placement Pools
        """
        self.assertEqual(read(text), [])


class RuleNamesTests(SimpleTestCase):
    def test_every_rule_an_item_carries_is_described(self):
        text = """
            ## PMC Lifecycle Activities
            - Chip: propose promotion of Diego, Garden, Greenhouse projects to Active
            - Proposal to move `cf-registrar` to the attic (Amit)
        """
        for mention in read(text):
            with self.subTest(mention.subject):
                self.assertIn(mention.rule, RULES)
                self.assertIn(mention.confidence, ("high", "low"))
