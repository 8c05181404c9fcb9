"""The Atom feeds, read back as a feed reader reads them (feedparser): the site's, a
committee's, a project's, a proposal's timeline and the audit log's checkpoints; each
entry with a stable id, its times, a link and its author; nothing an anonymous visitor
cannot read on the site; the newest entries only, with as many queries for many entries
as for a few."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import actions, checkpoints, feeds, signing
from proposals.feeds import CHECKPOINT_NS
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import (
    make_accepted_long_ago,
    make_member,
    make_project,
    make_proposal,
    make_user,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "https://pmc.example.org"


@override_settings(PMC_SITE_URL=SITE)
class FeedTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.committee, "diego-enabler")
        cls.proposal = make_proposal(
            cls.committee,
            cls.member,
            state=State.VOTING,
            chair=cls.chair,
            project=cls.project,
            title="Move Diego-Enabler to the attic",
        )
        cls.other = make_proposal(
            cls.other_committee, cls.foreign_member, title="Promote the CLI plugin"
        )

    def read(self, url: str):
        """The feed at `url`, as a reader gets it; checked against RFC 4287's required
        elements with the standard library's parser first."""
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
        root = ET.fromstring(response.content)  # noqa: S314 (the site's own answer)
        self.assertEqual(root.tag, f"{ATOM}feed")
        for name in ("id", "title", "updated"):
            self.assertIsNotNone(root.find(f"{ATOM}{name}"), name)
        for entry in root.findall(f"{ATOM}entry"):
            for name in ("id", "title", "updated", "link"):
                self.assertIsNotNone(entry.find(f"{ATOM}{name}"), name)
        parsed = feedparser.parse(response.content)
        self.assertFalse(parsed.bozo, parsed.get("bozo_exception"))
        return parsed


class SiteFeedTests(FeedTestCase):
    def test_it_follows_proposals_as_they_move_in_every_committee(self):
        feed = self.read(reverse("proposals:feed"))

        self.assertEqual(feed.feed.title, "PMC Lifecycle: proposals as they move")
        titles = [entry.title for entry in feed.entries]
        # Newest first: the vote started, the proposal submitted, filed; the other
        # committee's filing too.
        self.assertEqual(
            titles[0],
            f"#{self.other.pk} Promote the CLI plugin: foreign_member filed the proposal "
            "“Promote the CLI plugin” (move to the attic).",
        )
        self.assertIn(
            f"#{self.proposal.pk} Move Diego-Enabler to the attic: chair started the vote on "
            "revision 1 of the text (4 members may vote, open for 72 hours).",
            titles,
        )
        # Seats, projects and votes are not moves of a proposal.
        self.assertFalse(any("seat" in title for title in titles))

    def test_each_entry_has_a_stable_id_times_a_link_and_its_author(self):
        first = self.read(reverse("proposals:feed")).entries
        again = self.read(reverse("proposals:feed")).entries

        self.assertEqual([e.id for e in first], [e.id for e in again])
        self.assertEqual(len({e.id for e in first}), len(first))
        entry = next(e for e in first if "started the vote" in e.title)
        self.assertRegex(entry.id, r"^tag:pmc\.example\.org,\d{4}-\d\d-\d\d:event/\d+$")
        self.assertEqual(entry.link, f"{SITE}/proposals/{self.proposal.pk}/")
        self.assertEqual(entry.author, "chair")
        self.assertEqual(entry.author_detail.href, f"{SITE}/people/chair/")
        self.assertTrue(entry.updated_parsed)
        self.assertTrue(entry.published_parsed)
        # The sentence's links work away from the site.
        self.assertIn(f'href="{SITE}/proposals/{self.proposal.pk}/"', entry.summary)

    def test_the_feed_names_itself_at_the_sites_address(self):
        feed = self.read(reverse("proposals:feed"))

        self_links = [link.href for link in feed.feed.links if link.rel == "self"]
        self.assertEqual(self_links, [f"{SITE}/feed/"])
        self.assertEqual(feed.feed.id, f"{SITE}/")

    def test_what_people_wrote_is_escaped(self):
        make_proposal(self.committee, self.member, title="<script>alert(1)</script> & more")

        response = self.client.get(reverse("proposals:feed"))

        self.assertNotContains(response, "<script>")
        entry = feedparser.parse(response.content).entries[0]
        self.assertIn("<script>alert(1)</script> & more", entry.title)
        self.assertNotIn("<script>", entry.summary)
        self.assertIn("&lt;script&gt;", entry.summary)

    def test_a_new_move_comes_first_and_the_older_entries_keep_their_ids(self):
        before = self.read(reverse("proposals:feed")).entries
        actions.do_cast_vote(proposal=self.proposal, actor=self.member, value=1)
        actions.do_return_to_discussion(proposal=self.proposal, actor=self.chair)

        after = self.read(reverse("proposals:feed")).entries

        self.assertIn("stopped the vote and returned the proposal to discussion", after[0].title)
        self.assertEqual([e.id for e in after[1:]], [e.id for e in before][: len(after) - 1])
        self.assertFalse(any("voted" in e.title for e in after))

    def test_it_holds_the_newest_entries_only(self):
        for i in range(feeds.ENTRIES):
            make_proposal(self.committee, self.member, title=f"Filed {i}")

        entries = self.read(reverse("proposals:feed")).entries

        self.assertEqual(len(entries), feeds.ENTRIES)
        self.assertIn("Filed 49", entries[0].title)

    def test_the_home_page_links_it(self):
        response = self.client.get(reverse("proposals:home"))

        self.assertContains(
            response,
            f'<link rel="alternate" type="application/atom+xml" '
            f'title="Proposals as they move" href="{reverse("proposals:feed")}">',
            html=False,
        )


