"""The banner that tells staff when background work is backing up."""

from __future__ import annotations

import datetime

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from proposals import actions
from proposals.context_processors import outbox_backlog
from proposals.models import OutboxMessage
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user

BANNER = "background work is backing up"


class OperatorBannerTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.staff = make_user("operator", is_staff=True)
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)

    def age_outbox(self, minutes: int) -> None:
        OutboxMessage.objects.update(
            created_at=timezone.now() - datetime.timedelta(minutes=minutes)
        )

    def test_it_shows_staff_the_banner_when_work_waits_too_long(self):
        self.age_outbox(45)
        self.client.force_login(self.staff)

        response = self.client.get(reverse("proposals:home"))

        self.assertContains(response, BANNER)
        self.assertContains(response, "manage.py check_services")

    def test_it_shows_nothing_while_work_is_fresh(self):
        self.age_outbox(1)
        self.client.force_login(self.staff)

        self.assertNotContains(self.client.get(reverse("proposals:home")), BANNER)

    def test_it_shows_nothing_to_members_and_costs_them_no_query(self):
        self.age_outbox(45)
        self.client.force_login(self.member)
        self.assertNotContains(self.client.get(reverse("proposals:home")), BANNER)

        request = RequestFactory().get("/")
        request.user = self.member
        with self.assertNumQueries(0):
            self.assertEqual(outbox_backlog(request), {})

    def test_it_costs_staff_one_query(self):
        self.age_outbox(45)
        request = RequestFactory().get("/")
        request.user = self.staff

        with self.assertNumQueries(1):
            context = outbox_backlog(request)

        self.assertIsNotNone(context["outbox_backlog_since"])
