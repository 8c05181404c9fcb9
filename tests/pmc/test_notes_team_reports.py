import json
from pathlib import Path

from django.test import SimpleTestCase

from pmc.notes import TeamReportData, fix_encoding, parse_team_reports

NOTES = Path(__file__).resolve().parent.parent / "fixtures" / "notes"
RUNTIME_2017_05_16 = "Runtime/2017/2017-05-16-runtime.md"


def read(path: str) -> str:
    return (NOTES / path).read_text(encoding="utf-8")


def expected_teams(path: str) -> list[tuple[str, str]]:
    meetings = json.loads(read("expected/meetings.json"))
    meeting = next(m for m in meetings if m["file"] == path)
    return [(report["team"], report["lead"] or "") for report in meeting["team_reports"]]


class RuntimeMeetingTests(SimpleTestCase):
    def test_it_reads_every_team_and_lead_of_the_backlog_review(self):
        reports = parse_team_reports(fix_encoding(read(RUNTIME_2017_05_16)))
        self.assertEqual([(r.team, r.lead) for r in reports], expected_teams(RUNTIME_2017_05_16))

    def test_it_repairs_the_mangled_lead_name(self):
        raw = read(RUNTIME_2017_05_16)
        self.assertEqual(parse_team_reports(raw)[0].lead, "Dies KÃ¶per")
        self.assertEqual(parse_team_reports(fix_encoding(raw))[0].lead, "Dies Köper")
        self.assertEqual(fix_encoding("KÃ¶per"), "Köper")

    def test_it_leaves_correct_text_alone(self):
        text = read(RUNTIME_2017_05_16).replace("KÃ¶per", "Köper")
        self.assertEqual(fix_encoding(text), text)

    def test_it_keeps_each_report_body_with_its_subsections(self):
        reports = {r.team: r for r in parse_team_reports(fix_encoding(read(RUNTIME_2017_05_16)))}
        self.assertTrue(reports["CLI"].body.startswith("- Plan for cf CLI with DEA phase-out"))
        self.assertIn("#### `consul-release`", reports["Infrastructure"].body)
        self.assertIn("#### `bosh-bootloader`", reports["Infrastructure"].body)
        self.assertNotIn("Release Integration", reports["Infrastructure"].body)
        self.assertEqual(reports["Routing"].body, "")
        self.assertTrue(reports["Bits-Service"].body.endswith("stories for this direction"))

    def test_it_reads_nothing_from_sections_outside_the_backlog(self):
        teams = [r.team for r in parse_team_reports(read(RUNTIME_2017_05_16))]
        for section in ("Agenda", "Announcements", "PMC Lifecycle Activities", "Discussion"):
            self.assertNotIn(section, teams)


class BacklogLayoutTests(SimpleTestCase):
    def test_it_reads_the_other_backlog_layouts_in_the_fixtures(self):
        for path in [
            "Runtime/2017/2017-01-11-runtime.md",
            "Runtime/2015/2015-06-16-runtime.md",
            "Runtime/2020/2020-04-28-runtime.md",
            "Bosh/2019-03-21-bosh.md",
            "Buildpacks/2015-07-27-buildpacks.md",
            "Utilities/2015-05-19-utilities.md",
        ]:
            with self.subTest(path):
                reports = parse_team_reports(fix_encoding(read(path)))
                self.assertEqual([(r.team, r.lead) for r in reports], expected_teams(path))

    def test_it_reads_headings_with_dashes_parentheses_or_no_lead(self):
        text = "\n".join(
            [
                "## Backlog Reviews",
                "### BOSH Core SF - Morgan Fine",
                "### Azure CPI – Jason Stevens",
                "### App AutoScaler (Julz)",
                "### Permissions (incubating) - Christopher Brown",
                "### UAA - (vacant)",
                "### Multi-Buildpacks (?)",
                "### Stratos",
                "### BOSH Backup & Restore (BBR)",
            ]
        )
        self.assertEqual(
            [(r.team, r.lead) for r in parse_team_reports(text)],
            [
                ("BOSH Core SF", "Morgan Fine"),
                ("Azure CPI", "Jason Stevens"),
                ("App AutoScaler", "Julz"),
                ("Permissions", "Christopher Brown"),
                ("UAA", ""),
                ("Multi-Buildpacks", ""),
                ("Stratos", ""),
                ("BOSH Backup & Restore (BBR)", ""),
            ],
        )

    def test_it_reads_h2_teams_after_the_backlog_heading_until_the_next_section(self):
        text = "\n".join(
            [
                "## Current Backlogs and Priorities",
                "### TCP Routing - Shannon",
                "- routing",
                "## UAA - Sree",
                "- zones",
                "## Diego",
                "## PMC Lifecycle Activities",
                "## Not a team",
            ]
        )
        self.assertEqual(
            parse_team_reports(text),
            [
                TeamReportData("TCP Routing", "Shannon", "- routing"),
                TeamReportData("UAA", "Sree", "- zones"),
                TeamReportData("Diego", "", ""),
            ],
        )

    def test_it_reads_update_on_headings_anywhere(self):
        text = "## Agenda\n\n## Update on CI tools (Mike Dalessio)\n- done\n## Open Discussion\n"
        self.assertEqual(
            parse_team_reports(text), [TeamReportData("CI tools", "Mike Dalessio", "- done")]
        )

    def test_it_ignores_headings_inside_code_fences(self):
        text = "## Backlog Reviews\n### CLI - Dies\n```\n### not a team\n```\n### Diego - Eric\n"
        reports = parse_team_reports(text)
        self.assertEqual([(r.team, r.lead) for r in reports], [("CLI", "Dies"), ("Diego", "Eric")])
        self.assertIn("### not a team", reports[0].body)

    def test_it_finds_no_reports_without_a_backlog_section(self):
        self.assertEqual(parse_team_reports("# Notes\n\n## Agenda\n### Item\n"), [])
        self.assertEqual(parse_team_reports(""), [])
