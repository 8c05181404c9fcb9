"""Writing through the API, with a session or a token: filing and editing a proposal,
transitions, votes and recusals, comments and replies. Each goes through the site's form
and action and writes the action's event; a refusal is a problem details document with
the sentence the site shows, and changes nothing."""

from __future__ import annotations

import datetime

from django.test import override_settings
from django.utils import timezone

from proposals import actions
from proposals.api.scopes import TokenScope
from proposals.models import ApiToken, Comment, Event, Proposal, Vote
from proposals.states import Kind, State
from tests.api.base import ApiTestCase
from tests.factories import make_meeting, make_project, make_proposal


class FilingTests(ApiTestCase):
    def filing(self, **fields) -> dict:
        return {
            "committee": self.committee.pk,
            "kind": Kind.OTHER,
            "title": "Adopt a code of conduct",
            "body": "We *should*.",
            **fields,
        }

    def test_a_member_files_a_draft_with_a_session(self):
        self.client.force_login(self.member)

        response = self.post("/api/proposals/", self.filing())

        self.assertEqual(response.status_code, 201, response.content)
        proposal = Proposal.objects.get(title="Adopt a code of conduct")
        self.assertEqual(response.json()["id"], proposal.pk)
        self.assertTrue(response["Location"].endswith(f"/api/proposals/{proposal.pk}/"))
        self.assertEqual((proposal.state, proposal.proposer), (State.DRAFT, self.member))
        self.assertEqual(proposal.body_html, "<p>We <em>should</em>.</p>")
        self.assertEqual(proposal.events.get().action, "proposal.created")

    def test_a_member_files_a_draft_with_a_token(self):
        project = make_project(self.committee, "diego-enabler")

        response = self.post(
            "/api/proposals/",
            self.filing(kind=Kind.ATTIC, project=project.pk),
            **self.bearer(self.chair),
        )

        self.assertEqual(response.status_code, 201, response.content)
        proposal = Proposal.objects.get(pk=response.json()["id"])
        self.assertEqual((proposal.proposer, proposal.project), (self.chair, project))
        self.assertEqual(proposal.events.get().actor, self.chair)

    def test_a_read_token_files_nothing(self):
        response = self.post(
            "/api/proposals/", self.filing(), **self.bearer(self.member, ApiToken.Scope.READ)
        )

        self.assertProblem(response, 403, TokenScope.message)
        self.assertFalse(Proposal.objects.exists())

    def test_a_revoked_token_is_refused(self):
        headers = self.bearer(self.member)
        ApiToken.objects.update(revoked_at=timezone.now())

        response = self.post("/api/proposals/", self.filing(), **headers)

        self.assertProblem(response, 401, "This token is unknown or revoked")
        self.assertFalse(Proposal.objects.exists())

    def test_what_the_kind_needs_is_said_in_the_forms_words(self):
        self.client.force_login(self.member)

        response = self.post("/api/proposals/", self.filing(kind=Kind.ATTIC))

        body = self.assertProblem(response, 400, "The request has errors")
        self.assertEqual(
            body["errors"], {"project": ["A proposal of kind “move to the attic” needs a project."]}
        )
        self.assertFalse(Proposal.objects.exists())

    def test_a_value_of_the_wrong_type_or_an_unknown_field_is_refused(self):
        self.client.force_login(self.member)
        for fields, name in (
            ({"title": ["a", "list"]}, "title"),
            ({"state": State.ACCEPTED}, "state"),
            ({"kind": "merger"}, "kind"),
            ({"title": "   "}, "title"),
        ):
            with self.subTest(fields=fields):
                body = self.assertProblem(self.post("/api/proposals/", self.filing(**fields)), 400)
                self.assertIn(name, body["errors"])
        self.assertFalse(Proposal.objects.exists())


