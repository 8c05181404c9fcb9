"""Every revision of a proposal's text can be read, and each edit's changes are shown as
a diff, to whoever may read the proposal."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from proposals import actions, revisions
from proposals.states import State
from proposals.text_diff import diff_lines
from tests.base import LifecycleTestCase
from tests.factories import make_project, make_proposal

FIRST = """\
## Why

Nobody has committed to lattice since 2019.

- archive the repository
- remove it from the release
"""
SECOND = """\
## Why

Nobody has committed to lattice since 2018, and its CI is gone.

- archive the repository
- remove it from the release
- announce it on the mailing list
"""


class RevisionsTestCase(LifecycleTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(
            self.committee,
            self.member,
            state=State.DISCUSSION,
            title="Attic lattice",
            body=FIRST,
            project=make_project(self.committee, "lattice"),
        )
        actions.do_edit_proposal(
            proposal=self.proposal,
            actor=self.member,
            title="Move lattice to the attic",
            body=SECOND,
            reason="The CI is gone too.",
        )
        actions.do_edit_proposal(proposal=self.proposal, actor=self.member, proposing_team="CLI")
        actions.do_edit_proposal(
            proposal=self.proposal, actor=self.chair, condition="after the <b>2.0</b> release"
        )
        self.proposal.refresh_from_db()

    def url(self, name: str, *args) -> str:
        return reverse(f"proposals:{name}", args=[self.proposal.pk, *args])


class RevisionLogTests(RevisionsTestCase):
    def test_it_reads_every_earlier_text_back_from_the_edits(self):
        found = revisions.revisions(self.proposal)

        self.assertEqual([r.number for r in found], [1, 2, 3])
        self.assertEqual(self.proposal.revision, 3)
        first, second, third = (r.fields for r in found)
        self.assertEqual(
            (first["title"], first["body"], first["condition"]), ("Attic lattice", FIRST, "")
        )
        self.assertEqual((second["title"], second["body"]), ("Move lattice to the attic", SECOND))
        self.assertEqual(second["condition"], "")
        self.assertEqual(third["condition"], "after the <b>2.0</b> release")
        self.assertEqual(first["project"], "lattice")
        self.assertEqual(found[1].changed, ["Title", "Text"])
        self.assertEqual(found[0].event.action, "proposal.created")


class RevisionPagesTests(RevisionsTestCase):
    def test_it_shows_an_earlier_revision_on_its_own_page(self):
        response = self.client.get(self.url("revision_detail", 1))

        self.assertContains(
            response, 'Attic lattice <span class="badge">revision 1</span>', html=False
        )
        self.assertContains(response, "<li>archive the repository</li>", html=True)
        self.assertContains(response, "since 2019")
        self.assertNotContains(response, "since 2018")
        self.assertContains(response, "the current text</a> is revision 3")

    def test_it_lists_every_revision_with_links_to_its_text_and_changes(self):
        response = self.client.get(self.url("revision_list"))

        for number in (1, 2, 3):
            self.assertContains(response, f'href="{self.url("revision_detail", number)}"')
        for number in (2, 3):
            self.assertContains(response, f'href="{self.url("revision_changes", number)}"')
        self.assertContains(response, "changed: title, text")
        self.assertContains(response, "“The CI is gone too.”")

    def test_the_proposal_page_links_its_earlier_revisions(self):
        response = self.client.get(self.proposal.get_absolute_url())

        self.assertContains(
            response, f'<a href="{self.url("revision_list")}">earlier revisions</a>'
        )

    def test_it_shows_the_changes_of_an_edit_as_a_diff(self):
        response = self.client.get(self.url("revision_changes", 2))

        page = response.content.decode()
        self.assertContains(response, "What changed in revision 2")
        self.assertContains(response, "edited the text")
        self.assertContains(response, "“The CI is gone too.”")
        self.assertIn("<del>Attic</del>", page)
        self.assertIn("<ins>Move</ins>", page)
        self.assertIn("<del>2019</del>", page)
        self.assertIn("since <ins>2018, and its CI is gone</ins>.", page)
        self.assertIn(
            '<li class="diff-added"><span class="diff-mark" aria-hidden="true">+</span>'
            '<span class="visually-hidden">Added: </span><span class="diff-text">'
            "<ins>- announce it on the mailing list</ins></span></li>",
            page,
        )
        self.assertNotIn("style=", page)
        self.assertNotIn("<script", page)

    def test_it_escapes_the_texts_it_compares(self):
        response = self.client.get(self.url("revision_changes", 3))

        self.assertContains(response, "&lt;b&gt;2.0&lt;/b&gt;")
        self.assertNotContains(response, "<b>2.0</b>")

    def test_a_revision_that_does_not_exist_is_not_found(self):
        for url in (
            self.url("revision_detail", 4),
            self.url("revision_detail", 0),
            self.url("revision_changes", 1),
            reverse("proposals:revision_list", args=[99999]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    @override_settings(PMC_PUBLIC_READ=False)
    def test_whoever_may_read_the_proposal_may_read_its_revisions(self):
        urls = [
            self.url("revision_list"),
            self.url("revision_detail", 1),
            self.url("revision_changes", 2),
        ]
        for url in urls:
            with self.subTest(url=url, who="anonymous"):
                response = self.client.get(url)
                self.assertRedirects(
                    response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
                )
        self.client.force_login(self.outsider)
        for url in urls:
            with self.subTest(url=url, who="outsider"):
                self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.foreign_member)
        for url in urls:
            with self.subTest(url=url, who="member of another committee"):
                self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(self.proposal.get_absolute_url()).status_code, 200)


class TextDiffTests(LifecycleTestCase):
    def test_it_folds_long_runs_of_unchanged_lines(self):
        old = "\n".join(f"line {i}" for i in range(40))
        new = old.replace("line 20", "line twenty")

        rows = diff_lines(old, new)

        kinds = [row.kind for row in rows]
        self.assertEqual(
            kinds, ["folded", *["same"] * 3, "removed", "added", *["same"] * 3, "folded"]
        )
        self.assertEqual(rows[0].pieces[0].text, "17 unchanged lines")

    def test_it_shows_added_and_removed_lines_whole(self):
        rows = diff_lines("a\nb\nc", "a\nc\nd")

        self.assertEqual(
            [(row.kind, "".join(p.text for p in row.pieces)) for row in rows],
            [("same", "a"), ("removed", "b"), ("same", "c"), ("added", "d")],
        )
