"""The notes parser on every sample file, against what a careful reader found in them
(tests/fixtures/notes/expected/*.json)."""

from __future__ import annotations

import datetime
import json
import re

from django.test import SimpleTestCase

from pmc.notes import MeetingNotes, NotMeeting, read_notes
from pmc.notes.rules import RULES
from tests.importing.accuracy import (
    NOTES,
    expected_items,
    expected_meetings,
    matches,
    read_sample,
    report,
    score,
)
from tests.importing.helpers import TABLE_SAMPLES


class SampleMeetingTests(SimpleTestCase):
    def test_it_reads_the_committee_and_date_of_every_sample(self):
        for meeting in expected_meetings():
            with self.subTest(meeting["file"]):
                notes = read_sample(meeting["file"])
                self.assertEqual(notes.committee, meeting["pmc"])
                self.assertEqual(notes.date, datetime.date.fromisoformat(meeting["date"]))
                self.assertEqual(notes.source, meeting["file"])

    def test_it_trusts_the_file_name_over_the_title(self):
        notes = read_sample("Runtime/2015/2015-06-16-runtime.md")
        self.assertEqual(notes.title, "Runtime PMC Meeting 2015-06-02")
        self.assertEqual(notes.date, datetime.date(2015, 6, 16))

    def test_it_reads_a_month_first_date_from_the_file_name(self):
        notes = read_sample("Extensions/2017/10-30-2017.md")
        self.assertEqual(notes.date, datetime.date(2017, 10, 30))
        self.assertEqual(notes.title, "CF Extensions PMC Notes")

    def test_it_reads_every_team_report_with_its_lead(self):
        for meeting in expected_meetings():
            with self.subTest(meeting["file"]):
                notes = read_sample(meeting["file"])
                self.assertEqual(
                    [(report.team, report.lead) for report in notes.team_reports],
                    [(r["team"], r["lead"] or "") for r in meeting["team_reports"]],
                )

    def test_it_repairs_the_encoding_and_keeps_the_original(self):
        notes = read_sample("Runtime/2017/2017-05-16-runtime.md")
        self.assertEqual(notes.team_reports[0].lead, "Dies Köper")
        self.assertIn("Dies Köper", notes.text)
        self.assertIn("Dies KÃ¶per", notes.original)
        self.assertEqual(notes.repairs, ("repaired mis-decoded characters on 1 line(s)",))
        self.assertEqual(len(notes.sha256), 64)

    def test_it_skips_what_is_not_a_meeting(self):
        for name in ("README.md", "expected/lifecycle.json", "expected/meetings.json"):
            with self.subTest(name):
                result = read_notes(name, (NOTES / name).read_bytes())
                self.assertIsInstance(result, NotMeeting)


# The nine files of tests/fixtures/notes/README.md's table, each read exactly: every item
# a careful reader found, and nothing else.
EXACT_FILES = TABLE_SAMPLES
CORE_RECALL = 0.95  # core items found with the right kind and subject
PRECISION = 0.90  # items read that match an expected item of their file, of any tier


def _plain(text: str) -> str:
    """Text reduced for comparison: link targets dropped, case folded, every run of
    characters other than letters and digits one space."""
    text = re.sub(r"\]\([^)]*\)|<https?://[^>]*>|\(https?://[^)]*\)", "] ", text)
    return " ".join(re.split(r"[\W_]+", text.casefold())).strip()


def _says(line: str, quote: str) -> bool:
    """Whether an excerpt's line says a passage: equal, or the shorter of the two (three
    words at least) inside the longer."""
    if not line or not quote:
        return False
    shorter, longer = sorted((line, quote), key=len)
    return line == quote or (len(shorter.split()) >= 3 and shorter in longer)


class SampleLifecycleTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scores = score()

    def test_it_finds_the_core_items_with_their_kind_and_subject(self):
        core = self.scores["core"]
        print("\n" + report(self.scores))
        self.assertGreaterEqual(core.recall, CORE_RECALL, core.missed)

    def test_what_it_reads_is_mostly_a_real_item(self):
        everything = self.scores["all"]
        self.assertGreaterEqual(everything.precision, PRECISION, everything.extra)

    def test_no_passage_that_only_looks_like_an_item_is_read_as_one(self):
        passages = json.loads((NOTES / "expected" / "not_lifecycle.json").read_text("utf-8"))
        read = []
        for passage in passages:
            quote = _plain(passage["quote"])
            for mention in read_sample(passage["file"]).mentions:
                if any(_says(_plain(line), quote) for line in mention.excerpt.split("\n")):
                    read.append(f"{passage['file']}:{passage['line']} as {mention.subject}")
        self.assertEqual(read, [])

    def test_it_reads_each_file_of_the_readme_table_exactly(self):
        items = expected_items()
        for path in EXACT_FILES:
            with self.subTest(path):
                mentions = read_sample(path).mentions
                wanted = [item for item in items if item["file"] == path]
                missed = [i["subject"] for i in wanted if not any(matches(i, m) for m in mentions)]
                extra = [m.subject for m in mentions if not any(matches(i, m) for i in wanted)]
                self.assertEqual((missed, extra), ([], []))
                self.assertEqual(len(mentions), len(wanted))

    def test_it_reports_one_item_per_proposal_in_each_file(self):
        for meeting in expected_meetings():
            with self.subTest(meeting["file"]):
                keys = [m.key for m in read_sample(meeting["file"]).mentions]
                self.assertEqual(len(keys), len(set(keys)))

    def test_every_item_says_how_sure_it_is_and_which_rule_read_it(self):
        for meeting in expected_meetings():
            for mention in read_sample(meeting["file"]).mentions:
                with self.subTest(f"{meeting['file']}:{mention.line} {mention.subject}"):
                    self.assertIn(mention.confidence, ("high", "low"))
                    self.assertIn(mention.rule, RULES)

    def test_it_reads_the_proposing_team_and_condition(self):
        (mention,) = read_sample("Runtime/2017/2017-05-16-runtime.md").mentions
        self.assertEqual((mention.kind, mention.project), ("attic", "Diego-Enabler"))
        self.assertEqual(mention.proposing_team, "CLI team")
        self.assertEqual(mention.condition, "at the same time the DEAs reach EOL")
        self.assertEqual(mention.section, "PMC Lifecycle Activities")
        self.assertEqual(
            mention.repository_url, "https://github.com/cloudfoundry-incubator/Diego-Enabler"
        )
        self.assertEqual(mention.outcome, "pending")
        self.assertIn("The CLI team proposes", mention.excerpt)

    def test_it_reads_the_decisions_recorded(self):
        outcomes = {
            (m.kind, m.project): m.outcome
            for path in (
                "Bosh/2019-03-21-bosh.md",
                "Buildpacks/2015-07-27-buildpacks.md",
                "Extensions/2020/2020-09-28-extensions.md",
                "Runtime/2020/2020-04-28-runtime.md",
            )
            for m in read_sample(path).mentions
        }
        self.assertEqual(outcomes[("promotion", "BPM")], "approved")
        self.assertEqual(outcomes[("attic", "null-buildpack")], "approved")
        self.assertEqual(outcomes[("attic", "cflocal")], "deferred")
        self.assertEqual(outcomes[("ownership", "cf-uaa-lib")], "completed")
        self.assertEqual(outcomes[("other", "machete")], "completed")
        self.assertEqual(outcomes[("rename", "Garden-Windows")], "pending")
        self.assertEqual(outcomes[("incubation", "cf-backup-plugin")], "approved")

    def test_it_reads_new_names_and_new_leads(self):
        mentions = {
            m.project: m for m in read_sample("Runtime/2020/2020-04-28-runtime.md").mentions
        }
        self.assertEqual(mentions["Loggregator"].new_name, "Logging and Metrics")
        self.assertEqual(mentions["PERSI"].new_name, "Volume Services")
        self.assertEqual(mentions["cf-backup-plugin"].committee_hint, "Extensions")
        capi = read_sample("Runtime/2017/2017-01-11-runtime.md").mentions[-1]
        self.assertEqual(
            (capi.kind, capi.project, capi.new_lead), ("ownership", "CAPI", "Zach Robinson")
        )

    def test_it_leaves_out_what_is_not_a_lifecycle_item(self):
        subjects = {
            m.subject.casefold()
            for meeting in expected_meetings()
            for m in read_sample(meeting["file"]).mentions
        }
        for not_an_item in ("fips-140 support", "mailing list", "bosh systems", "v6"):
            self.assertNotIn(not_an_item, subjects)

    def test_it_returns_plain_data(self):
        notes = read_sample("Utilities/2015-05-19-utilities.md")
        self.assertIsInstance(notes, MeetingNotes)
        self.assertEqual(
            sorted(m.subject for m in notes.mentions if m.kind == "incubation"),
            [".NET SDK", "MSBuild tasks", "Visual Studio plugin", "jibber_jabber"],
        )
