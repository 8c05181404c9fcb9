"""The read pages: what each shows to anonymous visitors, outsiders, members and the chair,
the list and audit-log filters, the downloads, and members-only reading."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

from django.contrib.auth.views import redirect_to_login
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pmc.models import ProjectStatus, Role
from proposals import actions, audit, audit_jobs, audit_triggers, verification
from proposals.actors import IMPORT, SYSTEM
from proposals.models import AuditCheck, AuditJob, Event
from proposals.states import Kind, State
from proposals.views.pages import LIST_PAGE_SIZE, VISITORS_SHOWN
from tests.base import LifecycleTestCase
from tests.factories import (
    make_committee,
    make_meeting,
    make_member,
    make_project,
    make_proposal,
    make_user,
)

DAY = datetime.timedelta(days=1)


def titles_in(response) -> list[str]:
    """The proposal titles linked from a list page, in page order."""
    return re.findall(r'<a href="/proposals/\d+/">([^<]+)</a>', response.content.decode())


class ReadPagesTestCase(LifecycleTestCase):
    """A committee with a proposal in every state, a meeting that discussed one of them,
    a renamed project, and a vote in progress with binding and non-binding ballots."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        # Held today, so the proposals filed below are decided in it (a decision recorded
        # now is taken in a meeting held since the proposal was filed).
        cls.meeting = make_meeting(
            cls.committee,
            date=today,
            title="Runtime PMC, week 12",
            notes=(
                "## Lattice\n\nWe talked about *lattice* and its future.\n\n"
                "<script>alert('notes')</script>\n\n[click me](javascript:alert(1))"
            ),
        )
        cls.project = make_project(
            cls.committee,
            name="lattice",
            lead="Ada Lovelace",
            repository_urls=["https://example.org/lattice", "javascript:alert(1)"],
        )
        cls.draft = make_proposal(
            cls.committee, cls.member, kind=Kind.OTHER, title="Tidy the build scripts"
        )
        cls.discussion = make_proposal(
            cls.committee,
            cls.member,
            state=State.DISCUSSION,
            project=cls.project,
            title="Move lattice to the attic",
            body="## Why\n\nNobody has *committed* since 2019.",
            condition="after the 2.0 release",
        )
        actions.do_link_meeting(
            proposal=cls.discussion,
            meeting=cls.meeting,
            actor=IMPORT,
            section="Lattice",
            excerpt="Lattice has had no commits since 2019.\nMove it to the attic?",
        )
        cls.accepted = make_proposal(
            cls.committee,
            cls.member,
            state=State.ACCEPTED,
            chair=cls.chair,
            kind=Kind.OTHER,
            title="Adopt the new release calendar",
        )
        cls.cirrus = make_project(cls.committee, name="cirrus")
        cls.renamed = make_proposal(
            cls.committee,
            cls.member,
            state=State.COMPLETED,
            chair=cls.chair,
            kind=Kind.RENAME,
            project=cls.cirrus,
            new_name="nimbus",
            title="Rename cirrus to nimbus",
        )
        cls.others = {
            state: make_proposal(
                cls.committee,
                cls.member,
                state=state,
                chair=cls.chair,
                kind=Kind.OTHER,
                title=f"A {state} proposal",
            )
            for state in (State.REJECTED, State.WITHDRAWN, State.DEFERRED)
        }
        cls.voting = make_proposal(
            cls.committee,
            cls.member,
            state=State.VOTING,
            chair=cls.chair,
            kind=Kind.PROMOTION,
            title="Promote quasar to active",
        )
        cls.late_member = make_member(cls.committee, make_user("late_member"))
        actions.do_cast_vote(proposal=cls.voting, actor=cls.member, value=1)
        actions.do_cast_vote(
            proposal=cls.voting,
            actor=cls.other_member,
            value=-1,
            reason="Not before the security review",
        )
        actions.do_cast_vote(proposal=cls.voting, actor=cls.late_member, value=1)
        cls.foreign = make_proposal(
            cls.other_committee,
            cls.foreign_member,
            state=State.DISCUSSION,
            kind=Kind.OTHER,
            title="Adopt the plugin API",
        )
        cls.next_meeting = make_meeting(
            cls.committee, date=today + 7 * DAY, title="Runtime PMC, week 14"
        )

    def read_urls(self) -> list[str]:
        proposals = [self.draft, self.discussion, self.accepted, self.renamed, self.voting]
        return [
            reverse("proposals:home"),
            reverse("proposals:list"),
            reverse("proposals:meeting_list"),
            reverse("proposals:project_list"),
            reverse("proposals:audit_log"),
            self.meeting.get_absolute_url(),
            self.project.get_absolute_url(),
            *[p.get_absolute_url() for p in proposals + list(self.others.values())],
        ]

    def as_reader(self, who: str) -> None:
        if who == "anonymous":
            self.client.logout()
        else:
            self.client.force_login(getattr(self, who))


