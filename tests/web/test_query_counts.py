"""The list, detail, meeting, project, home and audit pages run as many SQL queries for a
database of hundreds of proposals, votes and events as for a nearly empty one."""

from __future__ import annotations

import datetime
import json

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmc.models import Role, TeamReport
from proposals import actions, audit, verification
from proposals.actors import IMPORT, SYSTEM
from proposals.models import Event, Notification, NotificationKind, Proposal, Vote
from proposals.states import Kind, State
from proposals.views import paging
from proposals.views.pages import HOME_SHOWN
from tests.base import LifecycleTestCase
from tests.factories import (
    make_committee,
    make_meeting,
    make_member,
    make_project,
    make_proposal,
    make_user,
)

# No page should come near this; the real check is that the count does not grow.
MAX_QUERIES = 30
READERS = ("anonymous", "outsider", "member", "chair")


class QueryCountTestCase(LifecycleTestCase):
    def sign_in(self, who: str) -> None:
        if who == "anonymous":
            self.client.logout()
        else:
            self.client.force_login(getattr(self, who))

    def fetch(self, url: str):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        if response.streaming:
            b"".join(response.streaming_content)
        return response

    def queries(self, url: str, who: str) -> int:
        self.sign_in(who)
        self.fetch(url)
        with CaptureQueriesContext(connection) as context:
            self.fetch(url)
        return len(context.captured_queries)

    def measure(self, urls: list[str], readers=READERS) -> dict[tuple[str, str], int]:
        return {(url, who): self.queries(url, who) for url in urls for who in readers}

    maxDiff = None

    def assertSameQueries(self, small: dict, large: dict) -> None:
        self.assertEqual(small, large)
        self.assertLessEqual(max(large.values()), MAX_QUERIES, large)

    def drafts(self, count: int, committee=None, project=None, prefix: str = "Draft") -> list:
        committee = committee or self.committee
        proposer = self.member if committee == self.committee else self.foreign_member
        return [
            actions.do_create_proposal(
                actor=proposer,
                committee=committee,
                kind=Kind.ATTIC if project else Kind.OTHER,
                title=f"{prefix} {i}",
                body=f"Body of {prefix.lower()} {i}, with *markdown*.",
                project=project,
            )
            for i in range(count)
        ]

    def make(self, state: str, committee=None, **fields) -> Proposal:
        committee = committee or self.committee
        proposer = self.member if committee == self.committee else self.foreign_member
        chair = self.chair if committee == self.committee else None
        return make_proposal(committee, proposer, state=state, chair=chair, **fields)

    def extra_events(self, count: int, proposal=None, project=None, committee=None) -> None:
        committee = committee or (proposal.committee if proposal else self.committee)
        with transaction.atomic():
            for i in range(count):
                audit.record(
                    action="proposal.meeting_linked" if proposal else "project.updated",
                    actor=IMPORT,
                    committee=committee,
                    proposal=proposal,
                    project=project or (proposal.project if proposal else None),
                    reason=f"imported note {i}",
                    payload={"from": "a", "to": "b", "name": "x"},
                )


