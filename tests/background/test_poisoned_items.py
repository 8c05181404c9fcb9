"""One bad row stops nothing: the deadline sweep and the outbox drain go on past an item
they fail on, record the failure where staff see it (the operator banner and
`check_services`), try the item again later, and mark the failure resolved once it
succeeds."""

from __future__ import annotations

import contextlib
import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from proposals import actions, deadlines, embedded, notifications
from proposals.models import Event, JobFailure, Notification, OutboxMessage, Proposal
from proposals.states import State
from tests.base import LifecycleTestCase
from tests.factories import make_proposal, make_user

HOUR = datetime.timedelta(hours=1)
BANNER = "background jobs are failing on"


def refuse_rows_in_postgresql(table: str, column: str, marker: str) -> None:
    """Make PostgreSQL refuse a row of `table` whose `column` holds `marker`: a poison
    the database itself raises, inside this test's transaction (undone after it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION pg_temp.refuse_poison() RETURNS trigger AS $$
            BEGIN
                IF NEW.{column} LIKE '%{marker}%' THEN
                    RAISE EXCEPTION 'poisoned row refused in {table}';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_poison BEFORE INSERT ON {table}
                FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_poison();
            """
        )


def check_services() -> str:
    out = StringIO()
    # Exits 1 here: in the embedded mode without a jobs thread, "jobs" is down.
    with contextlib.suppress(SystemExit):
        call_command("check_services", stdout=out, stderr=StringIO(), no_color=True)
    return out.getvalue()


class StaffSeeFailuresMixin:
    def banner_for(self, user) -> str:
        self.client.force_login(user)
        return self.client.get(reverse("proposals:home")).content.decode()


