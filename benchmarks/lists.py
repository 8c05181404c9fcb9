"""Time the list pages (home, /proposals/ with filters, search and deep pages, /projects/,
/meetings/, a committee's page) on a PostgreSQL database filled with many proposals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/lists.py [--proposals 20000] [--repeat 5] [--keep]

It makes its own database on that server (`pmc_bench_lists`, dropped first if it exists,
and again at the end unless `--keep`), migrates it and fills it with `bulk_create` (20
committees, a project per 20 proposals, a meeting per 4, a mention per 2 proposals; no
events, which these pages do not read), then requests each page in-process with Django's
test client and prints the median and best time of `--repeat` requests after one warm-up,
with the number of queries and the size of the response.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "pmc_bench_lists"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL server (its database is not touched).")
        return 2
    parts = urlsplit(server)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + DATABASE))
    _recreate(server, DATABASE)
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    fill(args.proposals)
    print(f"filled in {time.perf_counter() - started:.1f} s")
    try:
        for line in measure(args.repeat):
            print(line)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop(server, DATABASE)
    return 0


def _recreate(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmc.settings"
    os.environ["DEBUG"] = "0"
    os.environ["PMC_EMBEDDED_JOBS"] = "0"  # no background thread competing for the time
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("PMC_VAR_DIR", tempfile.mkdtemp(prefix="pmc-bench-lists-"))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.conf import settings

    # The pages' static files are not collected for this run: plain names will do.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


WORDS = [
    "retire",
    "move",
    "attic",
    "incubate",
    "graduate",
    "rename",
    "lead",
    "plugin",
    "runtime",
    "broker",
    "cache",
    "release",
    "schedule",
    "security",
    "audit",
    "storage",
    "network",
    "build",
    "docs",
    "website",
]


def fill(proposals: int) -> None:
    """Committees, projects, meetings, proposals and mentions, in bulk."""
    from django.db import connection
    from django.utils import timezone

    from pmc.models import Committee, Meeting, Project
    from proposals.kinds import Kind
    from proposals.models import Proposal, ProposalMeeting
    from proposals.states import State

    rng = random.Random(16)  # noqa: S311 - reproducible data, not secrets
    now = timezone.now()
    committees = Committee.objects.bulk_create(
        Committee(name=f"Committee {i}", slug=f"committee-{i}") for i in range(20)
    )
    projects = Project.objects.bulk_create(
        Project(name=f"project-{i}", committee=committees[i % 20])
        for i in range(max(1, proposals // 20))
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            committee=committees[i % 20],
            date=(now - timedelta(days=i // 20)).date(),
            title=f"Meeting {i}",
            notes=" ".join(rng.choices(WORDS, k=40)),
        )
        for i in range(max(1, proposals // 4))
    )
    states = [
        *[State.DRAFT] * 10,
        *[State.DISCUSSION] * 3,
        *[State.VOTING] * 2,
        *[State.ACCEPTED] * 10,
        *[State.COMPLETED] * 60,
        *[State.REJECTED] * 10,
        *[State.WITHDRAWN] * 5,
    ]
    batch = []
    for i in range(proposals):
        state = rng.choice(states)
        project = projects[i % len(projects)]
        at = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 5))
        # Mostly words of a large vocabulary, a few of the common ones.
        body = " ".join(
            [*(f"w{rng.randrange(5000)}" for _ in range(100)), *rng.choices(WORDS, k=2)]
        )
        batch.append(
            Proposal(
                committee_id=project.committee_id,
                project=project,
                kind=rng.choice(Kind.values),
                title=f"{rng.choice(WORDS).title()} {project.name} {i}",
                body=body,
                body_html=f"<p>{body}</p>",
                state=state,
                created_at=at,
                updated_at=at,
                closes_at=now + timedelta(days=rng.randrange(1, 14))
                if state == State.VOTING
                else None,
            )
        )
    # bulk_create skips save(): updated_at keeps the values given.
    created = Proposal.objects.bulk_create(batch, batch_size=2000)
    ProposalMeeting.objects.bulk_create(
        (
            ProposalMeeting(proposal=p, meeting=meetings[i % len(meetings)])
            for i, p in enumerate(created[::2])
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE") if connection.vendor == "postgresql" else None


def measure(repeat: int) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pmc.models import Committee, Project
    from proposals.models import Proposal

    committee = Committee.objects.order_by("pk").first()
    project = Project.objects.order_by("pk").first()
    total = Proposal.objects.count()
    deep = max(1, total // 25 // 2)
    pages = [
        ("home", "/"),
        ("proposals", "/proposals/"),
        ("proposals page 2", "/proposals/?page=2"),
        (f"proposals page {deep}", f"/proposals/?page={deep}"),
        ("proposals committee", f"/proposals/?committee={committee.pk}"),
        ("proposals state", "/proposals/?state=completed"),
        ("proposals kind", "/proposals/?kind=attic"),
        ("proposals project", f"/proposals/?project={project.pk}"),
        ("proposals committee+state", f"/proposals/?committee={committee.pk}&state=draft"),
        ("proposals ?q=", "/proposals/?q=attic"),
        ("proposals sort=title", "/proposals/?sort=title"),
        ("projects", "/projects/"),
        ("projects page 10", "/projects/?page=10"),
        ("meetings", "/meetings/"),
        ("meetings page 50", "/meetings/?page=50"),
        ("committee", f"/committees/{committee.slug}/"),
    ]
    try:
        from proposals.views import paging
    except ImportError:  # before pages went on with a cursor
        paging = None
    if paging is not None:
        rows = Proposal.objects.order_by("-updated_at", "-pk")
        cursor = paging.cursor_of(rows, rows[total // 2])
        pages.insert(4, (f"proposals after row {total // 2}", f"/proposals/?after={cursor}"))
    client = Client()
    lines = [f"{total} proposals; median / best of {repeat} after a warm-up"]
    for label, url in pages:
        response = client.get(url, secure=True)
        if response.status_code != 200:
            lines.append(f"{label:30} {url}: HTTP {response.status_code}")
            continue
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                times.append((time.perf_counter() - started) * 1000)
        lines.append(
            f"{label:30} {statistics.median(times):8.1f} ms {min(times):8.1f} ms "
            f"{len(queries):3} queries {len(response.content) // 1024:6} KiB"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main())
