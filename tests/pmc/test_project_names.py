from django.test import TestCase

from pmc.models import Project
from tests.factories import make_committee, make_project


class FormerNameTests(TestCase):
    def setUp(self):
        committee = make_committee("Runtime")
        self.project = make_project(
            committee, "bbl", former_names=["bosh-bootloader", 'The "Boot" Loader', "Café"]
        )
        make_project(committee, "bosh-bootloader-extras")

    def test_it_finds_a_project_by_its_current_name_in_any_case(self):
        self.assertEqual(list(Project.objects.named("BBL")), [self.project])

    def test_it_finds_a_project_by_a_former_name(self):
        self.assertEqual(list(Project.objects.named("bosh-bootloader")), [self.project])

    def test_it_finds_former_names_with_quotes_and_accents(self):
        for name in ('The "Boot" Loader', "Café"):
            with self.subTest(name=name):
                self.assertEqual(list(Project.objects.named(name)), [self.project])

    def test_it_does_not_match_part_of_a_former_name(self):
        self.assertFalse(Project.objects.named("bosh").exists())
        self.assertFalse(Project.objects.named("Caf").exists())
