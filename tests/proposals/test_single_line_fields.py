"""Single-line fields hold one line: a line break in a title would split the e-mail
that carries it, or a checklist step, or a file name."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from pmc.models import Project
from pmc.text import one_line
from proposals import actions, notifications
from proposals.errors import LifecycleError
from proposals.models import Proposal
from proposals.states import Kind
from tests.base import LifecycleTestCase
from tests.factories import make_project, make_proposal

INJECTED = "Rename CLI\r\nBcc: victim@example.org"


class SingleLineFieldTests(LifecycleTestCase):
    def test_it_refuses_a_title_with_a_line_break_and_says_where(self):
        with self.assertRaisesMessage(LifecycleError, "Title: Write this on one line"):
            actions.do_create_proposal(
                actor=self.member, committee=self.committee, kind=Kind.OTHER, title=INJECTED
            )

        self.assertFalse(Proposal.objects.exists())

    def test_it_refuses_control_characters_in_every_single_line_field(self):
        for field in ("proposing_team", "condition", "new_name", "new_lead"):
            for char in ("\n", "\r", "\x00", "\x1b", "\x85", "\u2028"):
                with (
                    self.subTest(field=field, char=repr(char)),
                    self.assertRaisesMessage(LifecycleError, "on one line"),
                ):
                    actions.do_create_proposal(
                        actor=self.member,
                        committee=self.committee,
                        kind=Kind.OTHER,
                        title="Fine",
                        **{field: f"before{char}after"},
                    )

        self.assertFalse(Proposal.objects.exists())

    def test_it_keeps_tabs_and_other_scripts(self):
        proposal = actions.do_create_proposal(
            actor=self.member,
            committee=self.committee,
            kind=Kind.OTHER,
            title="Köper\tand 日本語 — “quoted”",
        )

        self.assertEqual(proposal.title, "Köper\tand 日本語 — “quoted”")

    def test_it_refuses_an_edit_that_adds_a_line_break(self):
        proposal = make_proposal(self.committee, self.member, title="One line")

        with self.assertRaisesMessage(LifecycleError, "Condition: Write this on one line"):
            actions.do_edit_proposal(proposal=proposal, actor=self.member, condition="a\nb")

        proposal.refresh_from_db()
        self.assertEqual(proposal.condition, "")

    def test_it_refuses_project_and_committee_names_with_line_breaks(self):
        with self.assertRaisesMessage(LifecycleError, "Name: Write this on one line"):
            actions.do_create_project(committee=self.committee, actor=self.chair, name="a\nb")
        project = make_project(self.committee, "cf-example")
        with self.assertRaisesMessage(LifecycleError, "Lead: Write this on one line"):
            actions.do_update_project(project=project, actor=self.chair, lead="Ann\r\nBob")
        with self.assertRaisesMessage(LifecycleError, "Former names: Write this on one line"):
            actions.do_update_project(project=project, actor=self.chair, former_names=["x\ny"])

        self.assertEqual(Project.objects.get().lead, "")

    def test_the_form_shows_the_refusal_beside_the_title_and_files_nothing(self):
        self.client.force_login(self.member)

        response = self.client.post(
            reverse("proposals:create"),
            {"committee": self.committee.pk, "kind": Kind.OTHER, "title": INJECTED},
        )

        self.assertEqual(response.status_code, 200)
        self.assertFormError(
            response.context["form"],
            "title",
            "Write this on one line: remove the line break or control character U+000D "
            "at character 11.",
        )
        self.assertFalse(Proposal.objects.exists())


class OneLineSubjectTests(LifecycleTestCase):
    def test_a_title_stored_with_a_line_break_stays_on_the_subject_line(self):
        # A row written before the rule, or around it.
        proposal = make_proposal(self.committee, self.member)
        Proposal.objects.filter(pk=proposal.pk).update(title=INJECTED)

        actions.do_submit(proposal=proposal.pk, actor=self.member)
        notifications.drain_outbox()

        message = mail.outbox[0]
        self.assertEqual(
            message.subject,
            "[Runtime] Submitted for discussion: Rename CLI Bcc: victim@example.org",
        )
        self.assertFalse(message.body.startswith("Bcc:"))
        self.assertEqual(message.bcc, [])

    def test_one_line_makes_every_break_and_control_a_single_space(self):
        self.assertEqual(one_line("a\r\n\x00b\u2028 c\td"), "a b c d")
