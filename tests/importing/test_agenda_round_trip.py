"""The round trip: the agenda of a scheduled meeting, written in the layout of the
committee's real notes, is edited as a secretary edits it during the meeting (outcomes
written on the lines) and uploaded as the meeting's notes. Every line with a proposal's
number links that proposal, the decisions written on them are recorded, and nothing is
guessed."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.test import TestCase
from django.utils import timezone

from pmc.models import Meeting, Role
from pmc.notes import parse_notes, read_notes
from pmc.notes.rules import PROPOSAL_NUMBER
from proposals import actions, agenda
from proposals.importing import NoteFile, apply_import
from proposals.models import Proposal, ProposalMeeting, Reading
from proposals.states import Kind, ReadingStatus, State
from tests.factories import make_committee, make_member, make_project, make_proposal, make_user

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "notes" / "Runtime" / "2017"
REAL_FILE = REAL / "2017-05-16-runtime.md"


def held(meeting: Meeting) -> Meeting:
    """The meeting moved to yesterday: notes are uploaded once it is held."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    start = datetime.datetime.combine(day, datetime.time(15), datetime.UTC)
    Meeting.objects.filter(pk=meeting.pk).update(date=day, starts_at=start)
    meeting.refresh_from_db()
    return meeting


class AgendaRoundTrip(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.committee = make_committee("Runtime")
        cls.chair = make_member(cls.committee, make_user("chair"), role=Role.CHAIR)
        cls.member = make_member(cls.committee, make_user("member"))
        make_member(cls.committee, make_user("second"))
        # The committee's latest notes: a real file, imported as the chair would.
        apply_import(
            [NoteFile(f"Runtime/2017/{REAL_FILE.name}", data=REAL_FILE.read_bytes())],
            committee=cls.committee,
            actor=cls.chair,
        )
        cls.latest = Meeting.objects.get(committee=cls.committee)

    def setUp(self):
        chair, member = self.chair, self.member
        self.to_accept = make_proposal(
            self.committee, member, state=State.DISCUSSION, kind=Kind.ATTIC,
            project=make_project(self.committee, "cf-example"),
            title="Move cf-example to the attic",
        )  # fmt: skip
        self.to_reject = make_proposal(
            self.committee, member, state=State.DISCUSSION, kind=Kind.PROMOTION,
            title="Promote cf-widget to active",
        )  # fmt: skip
        self.voting = make_proposal(self.committee, member, state=State.VOTING, chair=chair)
        self.deferred = make_proposal(self.committee, member, state=State.DEFERRED, chair=chair)
        self.meeting = actions.do_schedule_meeting(
            actor=chair,
            committee=self.committee,
            starts_at=datetime.datetime.combine(
                timezone.localdate() + datetime.timedelta(days=7), datetime.time(8)
            ),
            time_zone="America/Los_Angeles",
        )
        actions.do_put_proposal_on_agenda(actor=chair, meeting=self.meeting, proposal=self.deferred)

    def edited(self, text: str) -> str:
        """The agenda as the secretary leaves it: outcomes written on two lines, one on
        the line itself, one nested under it; an announcement; a team's report."""
        lines = []
        for line in text.splitlines():
            if line.startswith(f"- [#{self.to_accept.pk}]"):
                line += " — accepted"
            lines.append(line)
            if line.startswith(f"- [#{self.to_reject.pk}]"):
                lines.append("  - Decision: rejected, the team keeps working on it.")
            if line == "## Announcements":
                lines += ["", "- The summit's call for papers is open."]
            if line.startswith("### Garden"):
                lines += ["", "- Released garden-runc 1.9 with faster container starts."]
        return "\n".join(lines) + "\n"

    def test_the_agenda_takes_the_layout_of_the_latest_real_notes(self):
        text = agenda.write(self.meeting)
        first = text.splitlines()[0]
        self.assertEqual(first, f"# Runtime PMC Meeting {self.meeting.date:%Y-%m-%d}")
        real = REAL_FILE.read_text(encoding="utf-8")
        for heading in ["## Agenda", "## Announcements", "## PMC Lifecycle Activities",
                        "## Discussion", "## Backlog Reviews", "* Backlog Review"]:  # fmt: skip
            with self.subTest(heading):
                self.assertIn(f"\n{heading}\n", f"\n{real}")
                self.assertIn(f"\n{heading}\n", text)
        for report in self.latest.team_reports.all():
            self.assertIn(f"\n### {report.team} - {report.lead}\n", text)
        closes = self.voting.closes_at.astimezone(datetime.UTC)
        self.assertIn(f"- [#{self.voting.pk}] {self.voting.title} (voting, closes ", text)
        self.assertIn(f"- [#{self.to_accept.pk}] Move cf-example to the attic (in discussion)",
                      text)  # fmt: skip
        self.assertIn(f"- [#{self.deferred.pk}] {self.deferred.title} (deferred)", text)
        self.assertIn(f"[#{self.voting.pk}]: http", text)
        self.assertTrue(closes)

    def test_the_edited_agenda_comes_back_linked_by_number_with_the_decisions(self):
        text = self.edited(agenda.write(self.meeting))
        meeting = held(self.meeting)
        name = f"{meeting.date:%Y-%m-%d}-runtime.md"
        result = apply_import(
            [NoteFile(name, data=text.encode())], committee=self.committee, actor=self.chair
        )
        file = result.files[0]
        self.assertEqual((file.status, file.meeting_id), ("created", meeting.pk), file.reason)
        self.assertEqual(Meeting.objects.filter(committee=self.committee).count(), 2)

        numbered = {int(n) for n in re.findall(r"^- \[#(\d+)\]", text, re.MULTILINE)}
        self.assertLessEqual(
            {self.to_accept.pk, self.to_reject.pk, self.voting.pk, self.deferred.pk}, numbered
        )
        linked = set(
            ProposalMeeting.objects.filter(meeting=meeting).values_list("proposal", flat=True)
        )
        self.assertEqual(linked, numbered)
        readings = Reading.objects.filter(meeting=meeting)
        self.assertEqual({r.proposal_id for r in readings}, numbered)
        self.assertEqual({r.rule for r in readings}, {PROPOSAL_NUMBER})
        self.assertEqual({r.status for r in readings}, {ReadingStatus.CONFIRMED})
        self.assertFalse(readings.to_review().exists(), "nothing is left to guess")

        states = dict(Proposal.objects.filter(pk__in=numbered).values_list("pk", "state"))
        self.assertEqual(states[self.to_accept.pk], State.ACCEPTED)
        self.assertEqual(states[self.to_reject.pk], State.REJECTED)
        self.assertEqual(states[self.voting.pk], State.VOTING)
        self.assertEqual(states[self.deferred.pk], State.DEFERRED)
        accepted = Proposal.objects.get(pk=self.to_accept.pk)
        self.assertEqual(accepted.decided_in_id, meeting.pk)
        self.assertEqual(Proposal.objects.count(), 4 + 1, "no proposal filed from the agenda")

    def test_a_number_that_is_no_proposal_of_the_committee_is_reported_not_guessed(self):
        other = make_committee("Extensions")
        theirs = make_proposal(other, make_member(other), state=State.DISCUSSION)
        text = agenda.write(self.meeting) + (
            f"\n- [#{theirs.pk}] Their proposal — accepted\n- [#999999] A typo — accepted\n"
        )
        meeting = held(self.meeting)
        result = apply_import(
            [NoteFile(f"{meeting.date:%Y-%m-%d}-runtime.md", data=text.encode())],
            committee=self.committee,
            actor=self.chair,
        )
        failed = [c for c in result.files[0].proposals if c.action == "failed"]
        self.assertEqual(len(failed), 2)
        self.assertIn(f"[#{theirs.pk}] is no proposal of Runtime", failed[0].note)
        self.assertIn("correct the number", failed[1].note)
        theirs.refresh_from_db()
        self.assertEqual(theirs.state, State.DISCUSSION)
        self.assertFalse(ProposalMeeting.objects.filter(proposal=theirs).exists())


class NumberedLinesInTheParser(TestCase):
    """The parser reads a numbered line as that proposal's, and nothing else from it."""

    def parse(self, text: str):
        return parse_notes(text, name="2026-12-01-runtime.md", committee="Runtime",
                           date=datetime.date(2026, 12, 1)).mentions  # fmt: skip

    def test_outcomes_on_the_line_or_nested_under_it(self):
        mentions = self.parse(
            "# Runtime PMC Meeting 2026-12-01\n\n## PMC Lifecycle Activities\n\n"
            "- [#12] Move cf-example to the attic (voting, closes 2026-12-10) — accepted\n"
            "- [#13] Promote cf-widget to active (in discussion)\n"
            "  - Decision: rejected\n"
            "- [#14] Rename old-name to new-name (in discussion)\n"
            "- [#15] Hand x to y (in discussion). Deferred to January.\n"
            "\n[#12]: https://pmc.example.org/proposals/12/\n"
        )
        self.assertEqual(
            [(m.number, m.outcome, m.rule, m.confidence) for m in mentions],
            [(12, "approved", PROPOSAL_NUMBER, "high"), (13, "rejected", PROPOSAL_NUMBER, "high"),
             (14, "pending", PROPOSAL_NUMBER, "high"), (15, "deferred", PROPOSAL_NUMBER, "high")],
        )  # fmt: skip
        self.assertEqual(mentions[0].key, "proposal:12")
        self.assertEqual(mentions[1].lines, (6, 7))

    def test_the_words_of_a_numbered_line_raise_no_other_item(self):
        text = "# Notes\n\n## PMC Lifecycle Activities\n\n- {}Move cf-example to the attic\n"
        guessed = self.parse(text.format(""))
        self.assertEqual([(m.kind, m.number) for m in guessed], [("attic", 0)])
        numbered = self.parse(text.format("[#12] "))
        self.assertEqual([(m.kind, m.number) for m in numbered], [("other", 12)])

    def test_numbers_in_code_or_link_definitions_are_not_items(self):
        mentions = self.parse(
            "# Notes\n\n```\n- [#12] accepted\n```\n\n[#13]: https://pmc.example.org/proposals/13/\n"
        )
        self.assertEqual(mentions, ())

    def test_links_to_issues_elsewhere_are_not_proposal_numbers(self):
        mentions = self.parse(
            "# Notes\n\n## Backlog Reviews\n\n"
            "- routes to domains [#104](cloudfoundry-incubator/lattice#104), accepted\n"
            "- [#217](https://github.com/org/repo/issues/217) accepted\n"
            "- TLS epic started [[#151419854](https://www.pivotaltracker.com/story/1)]\n"
        )
        self.assertEqual([m.number for m in mentions if m.number], [])

    def test_the_real_notes_carry_no_proposal_numbers(self):
        """Which is why reading numbers leaves the import's accuracy as it was."""
        notes = Path(__file__).resolve().parents[1] / "fixtures" / "notes"
        files = sorted(notes.rglob("*.md"))
        self.assertGreater(len(files), 100)
        numbered = []
        for path in files:
            read = read_notes(str(path.relative_to(notes)), path.read_bytes())
            numbered += [(path.name, m.number) for m in getattr(read, "mentions", ()) if m.number]
        self.assertEqual(numbered, [])
