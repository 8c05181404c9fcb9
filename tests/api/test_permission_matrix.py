"""The site's permission table (`tests.permission_table`), cell for cell, through the
API: every transition, vote, recusal, filing, edit and comment, sent by each actor with a
token of their own (none for the anonymous visitor). Allowed cells change the proposal
and write the event; refused ones answer 401 (anonymous) or 403 with the same reason the
site's 403 page gives, as problem details, and change nothing."""

from __future__ import annotations

import datetime

from pmc.models import Membership
from proposals import actions
from proposals.models import Comment, Event, Proposal, Vote
from proposals.states import Kind, State
from tests.api.base import ApiTestCase
from tests.factories import make_proposal, make_user
from tests.permission_table import (
    ACTORS,
    BALLOT_REFUSAL,
    BALLOTS,
    COMMENT_REFUSAL,
    COMMENTERS,
    DISCUSSION_ACTORS,
    EDIT_REFUSAL,
    EDITORS,
    FILERS,
    FILING_ELSEWHERE,
    FILING_REFUSAL,
    TRANSITIONS,
    VOTERS,
    EveryTransitionMixin,
    MatrixCasesMixin,
)


class MatrixTestCase(MatrixCasesMixin, ApiTestCase):
    def headers(self, who: str) -> dict:
        return self.bearer(self.actor(who))

    def assertAnonymousRefused(self, response) -> None:
        self.assertProblem(response, 401, "Sign in first")


class TransitionMatrixTests(EveryTransitionMixin, MatrixTestCase):
    def send_transition(self, name: str, proposal: Proposal, who: str):
        data = {"expected_state": proposal.state, "reason": f"{who} says so"}
        if name == "decide":
            data |= {"meeting": self.meeting.pk, "accepted": True}
        url = f"/api/proposals/{proposal.pk}/transitions/{name}/"
        return self.post(url, data, **self.headers(who))

    def check_matrix(self, name: str) -> None:
        source, target, allowed, who_may = TRANSITIONS[name]
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.ready(name)
                events = list(proposal.events.values_list("id", flat=True))

                response = self.send_transition(name, proposal, who)

                proposal.refresh_from_db()
                new_events = proposal.events.exclude(id__in=events)
                if who == "anonymous":
                    self.assertAnonymousRefused(response)
                elif who in allowed:
                    self.assertEqual(response.status_code, 200, response.content)
                    self.assertEqual(response.json()["state"], target)
                    self.assertEqual(proposal.state, target)
                    event = new_events.get(action=f"proposal.{name}")
                    self.assertEqual(event.actor, self.actor(who))
                    self.assertEqual((event.from_state, event.to_state), (source, target))
                    said = f"{who} says so"
                    if name == "decide":  # the decision's reason names its meeting
                        said = f"Decided in Runtime's meeting of {self.meeting.date}: {said}"
                    self.assertEqual(event.reason, said)
                    continue
                else:
                    verb = name.replace("_", " ")
                    body = self.assertProblem(response, 403, f"may {verb} “{proposal.title}”.")
                    self.assertEqual(body["kind"], "not-permitted")
                    self.assertIn(who_may, body["detail"])
                self.assertEqual(proposal.state, source)
                self.assertFalse(new_events.exists())

    def test_every_transition_of_the_table_is_tried(self):
        self.assertEqual(set(TRANSITIONS), set(actions.TRANSITIONS))


class BallotMatrixTests(MatrixTestCase):
    def check_matrix(self, ballot: str, data: dict) -> None:
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.voting()

                response = self.post(
                    f"/api/proposals/{proposal.pk}/{ballot}/", data, **self.headers(who)
                )

                votes = Vote.objects.filter(proposal=proposal)
                events = proposal.events.filter(action__startswith="vote.")
                if who == "anonymous":
                    self.assertAnonymousRefused(response)
                elif who in VOTERS:
                    self.assertEqual(response.status_code, 200, response.content)
                    vote = votes.get()
                    self.assertEqual(response.json()["id"], vote.pk)
                    self.assertEqual(vote.voter, self.actor(who))
                    self.assertTrue(vote.binding)
                    self.assertEqual(vote.reason, data["reason"])
                    event = events.get()
                    self.assertEqual(event.action, BALLOTS[ballot])
                    self.assertEqual(event.actor, self.actor(who))
                    self.assertEqual(event.payload["vote"], vote.pk)
                    continue
                else:
                    self.assertProblem(response, 403, BALLOT_REFUSAL.format(title=proposal.title))
                self.assertFalse(votes.exists())
                self.assertFalse(events.exists())

    def test_it_lets_only_members_vote(self):
        self.check_matrix("vote", {"value": -1, "reason": "Too early"})

    def test_it_lets_only_members_recuse(self):
        self.check_matrix("recuse", {"reason": "I work for them"})


