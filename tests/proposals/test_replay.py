"""Replaying the audit log against the rows: a row changed behind the log's back (an
UPDATE with the database's password, not an action) is named; rows changed only through
the actions agree with their events."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmc.models import Committee, Membership, Project, ProjectStatus, Role
from proposals import actions, replay
from proposals.actors import SYSTEM
from proposals.importing import apply_import
from proposals.models import Proposal, Vote
from proposals.states import Kind, State
from tests.factories import make_meeting, make_user
from tests.importing.helpers import sample_files

HOUR = datetime.timedelta(hours=1)


def run_sql(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class LifecycleThroughActions:
    """A committee whose seats, projects, proposals and votes all came through the
    actions: a vote in two rounds with changed votes and a recusal, a completed attic
    proposal and a completed rename, an ended seat and a corrected project."""

    @classmethod
    def build(cls) -> None:
        cls.committee = Committee.objects.create(name="Runtime", slug="runtime")
        cls.chair, cls.alice, cls.bob, cls.carol = (
            make_user(name) for name in ("chair", "alice", "bob", "carol")
        )
        long_ago = timezone.localdate() - datetime.timedelta(days=60)
        seats = {
            user: actions.do_add_member(
                committee=cls.committee,
                user=user,
                actor=SYSTEM,
                role=Role.CHAIR if user == cls.chair else Role.MEMBER,
                started_on=long_ago,
            )
            for user in (cls.chair, cls.alice, cls.bob, cls.carol)
        }
        cls.carol_seat = seats[cls.carol]
        cls.plugin = actions.do_create_project(
            committee=cls.committee, actor=SYSTEM, name="Old Plugin", lead="Dana"
        )
        cls.tool = actions.do_create_project(
            committee=cls.committee, actor=SYSTEM, name="Tool", former_names=["Toolkit"]
        )
        actions.do_update_project(project=cls.tool, actor=cls.chair, lead="Eve")

        cls.attic = cls.vote_twice_and_complete()
        cls.rename = cls.rename_tool()
        actions.do_end_membership(membership=cls.carol_seat, actor=cls.chair, reason="Moved on")

    @classmethod
    def vote_twice_and_complete(cls) -> Proposal:
        proposal = actions.do_create_proposal(
            actor=cls.alice,
            committee=cls.committee,
            kind=Kind.ATTIC,
            title="Move Old Plugin to the attic",
            project=cls.plugin,
        )
        actions.do_edit_proposal(proposal=proposal, actor=cls.alice, body="Nobody uses it.")
        actions.do_submit(proposal=proposal, actor=cls.alice)
        start = timezone.now()
        actions.do_start_vote(proposal=proposal, actor=cls.chair, at=start)
        actions.do_cast_vote(
            proposal=proposal, actor=cls.bob, value=-1, reason="Too soon", at=start
        )
        actions.do_return_to_discussion(proposal=proposal, actor=cls.chair)
        actions.do_edit_proposal(proposal=proposal, actor=cls.alice, condition="after 2.0")
        actions.do_start_vote(proposal=proposal, actor=cls.chair, at=start + HOUR)
        for voter, value in ((cls.alice, 1), (cls.bob, -1), (cls.chair, 1)):
            actions.do_cast_vote(
                proposal=proposal, actor=voter, value=value, reason="No", at=start + HOUR
            )
        actions.do_cast_vote(proposal=proposal, actor=cls.bob, value=1, at=start + 2 * HOUR)
        actions.do_recuse(proposal=proposal, actor=cls.carol, reason="I maintain it")
        actions.do_close_vote(proposal=proposal, actor=SYSTEM, at=start + 200 * HOUR)
        for item in proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=cls.chair)
        return actions.do_complete(proposal=proposal, actor=cls.chair)

    @classmethod
    def rename_tool(cls) -> Proposal:
        proposal = actions.do_create_proposal(
            actor=cls.bob,
            committee=cls.committee,
            kind=Kind.RENAME,
            title="Rename Tool",
            project=cls.tool,
            new_name="Hammer",
        )
        actions.do_submit(proposal=proposal, actor=cls.bob)
        meeting = make_meeting(cls.committee, date=timezone.localdate())
        actions.do_decide(proposal=proposal, actor=cls.chair, accepted=True, meeting=meeting)
        for item in proposal.checklist.to_do():
            actions.do_set_checklist_item(item=item, actor=cls.chair)
        return actions.do_complete(proposal=proposal, actor=cls.chair)


class RowsAgreeTests(LifecycleThroughActions, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.build()

    def test_the_lifecycle_went_where_the_tests_below_expect(self):
        self.attic.refresh_from_db()
        self.plugin.refresh_from_db()
        self.tool.refresh_from_db()
        self.assertEqual((self.attic.state, self.attic.vote_round), (State.COMPLETED, 2))
        self.assertEqual(self.plugin.status, ProjectStatus.ATTIC)
        self.assertEqual((self.tool.name, self.tool.former_names), ("Hammer", ["Toolkit", "Tool"]))
        self.assertEqual(Vote.objects.filter(proposal=self.attic).count(), 5)

    def test_rows_changed_only_through_actions_agree_with_the_log(self):
        self.assertEqual(replay.disagreements(), [])

    def test_it_names_a_flipped_vote(self):
        vote = Vote.objects.get(proposal=self.attic, round=2, voter=self.bob)
        Vote.objects.filter(pk=vote.pk).update(value=-1, reason="flipped")

        self.assertEqual(
            replay.disagreements(),
            [f"vote by bob on proposal #{self.attic.pk} (round 2) is -1; its events say +1"],
        )

    def test_it_names_a_recusal_turned_into_a_vote(self):
        run_sql(
            "UPDATE proposals_vote SET recused = %s, value = %s WHERE proposal_id = %s "
            "AND voter_id = %s",
            [False, 1, self.attic.pk, self.carol.pk],
        )

        self.assertEqual(
            replay.disagreements(),
            [f"vote by carol on proposal #{self.attic.pk} (round 2) is +1; its events say recused"],
        )

    def test_it_names_a_vote_moved_to_another_voter_and_a_vote_never_cast(self):
        vote = Vote.objects.get(proposal=self.attic, round=1, voter=self.bob)
        Vote.objects.filter(pk=vote.pk).update(voter=self.carol)
        Vote.objects.create(
            proposal=self.rename, voter=self.alice, round=1, value=1, binding=True, revision=1
        )

        self.assertEqual(
            replay.disagreements(),
            [
                f"vote by carol on proposal #{self.attic.pk} (round 1) is carol's; its events "
                "say it was cast by bob",
                f"vote by alice on proposal #{self.rename.pk} (round 1) is +1; the log does not "
                "record it",
            ],
        )

    def test_it_names_a_proposal_whose_state_was_flipped(self):
        run_sql(
            "UPDATE proposals_proposal SET state = %s WHERE id = %s",
            [State.REJECTED, self.rename.pk],
        )

        self.assertEqual(
            replay.disagreements(),
            [f"proposal #{self.rename.pk} is rejected; its events end in completed"],
        )

    def test_it_names_a_proposal_whose_revision_and_round_were_changed(self):
        Proposal.objects.filter(pk=self.attic.pk).update(revision=2, vote_round=1)

        self.assertEqual(
            replay.disagreements(),
            [
                f"proposal #{self.attic.pk} is at revision 2; its events say revision 3",
                f"proposal #{self.attic.pk} is in vote round 1; its events started 2 vote(s)",
            ],
        )

    def test_it_names_a_seat_whose_end_was_removed_or_moved(self):
        Membership.objects.filter(pk=self.carol_seat.pk).update(ended_on=None)
        ended = timezone.localdate()

        self.assertEqual(
            replay.disagreements(),
            [f"seat #{self.carol_seat.pk} (carol on Runtime) is held; its events say it ended on "
             f"{ended}"],
        )  # fmt: skip

        Membership.objects.filter(pk=self.carol_seat.pk).update(
            ended_on=ended + datetime.timedelta(days=1)
        )
        self.assertEqual(
            replay.disagreements(),
            [f"seat #{self.carol_seat.pk} (carol on Runtime) ends on "
             f"{ended + datetime.timedelta(days=1)}; its events say it ended on {ended}"],
        )  # fmt: skip

    def test_it_names_a_seat_promoted_or_given_without_the_log(self):
        seat = Membership.objects.get(committee=self.committee, user=self.bob)
        Membership.objects.filter(pk=seat.pk).update(role=Role.CHAIR)
        outsider = make_user("mallory")
        given = Membership.objects.create(committee=self.committee, user=outsider)

        self.assertEqual(
            replay.disagreements(),
            [
                f"seat #{seat.pk} (bob on Runtime) is chair; its events say member",
                f"seat #{given.pk} (mallory on Runtime) is in the table; the log does not "
                "record it being given",
            ],
        )

    def test_it_names_a_project_whose_status_or_name_was_changed(self):
        Project.objects.filter(pk=self.plugin.pk).update(status=ProjectStatus.ACTIVE)
        run_sql("UPDATE pmc_project SET name = %s WHERE id = %s", ["Sledgehammer", self.tool.pk])

        self.assertEqual(
            replay.disagreements(),
            [
                f"project #{self.plugin.pk} (Old Plugin) is active; its events say attic",
                f"project #{self.tool.pk} (Sledgehammer) is named Sledgehammer; its events "
                "say Hammer",
            ],
        )

    def test_it_names_a_project_whose_former_names_or_lead_were_changed(self):
        Project.objects.filter(pk=self.tool.pk).update(former_names=["Tool"], lead="Mallory")

        self.assertEqual(
            replay.disagreements(),
            [
                f"project #{self.tool.pk} (Hammer) has the former names Tool; its events say "
                "Toolkit, Tool",
                f"project #{self.tool.pk} (Hammer) is led by Mallory; its events say Eve",
            ],
        )

    def test_it_reads_each_table_once_however_many_rows(self):
        with CaptureQueriesContext(connection) as before:
            replay.disagreements()
        self.vote_twice_and_complete_again()
        with CaptureQueriesContext(connection) as after:
            self.assertEqual(replay.disagreements(), [])

        # The events, the proposals, the votes, the seats and the projects.
        self.assertEqual(len(before.captured_queries), 5)
        self.assertEqual(len(after.captured_queries), 5)

    def vote_twice_and_complete_again(self) -> None:
        for i in range(3):
            project = actions.do_create_project(
                committee=self.committee, actor=SYSTEM, name=f"Plugin {i}"
            )
            proposal = actions.do_create_proposal(
                actor=self.alice, committee=self.committee, kind=Kind.ATTIC,
                title=f"Retire plugin {i}", project=project,
            )  # fmt: skip
            actions.do_submit(proposal=proposal, actor=self.alice)
            actions.do_start_vote(proposal=proposal, actor=self.chair)
            actions.do_cast_vote(proposal=proposal, actor=self.bob, value=1)


class DemoDataAgreesTests(TestCase):
    def test_the_demo_data_agrees_with_its_log(self):
        call_command("seed_demo", allow_production=True, stdout=io.StringIO())

        self.assertTrue(Vote.objects.exists())
        self.assertEqual(replay.disagreements(), [])

    def test_a_flipped_demo_vote_is_named(self):
        call_command("seed_demo", allow_production=True, stdout=io.StringIO())
        vote = Vote.objects.filter(value=1).select_related("voter").order_by("pk").first()
        Vote.objects.filter(pk=vote.pk).update(value=0)

        self.assertEqual(
            replay.disagreements(),
            [
                f"vote by {vote.voter.username} on proposal #{vote.proposal_id} "
                f"(round {vote.round}) is 0; its events say +1"
            ],
        )


class ImportedNotesAgreeTests(TestCase):
    def test_every_sample_meeting_imported_agrees_with_its_log(self):
        apply_import(sample_files())

        decided = Proposal.objects.filter(state__in=[State.ACCEPTED, State.COMPLETED])
        self.assertGreater(decided.count(), 10)
        self.assertGreater(Project.objects.count(), 50)
        self.assertEqual(replay.disagreements(), [])