class EditTests(ApiTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        self.url = f"/api/proposals/{self.proposal.pk}/"

    def test_the_proposer_edits_only_what_they_send(self):
        title = self.proposal.title
        response = self.send(
            "patch",
            self.url,
            {"body": "A plan.", "reason": "clearer", "expected_revision": 1},
            **self.bearer(self.member),
        )

        self.assertEqual(response.status_code, 200, response.content)
        self.proposal.refresh_from_db()
        self.assertEqual((self.proposal.body, self.proposal.title), ("A plan.", title))
        self.assertEqual(self.proposal.revision, 2)
        event = self.proposal.events.get(action="proposal.edited")
        self.assertEqual(event.reason, "clearer")
        self.assertEqual(list(event.payload["changed"]), ["body"])
        self.assertEqual(response.json()["revision"], 2)

    def test_an_edit_from_an_older_revision_is_a_conflict(self):
        actions.do_edit_proposal(proposal=self.proposal, actor=self.member, body="First.")

        response = self.send(
            "patch", self.url, {"body": "Mine.", "expected_revision": 1}, **self.bearer(self.chair)
        )

        self.assertProblem(response, 409, "was changed by someone else while you edited it")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.body, "First.")

    def test_a_proposal_in_voting_keeps_its_text(self):
        voting = make_proposal(self.committee, self.member, state=State.VOTING)

        response = self.send(
            "patch", f"/api/proposals/{voting.pk}/", {"body": "Late."}, **self.bearer(self.member)
        )

        self.assertProblem(response, 409, "its text can only change in draft or discussion.")
        self.assertFalse(voting.events.filter(action="proposal.edited").exists())

    def test_committee_kind_and_state_cannot_be_sent(self):
        for field, value in (
            ("committee", self.other_committee.pk),
            ("kind", Kind.RENAME),
            ("state", State.ACCEPTED),
        ):
            with self.subTest(field=field):
                response = self.send("patch", self.url, {field: value}, **self.bearer(self.member))

                body = self.assertProblem(response, 400)
                self.assertIn(field, body["errors"])
        self.assertFalse(self.proposal.events.filter(action="proposal.edited").exists())


class TransitionTests(ApiTestCase):
    def url(self, proposal, name: str) -> str:
        return f"/api/proposals/{proposal.pk}/transitions/{name}/"

    def test_a_transition_checks_the_state_it_was_sent_for(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)

        response = self.post(
            self.url(proposal, "defer"),
            {"expected_state": State.DRAFT, "reason": "later"},
            **self.bearer(self.chair),
        )

        self.assertProblem(response, 409, "is now discussion (it was draft when the page was")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)

    def test_the_chair_records_a_decision_against_in_a_meeting(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        meeting = make_meeting(self.committee, timezone.localdate())

        response = self.post(
            self.url(proposal, "decide"),
            {"meeting": meeting.pk, "accepted": False, "expected_state": State.DISCUSSION},
            **self.bearer(self.chair),
        )

        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["state"], State.REJECTED)
        proposal.refresh_from_db()
        self.assertEqual((proposal.state, proposal.decided_in), (State.REJECTED, meeting))

    def test_a_meeting_of_another_committee_is_refused_as_the_form_says(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        foreign = make_meeting(self.other_committee, timezone.localdate())

        response = self.post(
            self.url(proposal, "decide"),
            {"meeting": foreign.pk, "accepted": True},
            **self.bearer(self.chair),
        )

        body = self.assertProblem(response, 400)
        self.assertIn(
            "This decision cannot be recorded in that meeting.", body["errors"]["meeting"][0]
        )
        self.assertFalse(proposal.events.filter(action="proposal.decide").exists())

    def test_the_chair_chooses_when_the_vote_closes_within_the_rules(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        closes = (timezone.now() + datetime.timedelta(days=5)).replace(microsecond=0)

        too_soon = self.post(
            self.url(proposal, "start_vote"),
            {"closes_at": (timezone.now() + datetime.timedelta(hours=1)).isoformat()},
            **self.bearer(self.chair),
        )
        response = self.post(
            self.url(proposal, "start_vote"),
            {"closes_at": closes.isoformat()},
            **self.bearer(self.chair),
        )

        self.assertIn("closes_at", self.assertProblem(too_soon, 400)["errors"])
        self.assertEqual(response.status_code, 200, response.content)
        proposal.refresh_from_db()
        self.assertEqual((proposal.state, proposal.closes_at), (State.VOTING, closes))

    def test_a_condition_not_met_is_explained(self):
        proposal = make_proposal(
            self.committee, self.member, state=State.ACCEPTED, chair=self.chair
        )

        response = self.post(self.url(proposal, "complete"), {}, **self.bearer(self.chair))

        self.assertProblem(response, 409, "open checklist item(s)")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.ACCEPTED)

    def test_a_transition_the_state_does_not_allow_is_explained(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)

        response = self.post(self.url(proposal, "submit"), {}, **self.bearer(self.member))

        self.assertProblem(response, 409, "it is discussion, and this is only possible from draft.")

    def test_a_field_the_transition_does_not_take_is_refused(self):
        proposal = make_proposal(self.committee, self.member)

        response = self.post(
            self.url(proposal, "submit"), {"accepted": True}, **self.bearer(self.member)
        )

        body = self.assertProblem(response, 400)
        self.assertEqual(body["errors"], {"accepted": ["submit takes no accepted."]})
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DRAFT)

    def test_an_unknown_transition_is_a_404_that_names_the_others(self):
        proposal = make_proposal(self.committee, self.member)

        response = self.post(self.url(proposal, "approve"), {}, **self.bearer(self.chair))

        self.assertProblem(response, 404, "There is no transition 'approve': it is one of submit,")

    def test_a_transition_of_no_such_proposal_is_a_404(self):
        response = self.post(
            "/api/proposals/99999/transitions/submit/", {}, **self.bearer(self.member)
        )

        self.assertProblem(response, 404, "There is no proposal #99999.")

    def test_an_anonymous_post_is_asked_to_sign_in(self):
        proposal = make_proposal(self.committee, self.member)

        response = self.post(self.url(proposal, "submit"), {})

        self.assertProblem(response, 401, "Sign in first")
        self.assertEqual(response["WWW-Authenticate"], "Bearer")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DRAFT)


