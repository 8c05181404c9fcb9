"""Reading through the API: what each list and row holds, the proposal list's filters as
the site's list applies them, the audit log's filters as the audit page applies them, and
nothing private (e-mail addresses, hidden or withdrawn comments' text) shown to readers
the site would not show it to."""

from __future__ import annotations

import datetime

from django.test import override_settings
from django.utils import timezone

from pmc.models import Membership
from proposals import actions
from proposals.models import ApiToken
from proposals.states import Kind, State
from tests.api.base import ApiTestCase
from tests.factories import make_meeting, make_project, make_proposal, make_user


class CommitteeAndPeopleTests(ApiTestCase):
    def test_it_lists_the_committees_by_name(self):
        body = self.get_json("/api/committees/")

        self.assertEqual([c["name"] for c in body["results"]], ["Extensions", "Runtime"])
        self.assertIsNone(body["next"])
        runtime = self.get_json(f"/api/committees/{self.committee.pk}/")
        self.assertEqual(runtime["vote_duration_hours"], 72)

    def test_it_lists_the_seats_held_today_without_email_addresses(self):
        Membership.objects.create(
            user=make_user("former"),
            committee=self.committee,
            started_on=datetime.date(2020, 1, 1),
            ended_on=datetime.date(2021, 1, 1),
        )

        response = self.client.get("/api/members/", {"committee": self.committee.pk})

        names = {seat["user"]["username"]: seat["role"] for seat in response.json()["results"]}
        self.assertEqual(
            names,
            {
                "chair": "chair",
                "member": "member",
                "other_member": "member",
                "third_member": "member",
            },
        )
        self.assertNotIn("@example.org", response.content.decode())

    def test_it_refuses_a_committee_that_does_not_exist_as_a_filter(self):
        response = self.client.get("/api/members/", {"committee": "999"})

        body = self.assertProblem(response, 400)
        self.assertEqual(body["errors"]["committee"], ["No committee has the id '999'."])

    def test_it_shows_projects_with_their_former_names(self):
        make_project(self.committee, "cf-cli", former_names=["go-cli"])
        make_project(self.other_committee, "bosh-cli")

        body = self.get_json("/api/projects/", {"committee": self.committee.pk})

        self.assertEqual(
            [(p["name"], p["former_names"]) for p in body["results"]], [("cf-cli", ["go-cli"])]
        )

    def test_it_lists_meetings_newest_first_and_shows_one_with_its_notes(self):
        older = make_meeting(self.committee, datetime.date(2017, 5, 2), notes="# Old")
        newer = make_meeting(self.committee, datetime.date(2017, 5, 16), notes="# *New*")

        listed = self.get_json("/api/meetings/")["results"]
        shown = self.get_json(f"/api/meetings/{newer.pk}/")

        self.assertEqual([m["id"] for m in listed], [newer.pk, older.pk])
        self.assertNotIn("notes", listed[0])
        self.assertEqual(shown["notes"], "# *New*")
        self.assertIn("<em>New</em>", shown["notes_html"])


class ProposalListTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.committee, "diego-enabler")
        cls.attic = make_proposal(
            cls.committee, cls.member, state=State.DISCUSSION, project=cls.project,
            title="Move Diego-Enabler to the attic", body="The DEAs reach EOL.",
        )  # fmt: skip
        cls.other = make_proposal(
            cls.other_committee, cls.foreign_member, kind=Kind.OTHER, title="Adopt a charter"
        )

    def ids(self, **params) -> list[int]:
        return [p["id"] for p in self.get_json("/api/proposals/", params)["results"]]

    def test_it_lists_the_newest_change_first_without_the_text(self):
        body = self.get_json("/api/proposals/")

        self.assertEqual([p["id"] for p in body["results"]], [self.other.pk, self.attic.pk])
        self.assertNotIn("body", body["results"][0])
        self.assertEqual(
            body["results"][1]["project"], {"id": self.project.pk, "name": "diego-enabler"}
        )
        self.assertEqual(body["results"][1]["proposer"]["username"], "member")

    def test_it_filters_as_the_sites_list_does(self):
        self.assertEqual(self.ids(committee=self.committee.pk), [self.attic.pk])
        self.assertEqual(self.ids(state=State.DRAFT), [self.other.pk])
        self.assertEqual(self.ids(kind=Kind.ATTIC), [self.attic.pk])
        self.assertEqual(self.ids(project="diego-enabler"), [self.attic.pk])
        self.assertEqual(self.ids(project=self.project.pk), [self.attic.pk])
        self.assertEqual(self.ids(q="charter"), [self.other.pk])
        self.assertEqual(self.ids(sort="title"), [self.other.pk, self.attic.pk])

    def test_it_lists_what_changed_since_a_time(self):
        since = timezone.now()
        actions.do_edit_proposal(proposal=self.attic, actor=self.member, body="Now with a plan.")

        self.assertEqual(self.ids(updated_since=since.isoformat()), [self.attic.pk])
        self.assertEqual(self.ids(updated_since=timezone.now().isoformat()), [])

    def test_it_refuses_a_filter_it_cannot_read_instead_of_listing_everything(self):
        for params, field in (
            ({"state": "pending"}, "state"),
            ({"project": "no-such-project"}, "project"),
            ({"updated_since": "yesterday"}, "updated_since"),
            ({"sort": "votes"}, "sort"),
        ):
            with self.subTest(params=params):
                body = self.assertProblem(self.client.get("/api/proposals/", params), 400)
                self.assertIn(field, body["errors"])
        body = self.assertProblem(self.client.get("/api/proposals/", {"project": "nope"}), 400)
        self.assertIn("No project is called “nope”", body["errors"]["project"][0])

    def test_it_shows_one_proposal_with_its_text(self):
        body = self.get_json(f"/api/proposals/{self.attic.pk}/")

        self.assertEqual(body["body"], "The DEAs reach EOL.")
        self.assertEqual(body["body_html"], "<p>The DEAs reach EOL.</p>")
        self.assertEqual(body["state"], State.DISCUSSION)

    def test_a_proposal_that_does_not_exist_is_a_404_problem(self):
        self.assertProblem(self.client.get("/api/proposals/99999/"), 404)
        self.assertProblem(self.client.get("/api/proposals/99999/votes/"), 404, "#99999")


class ProposalPartsTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.staff = make_user("staff", is_staff=True)
        cls.proposal = make_proposal(cls.committee, cls.member, state=State.VOTING)
        actions.do_cast_vote(
            proposal=cls.proposal, actor=cls.other_member, value=-1, reason="Too soon"
        )
        actions.do_recuse(proposal=cls.proposal, actor=cls.third_member, reason="I lead it")

    def url(self, part: str) -> str:
        return f"/api/proposals/{self.proposal.pk}/{part}/"

    def test_it_lists_the_votes_and_recusals(self):
        votes = self.get_json(self.url("votes"))["results"]

        self.assertEqual(
            [(v["voter"]["username"], v["value"], v["recused"], v["reason"]) for v in votes],
            [("other_member", -1, False, "Too soon"), ("third_member", None, True, "I lead it")],
        )

    def test_it_lists_the_history_oldest_first(self):
        history = self.get_json(self.url("history"))["results"]

        actions_seen = [event["action"] for event in history]
        self.assertEqual(
            actions_seen[:3], ["proposal.created", "proposal.submit", "proposal.start_vote"]
        )
        self.assertEqual(actions_seen[-2:], ["vote.cast", "vote.recused"])
        self.assertEqual(history[0]["actor"], "member")

    def test_it_lists_the_checklist_of_an_accepted_proposal(self):
        accepted = make_proposal(
            self.committee, self.member, state=State.ACCEPTED, chair=self.chair
        )

        items = self.get_json(f"/api/proposals/{accepted.pk}/checklist/")["results"]

        self.assertEqual(
            [item["text"] for item in items],
            list(accepted.checklist.order_by("position").values_list("text", flat=True)),
        )
        self.assertTrue(items)

    def test_hidden_text_is_for_staff_and_withdrawn_text_for_nobody(self):
        shown = actions.do_post_comment(proposal=self.proposal, actor=self.member, body="Fine.")
        hidden = actions.do_post_comment(proposal=self.proposal, actor=self.member, body="Rude.")
        actions.do_hide_comment(comment=hidden, actor=self.chair, reason="Not civil")
        gone = actions.do_post_comment(proposal=self.proposal, actor=self.member, body="Oops.")
        actions.do_withdraw_comment(comment=gone, actor=self.member)
        readers = {
            "anonymous": None,
            "member": self.member,
            "chair": self.chair,
            "staff": self.staff,
        }
        for who, user in readers.items():
            with self.subTest(reader=who):
                body = self.get_json(self.url("comments"), **self.bearer(user))
                texts = {c["id"]: c["body"] for c in body["results"]}
                self.assertEqual(texts[shown.pk], "Fine.")
                self.assertEqual(texts[hidden.pk], "Rude." if who == "staff" else None)
                self.assertIsNone(texts[gone.pk])
                row = next(c for c in body["results"] if c["id"] == hidden.pk)
                self.assertEqual(row["hidden_reason"], "Not civil")
                self.assertEqual(row["hidden_by"]["username"], "chair")
                if who != "staff":
                    self.assertNotIn("Rude.", str(body))
                self.assertNotIn("Oops.", str(body))


class AuditLogTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.committee, cls.member, state=State.VOTING)
        actions.do_cast_vote(proposal=cls.proposal, actor=cls.other_member, value=1)

    def actions_of(self, **params) -> list[str]:
        return [e["action"] for e in self.get_json("/api/events/", params)["results"]]

    def test_it_lists_the_log_newest_first_with_its_hashes(self):
        events = self.get_json("/api/events/")["results"]

        self.assertEqual(events[0]["action"], "vote.cast")
        self.assertEqual(events[0]["prev_hash"], events[1]["hash"])
        self.assertEqual(
            self.get_json(f"/api/events/{events[0]['id']}/")["hash"], events[0]["hash"]
        )

    def test_it_filters_as_the_audit_page_does(self):
        self.assertEqual(self.actions_of(actor="OTHER_MEMBER"), ["vote.cast"])
        self.assertEqual(self.actions_of(action="vote."), ["vote.cast"])
        self.assertEqual(
            self.actions_of(proposal=self.proposal.pk),
            ["vote.cast", "proposal.start_vote", "proposal.submit", "proposal.created"],
        )
        self.assertEqual(self.actions_of(committee=self.other_committee.pk), ["membership.started"])
        today = timezone.localdate()
        self.assertEqual(self.actions_of(date_from=today + datetime.timedelta(days=1)), [])
        self.assertEqual(self.actions_of(date_to=today, action="vote.cast"), ["vote.cast"])

    def test_it_refuses_a_filter_it_cannot_read(self):
        body = self.assertProblem(self.client.get("/api/events/", {"date_from": "May"}), 400)
        self.assertIn("date_from", body["errors"])


class ClosedSiteTests(ApiTestCase):
    """With PMC_PUBLIC_READ off the API, like the pages, is for members and staff."""

    @override_settings(PMC_PUBLIC_READ=False)
    def test_only_members_and_staff_read(self):
        staff = make_user("staff", is_staff=True)
        for url in ("/api/proposals/", "/api/events/", "/api/committees/"):
            with self.subTest(url=url):
                anonymous = self.client.get(url)
                self.assertProblem(anonymous, 401, "Sign in first")
                self.assertEqual(anonymous["WWW-Authenticate"], "Bearer")
                self.assertProblem(
                    self.client.get(url, **self.bearer(self.outsider, ApiToken.Scope.READ)),
                    403,
                    "These pages are for members of a committee. Ask a chair for a seat.",
                )
                for reader in (self.member, staff):
                    self.get_json(url, **self.bearer(reader, ApiToken.Scope.READ))

    def test_an_open_site_answers_anonymous_readers(self):
        for url in ("/api/proposals/", "/api/events/", "/api/members/", "/api/meetings/"):
            with self.subTest(url=url):
                self.get_json(url)
