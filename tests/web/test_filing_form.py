"""The new-proposal form: the kind first, then only that kind's fields, what each kind
needs marked and listed before saving, and a chair adding a project to the registry on
the way without losing what was typed."""

from __future__ import annotations

import re

from django.urls import reverse

from pmc.models import Project, ProjectStatus
from proposals.models import Event, Proposal
from proposals.states import Kind
from tests.base import LifecycleTestCase
from tests.factories import make_project

URL = reverse("proposals:create")


def field_names(page: str) -> set[str]:
    """The names of the visible fields of the proposal form on `page`."""
    form = re.search(r'<form method="post" class="card" id="proposal-form">.*?</form>', page, re.S)
    assert form is not None, "no proposal form on the page"
    names = re.findall(
        r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*name="([^"]+)"', form[0]
    )
    return set(names)


def tag_of(page: str, name: str) -> str:
    found = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', page)
    assert found is not None, f"no field {name}"
    return found[0]


class KindFirstTests(LifecycleTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.member)

    def test_it_asks_for_the_kind_first(self):
        page = self.client.get(URL)

        self.assertContains(page, "What do you propose?")
        for kind in Kind:
            self.assertContains(page, f'<input type="radio" name="kind" value="{kind.value}"')
        self.assertContains(page, "Needs a title, a project and the new lead.")
        self.assertNotContains(page, 'name="title"')
        self.assertContains(page, f'<form method="get" action="{URL}"')

    def test_it_shows_only_the_fields_of_the_kind_chosen(self):
        common = {"committee", "title", "body", "proposing_team", "condition"}
        expected = {
            Kind.ATTIC: common | {"project"},
            Kind.PROMOTION: common | {"project"},
            Kind.OWNERSHIP: common | {"project", "new_lead"},
            Kind.RENAME: common | {"project", "new_name"},
            Kind.INCUBATION: common | {"project", "new_name"},
            Kind.OTHER: common | {"project"},
        }
        for kind, fields in expected.items():
            with self.subTest(kind=kind):
                page = self.client.get(URL, {"kind": kind}).content.decode()

                self.assertEqual(field_names(page), fields)
                self.assertIn(f'<input type="hidden" name="kind" value="{kind}"', page)

    def test_it_marks_what_each_kind_needs(self):
        needs = {
            Kind.ATTIC: {"project"},
            Kind.OWNERSHIP: {"project", "new_lead"},
            Kind.RENAME: {"project", "new_name"},
            Kind.INCUBATION: set(),
            Kind.OTHER: set(),
        }
        for kind, needed in needs.items():
            page = self.client.get(URL, {"kind": kind}).content.decode()
            for name in {"project", "new_name", "new_lead"} & field_names(page):
                with self.subTest(kind=kind, field=name):
                    tag = tag_of(page, name)
                    self.assertEqual('aria-required="true"' in tag, name in needed, tag)
                    self.assertEqual(" required" in tag, name in needed, tag)
            self.assertIn('aria-required="true"', tag_of(page, "title"))

    def test_it_says_what_is_still_needed_before_saving(self):
        page = self.client.get(URL, {"kind": Kind.OWNERSHIP})

        self.assertContains(
            page,
            'Still needed before you can save: <a href="#id_title">Title</a>, '
            '<a href="#id_project">Project</a>, <a href="#id_new_lead">New lead</a>.',
        )
        # One committee: it is chosen already.
        self.assertContains(page, f'<option value="{self.committee.pk}" selected>Runtime</option>')

    def test_it_refuses_an_attic_proposal_without_a_project_and_keeps_the_text(self):
        data = {
            "committee": self.committee.pk,
            "kind": Kind.ATTIC,
            "title": "Retire the old CLI",
            "body": "It is *unused*.",
        }

        response = self.client.post(URL, data)

        self.assertContains(response, "A proposal of kind “move to the attic” needs a project.")
        self.assertContains(response, 'value="Retire the old CLI"')
        self.assertContains(response, "It is *unused*.")
        self.assertContains(response, 'Still needed before you can save: <a href="#id_project">')
        self.assertFalse(Proposal.objects.exists())

    def test_a_preview_says_what_is_missing_and_shows_the_text(self):
        data = {"committee": self.committee.pk, "kind": Kind.RENAME, "title": "Rename it"}
        response = self.client.post(URL, {**data, "body": "*soon*", "preview": "1"})

        self.assertContains(response, "<em>soon</em>", html=True)
        self.assertContains(
            response,
            'Still needed before you can save: <a href="#id_project">Project</a>, '
            '<a href="#id_new_name">New name</a>.',
        )
        self.assertFalse(Proposal.objects.exists())

    def test_an_unknown_kind_is_asked_again(self):
        page = self.client.get(URL, {"kind": "merger"})

        self.assertContains(page, "Choose one of these kinds of proposal.")
        self.assertContains(page, "What do you propose?")

    def test_the_proposal_text_says_its_size_limit(self):
        page = self.client.get(URL, {"kind": Kind.OTHER})

        self.assertContains(page, "Markdown, at most 100,000 characters.")