class BallotTests(ApiTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(self.committee, self.member, state=State.VOTING)
        self.url = f"/api/proposals/{self.proposal.pk}/vote/"

    def test_a_member_votes_and_changes_the_vote(self):
        headers = self.bearer(self.other_member)

        first = self.post(self.url, {"value": 1}, **headers)
        second = self.post(self.url, {"value": 0, "reason": "On reflection"}, **headers)

        self.assertEqual(first.status_code, 200, first.content)
        self.assertEqual(second.json()["value"], 0)
        vote = Vote.objects.get(proposal=self.proposal)
        self.assertEqual((vote.value, vote.reason), (0, "On reflection"))
        self.assertEqual(
            list(
                self.proposal.events.filter(action__startswith="vote.").values_list(
                    "action", flat=True
                )
            ),
            ["vote.cast", "vote.changed"],
        )

    def test_a_minus_one_needs_a_reason(self):
        response = self.post(self.url, {"value": -1}, **self.bearer(self.other_member))

        body = self.assertProblem(response, 400)
        self.assertEqual(
            body["errors"], {"reason": ["A -1 needs a reason: say what would change your vote."]}
        )
        self.assertFalse(Vote.objects.exists())

    def test_a_value_that_is_not_a_vote_is_refused(self):
        for value in (2, "yes", None, True):
            with self.subTest(value=value):
                response = self.post(self.url, {"value": value}, **self.bearer(self.other_member))

                self.assertIn("value", self.assertProblem(response, 400)["errors"])
        self.assertFalse(Vote.objects.exists())

    def test_a_proposal_not_in_voting_takes_no_vote(self):
        discussed = make_proposal(self.committee, self.member, state=State.DISCUSSION)

        response = self.post(
            f"/api/proposals/{discussed.pk}/vote/", {"value": 1}, **self.bearer(self.other_member)
        )

        self.assertProblem(response, 422, "is discussion, not open for voting.")
        self.assertFalse(Vote.objects.exists())

    def test_a_member_recuses(self):
        response = self.post(
            f"/api/proposals/{self.proposal.pk}/recuse/",
            {"reason": "I lead it"},
            **self.bearer(self.other_member),
        )

        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["recused"], True)
        vote = Vote.objects.get(proposal=self.proposal)
        self.assertTrue(vote.recused)
        self.assertTrue(self.proposal.events.filter(action="vote.recused").exists())


