"""`manage.py export_lifecycle`: the JSON document, its schema, and its query count."""

from __future__ import annotations

import datetime
import json
import tempfile
from io import StringIO
from pathlib import Path

import jsonschema
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import proposals
from pmc.models import PassRule, ProjectStatus, Role, TeamReport
from proposals import actions, audit_triggers, checkpoints
from proposals.actors import IMPORT
from proposals.models import Concern, Event, Proposal
from proposals.states import Kind, State
from tests.base import AppendOnlyTransactionTestCase, CommitteeActorsMixin, LifecycleTestCase
from tests.factories import make_meeting, make_project, make_proposal, make_user

SCHEMA = json.loads((Path(proposals.__file__).parent / "export_schema.json").read_text())
TICKED_AT = datetime.datetime(2024, 3, 1, 9, 30, tzinfo=datetime.UTC)


def export(*args: str) -> dict:
    out = StringIO()
    call_command("export_lifecycle", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def validate(document: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


def by(rows: list[dict], key: str, value) -> dict:
    return next(row for row in rows if row[key] == value)


def build_world(test) -> None:
    """A meeting with team reports, a vote in progress, an accepted proposal with its
    checklist, a completed rename, and an ended seat."""
    test.meeting = make_meeting(
        test.committee, datetime.date(2017, 5, 16), source="Runtime/2017/2017-05-16-runtime.md"
    )
    TeamReport.objects.create(meeting=test.meeting, position=0, team="CLI", lead="Jane Doe")
    TeamReport.objects.create(meeting=test.meeting, position=1, team="Docs", lead="")

    emeritus = make_user("emeritus")
    seat = actions.do_add_member(
        committee=test.committee,
        user=emeritus,
        actor=test.chair,
        started_on=datetime.date(2015, 1, 1),
    )
    actions.do_end_membership(
        membership=seat, actor=test.chair, ended_on=datetime.date(2019, 6, 30)
    )

    test.voting = make_proposal(
        test.committee,
        test.member,
        state=State.VOTING,
        chair=test.chair,
        kind=Kind.PROMOTION,
        title="Promote the CLI",
        proposing_team="CLI team",
    )
    actions.do_link_meeting(
        proposal=test.voting,
        meeting=test.meeting,
        actor=IMPORT,
        section="Backlog review",
        excerpt="CLI team proposes promotion.",
    )
    actions.do_cast_vote(proposal=test.voting, actor=test.member, value=1)
    actions.do_cast_vote(
        proposal=test.voting, actor=test.other_member, value=-1, reason="Not ready yet."
    )
    actions.do_recuse(proposal=test.voting, actor=test.third_member, reason="I lead it.")

    test.accepted = make_proposal(
        test.committee,
        test.member,
        state=State.ACCEPTED,
        chair=test.chair,
        kind=Kind.ATTIC,
        condition="the DEAs reach EOL",
    )
    first_item = test.accepted.checklist.order_by("position").first()
    actions.do_set_checklist_item(item=first_item, actor=test.member, at=TICKED_AT)

    test.renamed_project = make_project(
        test.committee,
        "cf-cli",
        lead="Jane Doe",
        repository_urls=["https://github.com/cloudfoundry/cli"],
    )
    test.rename = make_proposal(
        test.committee,
        test.member,
        state=State.COMPLETED,
        chair=test.chair,
        kind=Kind.RENAME,
        project=test.renamed_project,
        new_name="cli",
    )


class ExportLifecycleTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_world(cls)

    def setUp(self) -> None:
        self.document = export()

    def test_it_matches_the_schema(self):
        validate(self.document)

        for key in ("committees", "members", "projects", "meetings", "proposals", "audit"):
            self.assertIn(key, self.document)
        self.assertRegex(self.document["exported_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*Z$")

    def test_it_exports_committees_with_their_voting_policy(self):
        runtime = by(self.document["committees"], "name", "Runtime")

        self.assertEqual(runtime["slug"], "runtime")
        self.assertEqual(
            runtime["voting_policy"],
            {
                "pass_rule": PassRule.MAJORITY,
                "quorum": "more_than_half_of_eligible",
                "duration_hours": 72,
                "quorum_extensions": 1,
                "extension_hours": 72,
            },
        )
        self.assertEqual(
            [c["name"] for c in self.document["committees"]], ["Extensions", "Runtime"]
        )

    def test_it_exports_an_ended_seat_with_both_dates(self):
        seat = by(self.document["members"], "user", "emeritus")

        self.assertEqual(
            seat,
            {
                "user": "emeritus",
                "committee": "Runtime",
                "role": Role.MEMBER,
                "start": "2015-01-01",
                "end": "2019-06-30",
            },
        )
        chair = by(self.document["members"], "user", "chair")
        self.assertEqual(chair["role"], Role.CHAIR)
        self.assertRegex(chair["start"], r"^\d{4}-\d\d-\d\d$")
        self.assertIsNone(chair["end"])

    def test_it_exports_a_renamed_project_with_its_former_names(self):
        project = by(self.document["projects"], "id", self.renamed_project.pk)

        self.assertEqual(project["name"], "cli")
        self.assertEqual(project["former_names"], ["cf-cli"])
        self.assertEqual(project["committee"], "Runtime")
        self.assertEqual(project["status"], ProjectStatus.PROPOSED)
        self.assertEqual(project["lead"], "Jane Doe")
        self.assertEqual(project["repository_urls"], ["https://github.com/cloudfoundry/cli"])
        promoted = by(self.document["projects"], "id", self.voting.project_id)
        self.assertIsNone(promoted["lead"])

    def test_it_exports_meetings_with_their_team_reports(self):
        meeting = by(self.document["meetings"], "id", self.meeting.pk)

        self.assertEqual(meeting["date"], "2017-05-16")
        self.assertEqual(meeting["committee"], "Runtime")
        self.assertEqual(meeting["source"], "Runtime/2017/2017-05-16-runtime.md")
        self.assertEqual(
            meeting["team_reports"],
            [{"team": "CLI", "lead": "Jane Doe"}, {"team": "Docs", "lead": None}],
        )

    def test_it_exports_a_vote_in_progress(self):
        proposal = by(self.document["proposals"], "id", self.voting.pk)

        self.assertEqual(proposal["state"], State.VOTING)
        self.assertEqual(proposal["kind"], Kind.PROMOTION)
        self.assertEqual(proposal["proposer"], "member")
        self.assertEqual(proposal["proposing_team"], "CLI team")
        self.assertEqual(proposal["project"], self.voting.project.name)
        self.assertEqual(
            proposal["meetings"],
            [
                {
                    "id": self.meeting.pk,
                    "committee": "Runtime",
                    "date": "2017-05-16",
                    "section": "Backlog review",
                    "excerpt": "CLI team proposes promotion.",
                }
            ],
        )
        votes = {vote["voter"]: vote for vote in proposal["votes"]}
        self.assertEqual(set(votes), {"member", "other_member", "third_member"})
        self.assertEqual(votes["member"]["value"], 1)
        self.assertEqual(votes["other_member"]["value"], -1)
        self.assertEqual(votes["other_member"]["reason"], "Not ready yet.")
        self.assertIsNone(votes["third_member"]["value"])
        self.assertTrue(votes["third_member"]["recused"])
        self.assertTrue(all(vote["binding"] for vote in votes.values()))
        self.assertTrue(all(vote["round"] == 1 for vote in votes.values()))
        self.assertTrue(all(vote["revision"] == 1 for vote in votes.values()))
        self.assertEqual(proposal["checklist"], [])

    def test_it_exports_history_in_the_order_it_was_recorded(self):
        proposal = by(self.document["proposals"], "id", self.voting.pk)

        self.assertEqual(
            [(row["action"], row["from_state"], row["to_state"]) for row in proposal["history"]],
            [
                ("proposal.created", "", State.DRAFT),
                ("proposal.submit", State.DRAFT, State.DISCUSSION),
                ("proposal.start_vote", State.DISCUSSION, State.VOTING),
                ("proposal.meeting_linked", "", ""),
                ("vote.cast", "", ""),
                ("vote.cast", "", ""),
                ("vote.recused", "", ""),
            ],
        )
        self.assertEqual(
            [row["actor"] for row in proposal["history"]],
            ["member", "member", "chair", "system:import", "member", "other_member",
             "third_member"],
        )  # fmt: skip
        linked = proposal["history"][3]
        self.assertEqual(linked["at"], "2017-05-16T12:00:00Z")
        self.assertEqual(proposal["history"][5]["reason"], "Not ready yet.")
        ids = [row["id"] for row in proposal["history"]]
        self.assertEqual(ids, sorted(ids))

    def test_it_exports_the_checklist_of_an_accepted_proposal(self):
        proposal = by(self.document["proposals"], "id", self.accepted.pk)

        self.assertEqual(proposal["state"], State.ACCEPTED)
        self.assertEqual(proposal["condition"], "the DEAs reach EOL")
        checklist = proposal["checklist"]
        self.assertEqual(len(checklist), 4)
        self.assertEqual(
            checklist[0],
            {
                "text": "Condition met: the DEAs reach EOL",
                "owner": "member",
                "done": True,
                "done_at": "2024-03-01T09:30:00Z",
                "done_by": "member",
            },
        )
        self.assertTrue(all(not item["done"] and item["done_at"] is None for item in checklist[1:]))
        self.assertEqual(
            [row["action"] for row in proposal["history"]],
            [
                "proposal.created",
                "proposal.submit",
                "proposal.meeting_linked",
                "proposal.decide",
                "checklist.done",
            ],
        )
        decided = proposal["history"][3]
        self.assertEqual(decided["actor"], "chair")
        # Decided now, in a meeting held since it was filed: never before it was filed.
        self.assertGreaterEqual(decided["at"], proposal["history"][0]["at"])
        self.assertTrue(decided["reason"].startswith("Decided in Runtime's meeting of "))

    def test_it_exports_the_rename_with_the_project_events(self):
        proposal = by(self.document["proposals"], "id", self.rename.pk)

        self.assertEqual(proposal["state"], State.COMPLETED)
        self.assertEqual(proposal["project"], "cli")
        self.assertEqual(proposal["new_name"], "cli")
        self.assertEqual(proposal["history"][-2]["action"], "proposal.complete")
        self.assertEqual(proposal["history"][-1]["action"], "project.renamed")

    def test_it_reports_the_verified_audit_chain(self):
        last = Event.objects.order_by("id").last()
        checkpoint = self.document["audit"].pop("checkpoint")

        self.assertEqual(
            self.document["audit"],
            {
                "events": Event.objects.count(),
                "head": last.hash,
                "verified": True,
                "broken_at": None,
            },
        )
        # The export signed a checkpoint of the log it exports, and carries the log.
        self.assertEqual(
            (checkpoint["events"], checkpoint["head"]), (Event.objects.count(), last.hash)
        )
        self.assertEqual([row["hash"] for row in self.document["events"]][-1], last.hash)

    def test_it_exports_a_broken_chain_as_unverified_with_a_warning(self):
        edited = Event.objects.order_by("id")[3]
        audit_triggers.uninstall(connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE proposals_event SET reason = 'rewritten' WHERE id = %s", [edited.pk]
                )
        finally:
            audit_triggers.install(connection)
        out, err = StringIO(), StringIO()

        call_command("export_lifecycle", stdout=out, stderr=err)

        document = json.loads(out.getvalue())
        validate(document)
        self.assertFalse(document["audit"]["verified"])
        self.assertEqual(document["audit"]["broken_at"], edited.pk)
        self.assertEqual(document["audit"]["events"], Event.objects.count())
        self.assertIn(f"broken at event #{edited.pk}", err.getvalue())

    def test_it_writes_to_a_file(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "export.json"
            out = StringIO()

            call_command("export_lifecycle", "--format", "json", "--output", str(path), stdout=out)

            document = json.loads(path.read_text(encoding="utf-8"))
            self.assertEqual(sorted(Path(directory).iterdir()), [path])
        validate(document)
        self.assertEqual(len(document["proposals"]), 3)
        self.assertIn("3 proposals", out.getvalue())
        self.assertIn(str(path), out.getvalue())

    def test_it_refuses_an_unknown_format(self):
        with self.assertRaisesMessage(CommandError, "Unknown format 'csv'"):
            call_command("export_lifecycle", "--format", "csv", stdout=StringIO())

    def test_it_refuses_a_missing_output_directory(self):
        with self.assertRaisesMessage(CommandError, "does not exist"):
            call_command(
                "export_lifecycle", "--output", "/nonexistent/dir/export.json", stdout=StringIO()
            )

    def test_it_keeps_the_schema_enums_in_step_with_the_models(self):
        enums = {name: set(d.get("enum", [])) for name, d in SCHEMA["$defs"].items()}

        self.assertEqual(enums["state"], set(State.values))
        self.assertEqual(enums["kind"], set(Kind.values))
        self.assertEqual(enums["project_status"], set(ProjectStatus.values))
        self.assertEqual(enums["role"], set(Role.values))
        self.assertEqual(enums["pass_rule"], set(PassRule.values))

    def test_it_fails_the_schema_when_a_required_key_is_missing(self):
        del self.document["proposals"][0]["history"]

        with self.assertRaises(jsonschema.ValidationError):
            validate(self.document)


class ExportDiscussionTests(LifecycleTestCase):
    """Each proposal's comments (with replies, versions and state) and concerns (with who
    raised and resolved them)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.committee, cls.member, state=State.DISCUSSION)
        at = datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)
        cls.first = actions.do_post_comment(
            proposal=cls.proposal, actor=cls.member, body="First *thoughts*.", at=at
        )
        actions.do_edit_comment(
            comment=cls.first,
            actor=cls.member,
            body="First thoughts, revised.",
            at=at + datetime.timedelta(minutes=5),
        )
        cls.reply = actions.do_post_comment(
            proposal=cls.proposal,
            actor=cls.other_member,
            body="A reply.",
            reply_to=cls.first,
            at=at + datetime.timedelta(minutes=10),
        )
        cls.withdrawn = actions.do_post_comment(
            proposal=cls.proposal, actor=cls.third_member, body="Oops.", at=at
        )
        actions.do_withdraw_comment(comment=cls.withdrawn, actor=cls.third_member)
        cls.hidden = actions.do_post_comment(
            proposal=cls.proposal, actor=cls.other_member, body="Rude words.", at=at
        )
        actions.do_hide_comment(comment=cls.hidden, actor=cls.chair, reason="Not civil")
        cls.resolved = Concern.objects.create(
            proposal=cls.proposal,
            title="Docs still link to it",
            comment=cls.first,
            raised_by=cls.member,
            raised_at=at,
            raised_in=State.DISCUSSION,
            resolved_at=at + datetime.timedelta(hours=1),
            resolved_by=cls.chair,
            resolution="Docs fixed.",
        )
        cls.open = Concern.objects.create(
            proposal=cls.proposal,
            title="Licence unclear",
            raised_by=cls.other_member,
            raised_at=at + datetime.timedelta(hours=2),
            raised_in=State.DISCUSSION,
        )

    def setUp(self) -> None:
        self.document = export()
        self.exported = by(self.document["proposals"], "id", self.proposal.pk)

    def test_it_matches_the_schema(self):
        validate(self.document)

    def test_it_exports_top_level_comments_with_their_replies_under_them(self):
        comments = self.exported["comments"]

        self.assertEqual(
            [comment["id"] for comment in comments],
            [self.first.pk, self.withdrawn.pk, self.hidden.pk],
        )
        first = comments[0]
        self.assertEqual([reply["id"] for reply in first["replies"]], [self.reply.pk])
        self.assertEqual(first["replies"][0]["author"], "other_member")
        self.assertNotIn("replies", first["replies"][0])
        self.assertEqual(comments[1]["replies"], [])

    def test_it_exports_every_version_and_the_state(self):
        first, withdrawn, hidden = self.exported["comments"]

        self.assertEqual(first["state"], "edited")
        self.assertEqual(first["body"], "First thoughts, revised.")
        self.assertEqual(first["version"], 2)
        self.assertEqual(first["created_at"], "2024-03-01T09:00:00Z")
        self.assertEqual(first["edited_at"], "2024-03-01T09:05:00Z")
        self.assertEqual(
            [(v["number"], v["body"], v["written_at"]) for v in first["versions"]],
            [
                (1, "First *thoughts*.", "2024-03-01T09:00:00Z"),
                (2, "First thoughts, revised.", "2024-03-01T09:05:00Z"),
            ],
        )
        self.assertEqual(first["replies"][0]["state"], "visible")
        self.assertEqual(withdrawn["state"], "withdrawn")
        self.assertIsNotNone(withdrawn["withdrawn_at"])
        self.assertEqual(withdrawn["body"], "Oops.")  # nothing is deleted
        self.assertEqual(hidden["state"], "hidden")
        self.assertEqual(hidden["hidden"]["by"], "chair")
        self.assertEqual(hidden["hidden"]["reason"], "Not civil")
        self.assertIsNone(first["hidden"])

    def test_it_exports_concerns_with_who_raised_and_resolved_them(self):
        resolved, open_ = self.exported["concerns"]

        self.assertEqual(
            resolved,
            {
                "id": self.resolved.pk,
                "title": "Docs still link to it",
                "comment": self.first.pk,
                "raised_by": "member",
                "raised_at": "2024-03-01T09:00:00Z",
                "raised_in": "discussion",
                "resolved_at": "2024-03-01T10:00:00Z",
                "resolved_by": "chair",
                "resolution": "Docs fixed.",
            },
        )
        self.assertEqual(open_["raised_by"], "other_member")
        self.assertIsNone(open_["comment"])
        self.assertIsNone(open_["resolved_at"])
        self.assertIsNone(open_["resolved_by"])

    def test_a_proposal_without_discussion_exports_empty_lists(self):
        quiet = make_proposal(self.committee, self.member, state=State.DISCUSSION)

        exported = by(export()["proposals"], "id", quiet.pk)
        self.assertEqual((exported["comments"], exported["concerns"]), ([], []))

    def test_the_schema_refuses_an_unknown_comment_state(self):
        self.exported["comments"][0]["state"] = "deleted"

        with self.assertRaises(jsonschema.ValidationError):
            validate(self.document)


class ExportQueryCountTests(LifecycleTestCase):
    def add_proposals(self, count: int) -> None:
        for index in range(count):
            proposal = make_proposal(
                self.committee, self.member, state=State.VOTING, chair=self.chair
            )
            actions.do_cast_vote(proposal=proposal, actor=self.other_member, value=1)
            comment = actions.do_post_comment(proposal=proposal, actor=self.member, body="Hm.")
            actions.do_edit_comment(comment=comment, actor=self.member, body="Hm, yes.")
            actions.do_post_comment(
                proposal=proposal, actor=self.chair, body="Agreed.", reply_to=comment
            )
            Concern.objects.create(
                proposal=proposal, title=f"Concern {index}", raised_by=self.third_member
            )
            actions.do_link_meeting(
                proposal=proposal, meeting=self.meeting, actor=IMPORT, section=f"Item {index}"
            )
            make_proposal(self.committee, self.member, state=State.ACCEPTED, chair=self.chair)

    def count_export_queries(self) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            document = export()
        return len(queries), document

    def test_it_runs_the_same_queries_for_2_and_for_20_proposals(self):
        self.meeting = make_meeting(self.committee)
        TeamReport.objects.create(meeting=self.meeting, team="CLI", lead="Jane Doe")
        self.add_proposals(1)
        # As the jobs would have: each export then extends a checkpoint by new events.
        checkpoints.sign()
        voting = Proposal.objects.get(state=State.VOTING)
        actions.do_cast_vote(proposal=voting, actor=self.third_member, value=1)
        few, document = self.count_export_queries()
        self.assertEqual(len(document["proposals"]), 2)

        self.add_proposals(9)
        make_meeting(self.committee, datetime.date(2018, 1, 9))
        many, document = self.count_export_queries()

        self.assertEqual(len(document["proposals"]), 20)
        validate(document)
        self.assertEqual(few, many)
        # The export's own, and 8 for signing a checkpoint of the log first (a savepoint,
        # the newest checkpoint, the count, the event at its position, the events after
        # it, the highest number, the insert, the release), 9 with PostgreSQL's lock.
        self.assertLessEqual(many, 25)


class ExportOutsideATransactionTests(CommitteeActorsMixin, AppendOnlyTransactionTestCase):
    """As from the command line: the export opens its own snapshot transaction."""

    def setUp(self) -> None:
        self.make_actors()
        self.meeting = make_meeting(self.committee)
        make_proposal(self.committee, self.member, state=State.ACCEPTED, chair=self.chair)

    def test_it_exports_a_consistent_snapshot(self):
        document = export()

        validate(document)
        self.assertEqual(len(document["proposals"]), 1)
        self.assertTrue(document["audit"]["verified"])
        self.assertEqual(document["audit"]["events"], Event.objects.count())
        self.assertFalse(connection.in_atomic_block)
