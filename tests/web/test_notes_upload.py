"""Chairs upload meeting notes in the web UI: a preview that writes nothing, then the
import, carried between the two as a signed payload that cannot be altered, reused by
someone else or kept past its hour; and each meeting page says which file and version
it came from."""

from __future__ import annotations

import base64
import datetime
import hashlib
import time
from html.parser import HTMLParser
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signing import TimestampSigner, b62_encode
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localtime

from pmc.models import Committee, Meeting, Project, ProjectStatus, Role, TeamReport
from pmc.notes import read_notes
from proposals import actions
from proposals.forms import MAX_FILE_BYTES, MAX_FILES
from proposals.importing import NoteFile, apply_import
from proposals.models import (
    Event,
    LinkSuggestion,
    OutboxMessage,
    Proposal,
    ProposalMeeting,
)
from proposals.states import Kind, State
from proposals.upload_signing import MAX_AGE, SALT, seal
from tests.base import LifecycleTestCase
from tests.factories import make_meeting, make_member, make_project, make_proposal, make_user

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"
SAMPLE = NOTES / "Runtime" / "2017" / "2017-05-16-runtime.md"
NAME = SAMPLE.name
COUNTED = (Meeting, TeamReport, Project, Proposal, ProposalMeeting, Event, Committee)
UNREADABLE = b"# Runtime\n\n" + bytes(range(0x80, 0x100)) * 3