class ProposalListQueriesTests(QueryCountTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = make_project(self.committee, name="lattice")

    def urls(self) -> list[str]:
        base = reverse("proposals:list")
        newest = Proposal.objects.order_by("-updated_at", "-pk")
        later = Proposal(pk=10**9, updated_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
        return [
            base,
            f"{base}?sort=title",
            f"{base}?committee={self.committee.pk}&state=draft&q=draft&sort=-created",
            f"{base}?page=2",
            f"{base}?project={self.project.name}&committee={self.committee.pk}",
            # From a point later than every row: a cursor page of the newest proposals.
            f"{base}?after={paging.cursor_of(newest, later)}",
        ]

    def test_it_lists_proposals_in_a_constant_number_of_queries(self):
        for state in (State.VOTING, State.ACCEPTED):
            self.make(state)
        self.drafts(2)
        small = self.measure(self.urls())

        self.drafts(250)
        self.drafts(50, committee=self.other_committee)
        for state in (State.DISCUSSION, State.VOTING, State.ACCEPTED, State.COMPLETED):
            for _ in range(5):
                self.make(state)
        large = self.measure(self.urls())

        self.assertSameQueries(small, large)
        self.assertGreater(Proposal.objects.count(), 300)
        self.assertContains(self.client.get(reverse("proposals:list")), "Page 1 of 13")


class ProposalDetailQueriesTests(QueryCountTestCase):
    def two_rounds(self, voters: list) -> Proposal:
        """A proposal whose first vote was stopped and whose second vote is open, with a
        ballot from each of `voters` in both rounds."""
        proposal = self.make(State.VOTING)
        for voter in voters:
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1)
        actions.do_return_to_discussion(proposal=proposal, actor=self.chair)
        actions.do_start_vote(proposal=proposal, actor=self.chair)
        for i, voter in enumerate(voters):
            value = (1, 0, -1)[i % 3]
            actions.do_cast_vote(
                proposal=proposal, actor=voter, value=value, reason="not yet" if value == -1 else ""
            )
        return proposal

    def mention(self, proposal: Proposal, count: int, start: datetime.date) -> None:
        for i in range(count):
            meeting = make_meeting(proposal.committee, date=start + datetime.timedelta(days=i))
            actions.do_link_meeting(
                proposal=proposal,
                meeting=meeting,
                actor=IMPORT,
                section="Lifecycle",
                excerpt=f"It came up again ({i}).",
            )

    def urls(self, *proposals) -> list[str]:
        return [p.get_absolute_url() for p in proposals]

    def test_it_shows_a_vote_in_a_constant_number_of_queries(self):
        small_vote = self.two_rounds([self.other_member])
        self.mention(small_vote, 1, datetime.date(2017, 1, 1))
        small = self.measure(self.urls(small_vote))

        voters = [make_member(self.committee) for _ in range(60)]
        big_vote = self.two_rounds([self.other_member, *voters])
        latecomers = [make_member(self.committee) for _ in range(20)]
        for voter in latecomers:
            actions.do_cast_vote(proposal=big_vote, actor=voter, value=1)
        self.mention(big_vote, 30, datetime.date(2018, 1, 1))
        self.extra_events(200, proposal=big_vote)
        self.drafts(100)
        large = self.measure(self.urls(big_vote, small_vote))

        self.assertSameQueries(
            small
            | {
                (big_vote.get_absolute_url(), who): small[(small_vote.get_absolute_url(), who)]
                for who in READERS
            },
            large,
        )
        self.assertEqual(Vote.objects.filter(proposal=big_vote).count(), 61 + 61 + 20)
        self.assertGreater(big_vote.events.count(), 350)
        page = self.client.get(big_vote.get_absolute_url())
        self.assertContains(page, "not yet voted: 3 of 64")
        self.assertContains(page, "(non-binding)", count=20 + 20)

    def test_it_shows_a_closed_vote_in_a_constant_number_of_queries(self):
        everyone = [self.other_member, self.member, self.third_member, self.chair]
        small_vote = self.two_rounds(everyone)  # +1, 0, -1, +1: accepted
        small_vote.refresh_from_db()
        actions.do_close_vote(proposal=small_vote, actor=SYSTEM, at=small_vote.closes_at)
        small = self.measure(self.urls(small_vote))

        voters = [make_member(self.committee) for _ in range(60)]
        big_vote = self.two_rounds([*everyone, *voters])  # 22 +1, 21 -1: accepted
        for voter in [make_member(self.committee) for _ in range(20)]:
            actions.do_cast_vote(proposal=big_vote, actor=voter, value=1)
        big_vote.refresh_from_db()
        actions.do_close_vote(proposal=big_vote, actor=SYSTEM, at=big_vote.closes_at)
        self.extra_events(200, proposal=big_vote)
        large = self.measure(self.urls(big_vote, small_vote))

        self.assertSameQueries(
            small
            | {
                (big_vote.get_absolute_url(), who): small[(small_vote.get_absolute_url(), who)]
                for who in READERS
            },
            large,
        )
        page = self.client.get(big_vote.get_absolute_url())
        self.assertContains(page, "Accepted: +1 22, −1 21, 0 21; quorum 33 of 64 reached.")
        self.assertContains(page, "Non-binding (not counted): +1 20, −1 0, 0 0.")

    def test_it_shows_an_accepted_proposal_in_a_constant_number_of_queries(self):
        accepted = self.make(State.ACCEPTED, condition="after the release")
        small = self.measure(self.urls(accepted), readers=(*READERS, "third_member"))

        self.extra_events(300, proposal=accepted)
        self.mention(accepted, 20, datetime.date(2019, 1, 1))
        for _ in range(10):
            self.make(State.ACCEPTED)
        large = self.measure(self.urls(accepted), readers=(*READERS, "third_member"))

        self.assertSameQueries(small, large)


class MeetingQueriesTests(QueryCountTestCase):
    def meeting_with(self, count: int, date: datetime.date):
        meeting = make_meeting(self.committee, date=date, notes="## Notes\n\n* one\n* two")
        for i, proposal in enumerate(self.drafts(count, prefix=f"Raised {date}")):
            actions.do_link_meeting(
                proposal=proposal,
                meeting=meeting,
                actor=IMPORT,
                section=f"Item {i}",
                excerpt=f"Line {i}",
            )
        TeamReport.objects.bulk_create(
            TeamReport(meeting=meeting, position=i, team=f"Team {i}", lead=f"Lead {i}")
            for i in range(count)
        )
        return meeting

    def test_it_shows_meetings_in_a_constant_number_of_queries(self):
        small_meeting = self.meeting_with(1, datetime.date(2017, 5, 16))
        urls = [reverse("proposals:meeting_list"), small_meeting.get_absolute_url()]
        small = self.measure(urls)

        big_meeting = self.meeting_with(120, datetime.date(2017, 5, 30))
        for i in range(80):
            make_meeting(self.committee, date=datetime.date(2016, 1, 1) + datetime.timedelta(i))
            make_meeting(
                self.other_committee, date=datetime.date(2016, 1, 1) + datetime.timedelta(i)
            )
        large = self.measure([*urls, big_meeting.get_absolute_url()])

        self.assertSameQueries(
            small
            | {(big_meeting.get_absolute_url(), who): small[(urls[1], who)] for who in READERS},
            large,
        )
        page = self.client.get(big_meeting.get_absolute_url())
        self.assertContains(page, "Team 119")
        self.assertContains(page, "under “Item 119”")


class ProjectQueriesTests(QueryCountTestCase):
    def project_with(self, name: str, proposals: int, changes: int):
        project = make_project(self.committee, name=name)
        self.drafts(proposals, project=project, prefix=f"About {name}")
        for i in range(changes):
            actions.do_update_project(project=project, actor=self.chair, lead=f"Lead {i}")
        return project

    def test_it_shows_projects_in_a_constant_number_of_queries(self):
        small_project = self.project_with("small", 1, 1)
        urls = [reverse("proposals:project_list"), small_project.get_absolute_url()]
        small = self.measure(urls)

        big_project = self.project_with("big", 150, 60)
        for i in range(100):
            make_project(self.committee if i % 2 else self.other_committee, name=f"p{i:03}")
        completed = self.make(State.COMPLETED, project=big_project)
        self.assertEqual(completed.project, big_project)
        large = self.measure([*urls, big_project.get_absolute_url()])

        self.assertSameQueries(
            small
            | {(big_project.get_absolute_url(), who): small[(urls[1], who)] for who in READERS},
            large,
        )
        page = self.client.get(big_project.get_absolute_url())
        self.assertContains(page, "About big 149")
        self.assertContains(page, "moved the project “big” from proposed to attic.")
        # The newest 50 changes, not all 62: the audit log holds the rest.
        self.assertContains(page, "corrected the project “big”: lead from", count=49)
        self.assertContains(page, "The newest 50 changes are shown")
        self.assertContains(page, "All 151 proposals about big")


class HomeQueriesTests(QueryCountTestCase):
    def test_it_shows_the_home_page_in_a_constant_number_of_queries(self):
        for state in (State.DISCUSSION, State.VOTING, State.ACCEPTED):
            self.make(state)
        self.make(State.DISCUSSION, committee=self.other_committee)
        make_meeting(self.committee, date=timezone.localdate() - datetime.timedelta(days=3))
        url = reverse("proposals:home")
        readers = (*READERS, "foreign_member", "third_member")
        small = self.measure([url], readers)

        for state in (State.DISCUSSION, State.VOTING, State.ACCEPTED):
            for _ in range(25):
                proposal = self.make(state)
                if state == State.VOTING:
                    actions.do_cast_vote(proposal=proposal, actor=self.third_member, value=1)
            for _ in range(5):
                self.make(state, committee=self.other_committee)
        self.drafts(100)
        for i in range(8):
            committee = make_committee(f"Committee {i}")
            make_member(committee, self.member)
            make_member(committee, make_user(f"chair{i}"))
            for state in (State.DISCUSSION, State.VOTING):
                make_proposal(committee, self.member, state=state)
            for days in (-10, -3, 4, 11):
                make_meeting(committee, date=timezone.localdate() + datetime.timedelta(days))
        large = self.measure([url], readers)

        self.assertSameQueries(small, large)
        self.sign_in("member")
        page = self.client.get(url)
        self.assertContains(page, "Committee 7")
        # 26 open votes in Runtime: the home page shows the first few and links to all.
        self.assertContains(page, "your vote is missing", count=HOME_SHOWN + 8)
        self.assertContains(
            page, f'?committee={self.committee.pk}&amp;state=voting">All open votes of Runtime'
        )


class AuditLogQueriesTests(QueryCountTestCase):
    def urls(self) -> list[str]:
        base = reverse("proposals:audit_log")
        return [
            base,
            # Pages in the middle of the log, older and newer than a given event, the
            # same events in both sizes (the URLs are the measures' keys).
            f"{base}?before=100",
            f"{base}?after=50",
            f"{base}?committee={self.committee.pk}&action=proposal.",
            f"{base}?actor=member&date_from=2000-01-01",
            f"{base}?format=csv",
            f"{base}?format=json&committee={self.committee.pk}",
        ]

    def test_it_shows_and_downloads_the_log_in_a_constant_number_of_queries(self):
        for state in (State.VOTING, State.COMPLETED):
            self.make(state)
        # Enough that the second page, as in the large log, holds no events about the
        # people's accounts, whose lines look their names up (one query more).
        self.drafts(100)
        self.client.force_login(self.member)
        verification.verify_and_store()
        small = self.measure(self.urls())

        proposals = self.drafts(100) + [self.make(State.ACCEPTED) for _ in range(10)]
        for proposal in proposals[::10]:
            self.extra_events(30, proposal=proposal)
        self.extra_events(200, project=make_project(self.other_committee))
        verification.verify_and_store()
        large = self.measure(self.urls())

        self.assertSameQueries(small, large)
        self.assertGreater(Event.objects.count(), 700)
        self.sign_in("anonymous")
        response = self.client.get(reverse("proposals:audit_log") + "?format=json")
        rows = json.loads(b"".join(response.streaming_content))
        self.assertEqual(len(rows), Event.objects.count())


class NotificationsQueriesTests(QueryCountTestCase):
    def notify(self, count: int, user) -> None:
        proposal = self.make(State.VOTING)
        Notification.objects.bulk_create(
            Notification(
                key=f"test:{user.pk}:{proposal.pk}:{i}",
                user=user,
                kind=(NotificationKind.REMINDER, NotificationKind.DIGEST)[i % 2],
                proposal=proposal if i % 2 == 0 else None,
                subject=f"Notification {i}",
                body=f"Body {i}",
            )
            for i in range(count)
        )

    def test_it_lists_notifications_in_a_constant_number_of_queries(self):
        self.notify(2, self.member)
        self.notify(1, self.chair)
        url = reverse("proposals:notifications")
        urls = [url, f"{url}?page=2"]
        readers = ("outsider", "member", "chair")
        small = self.measure(urls, readers)

        self.notify(300, self.member)
        self.notify(50, self.chair)
        Notification.objects.filter(user=self.member, pk__lte=100).mark_read()
        large = self.measure(urls, readers)

        self.assertSameQueries(small, large)
        self.sign_in("member")
        page = self.client.get(url)
        self.assertContains(page, "Page 1 of 13")
        unread = Notification.objects.filter(user=self.member).unread().count()
        self.assertGreater(unread, 150)
        self.assertContains(page, f'<span class="unread-count">{unread}<')


class HomeTodosQueriesTests(QueryCountTestCase):
    def everything(self, count: int) -> None:
        """`count` proposals waiting for the chair in each way, and items the member owns."""
        for _ in range(count):
            voted = self.make(State.VOTING)
            for voter in (self.chair, self.member, self.other_member, self.third_member):
                actions.do_cast_vote(proposal=voted, actor=voter, value=1)
            self.make(State.DISCUSSION)
            self.make(State.ACCEPTED)
            self.make(State.DEFERRED)
        self.drafts(count)

    def test_it_shows_the_chairs_to_dos_in_a_constant_number_of_queries(self):
        self.committee.discussion_days = 0
        self.committee.save(update_fields=["discussion_days"])
        self.everything(1)
        url = reverse("proposals:home")
        readers = ("chair", "member", "outsider")
        small = self.measure([url], readers)

        self.everything(30)
        for i in range(3):
            committee = make_committee(f"Chaired {i}")
            make_member(committee, self.chair, role=Role.CHAIR)
            make_member(committee, self.member)
            make_proposal(committee, self.member, state=State.DISCUSSION)
            make_proposal(committee, self.member, state=State.DEFERRED)
        large = self.measure([url], readers)

        self.assertSameQueries(small, large)
        self.sign_in("chair")
        page = self.client.get(url)
        self.assertContains(page, "every eligible member has voted", count=31)
        self.assertContains(page, "Your to-dos as chair of Chaired 2")
        self.assertContains(page, "All 31 drafts of Runtime")
        self.sign_in("member")
        self.assertContains(self.client.get(url), "Your checklist items")


class FilingQueriesTests(QueryCountTestCase):
    """The new-proposal pages: the kind, the form of each kind, its preview with the open
    proposals it warns about, and the chair's add-project form."""

    def counts(self) -> dict[str, int]:
        pages = [reverse("proposals:create")] + [
            f"{reverse('proposals:create')}?kind={kind}" for kind in Kind.values
        ]
        counts = {url: self.queries(url, "chair") for url in pages}
        add = f"{reverse('proposals:project_create')}?committee={self.committee.pk}&kind=attic"
        counts[add] = self.queries(add, "chair")
        preview = {
            "committee": self.committee.pk,
            "kind": Kind.ATTIC,
            "title": "Retire it",
            "project": self.project.pk,
            "body": "*soon*",
            "preview": "1",
        }
        with CaptureQueriesContext(connection) as context:
            response = self.client.post(reverse("proposals:create"), preview)
        self.assertContains(response, "already has an open proposal of this kind")
        counts["preview"] = len(context.captured_queries)
        return counts

    def test_it_shows_the_filing_pages_in_a_constant_number_of_queries(self):
        self.project = make_project(self.committee, name="target")
        self.drafts(1, project=self.project)
        small = self.counts()

        self.drafts(30, project=self.project)
        for i in range(100):
            make_project(self.committee if i % 2 else self.other_committee, name=f"p{i:03}")
        large = self.counts()

        self.assertSameQueries(small, large)


class RevisionQueriesTests(QueryCountTestCase):
    def edited(self, edits: int) -> Proposal:
        proposal = self.make(State.DISCUSSION, body="First text.\n\nWith two paragraphs.")
        for i in range(edits):
            actions.do_edit_proposal(
                proposal=proposal,
                actor=self.member if i % 2 else self.chair,
                title=f"Title {i}",
                body=f"Text {i}.\n\n" + "A long paragraph that stays.\n\n" * 50,
                reason=f"Edit {i}.",
            )
            actions.do_edit_proposal(proposal=proposal, actor=self.member, proposing_team=f"T{i}")
        return proposal

    def urls(self, proposal: Proposal) -> list[str]:
        return [
            reverse("proposals:revision_list", args=[proposal.pk]),
            reverse("proposals:revision_detail", args=[proposal.pk, 1]),
            reverse("proposals:revision_detail", args=[proposal.pk, 2]),
            reverse("proposals:revision_changes", args=[proposal.pk, 2]),
        ]

    def test_it_shows_revisions_and_their_changes_in_a_constant_number_of_queries(self):
        small_proposal = self.edited(1)
        small_urls = self.urls(small_proposal)
        small = self.measure(small_urls)

        big_proposal = self.edited(40)
        self.extra_events(100, proposal=big_proposal)
        self.drafts(50)
        big_urls = self.urls(big_proposal)
        large = self.measure(big_urls)

        self.assertSameQueries(
            {(small_urls.index(url), who): n for (url, who), n in small.items()},
            {(big_urls.index(url), who): n for (url, who), n in large.items()},
        )
        page = self.client.get(reverse("proposals:revision_list", args=[big_proposal.pk]))
        self.assertContains(page, "Revision 41")


class HistoryNamingPeopleQueriesTests(QueryCountTestCase):
    """Sentences that name people besides the actor (a link suggestion's author, a seat's
    holder) read them in one query, however many such events a page shows."""

    def suggest_and_confirm(self, count: int, start: datetime.date) -> Proposal:
        other_chair = make_member(self.other_committee, make_user(), role="chair")
        proposal = self.make(State.DISCUSSION)
        for i in range(count):
            meeting = make_meeting(self.other_committee, date=start + datetime.timedelta(days=i))
            suggestion, _ = actions.do_suggest_meeting_link(
                meeting=meeting, proposal=proposal, actor=other_chair
            )
            actions.do_decide_link_suggestion(
                suggestion=suggestion, actor=self.chair, accept=bool(i % 2)
            )
            actions.do_add_member(committee=self.committee, user=make_user(), actor=self.chair)
        return proposal

    def test_it_names_them_in_a_constant_number_of_queries(self):
        small_proposal = self.suggest_and_confirm(1, datetime.date(2017, 1, 1))
        audit_url = reverse("proposals:audit_log")
        small = self.measure([audit_url, small_proposal.get_absolute_url()])

        big_proposal = self.suggest_and_confirm(30, datetime.date(2018, 1, 1))
        large = self.measure([audit_url, big_proposal.get_absolute_url()])

        self.assertSameQueries(
            {(url if url == audit_url else "detail", who): n for (url, who), n in small.items()},
            {(url if url == audit_url else "detail", who): n for (url, who), n in large.items()},
        )


class SearchQueriesTests(QueryCountTestCase):
    """Two queries per kind of result (its count and its rows), however many match."""

    def urls(self) -> list[str]:
        base = reverse("proposals:search")
        return [
            f"{base}?q=airship",
            f"{base}?q=airship&type=proposals",
            f"{base}?q=airship&type=meetings&page=2",
            f"{base}?q=airship&type=projects",
            f"{base}?q=airship&type=team_reports",
            f"{base}?q=airship+-zeppelin",
        ]

    def airships(self, count: int, start: datetime.date) -> None:
        self.drafts(count, prefix="Airship")
        for i in range(count):
            meeting = make_meeting(
                self.committee,
                date=start + datetime.timedelta(days=i),
                notes=f"## Airships\n\nThe airship {i} flew.",
            )
            TeamReport.objects.create(meeting=meeting, team=f"Airship {i}", body="An airship.")
            make_project(self.other_committee, name=f"airship-{start:%Y}-{i}")

    def test_it_searches_in_a_constant_number_of_queries(self):
        self.airships(1, datetime.date(2017, 1, 1))
        small = self.measure(self.urls())

        self.airships(60, datetime.date(2018, 1, 1))
        self.drafts(50, prefix="Zeppelin")
        large = self.measure(self.urls())

        self.assertSameQueries(small, large)
        page = self.client.get(self.urls()[0])
        self.assertContains(page, "Proposals (61)")
        self.assertContains(page, "All 61 team reports found")


class CommitteeQueriesTests(QueryCountTestCase):
    def test_it_shows_a_committee_in_a_constant_number_of_queries(self):
        self.make(State.VOTING)
        self.drafts(1)
        make_meeting(self.committee, date=datetime.date(2017, 5, 16))
        url = reverse("proposals:committee", args=[self.committee.slug])
        small = self.measure([url])

        for state in (State.DISCUSSION, State.VOTING, State.ACCEPTED, State.DEFERRED):
            for _ in range(10):
                self.make(state)
        self.drafts(80)
        for i in range(30):
            make_member(self.committee)
            make_member(self.committee, ended_on=timezone.localdate(), role="chair")
            make_meeting(self.committee, date=datetime.date(2018, 1, 1) + datetime.timedelta(i))
            # Pending invitations, listed for the chair with who sent each.
            inviter = make_member(self.committee, role="chair")
            actions.do_invite(committee=self.committee, email=f"p{i}@example.net", actor=inviter)
        large = self.measure([url])

        self.assertSameQueries(small, large)
        page = self.client.get(url)
        self.assertContains(page, 'Open proposals <span class="muted">(122)</span>')
        self.assertContains(page, 'Members <span class="muted">(64)</span>')


class ProposalCsvQueriesTests(QueryCountTestCase):
    def urls(self) -> list[str]:
        base = reverse("proposals:list")
        return [
            f"{base}?format=csv",
            f"{base}?committee={self.committee.pk}&state=draft&q=draft&sort=title&format=csv",
        ]

    def test_it_downloads_the_list_in_a_constant_number_of_queries(self):
        self.make(State.VOTING)
        self.drafts(2)
        small = self.measure(self.urls())

        self.drafts(300)
        self.drafts(30, committee=self.other_committee)
        large = self.measure(self.urls())

        self.assertSameQueries(small, large)
        lines = b"".join(self.client.get(self.urls()[0]).streaming_content).splitlines()
        self.assertEqual(len(lines), 1 + 333)
