"""Seats on the committee's page: its chair adds a member with an account, changes a
role and ends a seat with a reason, under the admin's rules (seats never overlap; the
voters frozen when a vote opened keep their vote); the chair of another committee, and
everyone else without the power, is refused. The permission matrix of every seat and
invitation page and action."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from pmc.models import Membership, Role
from proposals import actions, events
from proposals.models import EligibleVoter, Event, Invitation, Vote
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user


class SeatsTestCase(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.newcomer = make_user("newcomer")
        cls.page = reverse("proposals:committee", args=[cls.committee.slug])

    def seat_of(self, user) -> Membership:
        return Membership.objects.active().get(committee=self.committee, user=user)

    def post(self, name: str, data: dict, *args, as_user=None):
        self.client.force_login(as_user or self.chair)
        url = reverse(f"proposals:{name}", args=[self.committee.slug, *args])
        return self.client.post(url, data)


class AddingTests(SeatsTestCase):
    def test_the_chair_adds_a_member_who_has_an_account(self):
        response = self.post(
            "add_seat", {"username": "newcomer", "role": Role.MEMBER, "reason": "Elected."}
        )

        self.assertRedirects(response, f"{self.page}#members-h", fetch_redirect_response=False)
        seat = self.seat_of(self.newcomer)
        self.assertEqual((seat.role, seat.started_on), (Role.MEMBER, timezone.localdate()))
        event = Event.objects.get(action=events.MEMBERSHIP_STARTED, membership=seat)
        self.assertEqual((event.actor, event.reason), (self.chair, "Elected."))
        page = self.client.get(self.page)
        self.assertContains(page, "newcomer now sits on Runtime as member.")

    def test_an_unknown_user_name_is_said_and_what_was_typed_is_kept(self):
        response = self.post("add_seat", {"username": "nobody", "role": Role.CHAIR, "reason": "x"})

        self.assertContains(response, "No active account is called “nobody”", status_code=400)
        self.assertContains(response, 'value="nobody"', status_code=400)
        self.assertFalse(
            Event.objects.filter(action=events.MEMBERSHIP_STARTED, actor=self.chair).exists()
        )

    def test_a_second_seat_overlapping_the_first_is_refused(self):
        before = Membership.objects.count()
        response = self.post("add_seat", {"username": "member", "role": Role.CHAIR})

        self.assertContains(response, "already holds a seat on Runtime", status_code=400)
        self.assertEqual(Membership.objects.count(), before)

    def test_the_chair_of_another_committee_is_refused(self):
        foreign_chair = make_member(
            self.other_committee, make_user("foreign_chair"), role=Role.CHAIR
        )
        response = self.post(
            "add_seat", {"username": "newcomer", "role": Role.MEMBER}, as_user=foreign_chair
        )

        self.assertEqual(response.status_code, 403)
        self.assertFalse(Membership.objects.filter(user=self.newcomer).exists())

    def test_the_chair_manages_seats_in_their_own_committee_only(self):
        foreign_chair = make_member(
            self.other_committee, make_user("foreign_chair"), role=Role.CHAIR
        )
        self.client.force_login(foreign_chair)
        own = reverse("proposals:add_seat", args=[self.other_committee.slug])
        response = self.client.post(own, {"username": "newcomer", "role": Role.MEMBER})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            Membership.objects.active()
            .filter(committee=self.other_committee, user=self.newcomer)
            .exists()
        )


class RoleChangeTests(SeatsTestCase):
    def test_changing_a_role_ends_the_seat_and_starts_one_with_the_new_role(self):
        old = self.seat_of(self.member)

        response = self.post(
            "change_role", {"role": Role.CHAIR, "reason": "Elected chair."}, old.pk
        )

        self.assertRedirects(response, f"{self.page}#members-h")
        old.refresh_from_db()
        today = timezone.localdate()
        self.assertEqual(old.ended_on, today)
        new = self.seat_of(self.member)
        self.assertEqual((new.role, new.started_on), (Role.CHAIR, today))
        ended = Event.objects.get(action=events.MEMBERSHIP_ENDED, membership=old)
        started = Event.objects.get(action=events.MEMBERSHIP_STARTED, membership=new)
        self.assertEqual(ended.reason, "Elected chair.")
        self.assertEqual(started.reason, "Elected chair.")
        self.assertEqual(started.payload["role"], Role.CHAIR)

    def test_a_role_change_without_a_reason_says_what_changed(self):
        old = self.seat_of(self.member)
        self.post("change_role", {"role": Role.CHAIR}, old.pk)
        started = Event.objects.get(action=events.MEMBERSHIP_STARTED, actor=self.chair)
        self.assertEqual(started.reason, "Role changed from member to chair.")

    def test_the_same_role_is_refused(self):
        seat = self.seat_of(self.member)
        response = self.post("change_role", {"role": Role.MEMBER}, seat.pk)
        self.assertContains(response, "already sits on Runtime as member", status_code=400)
        seat.refresh_from_db()
        self.assertIsNone(seat.ended_on)

    def test_a_seat_of_another_committee_is_not_found_here(self):
        foreign_seat = Membership.objects.get(user=self.foreign_member)
        response = self.post("change_role", {"role": Role.CHAIR}, foreign_seat.pk)
        self.assertEqual(response.status_code, 404)

    def test_a_voter_whose_role_changes_during_a_vote_keeps_a_binding_vote(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        seat = self.seat_of(self.other_member)
        self.post("change_role", {"role": Role.CHAIR}, seat.pk)

        actions.do_cast_vote(proposal=proposal, actor=self.other_member, value=1)

        self.assertTrue(Vote.objects.get(proposal=proposal, voter=self.other_member).binding)


class EndingTests(SeatsTestCase):
    def test_the_chair_ends_a_seat_with_a_reason(self):
        seat = self.seat_of(self.member)

        response = self.post("end_seat", {"reason": "Moved to another team."}, seat.pk)

        self.assertRedirects(response, f"{self.page}#members-h")
        seat.refresh_from_db()
        self.assertEqual(seat.ended_on, timezone.localdate())
        event = Event.objects.get(action=events.MEMBERSHIP_ENDED, membership=seat)
        self.assertEqual((event.actor, event.reason), (self.chair, "Moved to another team."))

    def test_a_seat_is_not_ended_without_a_reason(self):
        seat = self.seat_of(self.member)
        response = self.post("end_seat", {"reason": ""}, seat.pk)
        self.assertContains(response, "Say why the seat ends", status_code=400)
        seat.refresh_from_db()
        self.assertIsNone(seat.ended_on)

    def test_an_ended_seat_cannot_end_twice(self):
        seat = self.seat_of(self.member)
        self.post("end_seat", {"reason": "Left."}, seat.pk)
        response = self.post("end_seat", {"reason": "Again."}, seat.pk)
        self.assertContains(response, "seat already ended", status_code=400)
        self.assertEqual(Event.objects.filter(action=events.MEMBERSHIP_ENDED).count(), 1)

    def test_a_seat_that_has_not_begun_ends_on_the_day_it_would_have(self):
        later = timezone.localdate() + datetime.timedelta(days=10)
        make_member(self.committee, self.newcomer, started_on=later)
        seat = Membership.objects.get(user=self.newcomer)
        self.post("end_seat", {"reason": "Declined."}, seat.pk)
        seat.refresh_from_db()
        self.assertEqual(seat.ended_on, later)

    def test_a_frozen_voter_whose_seat_ends_keeps_the_vote(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        seat = self.seat_of(self.third_member)
        self.post("end_seat", {"reason": "Left."}, seat.pk)

        actions.do_cast_vote(proposal=proposal, actor=self.third_member, value=-1, reason="No.")

        vote = Vote.objects.get(proposal=proposal, voter=self.third_member)
        self.assertTrue(vote.binding)
        self.assertTrue(
            EligibleVoter.objects.filter(proposal=proposal, user=self.third_member).exists()
        )


class PermissionMatrixTests(SeatsTestCase):
    """Who may use each seat and invitation page: only the committee's chair and
    administrators. Anonymous readers are sent to sign in; everyone else is refused
    (403) and nothing changes."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.former = make_member(
            cls.committee,
            make_user("former"),
            role=Role.CHAIR,
            started_on=datetime.date(2016, 1, 1),
            ended_on=datetime.date(2019, 1, 1),
        )
        cls.staff = make_user("staff", is_staff=True)
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)
        cls.foreign_chair = make_member(
            cls.other_committee, make_user("foreign_chair"), role=Role.CHAIR
        )

    def requests(self):
        seat = Membership.objects.filter(user=self.other_member).latest("pk")
        invitation = Invitation.objects.filter(
            email="pending@example.net"
        ).first() or actions.do_invite(
            committee=self.committee, email="pending@example.net", actor=self.chair
        )
        slug = self.committee.slug
        return {
            "add": (
                reverse("proposals:add_seat", args=[slug]),
                {"username": "newcomer", "role": "member"},
            ),
            "role": (reverse("proposals:change_role", args=[slug, seat.pk]), {"role": "chair"}),
            "end": (reverse("proposals:end_seat", args=[slug, seat.pk]), {"reason": "Left."}),
            "invite": (
                reverse("proposals:invite", args=[slug]),
                {"email": "x@example.net", "role": "member"},
            ),
            "withdraw": (reverse("proposals:withdraw_invitation", args=[slug, invitation.pk]), {}),
        }

    def snapshot(self):
        return (
            list(Membership.objects.order_by("pk").values_list("pk", "ended_on")),
            list(Invitation.objects.order_by("pk").values_list("pk", "withdrawn_at")),
            Event.objects.count(),
        )

    def test_only_the_chair_and_administrators_may(self):
        refused = {
            "outsider": self.outsider,
            "member of another committee": self.foreign_member,
            "chair of another committee": self.foreign_chair,
            "former chair": self.former,
            "member": self.member,
            "staff without administrator rights": self.staff,
        }
        for who, user in refused.items():
            for name, (url, data) in self.requests().items():
                with self.subTest(who=who, action=name):
                    self.client.force_login(user)
                    before = self.snapshot()
                    self.assertEqual(self.client.post(url, data).status_code, 403)
                    self.assertEqual(self.snapshot(), before)
        for name, (url, data) in self.requests().items():
            with self.subTest(who="anonymous", action=name):
                self.client.logout()
                before = self.snapshot()
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])
                self.assertEqual(self.snapshot(), before)

    def assert_allowed(self, user) -> None:
        for name in ("add", "role", "end", "invite", "withdraw"):
            url, data = self.requests()[name]  # the seats as the action before left them
            with self.subTest(action=name):
                self.client.force_login(user)
                before = self.snapshot()
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 302, response.content[:500])
                self.assertNotEqual(self.snapshot(), before)

    def test_the_chair_may(self):
        self.assert_allowed(self.chair)

    def test_an_administrator_may(self):
        self.assert_allowed(self.admin)

    def test_the_forms_show_for_the_chair_and_administrators_only(self):
        for who, user, shown in [
            ("chair", self.chair, True),
            ("administrator", self.admin, True),
            ("member", self.member, False),
            ("staff", self.staff, False),
            ("chair of another committee", self.foreign_chair, False),
            ("former chair", self.former, False),
        ]:
            with self.subTest(who=who):
                self.client.force_login(user)
                page = self.client.get(self.page)
                self.assertEqual("Add a member" in page.content.decode(), shown)
                self.assertEqual("Pending invitations" in page.content.decode(), shown)
        self.client.logout()
        self.assertNotContains(self.client.get(self.page), "Add a member")