class CommentTests(ApiTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        self.url = f"/api/proposals/{self.proposal.pk}/comments/"

    def test_a_member_comments_and_another_replies(self):
        first = self.post(self.url, {"body": "**Yes**."}, **self.bearer(self.member))
        reply = self.post(
            self.url, {"body": "Agreed.", "parent": first.json()["id"]}, **self.bearer(self.chair)
        )

        self.assertEqual(first.status_code, 201, first.content)
        self.assertEqual(first.json()["body_html"], "<p><strong>Yes</strong>.</p>")
        self.assertEqual(reply.status_code, 201, reply.content)
        comment = Comment.objects.get(pk=reply.json()["id"])
        self.assertEqual((comment.parent_id, comment.author), (first.json()["id"], self.chair))
        self.assertEqual(
            list(
                Event.objects.filter(proposal=self.proposal, action="comment.posted").values_list(
                    "actor", flat=True
                )
            ),
            [self.member.pk, self.chair.pk],
        )
        listed = self.get_json(self.url)["results"]
        self.assertEqual([c["parent"] for c in listed], [None, first.json()["id"]])

    def test_a_hidden_comment_takes_no_replies(self):
        hidden = actions.do_post_comment(proposal=self.proposal, actor=self.member, body="Off.")
        actions.do_hide_comment(comment=hidden, actor=self.chair, reason="Off topic")

        response = self.post(
            self.url, {"body": "But…", "parent": hidden.pk}, **self.bearer(self.other_member)
        )

        self.assertProblem(response, 422, "A chair hid this comment: it takes no replies.")
        self.assertEqual(Comment.objects.count(), 1)

    def test_a_reply_to_no_such_comment_says_so(self):
        response = self.post(self.url, {"body": "Hm.", "parent": 999}, **self.bearer(self.member))

        self.assertProblem(response, 422, "There is no comment #999")
        self.assertFalse(Comment.objects.exists())

    def test_an_empty_comment_is_refused_in_the_actions_words(self):
        response = self.post(self.url, {"body": "  "}, **self.bearer(self.member))

        body = self.assertProblem(response, 422)
        self.assertTrue(body["detail"])
        self.assertFalse(Comment.objects.exists())


class SecondFactorTests(ApiTestCase):
    @override_settings(PMC_REQUIRE_MFA=True)
    def test_a_chair_without_a_confirmed_second_factor_changes_nothing_with_a_session(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        self.client.force_login(self.chair)

        response = self.send("patch", f"/api/proposals/{proposal.pk}/", {"body": "Mine."})

        self.assertProblem(response, 403, "Staff and chairs need a second factor before they act")
        proposal.refresh_from_db()
        self.assertEqual(proposal.body, "")
        self.assertFalse(proposal.events.filter(action="proposal.edited").exists())


class ReadTokenTests(ApiTestCase):
    def test_a_read_token_reads_but_changes_nothing(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING)
        headers = self.bearer(self.chair, ApiToken.Scope.READ)
        base = f"/api/proposals/{proposal.pk}"
        events = Event.objects.count()

        self.get_json(f"{base}/", **headers)
        for method, url, data in (
            ("patch", f"{base}/", {"body": "Mine."}),
            ("post", f"{base}/transitions/return_to_discussion/", {}),
            ("post", f"{base}/vote/", {"value": 1}),
            ("post", f"{base}/recuse/", {}),
            ("post", f"{base}/comments/", {"body": "Hi."}),
        ):
            with self.subTest(method=method, url=url):
                self.assertProblem(self.send(method, url, data, **headers), 403, TokenScope.message)
        self.assertEqual(Event.objects.count(), events)
        proposal.refresh_from_db()
        self.assertEqual((proposal.state, proposal.body), (State.VOTING, ""))