class PoisonedProposalInTheSweepTests(StaffSeeFailuresMixin, LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.staff = make_user("operator", is_staff=True)

    def expired_vote(self, title: str, *, days_ago: int, passing: bool = True) -> Proposal:
        started = timezone.now() - datetime.timedelta(days=days_ago)
        proposal = make_proposal(self.committee, self.member, state=State.DISCUSSION, title=title)
        proposal = actions.do_start_vote(proposal=proposal, actor=self.chair, at=started)
        for voter in (self.member, self.other_member, self.third_member) if passing else ():
            actions.do_cast_vote(proposal=proposal, actor=voter, value=1, at=started + HOUR)
        return proposal

    def test_the_sweep_closes_the_votes_after_a_proposal_it_fails_on_and_retries_it(self):
        # The earliest deadline, so the sweep takes it first. Its frozen rules lost the
        # quorum policy, which a vote without quorum needs: closing it raises KeyError.
        poisoned = self.expired_vote("Damaged rules", days_ago=6, passing=False)
        rules = poisoned.vote_rules
        Proposal.objects.filter(pk=poisoned.pk).update(vote_rules={"duration_hours": 72})
        after = [
            self.expired_vote("Attic it", days_ago=5),
            self.expired_vote("Promote it", days_ago=4),
        ]

        with self.assertLogs("proposals.deadlines", "ERROR") as logs:
            results = deadlines.close_expired_votes()

        for proposal in after:
            proposal.refresh_from_db()
            self.assertEqual(proposal.state, State.ACCEPTED)
        poisoned.refresh_from_db()
        self.assertEqual(poisoned.state, State.VOTING)
        self.assertFalse(Event.objects.filter(proposal=poisoned, action="proposal.close_vote"))
        self.assertIn("KeyError", "\n".join(logs.output))  # with its traceback
        self.assertEqual([r.proposal_id for r in results if r.error], [poisoned.pk])
        failure = JobFailure.objects.get()
        self.assertEqual(failure.job, "close_expired_votes")
        self.assertEqual(failure.item, f"proposal {poisoned.pk}")
        self.assertEqual(failure.failures, 1)
        self.assertIn("KeyError: 'quorum_extensions'", failure.last_error)
        self.assertIsNone(failure.resolved_at)

        # The next sweep tries it again, and counts the failure.
        with self.assertLogs("proposals.deadlines", "ERROR"):
            deadlines.close_expired_votes()
        failure.refresh_from_db()
        self.assertEqual(failure.failures, 2)
        self.assertGreater(failure.last_failed_at, failure.first_failed_at)

        # Staff see it; members do not.
        out = check_services()
        self.assertRegex(out, r"failures\s+WARN\s+1 item\(s\) failing")
        self.assertIn(f"close_expired_votes, proposal {poisoned.pk}: 2 failure(s)", out)
        self.assertIn("KeyError: 'quorum_extensions'", out)
        staff_page = self.banner_for(self.staff)
        self.assertIn(f"{BANNER} 1 item", staff_page)
        self.assertIn("manage.py check_services", staff_page)
        self.assertNotIn(BANNER, self.banner_for(self.member))

        # Once its data is repaired, the next sweep closes it and the failure is resolved.
        Proposal.objects.filter(pk=poisoned.pk).update(vote_rules=rules)
        deadlines.close_expired_votes()

        self.assertTrue(Event.objects.filter(proposal=poisoned, action="proposal.close_vote"))
        failure.refresh_from_db()
        self.assertIsNotNone(failure.resolved_at)
        self.assertRegex(check_services(), r"failures\s+ok\s+no background item failing")
        self.assertNotIn(BANNER, self.banner_for(self.staff))

    @pytest.mark.postgres
    @pytest.mark.usefixtures("postgres_only")
    def test_the_sweep_goes_on_after_the_database_refuses_a_close_on_postgresql(self):
        # The aborted statement must not leave the sweep's transaction unusable.
        refuse_rows_in_postgresql("proposals_checklistitem", "text", "POISON")
        poisoned = self.expired_vote("Attic it", days_ago=6)
        Proposal.objects.filter(pk=poisoned.pk).update(condition="POISON")
        after = self.expired_vote("Promote it", days_ago=5)

        with self.assertLogs("proposals.deadlines", "ERROR"):
            deadlines.close_expired_votes()

        after.refresh_from_db()
        self.assertEqual(after.state, State.ACCEPTED)
        poisoned.refresh_from_db()
        self.assertEqual(poisoned.state, State.VOTING)
        self.assertIn("poisoned row refused", JobFailure.objects.get().last_error)


class PoisonedRowInTheDrainTests(StaffSeeFailuresMixin, LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.staff = make_user("operator", is_staff=True)

    def submitted(self, title: str) -> OutboxMessage:
        proposal = make_proposal(self.committee, self.member, title=title)
        actions.do_submit(proposal=proposal, actor=self.member)
        return OutboxMessage.objects.get(event__proposal=proposal)

    def drain_now(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            notifications.drain_outbox()

    def test_the_drain_fans_out_the_rows_around_one_it_fails_on_and_retries_it_later(self):
        before = self.submitted("Attic it")
        poisoned = self.submitted("Rename it")
        after = self.submitted("Promote it")
        # A kind that has no e-mail template: rendering it raises TemplateDoesNotExist.
        OutboxMessage.objects.filter(pk=poisoned.pk).update(kind="retired_kind")

        with self.assertLogs("proposals.notifications", "ERROR") as logs:
            self.drain_now()

        for row in (before, after):
            row.refresh_from_db()
            self.assertIsNotNone(row.processed_at)
            self.assertEqual(Notification.objects.filter(outbox=row).count(), 3)
        self.assertEqual(len(mail.outbox), 6)
        self.assertIn("TemplateDoesNotExist", "\n".join(logs.output))
        poisoned.refresh_from_db()
        self.assertIsNone(poisoned.processed_at)
        self.assertFalse(Notification.objects.filter(outbox=poisoned))
        self.assertEqual(poisoned.attempts, 1)
        first_delay = poisoned.retry_at - timezone.now()
        self.assertGreater(first_delay, datetime.timedelta(seconds=30))
        failure = JobFailure.objects.get()
        self.assertEqual((failure.job, failure.item), ("drain_outbox", f"outbox {poisoned.pk}"))
        self.assertIn("TemplateDoesNotExist", failure.last_error)

        # Not again before its retry time.
        self.drain_now()
        poisoned.refresh_from_db()
        self.assertEqual(poisoned.attempts, 1)

        # At its retry time it is tried again, and fails again: the delay grows.
        OutboxMessage.objects.filter(pk=poisoned.pk).update(retry_at=timezone.now())
        with self.assertLogs("proposals.notifications", "ERROR"):
            self.drain_now()
        poisoned.refresh_from_db()
        self.assertEqual(poisoned.attempts, 2)
        self.assertGreater(poisoned.retry_at - timezone.now(), first_delay)
        failure.refresh_from_db()
        self.assertEqual(failure.failures, 2)

        out = check_services()
        self.assertRegex(out, r"failures\s+WARN\s+1 item\(s\) failing")
        self.assertIn(f"drain_outbox, outbox {poisoned.pk}: 2 failure(s)", out)
        self.assertIn(f"{BANNER} 1 item", self.banner_for(self.staff))
        self.assertNotIn(BANNER, self.banner_for(self.member))

        # Repaired and due, it is fanned out and its failure resolved.
        OutboxMessage.objects.filter(pk=poisoned.pk).update(
            kind="submitted", retry_at=timezone.now()
        )
        self.drain_now()

        poisoned.refresh_from_db()
        self.assertIsNotNone(poisoned.processed_at)
        self.assertEqual(Notification.objects.filter(outbox=poisoned).count(), 3)
        self.assertEqual(len(mail.outbox), 9)
        failure.refresh_from_db()
        self.assertIsNotNone(failure.resolved_at)
        self.assertNotIn(BANNER, self.banner_for(self.staff))

    def test_a_row_whose_event_is_missing_is_recorded_and_blocks_nothing(self):
        # The event table is append-only; a row pointing nowhere can only come from a
        # damaged database, and must still not hold up the rest.
        OutboxMessage.objects.create(event_id=987654, kind="submitted")
        row = self.submitted("Attic it")

        with self.assertLogs("proposals.notifications", "ERROR"):
            self.drain_now()

        row.refresh_from_db()
        self.assertIsNotNone(row.processed_at)
        self.assertEqual(len(mail.outbox), 3)
        failure = JobFailure.objects.get()
        self.assertIn("DoesNotExist", failure.last_error)

    @pytest.mark.postgres
    @pytest.mark.usefixtures("postgres_only")
    def test_the_drain_goes_on_after_the_database_refuses_a_row_on_postgresql(self):
        refuse_rows_in_postgresql("proposals_notification", "subject", "POISON")
        poisoned = self.submitted("POISON")
        after = self.submitted("Promote it")

        with self.assertLogs("proposals.notifications", "ERROR"):
            self.drain_now()

        after.refresh_from_db()
        self.assertIsNotNone(after.processed_at)
        self.assertEqual(len(mail.outbox), 3)
        poisoned.refresh_from_db()
        self.assertIsNone(poisoned.processed_at)
        self.assertEqual(poisoned.attempts, 1)
        self.assertIn("poisoned row refused", JobFailure.objects.get().last_error)


class FailingJobInTheEmbeddedRoundTests(LifecycleTestCase):
    def test_a_job_that_fails_does_not_stop_the_next_jobs_of_the_round(self):
        proposal = make_proposal(self.committee, self.member)
        actions.do_submit(proposal=proposal, actor=self.member)
        broken = RuntimeError("reminders are broken")

        with (
            mock.patch.object(notifications, "create_vote_reminders", side_effect=broken),
            self.assertLogs("proposals.embedded", "ERROR"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            embedded.run_jobs()

        # The drain, after the reminders in the round, still ran.
        self.assertIsNotNone(OutboxMessage.objects.get().processed_at)
        self.assertEqual(len(mail.outbox), 3)
        failure = JobFailure.objects.get()
        self.assertEqual((failure.job, failure.item), ("vote_reminders", "run"))
        self.assertIn("RuntimeError: reminders are broken", failure.last_error)

        with self.captureOnCommitCallbacks(execute=True):
            embedded.run_jobs()

        failure.refresh_from_db()
        self.assertIsNotNone(failure.resolved_at)