class CommitteeFeedTests(FeedTestCase):
    def test_it_holds_what_the_committees_history_records_and_nothing_of_others(self):
        actions.do_cast_vote(proposal=self.proposal, actor=self.member, value=1)

        feed = self.read(reverse("proposals:committee_feed", args=["runtime"]))

        self.assertEqual(feed.feed.title, "PMC Lifecycle: Runtime")
        self.assertEqual(feed.feed.link, f"{SITE}/committees/runtime/")
        titles = [entry.title for entry in feed.entries]
        self.assertEqual(titles[0], f"#{self.proposal.pk} Move Diego-Enabler to the attic: "
                                    "member voted +1.")  # fmt: skip
        self.assertIn("gave chair a seat on Runtime as chair from", " ".join(titles))
        self.assertFalse(any("Promote the CLI plugin" in title for title in titles))

    def test_it_shows_no_email_address(self):
        actions.do_invite(committee=self.committee, email="jane.doe@example.net", actor=self.chair)

        response = self.client.get(reverse("proposals:committee_feed", args=["runtime"]))

        # As the audit log shows an invitation to everyone: its first letter and domain.
        self.assertContains(response, "j…@example.net")
        self.assertNotContains(response, "jane.doe")
        self.assertNotContains(response, "@example.org")  # the members' addresses
        self.assertNotContains(response, "<email>")

    def test_an_unknown_committee_has_no_feed(self):
        response = self.client.get(reverse("proposals:committee_feed", args=["nope"]))

        self.assertEqual(response.status_code, 404)

    def test_the_committee_page_links_its_feed_and_calendar(self):
        response = self.client.get(reverse("proposals:committee", args=["runtime"]))

        feed = reverse("proposals:committee_feed", args=["runtime"])
        self.assertContains(response, f'type="application/atom+xml" title="Runtime" href="{feed}"')
        self.assertContains(response, f'<a href="{feed}">Feed</a>')
        calendar = reverse("proposals:committee_calendar", args=["runtime"])
        self.assertContains(response, f'<a href="{calendar}">Calendar</a>')


class ProjectFeedTests(FeedTestCase):
    def test_it_holds_the_projects_history_and_its_proposals(self):
        actions.do_update_project(project=self.project, actor=self.chair, name="diego-enabled")

        feed = self.read(reverse("proposals:project_feed", args=[self.project.pk]))

        titles = [entry.title for entry in feed.entries]
        self.assertEqual(
            titles[0],
            "chair corrected the project “diego-enabled”: name from “diego-enabler” to "
            "“diego-enabled”.",
        )
        self.assertIn(
            f"#{self.proposal.pk} Move Diego-Enabler to the attic: member filed the proposal "
            "“Move Diego-Enabler to the attic” (move to the attic).",
            titles,
        )
        self.assertEqual(feed.entries[0].link, f"{SITE}/projects/{self.project.pk}/")

    def test_the_project_page_links_it(self):
        response = self.client.get(reverse("proposals:project_detail", args=[self.project.pk]))

        feed = reverse("proposals:project_feed", args=[self.project.pk])
        self.assertContains(response, f'type="application/atom+xml" title="diego-enabler" '
                                      f'href="{feed}"')  # fmt: skip
        self.assertContains(response, f'<a href="{feed}">Feed</a>')