class AddProjectFromTheFormTests(LifecycleTestCase):
    typed = {"kind": Kind.ATTIC, "title": "Retire Diego-Enabler", "body": "Nobody *uses* it."}

    def start(self, who):
        self.client.force_login(who)
        data = {**self.typed, "committee": self.committee.pk, "form_token": "tok-1"}
        return self.client.post(URL, {**data, "add_project": "1"})

    def test_a_chair_adds_a_project_and_comes_back_to_the_form_as_typed(self):
        response = self.start(self.chair)

        add = reverse("proposals:project_create")
        self.assertRedirects(
            response,
            f"{add}?committee={self.committee.pk}&kind=attic&form=tok-1",
            fetch_redirect_response=False,
        )
        form = self.client.get(response["Location"])
        self.assertContains(form, "Add a project to Runtime's registry")
        self.assertContains(form, '<option value="active" selected>Active</option>', html=True)

        back = self.client.post(
            response["Location"],
            {
                "name": "Diego-Enabler",
                "status": ProjectStatus.ACTIVE,
                "lead": "Ann Lead",
                "repository_urls": "https://github.com/cloudfoundry/diego-enabler\n",
            },
        )

        project = Project.objects.get(name="Diego-Enabler")
        self.assertEqual(project.committee, self.committee)
        self.assertEqual(project.repository_urls, ["https://github.com/cloudfoundry/diego-enabler"])
        event = Event.objects.get(action="project.created", project=project)
        self.assertEqual(event.actor, self.chair)
        self.assertRedirects(
            back, f"{URL}?kind=attic&form=tok-1&project={project.pk}", fetch_redirect_response=False
        )
        page = self.client.get(back["Location"])
        self.assertContains(page, 'value="Retire Diego-Enabler"')
        self.assertContains(page, "Nobody *uses* it.")
        self.assertContains(
            page,
            f'<option value="{project.pk}" selected>Diego-Enabler (Runtime)</option>',
            html=True,
        )
        self.assertContains(page, 'name="form_token" value="tok-1"')
        self.assertFalse(Proposal.objects.exists())

    def test_a_member_is_not_offered_it_and_is_refused(self):
        self.client.force_login(self.member)
        page = self.client.get(URL, {"kind": Kind.ATTIC})
        self.assertNotContains(page, "Add a project to the registry")

        refused = self.start(self.member)
        self.assertContains(refused, "Only the chair of Runtime", status_code=403)
        add = reverse("proposals:project_create") + f"?committee={self.committee.pk}"
        self.assertEqual(self.client.get(add).status_code, 403)
        response = self.client.post(add, {"name": "Sneaky", "status": ProjectStatus.ACTIVE})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Project.objects.filter(name="Sneaky").exists())

    def test_a_chair_sees_the_offer_and_a_taken_name_is_refused(self):
        make_project(self.committee, "Diego-Enabler")
        self.client.force_login(self.chair)
        self.assertContains(
            self.client.get(URL, {"kind": Kind.ATTIC}), "Add a project to the registry"
        )
        add = reverse("proposals:project_create") + f"?committee={self.committee.pk}&kind=attic"

        response = self.client.post(
            add, {"name": "diego-enabler", "status": ProjectStatus.ACTIVE}, follow=True
        )

        self.assertContains(response, "already has a project named")
        self.assertEqual(Project.objects.filter(name__iexact="diego-enabler").count(), 1)
