"""Duplicates: a second open proposal of one kind about one project is filed only once
the proposer has seen the first; the same form saved twice files one draft."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from proposals import actions
from proposals.models import Proposal
from proposals.states import Kind, State
from tests.base import LifecycleTestCase
from tests.factories import make_project, make_proposal

URL = reverse("proposals:create")


class OpenDuplicateTests(LifecycleTestCase):
    def setUp(self) -> None:
        self.project = make_project(self.committee, "Diego-Enabler")
        self.first = make_proposal(
            self.committee,
            self.other_member,
            kind=Kind.ATTIC,
            project=self.project,
            state=State.DISCUSSION,
            title="Move Diego-Enabler to the attic",
        )
        self.client.force_login(self.member)

    def file(self, **extra):
        data = {
            "committee": self.committee.pk,
            "kind": Kind.ATTIC,
            "title": "Retire Diego-Enabler",
            "project": self.project.pk,
            "body": "It is *unused*.",
            **extra,
        }
        return self.client.post(URL, data)

    def test_it_warns_before_saving_and_links_the_open_proposal(self):
        response = self.file()

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Diego-Enabler already has an open proposal of this kind")
        self.assertContains(
            response, f'<a href="{self.first.get_absolute_url()}">{escape(self.first.title)}</a>'
        )
        self.assertContains(response, "Nothing was saved.")
        self.assertContains(response, 'value="Retire Diego-Enabler"')
        self.assertEqual(Proposal.objects.filter(title="Retire Diego-Enabler").count(), 0)

    def test_the_preview_warns_too(self):
        response = self.file(preview="1")

        self.assertContains(response, "Diego-Enabler already has an open proposal of this kind")
        self.assertFalse(Proposal.objects.filter(title="Retire Diego-Enabler").exists())

    def test_it_files_it_when_the_proposer_goes_on_deliberately(self):
        response = self.file(file_anyway=str(self.project.pk))

        filed = Proposal.objects.get(title="Retire Diego-Enabler")
        self.assertRedirects(response, filed.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(Proposal.objects.filter(kind=Kind.ATTIC, project=self.project).count(), 2)

    def test_going_on_counts_for_the_project_warned_about_only(self):
        other = make_project(self.committee, "Garden")
        make_proposal(self.committee, self.other_member, kind=Kind.ATTIC, project=other)

        response = self.file(project=other.pk, file_anyway=str(self.project.pk))

        self.assertContains(response, "Garden already has an open proposal of this kind")
        self.assertFalse(Proposal.objects.filter(title="Retire Diego-Enabler").exists())

    def test_a_closed_proposal_or_another_kind_is_no_duplicate(self):
        actions.do_withdraw(proposal=self.first, actor=self.other_member)
        make_proposal(self.committee, self.other_member, kind=Kind.PROMOTION, project=self.project)

        response = self.file()

        filed = Proposal.objects.get(title="Retire Diego-Enabler")
        self.assertRedirects(response, filed.get_absolute_url(), fetch_redirect_response=False)


class SameFormTwiceTests(LifecycleTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.member)
        page = self.client.get(URL, {"kind": Kind.OTHER})
        self.token = page.context["form"]["form_token"].value()
        self.data = {
            "committee": self.committee.pk,
            "kind": Kind.OTHER,
            "title": "Adopt a code of conduct",
            "form_token": self.token,
        }

    def test_saving_the_same_form_again_files_one_draft(self):
        first = self.client.post(URL, self.data)
        again = self.client.post(URL, self.data, follow=True)

        draft = Proposal.objects.get(title="Adopt a code of conduct")
        self.assertRedirects(first, draft.get_absolute_url(), fetch_redirect_response=False)
        self.assertRedirects(again, draft.get_absolute_url())
        self.assertContains(again, "This form was already saved as the draft")
        self.assertEqual(draft.events.filter(action="proposal.created").count(), 1)

    def test_each_new_form_has_its_own_token(self):
        other = self.client.get(URL, {"kind": Kind.OTHER}).context["form"]["form_token"].value()

        self.assertNotEqual(other, self.token)
        self.assertGreaterEqual(len(self.token), 32)

    def test_the_action_returns_the_draft_filed_with_the_token(self):
        first = actions.do_create_proposal(
            actor=self.member, committee=self.committee, kind=Kind.OTHER, title="A", form_token="t"
        )
        second = actions.do_create_proposal(
            actor=self.member, committee=self.committee, kind=Kind.OTHER, title="A", form_token="t"
        )

        self.assertEqual(first.pk, second.pk)
        self.assertEqual(Proposal.objects.count(), 1)
        # Another member's form token is theirs alone.
        theirs = actions.do_create_proposal(
            actor=self.chair, committee=self.committee, kind=Kind.OTHER, title="B", form_token="t"
        )
        self.assertNotEqual(theirs.pk, first.pk)

    def test_the_database_keeps_one_proposal_per_proposer_and_token(self):
        actions.do_create_proposal(
            actor=self.member, committee=self.committee, kind=Kind.OTHER, title="A", form_token="t"
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            Proposal.objects.create(
                committee=self.committee,
                kind=Kind.OTHER,
                title="A",
                proposer=self.member,
                form_token="t",
            )
