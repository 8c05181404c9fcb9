from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import TestCase, override_settings
from django.urls import reverse

from pmc.models import Committee, Meeting, Membership, Role, TeamReport
from proposals import actions, failures, verification
from proposals.errors import NotPermitted
from proposals.models import (
    ChecklistItem,
    Event,
    LinkSuggestion,
    Proposal,
    ProposalMeeting,
    Reading,
    Vote,
)
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import (
    make_committee,
    make_meeting,
    make_member,
    make_project,
    make_proposal,
    make_user,
)


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


BACKGROUND_MODELS = {"OutboxMessage", "Notification", "NotificationPreference", "ScheduledRun"}


class AdminTestCase(LifecycleTestCase):
    """The chair is also a superuser, so transitions the chair may run are allowed."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.chair.is_staff = cls.chair.is_superuser = True
        cls.chair.save()
        cls.admin_user = make_user("admin", is_staff=True, is_superuser=True)

    def setUp(self) -> None:
        self.client.force_login(self.chair)

    def messages(self, response) -> list[str]:
        return [str(message) for message in get_messages(response.wsgi_request)]


class AdminPagesTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        meeting = make_meeting(cls.committee)
        TeamReport.objects.create(meeting=meeting, team="CLI", lead="Dies Köper", body="- plan")
        voting = make_proposal(cls.committee, cls.member, state=State.VOTING, chair=cls.chair)
        actions.do_cast_vote(proposal=voting, actor=cls.member, value=-1, reason="Not yet.")
        actions.do_link_meeting(proposal=voting, meeting=meeting, actor=cls.chair)
        LinkSuggestion.objects.create(
            proposal=voting, meeting=make_meeting(cls.other_committee), suggested_by=cls.chair
        )
        make_proposal(cls.committee, cls.member, state=State.ACCEPTED, chair=cls.chair)
        Reading.objects.create(
            meeting=meeting,
            key="attic:cfexample",
            kind=Kind.ATTIC,
            subject="cf-example",
            confidence="low",
            quote="- move cf-example to the attic?",
        )
        actions.do_invite(committee=cls.committee, email="new@example.net", actor=cls.chair)

    def test_it_renders_the_list_and_a_change_page_of_every_model(self):
        verification.verify_and_store()
        failures.record("close_expired_votes", "proposal 1", KeyError("quorum_extensions"))
        registered = [m for m in admin.site._registry if m._meta.app_label in ("pmc", "proposals")]
        self.assertLessEqual(
            {"Committee", "Membership", "Project", "Meeting", "Proposal", "Vote"}
            | {"EligibleVoter", "ChecklistItem", "Event"},
            {model.__name__ for model in registered},
        )
        for model in registered:
            with self.subTest(model.__name__):
                self.assertEqual(self.client.get(changelist_url(model)).status_code, 200)
                obj = model.objects.first()
                if obj is None and model.__name__ in BACKGROUND_MODELS:
                    continue  # the demo notifies nobody: nothing to show
                self.assertIsNotNone(obj)
                self.assertEqual(self.client.get(change_url(obj)).status_code, 200)

    def test_it_shows_team_reports_and_mentions_inline(self):
        meeting = TeamReport.objects.get().meeting
        self.assertContains(self.client.get(change_url(meeting)), "Dies Köper")
        proposal = ProposalMeeting.objects.get(meeting=meeting).proposal
        self.assertContains(self.client.get(change_url(proposal)), str(meeting))

    def test_it_shows_the_proposal_state_read_only(self):
        proposal = Proposal.objects.get(state=State.VOTING)
        response = self.client.get(change_url(proposal))
        self.assertNotContains(response, 'name="state"')
        self.assertContains(response, "Voting")

    def test_it_shows_votes_read_only(self):
        vote = Vote.objects.get()
        response = self.client.get(change_url(vote))
        self.assertNotContains(response, 'name="_save"')
        self.assertEqual(self.client.post(change_url(vote), {"value": 1}).status_code, 403)
        vote.refresh_from_db()
        self.assertEqual(vote.value, -1)


class ProposalTransitionTests(AdminTestCase):
    def test_it_starts_a_vote_from_the_list(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)

        response = self.client.post(
            changelist_url(Proposal),
            {"action": "start_vote_selected", "_selected_action": [proposal.pk]},
        )

        self.assertEqual(response.status_code, 302)
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.VOTING)
        event = proposal.events.get(action="proposal.start_vote")
        self.assertEqual(event.actor, self.chair)
        self.assertEqual((event.from_state, event.to_state), (State.DISCUSSION, State.VOTING))
        self.assertIn(f"Start the vote: “{proposal}” is now voting.", self.messages(response))

    def test_it_reports_a_refused_transition_and_changes_nothing(self):
        proposal = make_proposal(self.committee, self.member)
        events = Event.objects.count()

        response = self.client.post(
            changelist_url(Proposal),
            {"action": "submit_selected", "_selected_action": [proposal.pk]},
        )

        self.assertEqual(response.status_code, 302)
        with self.assertRaises(NotPermitted) as refused:
            actions.do_submit(proposal=proposal, actor=self.chair)
        self.assertEqual(self.messages(response), [refused.exception.message])
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DRAFT)
        self.assertEqual(Event.objects.count(), events)

    def test_it_offers_only_the_transitions_the_user_may_run(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        response = self.client.get(change_url(proposal))
        transition = reverse("admin:proposals_proposal_transition", args=[proposal.pk, "x"])
        self.assertContains(response, transition.replace("/x/", "/start_vote/"))
        self.assertContains(response, transition.replace("/x/", "/defer/"))
        self.assertNotContains(response, transition.replace("/x/", "/withdraw/"))
        html = response.content.decode()
        first_submit = html.index('type="submit"', html.index('id="proposal_form"'))
        self.assertTrue(html.startswith('type="submit" name="_save" hidden>', first_submit))

        self.client.force_login(self.admin_user)
        response = self.client.get(change_url(proposal))
        self.assertContains(response, "No transition is open to you in this state.")

    def test_it_runs_a_transition_from_the_change_page(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        url = reverse("admin:proposals_proposal_transition", args=[proposal.pk, "defer"])

        response = self.client.post(url)

        self.assertRedirects(response, change_url(proposal))
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DEFERRED)
        self.assertTrue(proposal.events.filter(action="proposal.defer", actor=self.chair).exists())

    def test_it_refuses_a_transition_from_the_change_page_with_a_message(self):
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION)
        url = reverse("admin:proposals_proposal_transition", args=[proposal.pk, "withdraw"])
        events = Event.objects.count()

        response = self.client.post(url, follow=True)

        with self.assertRaises(NotPermitted) as refused:
            actions.do_withdraw(proposal=proposal, actor=self.chair)
        self.assertEqual(self.messages(response), [refused.exception.message])
        self.assertContains(response, "may withdraw")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, State.DISCUSSION)
        self.assertEqual(Event.objects.count(), events)
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_it_edits_the_text_through_the_edit_action(self):
        proposal = make_proposal(self.committee, self.member, title="Old title")
        data = {
            "title": "New title",
            "body": "",
            "proposing_team": "CLI team",
            "condition": "",
            "new_name": "",
            "new_lead": "",
            "mentions-TOTAL_FORMS": 0,
            "mentions-INITIAL_FORMS": 0,
            "checklist-TOTAL_FORMS": 0,
            "checklist-INITIAL_FORMS": 0,
        }

        response = self.client.post(change_url(proposal), data)

        self.assertRedirects(response, changelist_url(Proposal))
        proposal.refresh_from_db()
        self.assertEqual((proposal.title, proposal.revision), ("New title", 2))
        event = proposal.events.get(action="proposal.edited")
        self.assertEqual(
            event.payload["changed"]["title"], {"from": "Old title", "to": "New title"}
        )

    @override_settings(PMC_MARKDOWN_MAX_CHARS=50)
    def test_it_refuses_a_text_too_long_to_render_as_a_form_error(self):
        proposal = make_proposal(self.committee, self.member, title="Old title")
        data = {
            "title": "New title",
            "body": "x" * 51,
            "proposing_team": "",
            "condition": "",
            "new_name": "",
            "new_lead": "",
            "mentions-TOTAL_FORMS": 0,
            "mentions-INITIAL_FORMS": 0,
            "checklist-TOTAL_FORMS": 0,
            "checklist-INITIAL_FORMS": 0,
        }

        response = self.client.post(change_url(proposal), data)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "at most 50 can be")
        proposal.refresh_from_db()
        self.assertEqual((proposal.title, proposal.revision), ("Old title", 1))

    def test_it_offers_no_text_fields_once_the_vote_started(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        response = self.client.get(change_url(proposal))
        self.assertNotContains(response, 'name="title"')


class EventAdminTests(AdminTestCase):
    def test_it_offers_no_add_change_or_delete(self):
        make_proposal(self.committee, self.member)
        event = Event.objects.first()
        model_admin = admin.site._registry[Event]
        request = self.client.get(change_url(event)).wsgi_request
        self.assertFalse(model_admin.has_add_permission(request))
        self.assertFalse(model_admin.has_change_permission(request, event))
        self.assertFalse(model_admin.has_delete_permission(request, event))

        response = self.client.get(change_url(event))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, "deletelink")
        self.assertEqual(self.client.post(change_url(event), {"action": "x"}).status_code, 403)
        delete = reverse("admin:proposals_event_delete", args=[event.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertEqual(self.client.get(reverse("admin:proposals_event_add")).status_code, 403)
        self.assertEqual(Event.objects.get(pk=event.pk).hash, event.hash)


class MeetingAdminTests(AdminTestCase):
    def test_it_shows_meetings_but_changes_them_only_through_the_import(self):
        meeting = make_meeting(self.committee, notes="# Notes")
        change = reverse("admin:pmc_meeting_change", args=[meeting.pk])

        response = self.client.get(change)

        self.assertContains(response, "# Notes")
        self.assertNotContains(response, 'name="_save"')
        self.assertNotContains(response, "deletelink")
        self.assertEqual(self.client.post(change, {"title": "Edited"}).status_code, 403)
        delete = reverse("admin:pmc_meeting_delete", args=[meeting.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertEqual(self.client.get(reverse("admin:pmc_meeting_add")).status_code, 403)
        self.assertEqual(Meeting.objects.get(pk=meeting.pk).title, meeting.title)


class ProjectAdminTests(AdminTestCase):
    def form(self, project, **changes) -> dict:
        data = {
            "name": project.name,
            "lead": project.lead,
            "repository_urls": "[]",
            "former_names": "[]",
        }
        return {**data, **changes}

    def test_it_records_an_edit_as_an_event(self):
        project = make_project(self.committee, "Diego-Enabler")

        response = self.client.post(change_url(project), self.form(project, lead="Dies Köper"))

        self.assertRedirects(response, changelist_url(type(project)))
        project.refresh_from_db()
        self.assertEqual(project.lead, "Dies Köper")
        event = Event.objects.get(action="project.updated", project=project)
        self.assertEqual(event.actor, self.chair)
        self.assertEqual(event.payload["changed"], {"lead": {"from": "", "to": "Dies Köper"}})

    def test_it_writes_no_event_when_nothing_changed(self):
        project = make_project(self.committee)
        before = Event.objects.count()
        self.client.post(change_url(project), self.form(project))
        self.assertEqual(Event.objects.count(), before)

    def test_it_records_an_added_project(self):
        response = self.client.post(
            reverse("admin:pmc_project_add"),
            {
                "name": "BPM",
                "committee": self.committee.pk,
                "status": "incubating",
                "lead": "",
                "repository_urls": '["https://github.com/cloudfoundry-incubator/bpm-release"]',
                "former_names": "[]",
            },
        )

        self.assertEqual(response.status_code, 302)
        event = Event.objects.get(action="project.created")
        self.assertEqual(event.project.name, "BPM")
        self.assertEqual(event.payload["to"], "incubating")

    def test_it_refuses_a_non_chair_and_writes_nothing(self):
        staff = make_member(self.other_committee, make_user("staff", is_staff=True))
        staff.user_permissions.set(
            Permission.objects.filter(codename__in=["change_project", "view_project"])
        )
        project = make_project(self.committee)
        before = Event.objects.count()
        self.client.force_login(staff)

        response = self.client.post(change_url(project), self.form(project, lead="Someone"))

        self.assertRedirects(response, change_url(project), fetch_redirect_response=False)
        self.assertIn(
            f"Only the chair of {self.committee} or an administrator may change its projects.",
            self.messages(response),
        )
        project.refresh_from_db()
        self.assertEqual(project.lead, "")
        self.assertEqual(Event.objects.count(), before)


class MembershipAdminTests(AdminTestCase):
    def test_it_adds_a_member_through_the_action(self):
        user = make_user("newcomer")

        response = self.client.post(
            reverse("admin:pmc_membership_add"),
            {
                "user": user.pk,
                "committee": self.committee.pk,
                "role": Role.MEMBER,
                "started_on": "2024-01-02",
            },
        )

        self.assertEqual(response.status_code, 302)
        membership = Membership.objects.get(user=user)
        event = Event.objects.get(action="membership.started", membership=membership)
        self.assertEqual(event.actor, self.chair)

    def test_it_ends_a_seat_through_the_action(self):
        membership = Membership.objects.get(user=self.member)

        response = self.client.post(change_url(membership), {"ended_on": "2099-01-01"})

        self.assertEqual(response.status_code, 302)
        membership.refresh_from_db()
        self.assertEqual(str(membership.ended_on), "2099-01-01")
        self.assertTrue(Event.objects.filter(action="membership.ended", membership=membership))

    def test_it_does_not_delete_seats(self):
        membership = Membership.objects.get(user=self.member)
        delete = reverse("admin:pmc_membership_delete", args=[membership.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertTrue(Membership.objects.filter(pk=membership.pk).exists())


class ChecklistAdminTests(AdminTestCase):
    def test_it_ticks_items_through_the_action(self):
        proposal = make_proposal(
            self.committee, self.member, state=State.ACCEPTED, chair=self.chair, kind=Kind.OTHER
        )
        item = proposal.checklist.first()

        response = self.client.post(
            changelist_url(ChecklistItem),
            {"action": "tick_selected", "_selected_action": [item.pk]},
        )

        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertTrue(item.done)
        self.assertTrue(proposal.events.filter(action="checklist.done").exists())


class CommitteeAdminTests(TestCase):
    def setUp(self):
        self.admin_user = get_user_model().objects.create_superuser(
            "root", "root@example.org", "pw"
        )
        self.client.force_login(self.admin_user)
        self.committee = make_committee("Runtime")

    def test_it_records_a_change_of_voting_policy(self):
        url = reverse("admin:pmc_committee_change", args=[self.committee.pk])
        response = self.client.post(
            url,
            {
                "name": "Runtime",
                "slug": "runtime",
                "description": "",
                "pass_rule": "two_thirds_cast",
                "vote_duration_hours": 96,
                "quorum_extensions": 1,
                "extension_hours": 72,
                "discussion_days": 10,
            },
        )

        self.assertEqual(response.status_code, 302)
        self.committee.refresh_from_db()
        self.assertEqual(self.committee.pass_rule, "two_thirds_cast")
        event = Event.objects.get(action="committee.updated")
        self.assertEqual(event.payload["changed"]["vote_duration_hours"], {"from": 72, "to": 96})
        self.assertEqual(event.payload["changed"]["discussion_days"], {"from": 7, "to": 10})
        self.assertEqual(self.committee.discussion_days, 10)


class CommitteeCreationAdminTests(TestCase):
    def test_it_creates_a_committee_through_the_action(self):
        root = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
        self.client.force_login(root)

        response = self.client.post(
            reverse("admin:pmc_committee_add"),
            {
                "name": "BOSH",
                "description": "",
                "pass_rule": "majority",
                "vote_duration_hours": 96,
                "quorum_extensions": 1,
                "extension_hours": 72,
                "discussion_days": 7,
            },
        )

        self.assertEqual(response.status_code, 302)
        committee = Committee.objects.get(name="BOSH")
        self.assertEqual(committee.slug, "bosh")
        self.assertEqual(committee.vote_duration_hours, 96)
        self.assertEqual(
            list(Event.objects.filter(committee=committee).values_list("action", flat=True)),
            ["committee.created", "committee.updated"],
        )
