"""Staff and chairs confirm a second factor before they act (PMC_REQUIRE_MFA): a chair
without one is sent to set it up, one with it confirms a code once per session; wrong
codes are refused and throttled; recovery codes work once."""

from __future__ import annotations

import base64
import re
import time

import pyotp
from django.test import override_settings
from django.urls import get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmc import second_factor
from proposals import audit
from proposals import urls as proposals_urls
from proposals.models import Event
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user

SETUP = reverse("second_factor:setup")
VERIFY = reverse("second_factor:verify")


def code_for(device: TOTPDevice, *, step_offset: int = 0) -> str:
    """The code an authenticator app holding the device's secret shows now."""
    totp = pyotp.TOTP(base64.b32encode(device.bin_key).decode())
    return totp.at(time.time() + 30 * step_offset)


@override_settings(PMC_REQUIRE_MFA=True)
class SecondFactorTestCase(LifecycleTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(
            self.committee, self.member, state=State.DISCUSSION, chair=self.chair
        )
        self.page = self.proposal.get_absolute_url()

    def start_vote(self):
        url = reverse("proposals:transition", args=[self.proposal.pk, "start_vote"])
        return self.client.post(
            url,
            {"start_vote-expected_state": State.DISCUSSION},
            HTTP_REFERER=f"http://testserver{self.page}",
        )

    def assertNotStarted(self) -> None:
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.DISCUSSION)
        self.assertFalse(Event.objects.filter(action="proposal.start_vote").exists())

    def assertStarted(self, response) -> None:
        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.state, State.VOTING)

    def give_authenticator(self, user) -> tuple[TOTPDevice, list[str]]:
        device = second_factor.pending_authenticator(user)
        return device, second_factor.confirm_authenticator(device)

    def verify(self, code: str):
        return self.client.post(f"{VERIFY}?next={self.page}", {"code": code})