class EveryPageRendersTests(ReadPagesTestCase):
    def test_it_renders_every_read_page_for_every_reader(self):
        for who in ("anonymous", "outsider", "foreign_member", "member", "chair"):
            self.as_reader(who)
            for url in self.read_urls():
                with self.subTest(reader=who, url=url):
                    response = self.client.get(url)

                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, "PMC Lifecycle")
                    if who == "anonymous":
                        self.assertContains(response, "Sign in")
                    else:
                        self.assertContains(response, "Sign out")

    def test_it_answers_404_for_unknown_ids(self):
        self.client.force_login(self.chair)
        for url in (
            reverse("proposals:detail", args=[999999]),
            reverse("proposals:edit", args=[999999]),
            reverse("proposals:meeting_detail", args=[999999]),
            reverse("proposals:project_detail", args=[999999]),
            reverse("proposals:meeting_list") + "?committee=no-such-committee",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertContains(response, "There is nothing at this address", status_code=404)

    def test_it_answers_404_to_posts_about_unknown_ids(self):
        self.client.force_login(self.chair)
        item = self.accepted.checklist.first()
        for url in (
            reverse("proposals:vote", args=[999999]),
            reverse("proposals:recuse", args=[999999]),
            reverse("proposals:transition", args=[999999, "submit"]),
            reverse("proposals:checklist_item", args=[999999, item.pk]),
            reverse("proposals:checklist_item", args=[self.accepted.pk, 999999]),
            reverse("proposals:checklist_item", args=[self.voting.pk, item.pk]),
        ):
            with self.subTest(url=url):
                response = self.client.post(url, {"value": "1", "done": "1"})

                self.assertEqual(response.status_code, 404)
        item.refresh_from_db()
        self.assertFalse(item.done)


class HomePageTests(ReadPagesTestCase):
    def test_it_shows_a_member_what_needs_their_attention(self):
        self.client.force_login(self.third_member)

        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, "What needs your attention")
        self.assertContains(response, "File a proposal")
        self.assertContains(response, "Promote quasar to active")
        self.assertContains(response, "your vote is missing")
        self.assertContains(response, "Move lattice to the attic")
        self.assertContains(response, "Adopt the new release calendar")
        self.assertContains(response, "2 open checklist items")
        self.assertContains(response, self.next_meeting.get_absolute_url())
        self.assertContains(response, (timezone.localdate() + 7 * DAY).isoformat())
        self.assertContains(response, "Runtime PMC, week 12")
        self.assertNotContains(response, "Tidy the build scripts")
        self.assertNotContains(response, "Rename cirrus to nimbus")
        self.assertNotContains(response, "Adopt the plugin API")

    def test_it_tells_a_member_who_voted_that_they_did(self):
        self.client.force_login(self.member)

        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, "you voted")
        self.assertNotContains(response, "your vote is missing")

    def test_it_does_not_ask_for_a_vote_whose_deadline_has_passed(self):
        self.client.force_login(self.third_member)
        late = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, kind=Kind.OTHER, title="Late one"
        )
        actions.do_start_vote(
            proposal=late, actor=self.chair, at=timezone.now() - datetime.timedelta(hours=73)
        )

        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, "Late one")
        self.assertContains(response, "your vote is missing", count=1)

    def test_it_shows_a_member_of_another_committee_only_their_committee(self):
        self.client.force_login(self.foreign_member)

        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, "Adopt the plugin API")
        self.assertNotContains(response, "Move lattice to the attic")
        self.assertNotContains(response, "Promote quasar to active")

    def test_it_shows_visitors_every_committee_at_a_glance(self):
        for who in ("anonymous", "outsider"):
            with self.subTest(reader=who):
                self.as_reader(who)

                response = self.client.get(reverse("proposals:home"))

                self.assertContains(response, "Committees at a glance")
                self.assertContains(response, "Adopt the plugin API")
                self.assertContains(response, "Move lattice to the attic")
                self.assertNotContains(response, "your vote is missing")
                self.assertNotContains(response, reverse("proposals:create"))


class VisitorsHomeTests(LifecycleTestCase):
    """A reader without a seat sees the foundation's first proposals of each kind across
    committees, and each committee's meetings: the page does not grow with the data."""

    def test_it_shows_the_soonest_votes_and_links_to_the_rest(self):
        for i in range(VISITORS_SHOWN + 2):
            make_proposal(self.committee, self.member, state=State.VOTING, title=f"Vote {i:02}")

        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, "Committees at a glance")
        self.assertContains(response, "closes ", count=VISITORS_SHOWN)
        self.assertContains(response, "All open votes")
        self.assertContains(response, reverse("proposals:committee", args=["extensions"]))

    def test_its_queries_do_not_grow_with_committees_or_proposals(self):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(reverse("proposals:home")).status_code, 200)
            return len(captured)

        small = queries()
        for name in ("BOSH", "Docs", "Tooling"):
            committee = make_committee(name)
            chair = make_member(committee, make_user(f"chair-{name}"), role=Role.CHAIR)
            make_meeting(committee, date=timezone.localdate())
            for state in (State.VOTING, State.DISCUSSION, State.ACCEPTED):
                make_proposal(committee, chair, state=state, chair=chair)

        self.assertEqual(queries(), small)


