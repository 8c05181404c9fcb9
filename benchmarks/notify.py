"""Fan-out of one event to many members through a real Celery worker on the real Redis.

    .venv/bin/python benchmarks/notify.py [--members 500] [--concurrency 2]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Builds a throw-away database (a temporary SQLite file, or with --postgres a temporary
database on that server, dropped afterwards) with one committee of N members plus a
proposer, starts `celery -A pmc worker` (prefork) against Redis database 14 (flushed
before and after; REDIS_URL overrides), then submits one proposal. The commit writes
the outbox row and queues a drain; the worker fans the event out into N notifications
and delivers them in chunks through Django's e-mail backend (locmem here: no SMTP
server, so the figures are the application's and the broker's, not a mail server's).

Prints the time from the commit to the last delivery and notifications per second.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server URL; the benchmark creates and drops its own database there",
    )
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    workdir = Path(tempfile.mkdtemp(prefix="pmc-bench-"))
    database_url, drop = temporary_database(args.postgres, workdir)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmc.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PMC_EMBEDDED_JOBS": "0",
        "PMC_VAR_DIR": str(workdir),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    import redis
    from django.core.management import call_command

    redis.Redis.from_url(redis_url).flushdb()
    worker = None
    try:
        call_command("migrate", verbosity=0)
        proposal, proposer = build(args.members)
        worker = start_worker(env, args.concurrency, workdir)
        run(proposal, proposer, args.members, args.concurrency, args.timeout)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        from django.db import connections

        connections.close_all()
        redis.Redis.from_url(redis_url).flushdb()
        drop()


def temporary_database(postgres: str | None, workdir: Path):
    if not postgres:
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    import psycopg

    name = f"pmc_bench_notify_{os.getpid()}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres.rpartition("/")

    def drop() -> None:
        with psycopg.connect(postgres, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


def build(members: int):
    from django.contrib.auth import get_user_model

    from pmc.models import Committee, Membership, Role
    from proposals import actions
    from proposals.states import Kind

    User = get_user_model()
    committee = Committee.objects.create(name="Runtime", slug="runtime")
    users = User.objects.bulk_create(
        User(username=f"member{i:04d}", email=f"member{i:04d}@example.org") for i in range(members)
    )
    proposer = User.objects.create(username="proposer", email="proposer@example.org")
    Membership.objects.bulk_create(
        Membership(committee=committee, user=user, role=Role.MEMBER) for user in users
    )
    Membership.objects.create(committee=committee, user=proposer, role=Role.CHAIR)
    proposal = actions.do_create_proposal(
        actor=proposer, committee=committee, kind=Kind.OTHER, title="Benchmark proposal"
    )
    return proposal, proposer


def start_worker(env: dict, concurrency: int, workdir: Path) -> subprocess.Popen:
    from pmc.celery import app

    log = open(workdir / "worker.log", "w")  # noqa: SIM115 (closed with the process)
    worker = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "pmc",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"bench-{os.getpid()}@localhost",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited; see {workdir / 'worker.log'}")
        if app.control.inspect(timeout=0.5).ping():
            return worker
    raise SystemExit("the worker did not answer a ping within 60 s")


def run(proposal, proposer, members, concurrency, timeout) -> None:
    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone

    from proposals import actions
    from proposals.models import Notification, OutboxMessage

    actions.do_submit(proposal=proposal, actor=proposer)
    committed_at = timezone.now()  # do_submit's transaction has committed
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Notification.objects.filter(sent_at__isnull=False).count() >= members:
            break
        time.sleep(0.02)
    else:
        sent = Notification.objects.filter(sent_at__isnull=False).count()
        raise SystemExit(f"only {sent} of {members} delivered after {timeout:g} s")

    figures = Notification.objects.aggregate(
        first_created=Min("created_at"),
        first_sent=Min("sent_at"),
        last_sent=Max("sent_at"),
    )
    fanned_out = OutboxMessage.objects.get().processed_at
    total = (figures["last_sent"] - committed_at).total_seconds()
    sending = (figures["last_sent"] - figures["first_sent"]).total_seconds()
    vendor = connection.vendor
    print(f"database: {vendor} (temporary); broker: Redis; worker: prefork x{concurrency}")
    print("e-mail backend: locmem (no SMTP server)")
    print(f"recipients: {members} (one event: a proposal submitted)")
    print(f"commit -> fan-out done:     {(fanned_out - committed_at).total_seconds():7.3f} s")
    first = (figures["first_sent"] - committed_at).total_seconds()
    print(f"commit -> first delivery:   {first:7.3f} s")
    print(f"commit -> last delivery:    {total:7.3f} s")
    print(f"notifications per second:   {members / total:7.0f} (commit to last delivery)")
    if sending > 0:
        print(f"delivery rate:              {members / sending:7.0f} per second (first to last)")
    duplicates = Notification.objects.filter(attempts__gt=1).count()
    print(f"delivered twice or retried: {duplicates}")


if __name__ == "__main__":
    main()
