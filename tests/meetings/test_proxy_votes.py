"""Proxy votes: the chair records a vote a member gave them outside the site; the member
is notified and their own vote replaces it; a committee can switch them off."""

from __future__ import annotations

import datetime
import io
import json

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from pmc.models import Committee
from proposals import actions, event_sentences, events, notifications, replay
from proposals.errors import LifecycleError, NotPermitted, VoteRefused
from proposals.models import Event, Notification, NotificationKind, OutboxMessage, Vote
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_member, make_proposal, make_user


class ProxyVoteTests(LifecycleTestCase):
    def setUp(self) -> None:
        self.proposal = make_proposal(
            self.committee, self.member, state=State.VOTING, chair=self.chair
        )

    def record(self, **fields):
        fields = {
            "proposal": self.proposal,
            "actor": self.chair,
            "voter": self.other_member,
            "value": 1,
            "note": "In the meeting of 2026-12-01",
            **fields,
        }
        return actions.do_record_proxy_vote(**fields)

    def test_the_chair_records_it_and_it_counts_as_the_members_vote(self) -> None:
        vote = self.record()
        self.assertEqual((vote.voter, vote.value, vote.binding), (self.other_member, 1, True))
        self.assertEqual(vote.recorded_by, self.chair)
        self.assertEqual(vote.proxy_note, "In the meeting of 2026-12-01")
        self.assertEqual(self.proposal.tally().yes, 1)
        event = Event.objects.get(action=events.VOTE_PROXY_RECORDED)
        self.assertEqual(event.actor, self.chair)
        self.assertEqual(event.payload["voter"], "other_member")
        self.assertEqual(event.payload["note"], "In the meeting of 2026-12-01")
        line = event_sentences.lines([event])[0]
        self.assertIn("on their behalf (a proxy vote: In the meeting of 2026-12-01)", line.what)

    def test_the_member_alone_is_notified(self) -> None:
        notifications.drain_outbox()  # the news of the vote's opening, to everyone
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.record()
        self.assertEqual(
            OutboxMessage.objects.get(event__action=events.VOTE_PROXY_RECORDED).kind,
            NotificationKind.PROXY_VOTE,
        )
        notifications.drain_outbox()
        sent = Notification.objects.filter(kind=NotificationKind.PROXY_VOTE)
        self.assertEqual([n.user for n in sent], [self.other_member])
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["other_member@example.org"])
        self.assertIn("Your vote was recorded by the chair", mail.outbox[0].subject)
        self.assertIn("How you gave it: In the meeting of 2026-12-01", mail.outbox[0].body)

    def test_the_members_own_vote_replaces_it_even_when_the_same(self) -> None:
        self.record(value=1)
        actions.do_cast_vote(proposal=self.proposal, actor=self.other_member, value=1)
        vote = Vote.objects.get(voter=self.other_member)
        self.assertIsNone(vote.recorded_by)
        self.assertEqual(vote.proxy_note, "")
        event = Event.objects.filter(actor=self.other_member).latest("id")
        self.assertEqual(event.action, events.VOTE_CHANGED)
        self.assertTrue(event.payload["replaced_proxy"])
        self.assertIn("replacing the proxy vote", event_sentences.lines([event])[0].what)

    def test_a_member_who_voted_themselves_keeps_their_vote(self) -> None:
        actions.do_cast_vote(proposal=self.proposal, actor=self.other_member, value=-1, reason="no")
        with self.assertRaisesMessage(VoteRefused, "their own vote stands"):
            self.record(value=1)
        self.assertEqual(Vote.objects.get(voter=self.other_member).value, -1)

    def test_the_chair_may_correct_a_proxy_vote_they_recorded(self) -> None:
        self.record(value=1)
        self.record(value=0, note="By phone, corrected")
        vote = Vote.objects.get(voter=self.other_member)
        self.assertEqual((vote.value, vote.proxy_note), (0, "By phone, corrected"))
        self.assertEqual(Event.objects.filter(action=events.VOTE_PROXY_RECORDED).count(), 2)

    def test_it_is_refused_when_the_committee_switched_proxy_votes_off(self) -> None:
        Committee.objects.filter(pk=self.committee.pk).update(proxy_votes=False)
        with self.assertRaisesMessage(VoteRefused, "Runtime has switched proxy votes off"):
            self.record()
        self.assertFalse(Vote.objects.exists())
        self.assertFalse(Event.objects.filter(action=events.VOTE_PROXY_RECORDED).exists())

    def test_the_rules_of_a_vote_apply(self) -> None:
        refusals = {
            "minus one without a reason": ({"value": -1}, "A -1 needs a reason"),
            "no note": ({"note": "  "}, "Say how"),
            "an outsider as voter": ({"voter": self.outsider}, "Only members of Runtime"),
            "a member of another committee": (
                {"voter": self.foreign_member},
                "Only members of Runtime",
            ),
            "the chair's own vote": ({"voter": self.chair}, "Cast your own vote"),
        }
        for label, (fields, message) in refusals.items():
            with self.subTest(label), self.assertRaisesMessage(LifecycleError, message):
                self.record(**fields)
        self.assertFalse(Vote.objects.exists())

    def test_it_is_refused_once_the_vote_has_closed(self) -> None:
        later = self.proposal.closes_at + datetime.timedelta(minutes=1)
        with self.assertRaisesMessage(VoteRefused, "no more votes are accepted"):
            self.record(at=later)

    def test_only_the_chair_records_one(self) -> None:
        staff = make_user("staff", is_staff=True)
        admin = make_user("admin", is_superuser=True)
        former = make_member(
            self.committee,
            make_user("former_chair"),
            role="chair",
            started_on=timezone.localdate() - datetime.timedelta(days=90),
            ended_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        other_chair = make_member(self.other_committee, make_user("ext_chair"), role="chair")
        for actor in (self.member, self.outsider, self.foreign_member, staff, admin, former,
                      other_chair):  # fmt: skip
            with self.subTest(actor=actor.username), self.assertRaises(NotPermitted):
                self.record(actor=actor)
        self.assertFalse(Vote.objects.exists())

    def test_the_export_shows_it_as_a_proxy_vote(self) -> None:
        self.record()
        actions.do_cast_vote(proposal=self.proposal, actor=self.member, value=1)
        out = io.StringIO()
        call_command("export_lifecycle", stdout=out)
        votes = {
            vote["voter"]: vote
            for proposal in json.loads(out.getvalue())["proposals"]
            for vote in proposal["votes"]
        }
        self.assertEqual(votes["other_member"]["recorded_by"], "chair")
        self.assertEqual(votes["other_member"]["proxy_note"], "In the meeting of 2026-12-01")
        self.assertIsNone(votes["member"]["recorded_by"])


class ProxyVoteReplayTests(LifecycleTestCase):
    """The replay of the log (`proposals.replay`) reads a proxy vote as the voter's, not
    the chair's who recorded it, and a flipped one is still named."""

    def about_votes(self) -> list[str]:
        # The factories give seats without events: only the votes are compared here.
        return [line for line in replay.disagreements() if line.startswith("vote ")]

    def test_a_proxy_vote_and_its_replacement_agree_with_the_log(self) -> None:
        proposal = make_proposal(self.committee, self.member, state=State.VOTING, chair=self.chair)
        actions.do_record_proxy_vote(
            proposal=proposal, actor=self.chair, voter=self.other_member, value=1, note="By phone"
        )
        actions.do_record_proxy_vote(
            proposal=proposal, actor=self.chair, voter=self.third_member, value=0, note="By phone"
        )
        actions.do_cast_vote(proposal=proposal, actor=self.third_member, value=-1, reason="no")
        self.assertEqual(self.about_votes(), [])
        Vote.objects.filter(voter=self.other_member).update(value=-1, reason="flipped")
        self.assertEqual(
            self.about_votes(),
            [f"vote by other_member on proposal #{proposal.pk} (round 1) is -1; its events say +1"],
        )