class PageMarkup(HTMLParser):
    """What the accessibility checks look at: labels, inputs, headings, inline styles,
    scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()
        self.inputs: list[dict] = []
        self.headings: list[str] = []
        self.styled: list[str] = []
        self.scripts: list[str] = []
        self.landmarks: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.inputs.append({"tag": tag, **attrs})
        if tag in ("h1", "h2", "h3"):
            self.headings.append(tag)
        if tag == "main":
            self.landmarks.append(tag)
        if "style" in attrs or tag == "style":
            self.styled.append(tag)
        if tag == "script" or any(name.startswith("on") for name in attrs):
            self.scripts.append(tag)


class NotesUploadTestCase(LifecycleTestCase):
    url = reverse("proposals:notes_upload")

    def setUp(self) -> None:
        self.data = SAMPLE.read_bytes()
        self.sha256 = hashlib.sha256(self.data).hexdigest()

    def counts(self) -> dict[str, int]:
        return {model.__name__: model.objects.count() for model in COUNTED}

    def preview(self, *files: tuple[str, bytes], committee: Committee | None = None):
        files = files or ((NAME, self.data),)
        uploads = [SimpleUploadedFile(name, data, "text/markdown") for name, data in files]
        return self.client.post(
            self.url,
            {"committee": (committee or self.committee).pk, "files": uploads, "preview": "1"},
        )

    def apply(self, token: str):
        return self.client.post(self.url, {"upload": token, "apply": "1"})

    def previewed_token(self) -> str:
        response = self.preview()
        self.assertEqual(response.status_code, 200)
        return response.context["token"]


class PreviewAndApplyTests(NotesUploadTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.chair)

    def test_it_previews_what_the_import_would_do_and_writes_nothing(self):
        before = self.counts()

        response = self.preview()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.counts(), before)
        result = response.context["result"]
        self.assertTrue(result.dry_run)
        notes = read_notes(NAME, self.data, committee="Runtime")
        self.assertEqual(
            result.counts(),
            {
                "meetings created": 1,
                "meetings updated": 0,
                "meetings unchanged": 0,
                "files skipped": 0,
                "files failed": 0,
                "team reports": len(notes.team_reports),
                "proposals created": 1,
                "proposals linked": 0,
            },
        )
        self.assertContains(response, "Preview for Runtime: nothing is imported yet")
        self.assertContains(response, f"<code>{NAME}</code>", html=True)
        self.assertContains(response, "would be created")
        self.assertContains(response, "Runtime 2017-05-16")
        self.assertContains(response, "attic Diego-Enabler: proposal")
        self.assertContains(response, "Summary (dry run: nothing was written)")
        self.assertContains(response, "<dt>Team reports</dt>", html=True)
        self.assertContains(response, 'name="upload"')
        self.assertContains(response, "Import into Runtime")

    def test_it_imports_the_previewed_file_and_the_meeting_page_names_its_version(self):
        token = self.previewed_token()

        response = self.apply(token)

        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["result"].dry_run)
        self.assertContains(response, "Imported into Runtime")
        meeting = Meeting.objects.get(committee=self.committee, date="2017-05-16")
        self.assertEqual((meeting.source, meeting.source_sha256), (NAME, self.sha256))
        self.assertIsNotNone(meeting.imported_at)
        self.assertIn("Dies Köper", meeting.notes)
        notes = read_notes(NAME, self.data, committee="Runtime")
        self.assertEqual(
            list(meeting.team_reports.values_list("team", "lead")),
            [(report.team, report.lead) for report in notes.team_reports],
        )
        self.assertIn(("CLI", "Dies Köper"), [(r.team, r.lead) for r in notes.team_reports])
        mention = ProposalMeeting.objects.select_related("proposal__project").get(meeting=meeting)
        self.assertEqual(mention.proposal.kind, Kind.ATTIC)
        self.assertEqual(mention.proposal.project.name, "Diego-Enabler")
        self.assertEqual(mention.proposal.committee, self.committee)
        self.assertEqual(mention.proposal.state, State.DISCUSSION)
        self.assertContains(response, meeting.get_absolute_url())
        imported = Event.objects.get(action="meeting.imported", payload__meeting=meeting.pk)
        self.assertEqual((imported.actor, imported.actor_name), (self.chair, "chair"))
        self.assertFalse(Event.objects.filter(actor_name="system:import").exists())
        self.assertFalse(OutboxMessage.objects.exists())

        self.client.force_login(self.member)
        page = self.client.get(meeting.get_absolute_url())
        self.assertContains(page, f"<dd><code>{NAME}</code></dd>", html=True)
        self.assertContains(page, f"SHA-256 <code>{self.sha256[:12]}</code>", html=True)
        self.assertContains(page, f'<code class="hash">{self.sha256}</code>', html=True)
        self.assertContains(page, f'datetime="{localtime(meeting.imported_at).isoformat()}"')

    def test_it_reports_unchanged_when_the_same_preview_is_applied_twice(self):
        token = self.previewed_token()
        self.apply(token)
        after_first = self.counts()

        response = self.apply(token)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.counts(), after_first)
        result = response.context["result"]
        self.assertEqual((result.count("unchanged"), result.count("created")), (1, 0))
        self.assertContains(response, "unchanged")

        again = self.preview()
        self.assertEqual(again.context["result"].count("unchanged"), 1)
        self.assertContains(again, "Nothing to import")
        self.assertNotContains(again, 'name="upload"')

    def test_it_shows_why_a_file_is_skipped_or_cannot_be_read(self):
        before = self.counts()

        response = self.preview(
            ("2018-02-06-runtime.md", UNREADABLE),
            ("meeting-template.md", b"# Runtime PMC Meeting YYYY-MM-DD\n"),
            ("notes.md", b"# Some notes\n"),
            ("2017-06-13-runtime.md", b""),
            (NAME, self.data),
        )

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.counts(), before)
        by_name = {file.name: file for file in response.context["result"].files}
        self.assertEqual(by_name["2018-02-06-runtime.md"].status, "failed")
        self.assertIn("not UTF-8", by_name["2018-02-06-runtime.md"].reason)
        self.assertEqual(by_name["meeting-template.md"].status, "skipped")
        self.assertEqual(by_name["notes.md"].status, "failed")
        self.assertEqual(by_name["2017-06-13-runtime.md"].status, "failed")
        self.assertContains(response, f"would fail: {by_name['2018-02-06-runtime.md'].reason}")
        self.assertContains(response, "skipped: a template, not meeting notes")
        self.assertContains(response, "would fail: no date in the file name")
        self.assertContains(response, "would fail: empty file")
        self.assertContains(response, "left out; the others are imported")

        self.apply(response.context["token"])
        self.assertTrue(Meeting.objects.filter(committee=self.committee).exists())
        self.assertFalse(Meeting.objects.filter(date="2018-02-06").exists())

    def test_it_refuses_a_file_that_is_too_large_or_too_many_files(self):
        before = self.counts()

        too_large = self.preview(("2017-05-30-runtime.md", b"#" * (MAX_FILE_BYTES + 1)))
        too_many = self.preview(
            *[(f"2017-05-{day:02d}-runtime.md", self.data) for day in range(1, MAX_FILES + 2)]
        )

        self.assertEqual(too_large.status_code, 400)
        self.assertContains(
            too_large, "2017-05-30-runtime.md is 2.0\xa0MB; a notes file may be at most 2 MB",
            status_code=400,
        )  # fmt: skip
        self.assertNotIn("token", too_large.context)
        self.assertEqual(too_many.status_code, 400)
        self.assertContains(
            too_many, f"Choose at most {MAX_FILES} files at a time (you chose {MAX_FILES + 1})",
            status_code=400,
        )  # fmt: skip
        self.assertEqual(self.counts(), before)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=64 * 1024)
    def test_it_refuses_files_too_large_together_to_carry_to_the_import(self):
        noise = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(3000))
        response = self.preview(("2017-05-30-runtime.md", base64.b64encode(noise)))

        self.assertContains(
            response, "Together these files are too large to preview and import in one go",
            status_code=400,
        )  # fmt: skip
        self.assertNotIn("token", response.context)

    def test_it_asks_for_a_file(self):
        response = self.client.post(self.url, {"committee": self.committee.pk, "preview": "1"})

        self.assertContains(response, "Choose one or more notes files", status_code=400)


class TamperingTests(NotesUploadTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.chair)

    def assertRefused(self, response, message: str, before: dict) -> None:
        self.assertContains(response, message, status_code=400)
        self.assertEqual(self.counts(), before)
        self.assertNotIn("result", response.context)

    def test_it_refuses_a_payload_that_was_changed(self):
        token = self.previewed_token()
        before = self.counts()
        packed, timestamp, signature = token.rsplit(":", 2)
        other = seal(self.chair, self.committee, [NoteFile(NAME, data=self.data + b"\n# More")])
        swapped = f"{other.rsplit(':', 2)[0]}:{timestamp}:{signature}"
        middle = len(packed) // 2
        flipped = packed[:middle] + ("A" if packed[middle] != "A" else "B") + packed[middle + 1 :]

        for forged in (swapped, f"{flipped}:{timestamp}:{signature}", packed, ""):
            with self.subTest(forged=forged[:20]):
                response = self.apply(forged)
                self.assertRefused(response, "do not match the ones that were previewed", before)

    def test_it_refuses_a_preview_older_than_an_hour(self):
        class SignedEarlier(TimestampSigner):
            def timestamp(self) -> str:
                return b62_encode(int(time.time() - MAX_AGE.total_seconds() - 60))

        token = seal(
            self.chair,
            self.committee,
            [NoteFile(NAME, data=self.data)],
            signer=SignedEarlier(salt=SALT),
        )
        before = self.counts()

        response = self.apply(token)

        self.assertRefused(response, "This preview is more than an hour old", before)
        self.assertContains(response, "Upload the files again", status_code=400)

    def test_it_refuses_a_payload_signed_for_another_user(self):
        co_chair = make_member(self.committee, make_user("co_chair"), role=Role.CHAIR)
        token = self.previewed_token()
        before = self.counts()
        self.client.force_login(co_chair)

        response = self.apply(token)

        self.assertContains(response, "previewed by another user", status_code=403)
        self.assertEqual(self.counts(), before)

    def test_it_keeps_a_chair_out_of_other_committees(self):
        before = self.counts()

        chosen = self.preview(committee=self.other_committee)
        sealed = self.apply(
            seal(self.chair, self.other_committee, [NoteFile(NAME, data=self.data)])
        )

        self.assertContains(chosen, "only for a committee you chair: Runtime", status_code=403)
        self.assertContains(sealed, "You no longer chair the committee", status_code=403)
        self.assertEqual(self.counts(), before)
        self.assertFalse(Meeting.objects.filter(committee=self.other_committee).exists())

    def test_it_files_no_proposal_in_another_committee_through_its_projects(self):
        project = make_project(self.other_committee, "Diego-Enabler")

        response = self.apply(self.previewed_token())

        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "Diego-Enabler belongs to Extensions: only the chair of Extensions or an "
            "administrator may file a proposal there",
        )
        self.assertFalse(Proposal.objects.filter(project=project).exists())
        self.assertFalse(Proposal.objects.filter(committee=self.other_committee).exists())
        self.assertFalse(
            Event.objects.filter(committee=self.other_committee, proposal__isnull=False).exists()
        )
        self.assertTrue(Meeting.objects.filter(committee=self.committee).exists())

    def test_it_names_only_the_chosen_committee_whatever_the_file_says(self):
        response = self.preview(("Extensions/2017-05-16-extensions.md", self.data))
        self.apply(response.context["token"])

        meeting = Meeting.objects.get(date="2017-05-16")
        self.assertEqual(meeting.committee, self.committee)
        self.assertFalse(Meeting.objects.filter(committee=self.other_committee).exists())

    def test_it_requires_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.chair)
        token = self.previewed_token()
        before = self.counts()
        upload = SimpleUploadedFile(NAME, self.data, "text/markdown")

        previewed = client.post(self.url, {"committee": self.committee.pk, "files": [upload]})
        applied = client.post(self.url, {"upload": token, "apply": "1"})

        self.assertEqual((previewed.status_code, applied.status_code), (403, 403))
        self.assertEqual(self.counts(), before)


class AccessTests(NotesUploadTestCase):
    def test_it_refuses_members_outsiders_and_foreign_members(self):
        token = seal(self.chair, self.committee, [NoteFile(NAME, data=self.data)])
        before = self.counts()
        for user in (self.member, self.outsider, self.foreign_member):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                for response in (self.client.get(self.url), self.preview(), self.apply(token)):
                    self.assertContains(
                        response, "Only the chair of a committee can upload", status_code=403
                    )
                listing = self.client.get(reverse("proposals:meeting_list"))
                self.assertNotContains(listing, "Upload notes")
        self.assertEqual(self.counts(), before)

    def test_it_sends_anonymous_users_to_sign_in(self):
        before = self.counts()
        for response in (self.client.get(self.url), self.preview()):
            self.assertRedirects(
                response, f"{reverse('login')}?next={self.url}", fetch_redirect_response=False
            )
        self.assertEqual(self.counts(), before)
        self.assertNotContains(self.client.get(reverse("proposals:meeting_list")), "Upload notes")

    def test_it_links_the_page_from_the_meeting_list_for_chairs(self):
        self.client.force_login(self.chair)

        listing = self.client.get(reverse("proposals:meeting_list"))

        self.assertContains(
            listing, f'<a class="button" href="{self.url}">Upload notes</a>', html=True
        )

    def test_it_offers_only_the_committees_the_chair_chairs(self):
        self.client.force_login(self.chair)
        make_member(self.other_committee, self.chair)

        page = self.client.get(self.url)

        self.assertEqual(list(page.context["form"].fields["committee"].queryset), [self.committee])


class AccessibilityTests(NotesUploadTestCase):
    def markup(self, response) -> PageMarkup:
        parser = PageMarkup()
        parser.feed(response.content.decode())
        return parser

    def test_it_labels_every_field_and_uses_no_script_or_inline_style(self):
        self.client.force_login(self.chair)
        pages = {
            "form": self.client.get(self.url),
            "preview": self.preview(),
            "error": self.preview(("2017-05-30-runtime.md", b"#" * (MAX_FILE_BYTES + 1))),
        }
        pages["applied"] = self.apply(pages["preview"].context["token"])
        pages["meeting"] = self.client.get(Meeting.objects.get().get_absolute_url())

        for name, response in pages.items():
            with self.subTest(page=name):
                markup = self.markup(response)
                self.assertEqual(markup.landmarks, ["main"])
                self.assertEqual(markup.headings[0], "h1")
                if name != "meeting":  # the notes shown there have headings of their own
                    self.assertEqual(markup.headings.count("h1"), 1)
                self.assertEqual(markup.styled, [])
                self.assertEqual(markup.scripts, [])
                for field in markup.inputs:
                    self.assertIn(field.get("id"), markup.labels, field)

        upload = self.markup(pages["form"])
        file_input = next(field for field in upload.inputs if field.get("type") == "file")
        self.assertEqual(file_input["name"], "files")
        self.assertIn("multiple", file_input)
        self.assertEqual(file_input["aria-describedby"], "id_files_helptext")
        self.assertContains(pages["error"], '<div role="alert">', status_code=400)


OTHER_NOTES_NAME = "2017-05-30-runtime.md"
OTHER_NOTES = (
    b"# Runtime PMC Meeting\n\n## PMC Lifecycle Activities\n\n"
    b"- Proposal to move cf-backup-plugin to the attic. Approved.\n"
    b"- Proposal to promote cf-mgmt to active.\n"
)


class OtherCommitteeTestCase(NotesUploadTestCase):
    """The Runtime chair uploads Runtime notes that mention two Extensions projects: an
    attic and a promotion proposal of Extensions come up in a Runtime meeting."""

    def setUp(self) -> None:
        super().setUp()
        self.other_chair = make_member(
            self.other_committee, make_user("other_chair"), role=Role.CHAIR
        )
        self.attic = make_proposal(
            self.other_committee,
            self.foreign_member,
            state=State.DISCUSSION,
            project=make_project(self.other_committee, "cf-backup-plugin"),
        )
        self.promotion = make_proposal(
            self.other_committee,
            self.foreign_member,
            state=State.DISCUSSION,
            kind=Kind.PROMOTION,
            project=make_project(self.other_committee, "cf-mgmt", status=ProjectStatus.INCUBATING),
        )
        self.theirs = [self.attic, self.promotion]

    def upload(self, data: bytes = OTHER_NOTES, *, name: str = OTHER_NOTES_NAME):
        self.client.force_login(self.chair)
        preview = self.preview((name, data))
        self.assertEqual(preview.status_code, 200)
        return preview, self.apply(preview.context["token"])


class OtherCommitteeUploadTests(OtherCommitteeTestCase):
    def test_a_chairs_upload_links_no_proposal_of_another_committee(self):
        preview, applied = self.upload()

        self.assertEqual(applied.status_code, 200)
        meeting = Meeting.objects.get(committee=self.committee, date="2017-05-30")
        for proposal in self.theirs:
            proposal.refresh_from_db()
            self.assertFalse(proposal.mentions.exists())
            self.assertFalse(proposal.meetings.exists())
            self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertFalse(ProposalMeeting.objects.filter(meeting=meeting).exists())
        self.assertFalse(Event.objects.filter(proposal__in=self.theirs, actor=self.chair).exists())
        self.assertFalse(
            Event.objects.filter(committee=self.other_committee, actor=self.chair).exists()
        )
        for user in (None, self.foreign_member, self.other_chair):
            if user is None:
                self.client.logout()
            else:
                self.client.force_login(user)
            for proposal in self.theirs:
                with self.subTest(user=user, proposal=proposal.kind):
                    page = self.client.get(proposal.get_absolute_url())
                    self.assertNotContains(page, "Proposal to move cf-backup-plugin")
                    self.assertNotContains(page, "Proposal to promote cf-mgmt")
                    self.assertContains(page, "Not yet raised in a meeting.")

    def test_it_suggests_the_links_to_the_other_committees_chair_instead(self):
        self.client.force_login(self.chair)
        preview = self.preview((OTHER_NOTES_NAME, OTHER_NOTES))

        self.assertFalse(LinkSuggestion.objects.exists())  # a preview writes nothing
        self.assertContains(preview, "Links that would be suggested to other committees")
        self.assertContains(preview, "0 new, 0 linked, 2 suggested")
        for proposal in self.theirs:
            self.assertContains(
                preview,
                f"proposal #{proposal.pk} “{proposal.title}”, in Runtime 2017-05-30: for the "
                "chair of <strong>Extensions</strong> to confirm",
            )

        applied = self.apply(preview.context["token"])

        self.assertContains(applied, "Links suggested to other committees")
        self.assertContains(applied, "waiting for the chair of Extensions to confirm", count=2)
        meeting = Meeting.objects.get(committee=self.committee, date="2017-05-30")
        suggestions = {s.proposal_id: s for s in LinkSuggestion.objects.all()}
        self.assertEqual(set(suggestions), {p.pk for p in self.theirs})
        attic = suggestions[self.attic.pk]
        self.assertEqual(
            (attic.meeting, attic.suggested_by, attic.section, attic.accepted, attic.decided_by),
            (meeting, self.chair, "PMC Lifecycle Activities", None, None),
        )
        self.assertIn("cf-backup-plugin to the attic", attic.excerpt)
        events = Event.objects.filter(action="meeting.link_suggested").order_by("id")
        self.assertEqual(
            [(e.actor, e.committee, e.proposal, e.payload["proposal"]) for e in events],
            [(self.chair, self.committee, None, p.pk) for p in self.theirs],
        )
        self.assertEqual(events[0].payload["to"], "Extensions")

    def test_a_chairs_upload_files_no_proposal_in_a_committee_they_only_sit_in(self):
        make_member(self.other_committee, self.chair)  # a member there, not its chair
        project = make_project(self.other_committee, "cf-fresh-plugin")
        notes = (
            b"# Runtime\n\n## PMC Lifecycle Activities\n\n- Move cf-fresh-plugin to the attic.\n"
        )

        _, applied = self.upload(notes)

        self.assertContains(
            applied,
            "cf-fresh-plugin belongs to Extensions: only the chair of Extensions or an "
            "administrator may file a proposal there",
        )
        self.assertFalse(Proposal.objects.filter(project=project).exists())
        self.assertFalse(
            Event.objects.filter(committee=self.other_committee, actor=self.chair).exists()
        )

    def test_a_chairs_upload_leaves_another_committees_links_to_the_meeting_alone(self):
        apply_import([NoteFile(OTHER_NOTES_NAME, data=OTHER_NOTES)], committee=self.committee)
        meeting = Meeting.objects.get(committee=self.committee, date="2017-05-30")
        # The import command links across committees, as the system.
        before = {
            m.proposal_id: (m.section, m.excerpt)
            for m in ProposalMeeting.objects.filter(meeting=meeting)
        }
        self.assertEqual(set(before), {p.pk for p in self.theirs})
        self.assertFalse(LinkSuggestion.objects.exists())
        # The chair's edited notes reword the attic item and drop the promotion.
        edited = (
            b"# Runtime PMC Meeting\n\n## PMC Lifecycle Activities\n\n"
            b"- Proposal to move cf-backup-plugin to the attic once its users moved. Approved.\n"
        )

        _, applied = self.upload(edited)

        self.assertEqual(applied.status_code, 200)
        self.assertEqual(applied.context["result"].count("updated"), 1)
        after = {
            m.proposal_id: (m.section, m.excerpt)
            for m in ProposalMeeting.objects.filter(meeting=meeting)
        }
        self.assertEqual(after, before)
        self.assertFalse(
            Event.objects.filter(committee=self.other_committee, actor=self.chair).exists()
        )
        self.assertFalse(LinkSuggestion.objects.exists())
        self.assertContains(applied, "its link to this meeting stays as it is")

    def test_a_chairs_upload_adds_no_project_to_the_committee_the_notes_name(self):
        notes = (
            b"# Runtime\n\n## PMC Lifecycle Activities\n\n"
            b"- [Swarna] cf-shiny-plugin project accepted for incubation in the Extensions PMC\n"
        )

        _, applied = self.upload(notes)

        self.assertContains(applied, "Only the chair of Extensions or an administrator may")
        self.assertFalse(Project.objects.filter(name="cf-shiny-plugin").exists())
        self.assertFalse(Event.objects.filter(committee=self.other_committee, actor=self.chair))


class LinkSuggestionDecisionTests(OtherCommitteeTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.upload()
        self.meeting = Meeting.objects.get(committee=self.committee, date="2017-05-30")
        self.suggestion = LinkSuggestion.objects.get(proposal=self.attic)
        self.client.force_login(self.other_chair)

    def decide(self, decision: str, *, follow: bool = False):
        url = reverse("proposals:link_suggestion", args=[self.suggestion.pk, decision])
        return self.client.post(url, {"expected_state": "pending"}, follow=follow)

    def test_the_other_chair_sees_the_suggestion_and_confirms_it(self):
        page = self.client.get(self.attic.get_absolute_url())
        self.assertContains(page, "Meetings suggested for you to confirm")
        confirm = reverse("proposals:link_suggestion", args=[self.suggestion.pk, "confirm"])
        self.assertContains(page, f'action="{confirm}"')
        self.assertContains(page, "suggested by chair on")
        self.assertNotContains(page, "Proposal to move cf-backup-plugin")  # not yet shown
        self.assertContains(page, "Not yet raised in a meeting.")
        home = self.client.get(reverse("proposals:home"))
        self.assertContains(home, f"{self.attic.get_absolute_url()}#suggestions")
        self.assertContains(home, "came up in Runtime 2017-05-30, suggested by chair")

        response = self.decide("confirm")

        self.assertRedirects(response, f"{self.attic.get_absolute_url()}#meetings-h")
        self.suggestion.refresh_from_db()
        self.assertEqual(
            (self.suggestion.accepted, self.suggestion.decided_by), (True, self.other_chair)
        )
        self.assertIsNotNone(self.suggestion.decided_at)
        link = ProposalMeeting.objects.get(proposal=self.attic, meeting=self.meeting)
        self.assertEqual(link.excerpt, self.suggestion.excerpt)
        self.assertTrue(link.from_notes)
        events = list(Event.objects.filter(proposal=self.attic).order_by("id"))[-2:]
        self.assertEqual(
            [(e.action, e.actor) for e in events],
            [
                ("proposal.link_suggestion_confirmed", self.other_chair),
                ("proposal.meeting_linked", self.other_chair),
            ],
        )
        self.assertEqual(events[0].payload["suggested_by"], "chair")
        self.assertFalse(Event.objects.filter(proposal=self.attic, actor=self.chair).exists())
        self.client.force_login(self.foreign_member)
        page = self.client.get(self.attic.get_absolute_url())
        self.assertContains(page, "Proposal to move cf-backup-plugin to the attic")
        self.assertContains(page, f'href="{self.meeting.get_absolute_url()}"')
        self.assertNotContains(page, "Meetings suggested for you to confirm")
        self.client.force_login(self.other_chair)
        home = self.client.get(reverse("proposals:home"))
        self.assertNotContains(home, f"{self.attic.get_absolute_url()}#suggestions")
        # The promotion's suggestion is still pending.
        self.assertContains(home, f"{self.promotion.get_absolute_url()}#suggestions")
        page = self.client.get(self.promotion.get_absolute_url())
        self.assertContains(page, "Meetings suggested for you to confirm")

    def test_the_other_chair_dismisses_it(self):
        response = self.decide("dismiss")

        self.assertRedirects(response, f"{self.attic.get_absolute_url()}#meetings-h")
        self.suggestion.refresh_from_db()
        self.assertEqual(
            (self.suggestion.accepted, self.suggestion.decided_by), (False, self.other_chair)
        )
        self.assertFalse(ProposalMeeting.objects.filter(proposal=self.attic).exists())
        event = Event.objects.filter(proposal=self.attic).latest("id")
        self.assertEqual(
            (event.action, event.actor), ("proposal.link_suggestion_dismissed", self.other_chair)
        )
        page = self.client.get(self.attic.get_absolute_url())
        self.assertNotContains(page, "Meetings suggested for you to confirm")
        self.assertNotContains(page, "Proposal to move cf-backup-plugin")

        again = self.decide("confirm", follow=True)

        self.assertContains(again, "was dismissed by other_chair on")
        self.assertContains(again, "cannot be decided again")
        self.assertFalse(ProposalMeeting.objects.filter(proposal=self.attic).exists())

    def test_only_the_other_committees_chair_or_an_administrator_decides(self):
        admin = make_user("admin", is_staff=True, is_superuser=True)
        before = (self.counts(), LinkSuggestion.objects.filter(accepted__isnull=True).count())
        refused = (self.chair, self.member, self.foreign_member, self.outsider)
        for user in refused:
            for decision in ("confirm", "dismiss"):
                with self.subTest(user=user.username, decision=decision):
                    self.client.force_login(user)
                    response = self.decide(decision)
                    self.assertContains(
                        response,
                        "Only the chair of Extensions or an administrator may confirm or "
                        "dismiss linking",
                        status_code=403,
                    )
                    page = self.client.get(self.attic.get_absolute_url())
                    self.assertNotContains(page, "Meetings suggested for you to confirm")
        self.client.logout()
        response = self.decide("confirm")
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
        self.client.force_login(self.other_chair)
        self.assertEqual(self.client.get(self.decide_url("confirm")).status_code, 405)
        self.assertEqual(self.decide("approve").status_code, 404)
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.other_chair)
        url = self.decide_url("confirm")
        self.assertEqual(client.post(url, {"expected_state": "pending"}).status_code, 403)
        after = (self.counts(), LinkSuggestion.objects.filter(accepted__isnull=True).count())
        self.assertEqual(after, before)

        self.client.force_login(admin)
        self.assertContains(
            self.client.get(self.attic.get_absolute_url()), "Meetings suggested for you"
        )
        self.decide("confirm")
        self.assertTrue(ProposalMeeting.objects.filter(proposal=self.attic).exists())
        self.assertEqual(LinkSuggestion.objects.get(pk=self.suggestion.pk).decided_by, admin)

    def decide_url(self, decision: str) -> str:
        return reverse("proposals:link_suggestion", args=[self.suggestion.pk, decision])

    def test_importing_the_notes_again_raises_no_suggestion_twice(self):
        promotion = LinkSuggestion.objects.get(proposal=self.promotion)
        self.decide("dismiss")
        counts = (self.counts(), LinkSuggestion.objects.count())
        # The same file again: unchanged, nothing suggested again.
        _, applied = self.upload()
        self.assertEqual(applied.context["result"].count("unchanged"), 1)
        self.assertEqual((self.counts(), LinkSuggestion.objects.count()), counts)
        # Edited notes that still mention both: the dismissal stands, the pending one
        # takes the new wording, and neither is suggested a second time.
        edited = OTHER_NOTES.replace(b"promote cf-mgmt to active", b"promote cf-mgmt to active now")
        _, applied = self.upload(edited)
        self.assertEqual(applied.context["result"].count("updated"), 1)
        self.assertContains(applied, "whose chair dismissed linking it to this meeting")
        self.assertEqual(LinkSuggestion.objects.count(), 2)
        self.assertEqual(Event.objects.filter(action="meeting.link_suggested").count(), 2)
        self.suggestion.refresh_from_db()
        self.assertEqual(self.suggestion.accepted, False)
        promotion.refresh_from_db()
        self.assertIn("to active now", promotion.excerpt)
        self.assertIsNone(promotion.accepted)
        self.assertTrue(Event.objects.filter(action="meeting.link_suggestion_updated").exists())
        self.assertFalse(ProposalMeeting.objects.filter(meeting=self.meeting).exists())
        # Notes that no longer mention the promotion withdraw its pending suggestion.
        _, applied = self.upload(OTHER_NOTES.split(b"- Proposal to promote")[0])
        self.assertFalse(LinkSuggestion.objects.filter(proposal=self.promotion).exists())
        self.assertTrue(LinkSuggestion.objects.filter(pk=self.suggestion.pk).exists())
        withdrawn = Event.objects.get(action="meeting.link_suggestion_withdrawn")
        self.assertEqual((withdrawn.actor, withdrawn.committee), (self.chair, self.committee))

    def test_the_pages_read_suggestions_in_a_constant_number_of_queries(self):
        def queries() -> list[int]:
            counts = []
            for url in (self.attic.get_absolute_url(), reverse("proposals:home")):
                self.client.get(url)
                with CaptureQueriesContext(connection) as context:
                    self.assertEqual(self.client.get(url).status_code, 200)
                counts.append(len(context.captured_queries))
            return counts

        few = queries()
        for day in range(1, 13):
            meeting = make_meeting(self.committee, datetime.date(2018, 1, day))
            for proposal in self.theirs:
                actions.do_suggest_meeting_link(
                    meeting=meeting, proposal=proposal, actor=self.chair, section="Lifecycle"
                )
        many = queries()

        self.assertEqual(many, few)
        page = self.client.get(self.attic.get_absolute_url())
        self.assertContains(page, "suggested by chair on", count=13)

    def test_the_suggestions_use_no_script_or_inline_style(self):
        for url in (self.attic.get_absolute_url(), reverse("proposals:home")):
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertContains(page, "Meetings suggested for you to confirm")
                markup = PageMarkup()
                markup.feed(page.content.decode())
                self.assertEqual((markup.styled, markup.scripts), ([], []))
                self.assertEqual(markup.headings.count("h1"), 1)
                for field in markup.inputs:
                    self.assertIn(field.get("id"), markup.labels, field)
