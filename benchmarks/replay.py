"""How replaying the audit log against the rows grows with the log.

    .venv/bin/python benchmarks/replay.py [--sizes 500,2000] [--voters 6]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Builds a throw-away database (a temporary SQLite file, or with --postgres a temporary
database on that server, dropped afterwards) and, for each size, adds that many
proposals through the actions: filed, edited, submitted, voted on by every member, and
one in three accepted by the vote and completed (its project to the attic). Then it
times `proposals.replay.disagreements()` over the whole log (the fastest of three
runs), with its peak memory (tracemalloc) and its number of queries, and prints the
growth exponent between sizes (1 is linear).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000", help="proposals, comma-separated")
    parser.add_argument("--voters", type=int, default=6)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server URL")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="pmc-bench-replay-"))
    database_url, drop = temporary_database(args.postgres, workdir)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "pmc.settings",
            "DEBUG": "1",
            "DATABASE_URL": database_url,
            "PMC_EMBEDDED_JOBS": "0",
            "PMC_VAR_DIR": str(workdir),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        measure(sizes, args.voters)
    finally:
        connections.close_all()
        drop()


def temporary_database(postgres: str | None, workdir: Path):
    if not postgres:
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    import psycopg

    name = f"pmc_bench_replay_{os.getpid()}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres.rpartition("/")

    def drop() -> None:
        with psycopg.connect(postgres, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


def measure(sizes: list[int], voters: int) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from proposals import replay
    from proposals.models import Event

    committee, members = build_committee(voters)
    built, figures = 0, []
    print(f"{'proposals':>10} {'events':>8} {'seconds':>8} {'peak MB':>8} {'queries':>8}")
    for size in sizes:
        add_proposals(committee, members, built, size)
        built = size
        reset_queries()
        tracemalloc.start()
        with CaptureQueriesContext(connection) as queries:
            found = replay.disagreements()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        seconds = min(timed(replay.disagreements) for _ in range(3))
        assert found == [], found[:5]
        events = Event.objects.count()
        figures.append((events, seconds, peak))
        print(f"{size:>10} {events:>8} {seconds:>8.2f} {peak:>8.1f} {len(queries):>8}")
    if len(figures) > 1:
        (e1, s1, m1), (e2, s2, m2) = figures[0], figures[-1]
        growth = math.log(e2 / e1)
        print(
            f"growth exponent over events: time {math.log(s2 / s1) / growth:.2f}, "
            f"memory {math.log(m2 / m1) / growth:.2f}"
        )


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def build_committee(voters: int):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from pmc.models import Committee, Role
    from proposals import actions
    from proposals.actors import SYSTEM

    with transaction.atomic():
        committee = Committee.objects.create(name="Bench", slug="bench")
        members = []
        for i in range(voters):
            user = get_user_model().objects.create_user(username=f"member{i}")
            role = Role.CHAIR if i == 0 else Role.MEMBER
            actions.do_add_member(committee=committee, user=user, actor=SYSTEM, role=role)
            members.append(user)
    return committee, members


def add_proposals(committee, members, start: int, stop: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from proposals import actions, notifications
    from proposals.actors import SYSTEM
    from proposals.states import Kind

    chair, proposer = members[0], members[1]
    with transaction.atomic(), notifications.silenced():
        for i in range(start, stop):
            project = actions.do_create_project(committee=committee, actor=SYSTEM, name=f"p{i}")
            proposal = actions.do_create_proposal(
                actor=proposer, committee=committee, kind=Kind.ATTIC, title=f"Retire p{i}",
                project=project,
            )  # fmt: skip
            actions.do_edit_proposal(proposal=proposal, actor=proposer, body=f"p{i} is done.")
            actions.do_submit(proposal=proposal, actor=proposer)
            now = timezone.now()
            actions.do_start_vote(proposal=proposal, actor=chair, at=now)
            for member in members:
                actions.do_cast_vote(proposal=proposal, actor=member, value=1, at=now)
            if i % 3 == 0:
                actions.do_close_vote(proposal=proposal, actor=chair, at=now)
                for item in proposal.checklist.to_do():
                    actions.do_set_checklist_item(item=item, actor=chair)
                actions.do_complete(proposal=proposal, actor=chair)


if __name__ == "__main__":
    main()