class ProposalDetailTests(ReadPagesTestCase):
    def test_it_shows_the_rendered_body_condition_and_meetings(self):
        response = self.client.get(self.discussion.get_absolute_url())

        self.assertContains(response, "<h1>Move lattice to the attic")
        self.assertContains(response, '<span class="badge state-discussion">Discussion</span>')
        self.assertContains(response, "<h2>Why</h2>", html=True)
        self.assertContains(response, "<em>committed</em>", html=True)
        self.assertContains(response, "Waiting for")
        self.assertContains(response, "after the 2.0 release")
        self.assertContains(response, self.project.get_absolute_url())
        self.assertContains(response, self.meeting.get_absolute_url())
        self.assertContains(response, "· Lattice")
        self.assertContains(
            response, "Lattice has had no commits since 2019.<br>Move it to the attic?"
        )
        self.assertContains(response, "Not open yet: the chair of Runtime starts the vote")
        self.assertNotContains(response, "Binding:")

    def test_it_marks_the_current_state_in_the_lifecycle_diagram(self):
        for proposal in (self.draft, self.discussion, self.voting, self.accepted, self.renamed):
            with self.subTest(state=proposal.state):
                response = self.client.get(proposal.get_absolute_url())

                label = proposal.get_state_display()
                self.assertContains(response, f'aria-current="step">{label}<', count=1)
                self.assertContains(response, 'aria-current="step"', count=1)
                self.assertContains(response, f"badge state-{proposal.state}")

    def test_it_shows_every_event_in_the_timeline_in_words(self):
        response = self.client.get(self.voting.get_absolute_url())

        timeline = response.content.decode().split('class="timeline"')[1].split("</ol>")[0]
        self.assertEqual(timeline.count("<li>"), self.voting.events.count())
        for event in self.voting.events.all():
            self.assertNotIn(event.action, timeline)
        self.assertIn("<strong>member</strong> filed the proposal", timeline)
        self.assertIn("<strong>member</strong> submitted the proposal for discussion.", timeline)
        self.assertIn("<strong>chair</strong> started the vote on revision 1", timeline)
        self.assertIn("<strong>other_member</strong> voted −1.", timeline)
        self.assertIn("“Not before the security review”", timeline)
        self.assertIn("voted +1 (non-binding).", timeline)

    def test_it_shows_the_vote_panel_with_tally_quorum_and_time_left(self):
        response = self.client.get(self.voting.get_absolute_url())

        self.assertContains(
            response,
            "Binding: <strong>+1: 1</strong> · −1: 1 · abstained (0): 0 · recused: 0 · "
            "not yet voted: 2 of 4",
        )
        self.assertContains(response, "Non-binding: +1: 1 · −1: 0 · abstained (0): 0")
        self.assertContains(response, "Quorum: 2 voted, 3 needed")
        self.assertContains(response, 'aria-label="Quorum: 2 voted, 3 needed"')
        self.assertContains(response, "So far: <strong>no quorum</strong>")
        self.assertContains(response, "hours left")
        self.assertContains(response, "<td>other_member</td>", html=True)
        self.assertContains(response, "<td>Not before the security review</td>", html=True)
        self.assertContains(response, 'late_member <span class="muted">(non-binding)</span>')

    def test_it_shows_a_voter_their_vote_with_change_and_recuse(self):
        self.client.force_login(self.member)

        response = self.client.get(self.voting.get_absolute_url())

        self.assertContains(response, "You voted <strong>+1</strong>")
        self.assertContains(response, "Change my vote")
        self.assertContains(response, reverse("proposals:recuse", args=[self.voting.pk]))
        self.assertContains(response, 'value="1" required id="id_value_0" checked')

    def test_it_offers_a_member_who_has_not_voted_a_ballot(self):
        self.client.force_login(self.third_member)

        response = self.client.get(self.voting.get_absolute_url())

        self.assertContains(response, "Cast my vote")
        self.assertNotContains(response, "You voted")

    def test_it_shows_the_checklist_and_the_deciding_meeting(self):
        response = self.client.get(self.accepted.get_absolute_url())

        self.assertContains(response, "Completion checklist")
        for item in self.accepted.checklist.all():
            self.assertContains(response, f"☐ {item.text}")
        self.assertContains(response, "Decided in")
        self.assertContains(response, self.meeting.get_absolute_url())

    def test_it_shows_the_votes_of_a_closed_round(self):
        proposal = make_proposal(
            self.committee, self.member, state=State.VOTING, chair=self.chair, kind=Kind.OTHER
        )
        for voter in (self.chair, self.member, self.other_member, self.third_member):
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)
        actions.do_close_vote(proposal=proposal, actor=self.chair)

        response = self.client.get(proposal.get_absolute_url())

        self.assertContains(response, "Closed ")
        self.assertContains(
            response, "Accepted: +1 4, −1 0, 0 0, 1 did not vote; quorum 3 of 5 reached."
        )
        self.assertNotContains(response, "So far")
        self.assertNotContains(response, "Cast my vote")


