"""The proposal page's own cost, in-process: anonymous, member and chair readers.

    DATABASE_URL=... .venv/bin/python benchmarks/detail_page.py [--requests 300] [--pk N]

On a database that `seed_demo` filled (and with static files collected, as production
settings need their manifest), it reads the page of the proposal with the most events
(or `--pk`) through Django's test client with production settings (DEBUG off), as an
anonymous reader, a member and the chair of its committee, and prints for each the
median and p90 CPU time of a request in this process (the ORM, the templates and, on
SQLite, the database; steady while other work loads the machine, unlike wall time,
printed beside it) and the number of SQL statements. `benchmarks/pages.py` measures
the same page over HTTP against the floor; this is the quick loop for working on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pk", type=int, default=None)
    args = parser.parse_args()
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["PMC_EMBEDDED_JOBS"] = "0"
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmc.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from pmc.models import Membership, Role
    from proposals.models import Proposal

    proposals = Proposal.objects.annotate(n=Count("events")).order_by("-n")
    proposal = proposals.get(pk=args.pk) if args.pk else proposals.first()
    seats = Membership.objects.active().filter(committee_id=proposal.committee_id)
    readers = {"anonymous": None}
    readers["member"] = seats.filter(role=Role.MEMBER).first().user
    readers["chair"] = seats.filter(role=Role.CHAIR).first().user
    url = proposal.get_absolute_url()
    print(f"{url} ({proposal.state}, {proposal.n} events), {args.requests} requests each")
    for name, user in readers.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        assert client.get(url).status_code == 200
        statements = []

        def count(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        cpu, wall = [], []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        p90 = sorted(cpu)[int(len(cpu) * 0.9)]
        print(
            f"{name:10} CPU median {statistics.median(cpu):6.2f} ms  p90 {p90:6.2f} ms  "
            f"wall median {statistics.median(wall):6.2f} ms  {len(statements)} queries"
        )


if __name__ == "__main__":
    main()
