"""Checkpoints signed by the jobs (embedded and Celery) while events are written, by
several processes at once without two of one number, and the alarm when the log fails:
a banner on every page for staff and chairs and one notification per failure."""

from __future__ import annotations

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from proposals import audit_triggers, checkpoints, embedded, signing, tasks, verification
from proposals.models import Checkpoint, Event, Notification, NotificationKind
from tests.base import AppendOnlyTransactionTestCase, CommitteeActorsMixin, LifecycleTestCase
from tests.factories import make_proposal, make_user


class CheckpointJobTests(LifecycleTestCase):
    def test_the_embedded_jobs_sign_a_checkpoint_every_interval_while_events_are_written(self):
        make_proposal(self.committee, self.member, state="discussion")
        start = timezone.now()

        # The first round also runs the daily verification, which signs one more.
        embedded.run_jobs(now=start)
        self.assertEqual(
            list(Checkpoint.objects.values_list("sequence", "events")),
            [(1, Event.objects.count()), (2, Event.objects.count())],
        )

        proposal = make_proposal(self.committee, self.member)
        embedded.run_jobs(now=start + datetime.timedelta(minutes=1))  # not yet due
        self.assertEqual(Checkpoint.objects.count(), 2)
        embedded.run_jobs(now=start + datetime.timedelta(minutes=5))
        self.assertEqual(Checkpoint.objects.count(), 3)

        embedded.run_jobs(now=start + datetime.timedelta(minutes=10))  # nothing written
        self.assertEqual(Checkpoint.objects.count(), 3)
        self.assertEqual(Checkpoint.objects.last().head, proposal.events.last().hash)

    def test_the_celery_task_signs_a_checkpoint_of_new_events_only(self):
        make_proposal(self.committee, self.member)

        self.assertEqual(tasks.sign_audit_checkpoint.apply().get(), 1)
        self.assertIsNone(tasks.sign_audit_checkpoint.apply().get())
        self.assertTrue(checkpoints.is_signed(Checkpoint.objects.get(), signing.keyring()))


class AlarmTests(LifecycleTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.staff = make_user("operator", is_staff=True)
        make_proposal(cls.committee, cls.member, state="discussion")
        checkpoints.sign()

    def break_the_log(self) -> Event:
        edited = Event.objects.order_by("id").first()
        audit_triggers.uninstall(connection)
        try:
            Event.objects.filter(pk=edited.pk).update(reason="rewritten")
        finally:
            audit_triggers.install(connection)
        return edited

    def verify_fails(self) -> None:
        with self.assertRaises(CommandError):
            call_command("verify_audit", stdout=StringIO(), stderr=StringIO())

    def test_staff_and_chairs_see_a_banner_on_every_page_and_others_do_not(self):
        edited = self.break_the_log()
        self.verify_fails()

        for user in (self.staff, self.chair):
            self.client.force_login(user)
            for url in (reverse("proposals:home"), reverse("proposals:list")):
                page = self.client.get(url)
                self.assertContains(page, "The audit log failed verification")
                self.assertContains(page, f"event #{edited.pk} was edited")
                self.assertContains(page, "What to do:")
        for user in (self.member, None):
            self.client.logout()
            if user:
                self.client.force_login(user)
            self.assertNotContains(
                self.client.get(reverse("proposals:home")), "The audit log failed verification"
            )

    def test_writing_goes_on_while_the_log_fails(self):
        self.break_the_log()
        self.verify_fails()
        before = Event.objects.count()

        make_proposal(self.committee, self.member)  # writing goes on: its project, then it
        self.assertEqual(Event.objects.count(), before + 2)

    def test_staff_and_chairs_get_one_notification_per_failure(self):
        self.break_the_log()
        self.verify_fails()
        self.verify_fails()
        verification.checkpoint_job()

        notices = Notification.objects.filter(kind=NotificationKind.AUDIT_FAILED)
        self.assertEqual(
            sorted(notices.values_list("user__username", flat=True)), ["chair", "operator"]
        )
        notice = notices.get(user=self.chair)
        self.assertIn("The audit log fails verification", notice.subject)
        self.assertIn("was edited after it was written", notice.body)
        self.assertIn("restore the database from the last backup", notice.body)


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
class ConcurrentSigningTests(CommitteeActorsMixin, AppendOnlyTransactionTestCase):
    """Two workers sign at the same moment: each takes the chain's lock in turn, so
    their checkpoints get consecutive numbers and the second extends the first."""

    def setUp(self) -> None:
        self.make_actors()
        make_proposal(self.committee, self.member, state="discussion")

    def test_two_workers_signing_at_once_make_no_duplicate_number(self):
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def sign() -> None:
            try:
                barrier.wait()
                for _ in range(3):
                    checkpoints.sign()
            except BaseException as error:  # noqa: BLE001
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=sign) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        self.assertEqual(errors, [])
        self.assertEqual(
            list(Checkpoint.objects.order_by("sequence").values_list("sequence", flat=True)),
            list(range(1, 13)),
        )
        out = StringIO()
        call_command("verify_audit", stdout=out, stderr=StringIO())
        self.assertIn("Audit chain intact", out.getvalue())


@override_settings(AUDIT_CHECKPOINT_MAX_AGE=60)
class StaleCheckpointTests(LifecycleTestCase):
    def test_it_fails_once_when_events_waited_too_long_then_signs_and_passes(self):
        make_proposal(self.committee, self.member)
        later = timezone.now() + datetime.timedelta(minutes=61)

        result, check = verification.verify_and_store(now=later)
        self.assertFalse(result.ok)
        self.assertIn("have waited more than 60 minutes for a checkpoint", check.problem)
        # The events themselves are sound: a checkpoint is signed, and the next run passes.
        self.assertEqual(Checkpoint.objects.count(), 1)
        self.assertTrue(verification.verify_and_store(now=later)[0].ok)