class ProposalListTests(ReadPagesTestCase):
    def get(self, **params):
        return self.client.get(reverse("proposals:list"), params)

    def test_it_lists_every_proposal_with_its_state(self):
        response = self.get()

        self.assertContains(response, "9 proposals")
        for title in ("Tidy the build scripts", "Promote quasar to active", "Adopt the plugin API"):
            self.assertContains(response, title)
        self.assertContains(response, '<span class="badge state-voting">Voting</span>')

    def test_it_filters_by_committee_state_kind_and_project(self):
        cases = [
            ({"committee": self.other_committee.pk}, {"Adopt the plugin API"}),
            ({"state": State.VOTING}, {"Promote quasar to active"}),
            ({"kind": Kind.RENAME}, {"Rename cirrus to nimbus"}),
            ({"project": self.project.pk}, {"Move lattice to the attic"}),
            (
                {"committee": self.committee.pk, "state": State.DISCUSSION},
                {"Move lattice to the attic"},
            ),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                response = self.get(**params)

                self.assertEqual(set(titles_in(response)), expected)

    def test_it_searches_titles_and_bodies(self):
        self.assertEqual(titles_in(self.get(q="QUASAR")), ["Promote quasar to active"])
        self.assertEqual(titles_in(self.get(q="nobody HAS")), ["Move lattice to the attic"])
        response = self.get(q="no such words anywhere")
        self.assertContains(response, "No proposal matches these filters.")

    def test_it_sorts(self):
        titles = titles_in(self.get(sort="title"))
        self.assertEqual(titles, sorted(titles))
        self.assertEqual(len(titles), 9)

        newest = titles_in(self.get(sort="-created"))
        self.assertEqual(newest[0], "Adopt the plugin API")

        closes = titles_in(self.get(sort="closes", state=State.VOTING))
        self.assertEqual(closes, ["Promote quasar to active"])

    def test_it_paginates_and_keeps_the_filters(self):
        for i in range(30):
            actions.do_create_proposal(
                actor=self.member, committee=self.committee, kind=Kind.OTHER, title=f"Bulk {i:02}"
            )

        first = self.get(q="Bulk", sort="title")
        second = self.get(q="Bulk", sort="title", page=2)

        self.assertEqual(titles_in(first), [f"Bulk {i:02}" for i in range(25)])
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, "q=Bulk&amp;sort=title&amp;page=2")
        self.assertEqual(titles_in(second), [f"Bulk {i:02}" for i in range(25, 30)])
        self.assertContains(second, "Page 2 of 2")
        self.assertEqual(titles_in(self.get(q="Bulk", sort="title", page=99)), titles_in(second))

    def test_it_reports_a_bad_filter_instead_of_ignoring_it(self):
        response = self.get(state="bogus", q="quasar")

        self.assertContains(response, "Select a valid choice. bogus is not one of the available")
        self.assertContains(response, "No proposal matches these filters.")
        self.assertEqual(titles_in(response), [])


