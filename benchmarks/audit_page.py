"""Times the audit page on a large log: the newest page, a deep page and each filter.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmc_big DEBUG=1 \\
        .venv/bin/python benchmarks/audit_page.py [--runs 5] [--depth 0.8]

Serves each page in-process through Django's test client (DEBUG switched off once the
settings are read, so that no query is kept), a few times, and prints the median time
and the number of queries of each. The deep page is the one `--depth` of the way down
the log (newest first); `--pages numbered` asks for it as `?page=N`, the way the page
was paginated before cursors, `--pages cursor` (the default) as `?before=ID`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 50


def urls(depth: float, pages: str) -> list[tuple[str, str]]:
    from django.db.models import Count

    from proposals.models import Event

    ids = Event.objects.order_by("-id").values_list("id", flat=True)
    position = int(Event.objects.count() * depth) // PAGE_SIZE * PAGE_SIZE
    if pages == "numbered":
        deep = f"page={position // PAGE_SIZE + 1}"
    else:
        deep = f"before={ids[position - 1]}"
    busiest = (
        Event.objects.exclude(proposal=None)
        .values("proposal")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    person = Event.objects.exclude(actor=None).order_by("id").values_list("actor_name")[0][0]
    committee = Event.objects.exclude(committee=None).order_by("id").values("committee")[0]
    first = Event.objects.order_by("at").values_list("at", flat=True)[0]
    month = f"date_from={first:%Y-%m}-01&date_to={first:%Y-%m}-28"
    return [
        ("newest page", ""),
        (f"deep page ({depth:.0%} down)", deep),
        ("committee", f"committee={committee['committee']}"),
        ("proposal", f"proposal={busiest['proposal']}"),
        ("actor (other case)", f"actor={person.upper()}"),
        ("action", "action=vote.cast"),
        ("action family", "action=proposal."),
        ("dates (a month)", month),
        ("dates (from, wide)", f"date_from={first:%Y-%m-%d}"),
    ]


def measure(client, url: str, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times) * 1000, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--depth", type=float, default=0.8)
    parser.add_argument("--pages", choices=["cursor", "numbered"], default="cursor")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmc.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    from proposals.models import Event

    print(f"{Event.objects.count():,} events; median of {args.runs}, anonymous reader")
    for label, query in urls(args.depth, args.pages):
        url = f"/audit/?{query}" if query else "/audit/"
        client.get(url)  # warm
        ms, queries = measure(client, url, args.runs)
        print(f"{label:28} {ms:9.1f} ms {queries:3} queries  {url}")


if __name__ == "__main__":
    main()