class ProposalFeedTests(FeedTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.shown = actions.do_post_comment(
            proposal=cls.proposal, actor=cls.member, body="Ship it **now**."
        )
        cls.reply = actions.do_post_comment(
            proposal=cls.proposal, actor=cls.other_member, body="Agreed.", reply_to=cls.shown
        )
        cls.hidden = actions.do_post_comment(
            proposal=cls.proposal, actor=cls.third_member, body="Call me at +1 555 0100."
        )
        actions.do_hide_comment(comment=cls.hidden, actor=cls.chair, reason="A phone number")
        cls.withdrawn = actions.do_post_comment(
            proposal=cls.proposal, actor=cls.other_member, body="A second thought I took back."
        )
        actions.do_withdraw_comment(comment=cls.withdrawn, actor=cls.other_member)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.member, value=1)

    def url(self) -> str:
        return reverse("proposals:proposal_feed", args=[self.proposal.pk])

    def test_it_reads_like_the_proposals_timeline(self):
        feed = self.read(self.url())

        prefix = f"#{self.proposal.pk} Move Diego-Enabler to the attic: "
        titles = [entry.title.removeprefix(prefix) for entry in feed.entries]
        self.assertEqual(
            titles,
            [
                "member voted +1.",
                f"other_member commented (comment #{self.withdrawn.pk})",
                f"third_member commented (comment #{self.hidden.pk})",
                f"other_member replied to comment #{self.shown.pk} (comment #{self.reply.pk})",
                f"member commented (comment #{self.shown.pk})",
                "chair started the vote on revision 1 of the text (4 members may vote, open "
                "for 72 hours).",
                "member submitted the proposal for discussion.",
                "member filed the proposal “Move Diego-Enabler to the attic” (move to the attic).",
            ],
        )
        comment = feed.entries[4]
        self.assertIn("Ship it <strong>now</strong>.", comment.summary)
        self.assertEqual(comment.link, f"{SITE}{self.url().removesuffix('feed/')}"
                                       f"#comment-{self.shown.pk}")  # fmt: skip
        self.assertRegex(comment.id, rf"^tag:pmc\.example\.org,[\d-]+:comment/{self.shown.pk}$")

    def test_a_hidden_or_withdrawn_comment_shows_its_placeholder_not_its_text(self):
        response = self.client.get(self.url())

        self.assertNotContains(response, "555 0100")
        self.assertNotContains(response, "took back")
        self.assertContains(response, "Hidden by chair: A phone number")
        self.assertContains(response, "Withdrawn by the author.")

    def test_it_shows_no_email_address(self):
        response = self.client.get(self.url())

        self.assertNotContains(response, "@example.org")
        self.assertNotContains(response, "<email>")

    def test_concerns_raised_and_resolved_are_entries(self):
        actions.do_submit(proposal=self.other, actor=self.foreign_member)
        concern = actions.do_raise_concern(
            proposal=self.other,
            actor=self.foreign_member,
            title="License unclear",
            explanation="Which license?",
        )
        actions.do_resolve_concern(concern=concern, actor=self.foreign_member, reason="MIT")

        feed = self.read(reverse("proposals:proposal_feed", args=[self.other.pk]))

        summaries = " ".join(entry.summary for entry in feed.entries)
        self.assertIn("raised a concern", " ".join(e.title for e in feed.entries))
        self.assertIn("resolved the concern “License unclear”", summaries)
        ids = [entry.id for entry in feed.entries]
        self.assertEqual(len(ids), len(set(ids)))

    def test_a_decision_recorded_from_a_meeting_says_when_it_was_taken(self):
        decided = make_accepted_long_ago(self.committee, self.member, chair=self.chair)

        feed = self.read(reverse("proposals:proposal_feed", args=[decided.pk]))

        entry = feed.entries[0]
        self.assertIn("recorded the decision of", entry.title)
        self.assertIn("About 2017-05-16 12:00 UTC.", entry.summary)
        # Listed when it was recorded, as the page's timeline lists it.
        self.assertGreater(entry.published_parsed.tm_year, 2017)

    def test_the_proposal_page_links_it(self):
        response = self.client.get(reverse("proposals:detail", args=[self.proposal.pk]))

        self.assertContains(
            response,
            f'type="application/atom+xml" title="#{self.proposal.pk} Move Diego-Enabler to the '
            f'attic" href="{self.url()}"',
        )
        self.assertContains(response, f'<a href="{self.url()}">Feed</a>')

    def test_an_unknown_proposal_has_no_feed(self):
        response = self.client.get(reverse("proposals:proposal_feed", args=[999_999]))

        self.assertEqual(response.status_code, 404)