class MeetingPagesTests(ReadPagesTestCase):
    def test_it_lists_meetings_per_committee(self):
        response = self.client.get(reverse("proposals:meeting_list"))

        self.assertContains(response, "Runtime PMC, week 12")
        self.assertContains(response, "Runtime PMC, week 14")

        response = self.client.get(
            reverse("proposals:meeting_list"), {"committee": self.other_committee.slug}
        )

        self.assertContains(response, "Meetings of Extensions")
        self.assertContains(response, "No meetings yet.")

    def test_it_paginates_and_keeps_the_committee(self):
        held = LIST_PAGE_SIZE + 10
        for i in range(held):
            make_meeting(self.other_committee, date=datetime.date(2015, 1, 1) + i * DAY)
        url = reverse("proposals:meeting_list")

        first = self.client.get(url, {"committee": self.other_committee.slug})
        second = self.client.get(url, {"committee": self.other_committee.slug, "page": 2})

        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, "committee=extensions&amp;page=2")
        self.assertContains(first, str(datetime.date(2015, 1, 1) + (held - 1) * DAY))
        self.assertContains(second, "Page 2 of 2")
        self.assertContains(second, "2015-01-01")
        self.assertNotContains(second, "Runtime PMC")

    def test_it_shows_sanitised_notes_and_the_proposals_that_came_up(self):
        response = self.client.get(self.meeting.get_absolute_url())

        self.assertContains(response, "<h1>Runtime PMC, week 12</h1>", html=True)
        self.assertContains(response, "<h2>Lattice</h2>", html=True)
        self.assertContains(response, "<em>lattice</em>", html=True)
        self.assertNotContains(response, "<script")
        self.assertNotContains(response, "alert(")
        self.assertNotContains(response, "javascript:")
        self.assertContains(response, "Proposals that came up")
        self.assertContains(response, "Move lattice to the attic")
        self.assertContains(response, "under “Lattice”")

    def test_it_says_when_no_proposal_came_up(self):
        response = self.client.get(self.next_meeting.get_absolute_url())

        self.assertContains(response, "No lifecycle proposals in this meeting.")


class ProjectPagesTests(ReadPagesTestCase):
    def test_it_lists_projects_with_former_names_and_filters_by_status(self):
        response = self.client.get(reverse("proposals:project_list"))

        self.assertContains(response, "lattice")
        self.assertContains(response, "nimbus")
        self.assertContains(response, "formerly cirrus")

        response = self.client.get(reverse("proposals:project_list"), {"status": "attic"})

        self.assertContains(response, "No projects.")

    def test_it_paginates_and_keeps_the_status(self):
        shown = LIST_PAGE_SIZE
        for i in range(shown + 10):
            make_project(self.other_committee, name=f"active-{i:02}", status="active")

        first = self.client.get(reverse("proposals:project_list"), {"status": "active"})
        second = self.client.get(reverse("proposals:project_list"), {"status": "active", "page": 2})

        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, "status=active&amp;page=2")
        self.assertContains(first, f"active-{shown - 1:02}")
        self.assertNotContains(first, f"active-{shown:02}")
        self.assertContains(second, f"active-{shown + 9:02}")
        self.assertNotContains(second, "lattice")

    def test_it_shows_a_projects_proposals_status_history_and_former_names(self):
        response = self.client.get(self.cirrus.get_absolute_url())

        self.assertContains(response, "<h1>nimbus")
        self.assertContains(response, "Rename cirrus to nimbus")
        self.assertContains(response, '<span class="badge state-completed">Completed</span>')
        self.assertContains(response, "renamed the project “cirrus” to “nimbus”.")
        self.assertContains(response, "<dt>Former names</dt><dd>cirrus</dd>", html=True)

    def test_it_links_only_web_repository_urls(self):
        response = self.client.get(self.project.get_absolute_url())

        self.assertContains(response, "Ada Lovelace")
        self.assertContains(response, 'href="https://example.org/lattice"')
        self.assertNotContains(response, 'href="javascript:')
        self.assertContains(response, "Move lattice to the attic")

    def test_it_shows_a_status_change_from_a_completed_proposal(self):
        attic = make_proposal(
            self.committee, self.member, state=State.COMPLETED, chair=self.chair, kind=Kind.ATTIC
        )
        self.assertEqual(attic.project.status, ProjectStatus.ATTIC)

        response = self.client.get(attic.project.get_absolute_url())

        self.assertContains(
            response,
            f"<strong>chair</strong> moved the project “{attic.project.name}” from proposed "
            "to attic.",
        )


def ids_shown(response) -> list[int]:
    """The numbers of the events in the audit page's table, in its order."""
    return [int(i) for i in re.findall(r"<tr>\s*<td>(\d+)</td>", response.content.decode())]


