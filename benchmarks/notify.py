"""Fan-out of one event to many members through a real Celery worker on the real Redis.

    .venv/bin/python benchmarks/notify.py [--members 500] [--concurrency 2] [--rounds 3]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres | --sqlite]

Builds a throw-away database (a temporary SQLite file, or with --postgres a temporary
database on that server, dropped afterwards) with one committee of N members plus a
proposer, starts `celery -A pmc worker` (prefork) against Redis database 14 (flushed
before and after; REDIS_URL overrides), then submits one proposal. The commit writes
the outbox row and queues a drain; the worker fans the event out into N notifications
and delivers them in chunks through Django's e-mail backend (locmem here: no SMTP
server, so the figures are the application's and the broker's, not a mail server's).

The floor, measured in the same run on the same worker and Redis, alternating with the
fan-out rounds so that the machine's other work weighs alike on both: as many no-op
tasks as notifications (`noop` below, acknowledged late like the delivery tasks; it only
counts itself in Redis so that the benchmark sees when the last one ran), queued one by
one, timed from the first queued to the last run.

A second floor is timed the same way for as many no-op tasks as the fan-out itself
queues: one drain and one delivery task per DELIVERY_CHUNK notifications.

Prints, per round and as the median of `--rounds`, the time from the commit to the last
delivery, notifications per second, both floors, and the ratio of the fan-out to each.

Without `--postgres` or `--sqlite`, the server of DATABASE_URL is used if it names a
PostgreSQL one, else SQLite.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from celery import shared_task

ROOT = Path(__file__).resolve().parent.parent
FLOOR_KEY = "pmc-bench-notify:noop"
_counter = None  # this worker process's Redis client, made on its first no-op task


@shared_task(name="benchmarks.notify.noop", acks_late=True)
def noop() -> None:
    """The floor's task: nothing but counting itself and noting when, in one round trip."""
    global _counter
    if _counter is None:
        import redis

        _counter = redis.Redis.from_url(os.environ["REDIS_URL"])
    _counter.pipeline(transaction=False).incr(FLOOR_KEY).set(
        FLOOR_KEY + ":at", repr(time.time())
    ).execute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server URL; the benchmark creates and drops its own database there",
    )
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    parser.add_argument("--rounds", type=int, default=3, help="fan-outs (and floors) to time")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    if args.sqlite:
        args.postgres = None
    elif args.postgres is None and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        args.postgres = os.environ["DATABASE_URL"]

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

    from proposals.notifications import DELIVERY_CHUNK

    redis.Redis.from_url(redis_url).flushdb()
    worker = None
    try:
        call_command("migrate", verbosity=0)
        committee, proposer = build(args.members)
        worker = start_worker(env, args.concurrency, workdir)
        tasks = 1 + math.ceil(args.members / DELIVERY_CHUNK)  # a drain, then the chunks
        fan_outs, floors, task_floors = [], [], []
        for number in range(1, args.rounds + 1):
            floors.append(floor(args.members, args.timeout))
            task_floors.append(floor(tasks, args.timeout))
            fan_outs.append(run(committee, proposer, args.members, number, args.timeout))
            print(
                f"round {number}: fan-out {fan_outs[-1]:.3f} s; floor of {args.members} no-op"
                f" tasks {floors[-1]:.3f} s (ratio {fan_outs[-1] / floors[-1]:.2f}x); of"
                f" {tasks} {task_floors[-1]:.3f} s (ratio {fan_outs[-1] / task_floors[-1]:.1f}x)",
                flush=True,
            )
        fan_out, floor_time = statistics.median(fan_outs), statistics.median(floors)
        task_floor = statistics.median(task_floors)
        print(
            f"{connection_vendor()}: fan-out of {args.members} notifications (median of"
            f" {args.rounds}) {fan_out:.3f} s; floor of {args.members} no-op tasks"
            f" {floor_time:.3f} s, ratio to the floor {fan_out / floor_time:.2f}x; floor of"
            f" the fan-out's own {tasks} tasks {task_floor:.3f} s, ratio"
            f" {fan_out / task_floor:.1f}x"
        )
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
    return committee, proposer


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def floor(count: int, timeout: float) -> float:
    """Seconds from queuing the first of `count` no-op tasks to the last one's run."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(FLOOR_KEY, FLOOR_KEY + ":at")
    started = time.time()
    for _ in range(count):
        noop.apply_async(retry=False)
    deadline = time.monotonic() + timeout
    while int(client.get(FLOOR_KEY) or 0) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {client.get(FLOOR_KEY)} of {count} no-op tasks ran")
        time.sleep(0.005)
    return float(client.get(FLOOR_KEY + ":at")) - started


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
            "--include",
            "benchmarks.notify",
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


def run(committee, proposer, members, number, timeout) -> float:
    """Submit a proposal to the committee; return the seconds from the commit to the
    last of its notifications delivered, after printing the details."""
    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone

    from proposals import actions
    from proposals.models import Notification, OutboxMessage
    from proposals.states import Kind

    proposal = actions.do_create_proposal(
        actor=proposer, committee=committee, kind=Kind.OTHER, title=f"Benchmark proposal {number}"
    )
    actions.do_submit(proposal=proposal, actor=proposer)
    committed_at = timezone.now()  # do_submit's transaction has committed
    ours = Notification.objects.filter(proposal=proposal)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ours.filter(sent_at__isnull=False).count() >= members:
            break
        time.sleep(0.05)  # the figures come from the rows' times, not from this loop
    else:
        sent = ours.filter(sent_at__isnull=False).count()
        raise SystemExit(f"only {sent} of {members} delivered after {timeout:g} s")

    figures = ours.aggregate(
        first_created=Min("created_at"),
        first_sent=Min("sent_at"),
        last_sent=Max("sent_at"),
    )
    fanned_out = OutboxMessage.objects.get(event__proposal=proposal).processed_at
    total = (figures["last_sent"] - committed_at).total_seconds()
    sending = (figures["last_sent"] - figures["first_sent"]).total_seconds()
    print(f"round {number}, database: {connection.vendor} (temporary); broker: Redis;")
    print(f"e-mail backend: locmem (no SMTP server); recipients: {members} (a proposal submitted)")
    print(f"commit -> fan-out done:     {(fanned_out - committed_at).total_seconds():7.3f} s")
    first = (figures["first_sent"] - committed_at).total_seconds()
    print(f"commit -> first delivery:   {first:7.3f} s")
    print(f"commit -> last delivery:    {total:7.3f} s")
    print(f"notifications per second:   {members / total:7.0f} (commit to last delivery)")
    if sending > 0:
        print(f"delivery rate:              {members / sending:7.0f} per second (first to last)")
    duplicates = ours.filter(attempts__gt=1).count()
    print(f"delivered twice or retried: {duplicates}")
    return total


if __name__ == "__main__":
    main()
