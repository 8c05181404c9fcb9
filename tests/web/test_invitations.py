"""Invitations to a seat: a chair invites by e-mail with a role; the signed link works
once, until it expires, unless withdrawn; accepting makes or links the account and gives
the seat through `do_add_member`, with the invitation's events."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from pmc.models import Membership, Role
from proposals import account_flows, actions, events
from proposals.actions import invitations
from proposals.errors import NotPermitted
from proposals.event_sentences import lines
from proposals.models import Event, Invitation
from tests.base import LifecycleTestCase
from tests.factories import make_user
from tests.web.test_accounts import FlowRecorder


def link_in(message) -> str:
    [link] = re.findall(r"http://\S+", message.body)
    return link.removeprefix("http://127.0.0.1:8000")


# Nothing listens on the discard port: the connection is refused at once.
MAIL_SERVER_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,
    "EMAIL_TIMEOUT": 2,
}

SIGN_UP = {
    "username": "dara.new",
    "first_name": "Dara",
    "last_name": "New",
    "password1": "a-long-new-secret-7",
    "password2": "a-long-new-secret-7",
}


class InvitingTests(LifecycleTestCase):
    def invite(self, email="dara@example.net", role=Role.MEMBER, as_user=None):
        self.client.force_login(as_user or self.chair)
        return self.client.post(
            reverse("proposals:invite", args=[self.committee.slug]),
            {"email": email, "role": role},
            follow=True,
        )

    def test_a_chair_invites_by_email_and_the_invitation_is_listed_for_them(self):
        response = self.invite(role=Role.CHAIR)

        self.assertContains(response, "dara@example.net is invited to Runtime as chair until")
        invitation = Invitation.objects.get()
        self.assertEqual((invitation.email, invitation.role), ("dara@example.net", Role.CHAIR))
        self.assertIsNotNone(invitation.sent_at)
        lifetime = invitation.expires_at - invitation.created_at
        self.assertEqual(lifetime, datetime.timedelta(days=14))
        [message] = mail.outbox
        self.assertEqual(message.to, ["dara@example.net"])
        self.assertIn("You are invited to a seat on the Runtime PMC", message.subject)
        self.assertIn("as chair", message.body)
        # The link's signature carries the second it was made: compare what names the
        # invitation, not a token signed again now.
        link = reverse("proposals:invitation", args=[invitations.token(invitation)])
        self.assertIn(link.rsplit(":", 2)[0], message.body)
        event = Event.objects.get(action=events.INVITATION_SENT)
        self.assertEqual(event.actor, self.chair)
        self.assertEqual(event.payload["to"], "d…@example.net")  # the log is public
        self.assertNotIn("dara@example.net", str(event.payload))
        page = self.client.get(reverse("proposals:committee", args=[self.committee.slug]))
        self.assertContains(page, 'Pending invitations <span class="muted">(1)</span>')
        self.assertContains(page, "dara@example.net")

    @override_settings(**MAIL_SERVER_DOWN)
    def test_an_invitation_the_mail_server_did_not_take_is_said_and_marked(self):
        response = self.invite()

        self.assertContains(response, "The invitation is saved, but the mail server did not take")
        self.assertContains(response, "e-mail not sent")
        invitation = Invitation.objects.get()
        self.assertIsNone(invitation.sent_at)
        self.assertEqual(invitation.status(), "pending")

    def test_the_pending_invitations_are_not_shown_to_members_or_visitors(self):
        self.invite()
        url = reverse("proposals:committee", args=[self.committee.slug])
        self.client.force_login(self.member)
        self.assertNotContains(self.client.get(url), "dara@example.net")
        self.client.logout()
        self.assertNotContains(self.client.get(url), "dara@example.net")

    def test_a_second_pending_invitation_to_the_same_address_is_refused(self):
        self.invite()
        response = self.invite(email="DARA@example.net")
        self.assertContains(
            response, "already has a pending invitation to Runtime", status_code=400
        )
        self.assertEqual(Invitation.objects.count(), 1)

    def test_a_bad_address_keeps_what_was_typed(self):
        response = self.invite(email="not-an-address")
        self.assertContains(response, "Enter a valid email address.", status_code=400)
        self.assertContains(response, 'value="not-an-address"', status_code=400)
        self.assertFalse(Invitation.objects.exists())

    def test_the_chair_of_another_committee_cannot_invite_here(self):
        foreign_chair = make_user("foreign_chair")
        Membership.objects.create(
            committee=self.other_committee, user=foreign_chair, role=Role.CHAIR
        )
        response = self.invite(as_user=foreign_chair)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_the_action_refuses_a_member(self):
        with self.assertRaises(NotPermitted):
            actions.do_invite(committee=self.committee, email="x@example.net", actor=self.member)


class AcceptingTests(LifecycleTestCase):
    def setUp(self):
        self.invitation = actions.do_invite(
            committee=self.committee, email="dara@example.net", role=Role.MEMBER, actor=self.chair
        )
        self.url = reverse("proposals:invitation", args=[invitations.token(self.invitation)])

    def test_a_new_person_makes_an_account_and_gets_the_seat(self):
        page = self.client.get(self.url)
        self.assertContains(page, "invites <strong>dara@example.net</strong> to sit on")

        with FlowRecorder() as flows:
            response = self.client.post(self.url, SIGN_UP, follow=True)

        self.assertContains(response, "Welcome: you sit on Runtime as member.")
        self.assertEqual(flows.seen[0], account_flows.INVITATION)  # the account's creation
        user = get_user_model().objects.get(username="dara.new")
        self.assertEqual(user.email, "dara@example.net")
        self.assertTrue(user.check_password("a-long-new-secret-7"))
        self.assertFalse(user.is_staff)
        self.assertEqual(response.wsgi_request.user, user)  # signed in
        seat = Membership.objects.active().get(committee=self.committee, user=user)
        self.assertEqual(seat.role, Role.MEMBER)
        started = Event.objects.get(action=events.MEMBERSHIP_STARTED, membership=seat)
        self.assertEqual(started.actor, self.chair)  # on the inviting chair's authority
        self.assertIn(f"invitation #{self.invitation.pk}", started.reason)
        accepted = Event.objects.get(action=events.INVITATION_ACCEPTED)
        self.assertEqual((accepted.actor, accepted.membership), (user, seat))
        self.assertTrue(accepted.payload["new_account"])
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.status(), "accepted")

    def test_someone_with_an_account_signs_in_first_and_accepts_with_it(self):
        page = self.client.get(self.url)
        login = reverse("login")
        self.assertContains(page, f"{login}?next=")
        self.client.force_login(self.outsider)
        page = self.client.get(self.url)
        self.assertContains(page, "Accept as outsider")

        response = self.client.post(self.url, follow=True)

        self.assertContains(response, "Welcome: you sit on Runtime as member.")
        self.assertTrue(
            Membership.objects.active()
            .filter(committee=self.committee, user=self.outsider)
            .exists()
        )
        self.assertFalse(get_user_model().objects.filter(email="dara@example.net").exists())

    def test_an_address_that_has_an_account_signs_in_rather_than_making_a_second(self):
        invitation = actions.do_invite(
            committee=self.committee, email="OUTSIDER@example.org", actor=self.chair
        )
        url = reverse("proposals:invitation", args=[invitations.token(invitation)])

        page = self.client.get(url)
        refused = self.client.post(url, SIGN_UP)

        self.assertContains(page, "An account already uses OUTSIDER@example.org: sign in")
        self.assertNotContains(page, 'name="password1"')
        self.assertContains(refused, "An account already uses", status_code=409)
        self.assertFalse(get_user_model().objects.filter(username="dara.new").exists())

    def test_the_link_works_once(self):
        self.client.post(self.url, SIGN_UP)
        self.client.logout()

        again = self.client.get(self.url)
        second = self.client.post(self.url, {**SIGN_UP, "username": "someone.else"})

        self.assertContains(again, "was already accepted; it works once", status_code=410)
        self.assertEqual(second.status_code, 410)
        self.assertFalse(get_user_model().objects.filter(username="someone.else").exists())
        self.assertEqual(Event.objects.filter(action=events.INVITATION_ACCEPTED).count(), 1)

    def test_an_expired_invitation_is_refused(self):
        Invitation.objects.filter(pk=self.invitation.pk).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        response = self.client.post(self.url, SIGN_UP)
        self.assertContains(response, "expired on", status_code=410)
        self.assertFalse(get_user_model().objects.filter(username="dara.new").exists())

    def test_a_link_older_than_its_signature_allows_is_refused(self):
        with self.settings(PMC_INVITATION_DAYS=-2):
            response = self.client.get(self.url)
        self.assertContains(response, "This invitation has expired", status_code=410)

    def test_a_withdrawn_invitation_is_refused(self):
        self.client.force_login(self.chair)
        withdraw = reverse(
            "proposals:withdraw_invitation", args=[self.committee.slug, self.invitation.pk]
        )
        response = self.client.post(withdraw, follow=True)
        self.assertContains(response, "The invitation of dara@example.net is withdrawn")
        self.assertEqual(Event.objects.filter(action=events.INVITATION_WITHDRAWN).count(), 1)
        self.client.logout()

        refused = self.client.post(self.url, SIGN_UP)

        self.assertContains(refused, "was withdrawn", status_code=410)
        self.assertFalse(get_user_model().objects.filter(username="dara.new").exists())

    def test_a_tampered_link_is_refused(self):
        response = self.client.get(self.url[:-4] + "abc/")
        self.assertContains(response, "This invitation link is not valid", status_code=404)

    def test_a_link_naming_another_invitation_with_this_ones_nonce_is_refused(self):
        other = actions.do_invite(
            committee=self.committee, email="eve@example.net", actor=self.chair
        )
        # Signed with the site's own key: only the nonce, which the link must match, differs.
        mixed = signing.dumps({"i": other.pk, "n": self.invitation.nonce}, salt="pmc.invitation")
        response = self.client.get(reverse("proposals:invitation", args=[mixed]))
        self.assertContains(response, "This invitation link is not valid", status_code=404)

    def test_a_link_signed_with_another_key_is_refused(self):
        payload = {"i": self.invitation.pk, "n": self.invitation.nonce}
        forged = signing.dumps(payload, key="not-the-site-key", salt="pmc.invitation")
        response = self.client.get(reverse("proposals:invitation", args=[forged]))
        self.assertContains(response, "This invitation link is not valid", status_code=404)

    def test_it_lapses_when_the_inviter_no_longer_chairs(self):
        seat = Membership.objects.get(user=self.chair, committee=self.committee)
        seat.ended_on = timezone.localdate()
        seat.save()
        response = self.client.post(self.url, SIGN_UP)
        self.assertContains(response, "no longer chairs the committee", status_code=410)
        self.assertFalse(get_user_model().objects.filter(username="dara.new").exists())

    def test_a_taken_user_name_keeps_the_form(self):
        response = self.client.post(self.url, {**SIGN_UP, "username": "member"})
        self.assertContains(response, "A user with that username already exists.", status_code=400)
        self.assertContains(response, 'value="Dara"', status_code=400)
        self.assertEqual(self.invitation.status(), "pending")

    def test_someone_who_already_sits_there_is_refused_and_nothing_is_spent(self):
        self.client.force_login(self.member)
        response = self.client.post(self.url)
        self.assertContains(response, "already holds a seat on Runtime", status_code=409)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.status(), "pending")

    def test_a_member_of_the_committee_cannot_withdraw_it(self):
        self.client.force_login(self.member)
        withdraw = reverse(
            "proposals:withdraw_invitation", args=[self.committee.slug, self.invitation.pk]
        )
        self.assertEqual(self.client.post(withdraw).status_code, 403)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.status(), "pending")

    def test_the_history_tells_the_invitation_in_words(self):
        self.client.post(self.url, SIGN_UP)
        said = [
            str(line.sentence)
            for line in lines(Event.objects.filter(action__startswith="invitation."))
        ]
        self.assertIn("invited d…@example.net to a seat on Runtime as member.", said[0])
        self.assertIn("accepted the invitation sent to d…@example.net and sits on Runtime", said[1])