class AuditLogTests(ReadPagesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.old = actions.do_create_proposal(
            actor=cls.member,
            committee=cls.committee,
            kind=Kind.OTHER,
            title="An old idea",
            at=datetime.datetime(2020, 1, 10, 12, tzinfo=datetime.UTC),
        )
        actions.do_withdraw(
            proposal=cls.old, actor=cls.member, reason='=HYPERLINK("http://evil.example")'
        )

    def get(self, **params):
        return self.client.get(reverse("proposals:audit_log"), params)

    def download(self, fmt: str, **params):
        response = self.get(format=fmt, **params)
        self.assertEqual(response.status_code, 200)
        self.assertRegex(
            response["Content-Disposition"], rf'^attachment; filename="audit-[\d-]+\.{fmt}"$'
        )
        # A reader decodes as the headers say: UTF-8, with the CSV's byte-order mark.
        return b"".join(response.streaming_content).decode("utf-8-sig")

    def json_rows(self, **params) -> list[dict]:
        return json.loads(self.download("json", **params))

    def test_it_lists_events_newest_first(self):
        response = self.get()

        total = Event.objects.count()
        self.assertContains(response, f"{total} events")
        ids = [int(i) for i in re.findall(r"<tr>\s*<td>(\d+)</td>", response.content.decode())]
        self.assertEqual(ids, sorted(Event.objects.values_list("id", flat=True), reverse=True)[:50])
        self.assertContains(response, "vote.cast")
        self.assertContains(response, "Not before the security review")

    def test_it_filters_by_committee_proposal_actor_action_and_dates(self):
        cases = [
            ({"committee": self.other_committee.pk}, lambda row: row["committee"] == "Extensions"),
            ({"proposal": self.voting.pk}, lambda row: row["proposal"] == self.voting.pk),
            ({"actor": "FOREIGN_MEMBER"}, lambda row: row["actor"] == "foreign_member"),
            ({"action": "vote."}, lambda row: row["action"].startswith("vote.")),
            (
                {"date_from": "2020-01-01", "date_to": "2020-01-31"},
                lambda row: row["id"] == self.old.events.first().pk,
            ),
        ]
        for params, matches in cases:
            with self.subTest(params=params):
                rows = self.json_rows(**params)
                expected = [row for row in self.json_rows() if matches(row)]

                self.assertTrue(rows)
                self.assertEqual(rows, expected)
                response = self.get(**params)
                self.assertContains(response, f"{len(rows)} event")

    def test_it_shows_only_the_filtered_events_on_the_page(self):
        response = self.get(committee=self.other_committee.pk)

        self.assertContains(response, "Adopt the plugin API")
        self.assertNotContains(response, "Promote quasar to active")

        response = self.get(date_from="2020-01-01", date_to="2020-01-31")

        self.assertContains(response, "1 event ")
        self.assertContains(response, "An old idea")
        self.assertContains(response, "proposal.created")

    def test_it_paginates_and_keeps_the_filters_in_links(self):
        with transaction.atomic():
            for i in range(60):
                audit.record(
                    action="project.updated",
                    actor=SYSTEM,
                    committee=self.other_committee,
                    reason=f"correction {i}",
                )

        first = self.get(committee=self.other_committee.pk)
        ids = ids_shown(first)
        older = f"committee={self.other_committee.pk}&amp;before={ids[-1]}"
        second = self.get(committee=self.other_committee.pk, before=ids[-1])

        total = Event.objects.filter(committee=self.other_committee).count()
        self.assertGreater(total, 60)
        self.assertContains(first, f"{total} events")
        self.assertEqual(len(ids), 50)
        self.assertContains(first, older)
        self.assertNotContains(first, "Newer")
        self.assertContains(first, f"committee={self.other_committee.pk}&amp;format=csv")
        self.assertContains(first, "correction 59")
        self.assertNotContains(first, "correction 0<")
        self.assertContains(second, "correction 0<")
        self.assertEqual(len(ids_shown(second)), total - 50)
        self.assertNotContains(second, "Older")
        # Back to the newer events: the same page as the first.
        newer = ids_shown(second)[0]
        self.assertContains(second, f"committee={self.other_committee.pk}&amp;after={newer}")
        back = self.get(committee=self.other_committee.pk, after=newer)
        self.assertEqual(ids_shown(back), ids)
        self.assertContains(back, older)

    def test_a_page_filtered_by_dates_goes_by_the_time_events_are_about(self):
        base = datetime.datetime(2020, 2, 1, tzinfo=datetime.UTC)
        with transaction.atomic():
            for i in range(60):
                audit.record(
                    action="project.updated",
                    actor=SYSTEM,
                    committee=self.other_committee,
                    at=base + datetime.timedelta(hours=(i * 7) % 60),  # not in their order
                    reason=f"back-dated {i}",
                )
        dated = Event.objects.filter(at__gte=base, at__lt=base + datetime.timedelta(days=28))
        expected = list(dated.order_by("-at", "-id").values_list("id", flat=True))

        first = self.get(date_from="2020-02-01", date_to="2020-02-28")
        second = self.get(date_from="2020-02-01", date_to="2020-02-28", before=ids_shown(first)[-1])
        back = self.get(date_from="2020-02-01", date_to="2020-02-28", after=ids_shown(second)[0])

        self.assertEqual(len(expected), 60)
        self.assertContains(first, "newest first by the time each event is about")
        self.assertEqual(ids_shown(first) + ids_shown(second), expected)
        self.assertEqual(ids_shown(back), ids_shown(first))

    def test_a_dated_page_link_to_no_event_shows_the_newest_events_and_says_so(self):
        response = self.get(date_from="2020-01-01", before=10**9)

        self.assertContains(response, "That page link is not one this page made")
        newest = ids_shown(self.get(date_from="2020-01-01"))
        self.assertTrue(newest)
        self.assertEqual(ids_shown(response), newest)

    def test_a_page_link_it_did_not_make_shows_the_newest_events_and_says_so(self):
        response = self.get(before="yesterday")

        self.assertContains(response, "That page link is not one this page made")
        self.assertEqual(
            ids_shown(response),
            sorted(Event.objects.values_list("id", flat=True), reverse=True)[:50],
        )

    def test_it_downloads_csv_that_spreadsheets_read_as_utf_8(self):
        actions.do_defer(proposal=self.discussion, actor=self.chair, reason="Köper — 日本語")

        response = self.get(format="csv")
        content = b"".join(response.streaming_content)

        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertTrue(content.startswith("\ufeff".encode()))
        self.assertIn("Köper — 日本語".encode(), content)

    def test_it_downloads_csv(self):
        rows = list(csv.DictReader(io.StringIO(self.download("csv"))))

        self.assertEqual(len(rows), Event.objects.count())
        self.assertEqual(
            list(rows[0]),
            [
                "id",
                "recorded_at",
                "at",
                "actor",
                "action",
                "committee",
                "proposal",
                "project",
                "from_state",
                "to_state",
                "reason",
                "payload",
                "hash",
                "prev_hash",
            ],
        )
        self.assertEqual([int(r["id"]) for r in rows], sorted(int(r["id"]) for r in rows))
        vote = next(r for r in rows if r["reason"] == "Not before the security review")
        self.assertEqual(vote["action"], "vote.cast")
        self.assertEqual(vote["actor"], "other_member")
        self.assertEqual(json.loads(vote["payload"])["to"], -1)
        event = Event.objects.get(pk=vote["id"])
        self.assertEqual(vote["hash"], event.hash)
        self.assertEqual(datetime.datetime.fromisoformat(vote["at"]), event.at)
        self.assertEqual(datetime.datetime.fromisoformat(vote["recorded_at"]), event.recorded_at)
        withdrawn = next(
            r for r in rows if r["action"] == "proposal.withdraw" and "HYPERLINK" in r["reason"]
        )
        self.assertEqual(withdrawn["reason"], '\'=HYPERLINK("http://evil.example")')

    def test_it_downloads_filtered_csv(self):
        rows = list(csv.DictReader(io.StringIO(self.download("csv", proposal=self.voting.pk))))

        self.assertEqual(len(rows), self.voting.events.count())
        self.assertEqual({r["proposal"] for r in rows}, {str(self.voting.pk)})

    def test_it_downloads_json(self):
        rows = self.json_rows()

        self.assertEqual(len(rows), Event.objects.count())
        first = Event.objects.order_by("id").first()
        self.assertEqual(rows[0]["id"], first.pk)
        self.assertEqual(rows[0]["hash"], first.hash)
        self.assertEqual(rows[0]["prev_hash"], "0" * 64)
        for earlier, later in zip(rows, rows[1:], strict=False):
            self.assertEqual(later["prev_hash"], earlier["hash"])
        start = next(r for r in rows if r["action"] == "proposal.start_vote")
        self.assertEqual(start["from_state"], "discussion")
        self.assertEqual(start["to_state"], "voting")
        self.assertEqual(start["committee"], "Runtime")
        self.assertIn("eligible", start["payload"])

    def test_it_reports_a_bad_filter_instead_of_ignoring_it(self):
        response = self.get(date_from="last tuesday", action="vote.")

        self.assertContains(response, "Enter a valid date.")
        self.assertContains(response, "No events match.")
        self.assertEqual(self.json_rows(date_from="last tuesday"), [])
        rows = list(csv.DictReader(io.StringIO(self.download("csv", proposal="abc"))))
        self.assertEqual(rows, [])

    def test_it_says_when_the_chain_was_never_verified(self):
        response = self.get()

        self.assertContains(response, "No verification signed by the key yet.")
        self.assertNotContains(response, "Verify now")

    def test_it_lets_only_staff_verify_the_chain_on_demand(self):
        self.client.force_login(self.member)

        response = self.client.post(reverse("proposals:verify_audit"))

        self.assertContains(response, "Only staff may verify", status_code=403)
        self.assertFalse(AuditCheck.objects.exists())

    def test_it_verifies_the_chain_now(self):
        self.outsider.is_staff = True
        self.outsider.save()
        self.client.force_login(self.outsider)

        response = self.client.post(reverse("proposals:verify_audit"), follow=True)

        # The request only queues the work: nothing is verified until the job runs.
        self.assertRedirects(response, reverse("proposals:audit_log"))
        self.assertContains(response, "being verified in the background")
        self.assertContains(response, "A verification is running in the background")
        self.assertFalse(AuditCheck.objects.exists())
        audit_jobs.run(AuditJob.objects.get(kind=AuditJob.Kind.VERIFY).pk)

        response = self.get()
        total = Event.objects.count()
        self.assertNotContains(response, "A verification is running")
        self.assertContains(response, "Verified</strong>")
        self.assertContains(response, f"{total} events: chain, seals, checkpoints and rows checked")
        check = AuditCheck.objects.get()
        self.assertTrue(check.ok)
        self.assertEqual(check.head, Event.objects.order_by("id").last().hash)

    def test_it_shows_a_broken_chain(self):
        edited = Event.objects.order_by("id")[2]
        audit_triggers.uninstall(connection)
        try:
            Event.objects.filter(pk=edited.pk).update(reason="rewritten")
        finally:
            audit_triggers.install(connection)
        verification.verify_and_store()

        response = self.get()

        self.assertContains(response, "Verification failed")
        self.assertContains(response, f"event #{edited.pk} was edited")

    def test_it_asks_anonymous_visitors_to_sign_in_to_verify(self):
        url = reverse("proposals:verify_audit")

        response = self.client.post(url)

        self.assertRedirects(response, redirect_to_login(url).url, fetch_redirect_response=False)
        self.assertFalse(AuditCheck.objects.exists())
        self.client.force_login(self.member)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertFalse(AuditCheck.objects.exists())


class MembersOnlyReadingTests(ReadPagesTestCase):
    @override_settings(PMC_PUBLIC_READ=False)
    def test_it_sends_anonymous_readers_to_sign_in(self):
        urls = [
            *self.read_urls(),
            reverse("proposals:audit_log") + "?format=csv",
            reverse("proposals:audit_log") + "?format=json",
            reverse("proposals:list") + "?state=voting&sort=title",
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertRedirects(
                    response, redirect_to_login(url).url, fetch_redirect_response=False
                )
                self.assertNotContains(response, "Promote quasar", status_code=302)

    @override_settings(PMC_PUBLIC_READ=False)
    def test_it_lets_members_of_any_committee_read(self):
        for who in ("foreign_member", "member"):
            self.as_reader(who)
            for url in self.read_urls():
                with self.subTest(reader=who, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    @override_settings(PMC_PUBLIC_READ=False)
    def test_it_refuses_signed_in_readers_without_a_seat(self):
        self.as_reader("outsider")
        for url in self.read_urls():
            with self.subTest(url=url):
                response = self.client.get(url)

                self.assertContains(response, "for members of a committee", status_code=403)

    def test_it_lets_anyone_read_by_default(self):
        response = self.client.get(self.voting.get_absolute_url())

        self.assertContains(response, "Promote quasar to active")


class SignInTests(LifecycleTestCase):
    def test_it_signs_in_and_out(self):
        login = reverse("login")
        page = self.client.get(login)
        self.assertContains(page, "<h1>Sign in</h1>", html=True)

        response = self.client.post(login, {"username": "member", "password": "pw"})

        self.assertRedirects(response, reverse("proposals:home"))
        home = self.client.get(reverse("proposals:home"))
        self.assertContains(home, "Sign out")
        self.assertContains(home, "What needs your attention")

        response = self.client.post(reverse("logout"))

        self.assertRedirects(response, reverse("proposals:home"))
        home = self.client.get(reverse("proposals:home"))
        self.assertContains(home, "Sign in")
        self.assertNotContains(home, "Sign out")

    def test_it_returns_to_the_page_that_asked_for_sign_in(self):
        url = reverse("proposals:create")

        response = self.client.post(
            reverse("login"), {"username": "member", "password": "pw", "next": url}
        )

        self.assertRedirects(response, url)

    def test_it_refuses_a_wrong_password(self):
        response = self.client.post(reverse("login"), {"username": "member", "password": "nope"})

        self.assertContains(response, "Please enter a correct username and password")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_escapes_the_next_address(self):
        response = self.client.get(reverse("login"), {"next": '"><script>alert(1)</script>'})

        self.assertNotContains(response, "<script>alert(1)")
        self.assertContains(response, escape('"><script>alert(1)</script>'))


class PeopleOnThePageTests(LifecycleTestCase):
    def test_a_checklist_item_without_an_owner_reads_no_owner_and_an_owner_by_full_name(self):
        proposal = make_proposal(
            self.committee, self.member, kind=Kind.ATTIC, state=State.ACCEPTED, chair=self.chair
        )
        self.member.first_name, self.member.last_name = "Dies", "Köper"
        self.member.save()
        first, *rest = proposal.checklist.order_by("position")
        first.owner = self.member
        first.save()
        proposal.checklist.exclude(pk=first.pk).update(owner=None)
        self.client.force_login(self.member)

        response = self.client.get(proposal.get_absolute_url())

        self.assertContains(response, "· Dies Köper")
        self.assertContains(response, "· no owner", count=len(rest))