class FilingMatrixTests(MatrixTestCase):
    def test_it_lets_only_committee_members_file_proposals(self):
        for who in ACTORS:
            if who == "proposer":
                continue
            with self.subTest(actor=who):
                before = Event.objects.count()
                title = f"Adopt a code of conduct ({who})"

                response = self.post(
                    "/api/proposals/",
                    {"committee": self.committee.pk, "kind": Kind.OTHER, "title": title},
                    **self.headers(who),
                )

                filed = Proposal.objects.filter(title=title)
                if who in FILERS:
                    self.assertEqual(response.status_code, 201, response.content)
                    proposal = filed.get()
                    self.assertEqual(proposal.proposer, self.actor(who))
                    self.assertEqual(proposal.events.get().action, "proposal.created")
                    continue
                if who == "anonymous":
                    self.assertAnonymousRefused(response)
                elif who == "outsider":
                    self.assertProblem(response, 403, FILING_REFUSAL)
                else:
                    body = self.assertProblem(response, 400)
                    self.assertIn(FILING_ELSEWHERE, body["errors"]["committee"][0])
                self.assertFalse(filed.exists())
                self.assertEqual(Event.objects.count(), before)


class EditMatrixTests(MatrixTestCase):
    def test_it_lets_only_the_proposer_or_the_chair_edit(self):
        for who in ACTORS:
            with self.subTest(actor=who):
                proposal = self.make(State.DISCUSSION)

                response = self.send(
                    "patch",
                    f"/api/proposals/{proposal.pk}/",
                    {"body": "A better text.", "reason": "clearer"},
                    **self.headers(who),
                )

                proposal.refresh_from_db()
                edits = proposal.events.filter(action="proposal.edited")
                if who in EDITORS:
                    self.assertEqual(response.status_code, 200, response.content)
                    self.assertEqual((proposal.body, proposal.revision), ("A better text.", 2))
                    event = edits.get()
                    self.assertEqual((event.actor, event.reason), (self.actor(who), "clearer"))
                    continue
                if who == "anonymous":
                    self.assertAnonymousRefused(response)
                else:
                    self.assertProblem(response, 403, EDIT_REFUSAL.format(title=proposal.title))
                self.assertEqual((proposal.body, proposal.revision), ("", 1))
                self.assertFalse(edits.exists())


class CommentMatrixTests(ApiTestCase):
    """The discussion's table: its actors add a former member and staff."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.former = make_user("former")
        Membership.objects.create(
            user=cls.former,
            committee=cls.committee,
            started_on=datetime.date(2020, 1, 1),
            ended_on=datetime.date(2021, 1, 1),
        )
        cls.staff = make_user("staff", is_staff=True)
        cls.proposal = make_proposal(
            cls.committee, cls.member, state=State.DISCUSSION, chair=cls.chair
        )

    def test_the_post_matrix(self):
        url = f"/api/proposals/{self.proposal.pk}/comments/"
        for who in DISCUSSION_ACTORS:
            with self.subTest(who=who):
                before = Comment.objects.count()
                user = None if who == "anonymous" else getattr(self, who)

                response = self.post(url, {"body": f"Hi from {who}"}, **self.bearer(user))

                if who in COMMENTERS:
                    self.assertEqual(response.status_code, 201, response.content)
                    comment = Comment.objects.get(body=f"Hi from {who}")
                    self.assertEqual(comment.author, user)
                    event = self.proposal.events.get(action="comment.posted", actor=user)
                    self.assertEqual(event.payload["comment"], comment.pk)
                    continue
                if who == "anonymous":
                    self.assertProblem(response, 401, "Sign in first")
                else:
                    self.assertProblem(response, 403, COMMENT_REFUSAL)
                self.assertEqual(Comment.objects.count(), before)
        posted = self.proposal.events.filter(action="comment.posted").count()
        self.assertEqual(posted, len(COMMENTERS))