class ChairWithoutSecondFactorTests(SecondFactorTestCase):
    def test_it_sends_the_chair_to_set_one_up_and_does_nothing(self):
        self.client.force_login(self.chair)

        response = self.start_vote()

        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            response["Location"],
            f"{SETUP}?next=http%3A%2F%2Ftestserver{self.page.replace('/', '%2F')}",
        )
        self.assertNotStarted()

    def test_it_lets_the_chair_act_once_the_authenticator_is_confirmed(self):
        self.client.force_login(self.chair)
        page = self.client.get(f"{SETUP}?next={self.page}")
        self.assertContains(page, "Set up a second factor")
        secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.content.decode())[1]
        totp = pyotp.TOTP(secret.replace(" ", ""))

        wrong = self.client.post(f"{SETUP}?next={self.page}", {"code": "000000"})
        self.assertContains(wrong, "That code is not the one your app shows")
        self.assertIsNone(second_factor.authenticator(self.chair))
        time.sleep(1.1)  # the first wrong code holds the next try back for a second
        right = self.client.post(f"{SETUP}?next={self.page}", {"code": totp.now()})

        self.assertContains(right, "Your recovery codes")
        codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", right.content.decode())
        self.assertEqual(len(codes), 10)
        self.assertEqual(
            sorted(codes),
            sorted(
                StaticToken.objects.filter(device__user=self.chair).values_list("token", flat=True)
            ),
        )
        self.assertIsNotNone(second_factor.authenticator(self.chair))
        self.assertStarted(self.start_vote())

    def test_it_lets_a_member_act_without_one(self):
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        self.client.force_login(self.other_member)

        response = self.client.post(reverse("proposals:vote", args=[proposal.pk]), {"value": "1"})

        self.assertNotIn(SETUP, response.get("Location", ""))
        self.assertTrue(proposal.votes.filter(voter=self.other_member).exists())

    def test_it_asks_staff_too(self):
        staff = make_user("staff", is_staff=True)
        self.client.force_login(staff)

        response = self.client.post(reverse("proposals:notifications_read"))

        self.assertEqual(response.status_code, 303)
        self.assertTrue(response["Location"].startswith(SETUP))

    def test_it_lets_the_chair_sign_out(self):
        self.client.force_login(self.chair)

        response = self.client.post(reverse("logout"))

        self.assertRedirects(response, reverse("proposals:home"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_former_chair_needs_none(self):
        seat = self.chair.memberships.get(committee=self.committee)
        seat.ended_on = seat.started_on
        seat.save()
        self.assertFalse(second_factor.required_for(self.chair))

    @override_settings(PMC_REQUIRE_MFA=False)
    def test_it_asks_nothing_while_the_setting_is_off(self):
        self.client.force_login(self.chair)
        self.assertStarted(self.start_vote())


class EveryChairActionTests(SecondFactorTestCase):
    """The one middleware covers every POST the site answers, so a view added later
    cannot forget to ask: each of the site's pages and the admin, posted to by a chair
    without a second factor, answers with the way to set one up and does nothing."""

    SAMPLES = {"int": "1", "slug": "runtime", "str": "runtime", "path": "runtime"}

    def site_paths(self) -> list[str]:
        """Every path of the site's URLs, but the exempt ones under /accounts/ (the
        password pages, which a chair uses before any second factor)."""
        paths = []
        for pattern in get_resolver(proposals_urls).url_patterns:
            route = str(pattern.pattern)
            path = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: self.SAMPLES[m[1] or "str"], route)
            if not path.startswith(second_factor.EXEMPT_PREFIX):
                paths.append(path)
        return paths

    def test_every_post_asks_first(self):
        self.client.force_login(self.chair)
        events = Event.objects.count()
        paths = [*self.site_paths(), "/admin/pmc/committee/add/", "/admin/auth/user/1/change/"]
        self.assertGreater(len(paths), 25)
        for path in paths:
            with self.subTest(path=path):
                response = self.client.post(path, {"anything": "1"})
                self.assertEqual(response.status_code, 303)
                self.assertTrue(response["Location"].startswith(f"{SETUP}?next="))
        self.assertEqual(Event.objects.count(), events)
        self.assertNotStarted()


class ChairWithSecondFactorTests(SecondFactorTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.device, self.codes = self.give_authenticator(self.chair)
        self.client.force_login(self.chair)

    def test_it_asks_for_a_code_in_a_new_session_and_does_nothing(self):
        response = self.start_vote()

        self.assertEqual(response.status_code, 303)
        self.assertTrue(response["Location"].startswith(f"{VERIFY}?next="))
        self.assertNotStarted()

    def test_the_right_code_lets_the_action_through(self):
        response = self.verify(code_for(self.device))

        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        self.assertStarted(self.start_vote())

    def test_a_wrong_code_is_refused_and_throttled(self):
        refused = self.verify("123456" if code_for(self.device) != "123456" else "654321")
        self.assertContains(refused, "That code is not right")
        self.assertEqual(self.start_vote().status_code, 303)

        # Right after a wrong code even the right one is refused, and says how long to wait.
        throttled = self.verify(code_for(self.device))
        self.assertContains(
            throttled, "Too many wrong codes in a row (1). Wait 1 second", status_code=429
        )
        self.assertEqual(self.start_vote().status_code, 303)

        time.sleep(1.1)
        self.assertContains(
            self.verify("000000" if code_for(self.device) != "000000" else "111111"),
            "That code is not right",
        )
        throttled = self.verify(code_for(self.device))
        self.assertContains(
            throttled, "Too many wrong codes in a row (2). Wait 2 seconds", status_code=429
        )

        time.sleep(2.1)
        self.assertRedirects(
            self.verify(code_for(self.device)), self.page, fetch_redirect_response=False
        )
        self.assertStarted(self.start_vote())
        self.device.refresh_from_db()
        self.assertEqual(self.device.throttling_failure_count, 0)

    def test_a_code_is_accepted_once(self):
        code = code_for(self.device)
        self.assertRedirects(self.verify(code), self.page, fetch_redirect_response=False)
        self.client.logout()
        self.client.force_login(self.chair)

        self.assertContains(self.verify(code), "That code is not right")

    def test_a_recovery_code_works_once(self):
        code = self.codes[0]

        response = self.verify(code.upper()[:4] + " " + code.upper()[4:])

        self.assertRedirects(response, self.page, fetch_redirect_response=False)
        self.assertContains(
            self.client.get(self.page), "You used a recovery code; it will not work again. 9 remain"
        )
        self.assertStarted(self.start_vote())
        self.client.logout()
        self.client.force_login(self.chair)
        self.assertContains(self.verify(code), "That code is not right")
        self.assertEqual(second_factor.remaining_recovery_codes(self.chair), 9)

    def test_new_recovery_codes_replace_the_old_ones(self):
        self.verify(code_for(self.device))

        response = self.client.post(reverse("second_factor:recovery_codes"))

        fresh = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
        self.assertEqual(len(fresh), 10)
        self.assertFalse(set(fresh) & set(self.codes))
        self.assertEqual(second_factor.remaining_recovery_codes(self.chair), 10)

    def test_it_does_not_send_anyone_elsewhere_after_the_code(self):
        response = self.client.post(
            f"{VERIFY}?next=https://evil.example.org/", {"code": code_for(self.device)}
        )
        self.assertRedirects(response, reverse("proposals:home"), fetch_redirect_response=False)

    def test_setting_up_again_needs_the_current_code_first(self):
        response = self.client.get(SETUP)
        self.assertTrue(response["Location"].startswith(VERIFY))

    def test_a_confirmed_session_may_replace_the_app_and_keep_acting(self):
        self.verify(code_for(self.device))
        page = self.client.get(SETUP)
        self.assertContains(page, "Make new recovery codes")
        secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.content.decode())[1]

        response = self.client.post(SETUP, {"code": pyotp.TOTP(secret.replace(" ", "")).now()})

        self.assertContains(response, "Your recovery codes")
        self.assertEqual(TOTPDevice.objects.filter(user=self.chair).count(), 1)
        self.assertNotEqual(second_factor.authenticator(self.chair).pk, self.device.pk)
        self.assertStarted(self.start_vote())


class SecondFactorPageAccessTests(SecondFactorTestCase):
    """Who may open the second-factor pages: anyone signed in, for their own account."""

    def setUp(self) -> None:
        super().setUp()
        self.staff = make_user("staff", is_staff=True)

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        for url in (SETUP, VERIFY):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(
                    response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
                )
        response = self.client.post(reverse("second_factor:recovery_codes"))
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_everyone_signed_in_may_set_one_up_and_confirm_it(self):
        for who in ("outsider", "member", "chair", "staff"):
            with self.subTest(who=who):
                user = getattr(self, who)
                self.client.force_login(user)
                self.assertContains(self.client.get(SETUP), "Set up a second factor")
                # Without an authenticator, confirming one means setting it up.
                self.assertRedirects(
                    self.client.get(VERIFY), f"{SETUP}?", fetch_redirect_response=False
                )
                self.give_authenticator(user)
                self.client.logout()
                self.client.force_login(user)
                self.assertContains(self.client.get(VERIFY), "Confirm your second factor")
                # New recovery codes need a confirmed session.
                response = self.client.post(reverse("second_factor:recovery_codes"))
                self.assertRedirects(response, VERIFY, fetch_redirect_response=False)


class SecondFactorInTheAuditLogTests(SecondFactorTestCase):
    """A second factor is a power: setting one up, replacing or removing it, renewing
    recovery codes and using one are each an event about the person, by who acted."""

    def account_events(self, user) -> list[tuple[str, str, dict]]:
        return [
            (event.action, event.actor_name, event.payload)
            for event in Event.objects.filter(
                action__startswith="account.", payload__user_id=user.pk
            ).exclude(action="account.created")
        ]

    def test_setting_up_replacing_and_renewing_are_recorded_by_the_person(self):
        self.client.force_login(self.chair)
        first, _ = self.give_authenticator(self.chair)
        self.verify(code_for(first))
        replacement = second_factor.pending_authenticator(self.chair)
        self.client.post(SETUP, {"code": code_for(replacement)})
        self.client.post(reverse("second_factor:recovery_codes"))

        actions = [action for action, _, _ in self.account_events(self.chair)]
        self.assertEqual(
            actions,
            [
                "account.second_factor_set",
                "account.second_factor_removed",
                "account.second_factor_set",
                "account.recovery_codes_renewed",
            ],
        )
        self.assertEqual(
            [
                payload.get("replaced")
                for action, _, payload in self.account_events(self.chair)
                if action == "account.second_factor_set"
            ],
            [False, True],
        )
        self.assertEqual({actor for _, actor, _ in self.account_events(self.chair)[1:]}, {"chair"})

    def test_a_recovery_code_used_is_recorded_with_how_many_are_left(self):
        _, codes = self.give_authenticator(self.chair)
        self.client.force_login(self.chair)

        self.verify(codes[0])

        [used] = [e for e in self.account_events(self.chair) if e[0].endswith("code_used")]
        self.assertEqual((used[1], used[2]["left"]), ("chair", 9))
        self.assertTrue(audit.verify_chain().ok)

    @override_settings(PMC_REQUIRE_MFA=False)  # the administrator's own is not the point
    def test_an_administrator_removing_an_authenticator_in_the_admin_is_recorded(self):
        device, _ = self.give_authenticator(self.member)
        admin = make_user("admin", is_staff=True, is_superuser=True)
        self.client.force_login(admin)

        self.client.post(
            reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
        )

        self.assertFalse(TOTPDevice.objects.filter(pk=device.pk).exists())
        removed = [e for e in self.account_events(self.member) if e[0].endswith("removed")]
        self.assertEqual([actor for _, actor, _ in removed], ["admin"])
