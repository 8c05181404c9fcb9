import io
import json
from pathlib import Path

from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from pmc.models import Committee, Meeting, Membership, Project, ProjectStatus, Role, TeamReport
from proposals.audit import verify_chain
from proposals.models import (
    ChecklistItem,
    Comment,
    CommentVersion,
    EligibleVoter,
    Event,
    Notification,
    OutboxMessage,
    Proposal,
    ProposalMeeting,
    Vote,
)
from proposals.states import Kind, State

EXPECTED_MEETINGS = (
    Path(__file__).resolve().parent.parent / "fixtures" / "notes" / "expected" / "meetings.json"
)
MODELS = [
    get_user_model(),
    Committee,
    Membership,
    Project,
    Meeting,
    TeamReport,
    Proposal,
    ProposalMeeting,
    EligibleVoter,
    Vote,
    ChecklistItem,
    Comment,
    CommentVersion,
    Event,
]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def expected_team_reports() -> list[dict]:
    meetings = json.loads(EXPECTED_MEETINGS.read_text(encoding="utf-8"))
    return next(m for m in meetings if m["file"] == "Runtime/2017/2017-05-16-runtime.md")[
        "team_reports"
    ]


@override_settings(DEBUG=True)
class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed()

    def test_it_seeds_only_once(self):
        counts = {model.__name__: model.objects.count() for model in MODELS}
        events = list(Event.objects.values_list("id", "hash"))

        output = seed()

        self.assertIn("already seeded", output)
        self.assertEqual({model.__name__: model.objects.count() for model in MODELS}, counts)
        self.assertEqual(list(Event.objects.values_list("id", "hash")), events)

    def test_it_has_a_proposal_in_every_state(self):
        self.assertEqual(set(Proposal.objects.values_list("state", flat=True)), set(State.values))

    def test_it_files_the_diego_enabler_proposal_from_the_notes(self):
        proposal = Proposal.objects.get(project__name="Diego-Enabler")
        self.assertEqual(proposal.kind, Kind.ATTIC)
        self.assertEqual(proposal.proposing_team, "CLI team")
        self.assertEqual(proposal.condition, "the DEAs reach end of life")
        self.assertEqual(proposal.proposer.username, "dies.koper")
        self.assertEqual(
            proposal.project.repository_urls,
            ["https://github.com/cloudfoundry-incubator/Diego-Enabler"],
        )
        mention = proposal.mentions.get()
        self.assertEqual(str(mention.meeting.date), "2017-05-16")
        self.assertEqual(mention.section, "PMC Lifecycle Activities")
        self.assertIn("move the Diego-Enabler plugin to the attic", mention.excerpt)
        self.assertIn("https://github.com/cloudfoundry-incubator/Diego-Enabler", mention.excerpt)
        self.assertTrue(proposal.events.filter(action="proposal.meeting_linked").exists())

    def test_it_leaves_the_accepted_proposal_with_a_partly_done_checklist(self):
        proposal = Proposal.objects.get(state=State.ACCEPTED)
        done = list(proposal.checklist.values_list("done", flat=True))
        self.assertIn(True, done)
        self.assertIn(False, done)
        self.assertFalse(proposal.checklist.get(position=0).done)  # the DEAs' end of life

    def test_it_seats_every_team_lead_named_in_the_notes(self):
        users = get_user_model().objects
        for report in expected_team_reports():
            first, _, last = report["lead"].rpartition(" ")
            user = users.get(first_name=first, last_name=last)
            self.assertTrue(user.memberships.filter(committee__slug="runtime").exists())
        koper = users.get(username="dies.koper")
        self.assertEqual((koper.first_name, koper.last_name), ("Dies", "Köper"))
        self.assertFalse(users.filter(last_name__contains="Ã").exists())
        chair = Membership.objects.get(committee__slug="runtime", role=Role.CHAIR)
        self.assertEqual(chair.user.username, "eric.malm")
        self.assertEqual(Membership.objects.filter(committee__slug="extensions").count(), 2)
        self.assertTrue(users.get(username="admin").is_superuser)

    def test_it_stores_the_meeting_notes_with_their_encoding_repaired(self):
        meeting = Meeting.objects.get(committee__slug="runtime", date="2017-05-16")
        self.assertIn("### CLI - Dies Köper", meeting.notes)
        self.assertNotIn("KÃ¶per", meeting.notes)
        self.assertEqual(
            list(meeting.team_reports.values_list("team", "lead")),
            [(r["team"], r["lead"]) for r in expected_team_reports()],
        )

    def test_it_keeps_one_vote_open_with_a_minus_one_and_a_changed_vote(self):
        proposal = Proposal.objects.get(state=State.VOTING)
        self.assertGreater(proposal.closes_at, timezone.now())
        minus_one = proposal.votes.get(value=-1)
        self.assertTrue(minus_one.reason)
        self.assertTrue(proposal.events.filter(action="vote.changed").exists())
        self.assertTrue(proposal.votes.filter(recused=True).exists())

    def test_it_rejects_a_proposal_by_a_closed_vote(self):
        proposal = Proposal.objects.get(state=State.REJECTED)
        self.assertIsNotNone(proposal.vote_closed_at)
        close = proposal.events.get(action="proposal.close_vote")
        self.assertEqual(close.payload["tally"]["outcome"], "fails")

    def test_it_completes_the_bpm_promotion_and_activates_bpm(self):
        proposal = Proposal.objects.get(state=State.COMPLETED)
        self.assertEqual(proposal.project.name, "BPM")
        self.assertEqual(Project.objects.get(name="BPM").status, ProjectStatus.ACTIVE)
        self.assertTrue(
            Event.objects.filter(project__name="BPM", action="project.status_changed").exists()
        )

    def test_it_holds_a_discussion_with_replies_an_edit_and_a_mention(self):
        proposal = Proposal.objects.get(title="Move etcd-release to the attic")
        self.assertEqual(proposal.state, State.DISCUSSION)
        comments = list(proposal.comments.select_related("author"))

        threads = [c for c in comments if c.parent_id is None]
        replies = [c for c in comments if c.parent_id is not None]
        self.assertGreaterEqual(len(threads), 3)
        self.assertGreaterEqual(len(replies), 2)
        self.assertEqual(len({c.author_id for c in comments}), 4)
        [edited] = [c for c in comments if c.version > 1]
        self.assertEqual(CommentVersion.objects.filter(comment=edited).count(), 2)
        mentioned = [c for c in comments if "@david.sabeti" in c.body]
        self.assertEqual(len(mentioned), 1)
        self.assertTrue(get_user_model().objects.filter(username="david.sabeti").exists())
        submitted = proposal.events.get(action="proposal.submit").at
        self.assertTrue(all(submitted < c.created_at < timezone.now() for c in comments))
        # Backdated history notifies nobody.
        self.assertFalse(Notification.objects.exists())
        self.assertFalse(OutboxMessage.objects.exists())

    def test_its_discussion_reads_on_the_proposal_page(self):
        proposal = Proposal.objects.get(title="Move etcd-release to the attic")

        page = self.client.get(proposal.get_absolute_url()).content.decode()
        self.assertIn("Loggregator moved off etcd in <strong>v95</strong>", page)
        self.assertIn(">edited<", page)
        self.assertEqual(page.count('class="comment reply"'), 2)

    def test_it_backdates_the_history(self):
        proposal = Proposal.objects.get(project__name="Diego-Enabler")
        self.assertEqual(proposal.created_at.year, 2017)
        self.assertEqual(proposal.events.get(action="proposal.submit").at.year, 2017)

    def test_it_writes_an_intact_audit_chain(self):
        report = verify_chain()
        self.assertTrue(report.ok, report.problem)
        self.assertEqual(report.checked, Event.objects.count())

    def test_it_prints_the_demo_logins(self):
        self.assertIn("admin", self.output)
        self.assertIn("demo-eric.malm", self.output)
        self.assertRegex(self.output, r"dies\.koper\s+member\s+Runtime\s+demo-dies\.koper")

    def test_it_lets_the_demo_users_sign_in(self):
        response = self.client.post(
            reverse("login"), {"username": "dies.koper", "password": "demo-dies.koper"}
        )
        self.assertRedirects(response, reverse("proposals:home"), fetch_redirect_response=False)
        self.assertEqual(
            self.client.session[SESSION_KEY],
            str(get_user_model().objects.get(username="dies.koper").pk),
        )


@override_settings(DEBUG=False)
class SeedDemoInProductionTests(TestCase):
    def test_it_refuses_to_run_without_debug(self):
        with self.assertRaisesMessage(CommandError, "--allow-production"):
            seed()
        self.assertFalse(Committee.objects.exists())
        self.assertFalse(Event.objects.exists())

    def test_it_runs_when_production_is_allowed(self):
        self.assertIn("demo-admin", seed("--allow-production"))
        self.assertTrue(Committee.objects.filter(slug="runtime").exists())