class CheckpointFeedTests(FeedTestCase):
    def test_each_entry_carries_the_checkpoint_as_published(self):
        checkpoints.sign()
        actions.do_cast_vote(proposal=self.proposal, actor=self.member, value=1)
        checkpoints.sign()
        published = self.client.get(reverse("proposals:audit_checkpoints")).json()

        response = self.client.get(reverse("proposals:audit_checkpoints_feed"))

        self.read(reverse("proposals:audit_checkpoints_feed"))
        root = ET.fromstring(response.content)  # noqa: S314 (the site's own answer)
        entries = root.findall(f"{ATOM}entry")
        self.assertEqual(len(entries), 2)
        carried = [
            {
                child.tag.removeprefix(f"{{{CHECKPOINT_NS}}}"): child.text
                for child in entry
                if child.tag.startswith(f"{{{CHECKPOINT_NS}}}")
            }  # fmt: skip
            for entry in entries
        ]
        as_text = [{k: str(v) for k, v in c.items()} for c in published["checkpoints"]]
        self.assertEqual(carried, as_text[::-1])  # newest first
        first_id = entries[1].find(f"{ATOM}id").text
        self.assertRegex(first_id, r"^tag:pmc\.example\.org,[\d-]+:checkpoint/1$")
        # What the feed carries verifies, as a copy of checkpoints.json does.
        copy = checkpoints.from_json(carried[0])
        self.assertTrue(checkpoints.is_signed(copy, signing.keyring()))

    def test_the_audit_page_links_it(self):
        response = self.client.get(reverse("proposals:audit_log"))

        self.assertContains(
            response, f'type="application/atom+xml" title="Signed checkpoints" '
            f'href="{reverse("proposals:audit_checkpoints_feed")}"'
        )  # fmt: skip


class PrivateReadingTests(FeedTestCase):
    @override_settings(PMC_PUBLIC_READ=False)
    def test_feeds_are_not_public_when_the_site_is_not(self):
        for url in (
            reverse("proposals:feed"),
            reverse("proposals:committee_feed", args=["runtime"]),
            reverse("proposals:proposal_feed", args=[self.proposal.pk]),
            reverse("proposals:project_feed", args=[self.project.pk]),
            reverse("proposals:audit_checkpoints_feed"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])


class FeedQueryTests(FeedTestCase):
    """As many queries for a full feed as for a short one."""

    def count(self, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def grow(self, talk) -> None:
        people = [make_member(self.committee) for _ in range(3)] + [self.member]
        for i in range(feeds.ENTRIES + 5):
            proposal = make_proposal(
                self.committee, people[i % 4], project=self.project, title=f"P{i}"
            )
            actions.do_submit(proposal=proposal, actor=people[i % 4])
            actions.do_post_comment(proposal=talk, actor=people[i % 4], body=f"c{i}")
            concern = actions.do_raise_concern(
                proposal=talk, actor=people[i % 4], title=f"Concern {i}", explanation="?"
            )
            actions.do_resolve_concern(concern=concern, actor=self.chair, reason="ok")
        actions.do_hide_comment(comment=talk.comments.last(), actor=self.chair, reason="Off topic")
        make_user("late")

    def test_queries_do_not_grow_with_the_entries(self):
        talk = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        actions.do_post_comment(proposal=talk, actor=self.member, body="first")
        urls = [
            reverse("proposals:feed"),
            reverse("proposals:committee_feed", args=["runtime"]),
            reverse("proposals:project_feed", args=[self.project.pk]),
            reverse("proposals:proposal_feed", args=[talk.pk]),
            reverse("proposals:audit_checkpoints_feed"),
        ]
        checkpoints.sign()
        few = {url: self.count(url) for url in urls}
        self.grow(talk)
        checkpoints.sign()

        many = {url: self.count(url) for url in urls}

        self.assertEqual(many, few)
        self.assertLessEqual(max(many.values()), 5 + len(feeds.LIFECYCLE_ACTIONS))
