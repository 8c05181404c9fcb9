"""Report whether the services PMC Lifecycle needs are up: `manage.py check_services`.

Checks the database, and either Redis, a Celery worker (a ping, answered within
`--timeout` seconds) and beat (its heartbeat in Redis), or, in the embedded mode without
REDIS_URL, the heartbeat of the web process's jobs thread. Also reports the outbox:
work waiting longer than PMC_OUTBOX_ALERT_MINUTES is a warning, not a failure; and so
are the items background jobs keep failing on (`JobFailure`), listed with the last error.

Prints one line per service and exits 1 when a required one is down, so it can serve as
a health check for monitoring or a container.
"""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.utils import timezone

from pmc import services
from proposals import embedded, failures, notifications
from proposals.models import ScheduledRun


class Command(BaseCommand):
    help = (
        "Check the database, Redis, the Celery workers and beat (or, without REDIS_URL, "
        "the embedded jobs thread) and the outbox. Exits 1 when a required service is down."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--timeout",
            type=float,
            default=2.0,
            help="Seconds to wait for workers to answer a ping (default 2).",
        )

    def handle(self, *args, timeout: float = 2.0, **options) -> None:
        statuses = [self.check_database()]
        database_ok = statuses[0].ok
        if services.uses_redis():
            redis_status = services.check_redis()
            statuses.append(redis_status)
            if redis_status.ok:
                statuses += [services.check_workers(timeout), services.check_beat()]
            else:
                statuses += [
                    services.Status("worker", False, "not asked: Redis is down"),
                    services.Status("beat", False, "not asked: Redis is down"),
                ]
        else:
            statuses.append(
                services.Status("redis", True, "not used (embedded mode: REDIS_URL is not set)")
            )
            if database_ok:
                statuses.append(self.check_embedded())
        if database_ok:
            statuses += [self.check_outbox(), self.check_failures()]
        width = max(len(status.name) for status in statuses)
        for status in statuses:
            if status.ok:
                label = self.style.SUCCESS("ok  ")
            elif status.required:
                label = self.style.ERROR("DOWN")
            else:
                label = self.style.WARNING("WARN")
            self.stdout.write(f"{status.name.ljust(width)}  {label}  {status.detail}")
        down = [status.name for status in statuses if status.required and not status.ok]
        if down:
            self.stderr.write(f"Down: {', '.join(down)}.")
            raise SystemExit(1)

    def check_database(self) -> services.Status:
        try:
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            elapsed = (time.monotonic() - started) * 1000
        except DatabaseError as error:
            return services.Status("database", False, f"{connection.vendor}: {error}")
        return services.Status(
            "database", True, f"{connection.vendor}: answered in {elapsed:.0f} ms"
        )

    def check_embedded(self) -> services.Status:
        run = ScheduledRun.objects.filter(name=embedded.HEARTBEAT).first()
        if run is None:
            return services.Status(
                "jobs", False, "embedded jobs thread has not run: start the web server"
            )
        age = (timezone.now() - run.last_run_at).total_seconds()
        stale_after = 3 * settings.PMC_EMBEDDED_TICK_SECONDS + 30
        if age > stale_after:
            return services.Status(
                "jobs", False, f"embedded jobs thread last ran {age:.0f} s ago (stale)"
            )
        return services.Status("jobs", True, f"embedded jobs thread last ran {age:.0f} s ago")

    def check_outbox(self) -> services.Status:
        since = notifications.backlog()
        if since is None:
            return services.Status(
                "outbox",
                True,
                f"nothing waiting longer than {settings.PMC_OUTBOX_ALERT_MINUTES} min",
                required=False,
            )
        waited = timezone.now() - since
        return services.Status(
            "outbox",
            False,
            f"backing up: work waiting for {_minutes(waited)} (since {since:%Y-%m-%d %H:%M %Z})",
            required=False,
        )

    def check_failures(self) -> services.Status:
        count, shown = failures.unresolved(limit=FAILURES_SHOWN)
        if not count:
            return services.Status("failures", True, "no background item failing", required=False)
        listed = "; ".join(
            f"{failure.job}, {failure.item}: {failure.failures} failure(s) since "
            f"{failure.first_failed_at:%Y-%m-%d %H:%M %Z}, last: {_one_line(failure.last_error)}"
            for failure in shown
        )
        more = f"; and {count - len(shown)} more" if count > len(shown) else ""
        return services.Status(
            "failures",
            False,
            f"{count} item(s) failing, each retried at its job's next run (the errors and "
            f"tracebacks are in the log): {listed}{more}",
            required=False,
        )


FAILURES_SHOWN = 10
ERROR_SHOWN = 200  # characters of each last error


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ERROR_SHOWN else text[: ERROR_SHOWN - 1] + "…"


def _minutes(delta: datetime.timedelta) -> str:
    return f"{delta.total_seconds() / 60:.0f} min"
