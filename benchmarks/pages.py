"""Every page at demo size and at a foundation's size, against a one-query floor.

    .venv/bin/python benchmarks/pages.py [--quick] [--keep] [--reuse]
        [--server postgres://postgres@127.0.0.1:5432/postgres] [--duration 3]
        [--workers 2] [--connections N] [--only PATTERN]

On the PostgreSQL server of `--server` (by default that of DATABASE_URL, else the local
one) it makes two databases: `pmc_scale_bench_demo` (migrated, then `seed_demo`) and
`pmc_scale_bench_large` (`benchmarks/dataset.py` at the issue's size: 100,000
proposals, about 1.07 million events) or, with `--quick`, `pmc_scale_bench_quick`
(20,000 proposals, about 200,000 events). On each it starts gunicorn (`--workers`
sync workers) with production settings (DEBUG=0, a SECRET_KEY made for the run,
SECURE_COOKIES=0, ALLOWED_HOSTS=127.0.0.1, the embedded jobs off, static files
collected) and the floor view of `benchmarks/floor_urls.py` beside the pages, then
loads each page for `--duration` seconds from `--connections` client threads (as many
as workers by default, so that p50 and p99 are a page's time on a free worker rather
than time queued; Python's http.client, nothing to install), anonymous and signed in
as a member of a committee (a session cookie from the real sign-in form). Pages
come from the page cache (`proposals.page_cache`, on as in production: the anonymous
readers' copy, the member's own) once a request rendered them in that worker;
`--no-page-cache` renders each afresh. Both sites
run at once; each page is requested at demo size then at the large size, just after
the floor, so that the machine's other work weighs alike on what is compared.

Prints for each size and page: requests per second, p50 and p99 in milliseconds, the
page's requests per second as a share of the floor's (the one-query view requested
anonymously, measured just before the page; the floor requested with the session
cookie is printed too: the session, the user and the reader's time zone it loads are
the middleware's cost), and the SQL statements it runs (the fewest of 6 requests sent
with `X-Count-Queries: 1`: with the page cache, what a kept page costs; with
`--no-page-cache`, what rendering it costs); then each page's large/demo p50 ratio; and
ends with one line:

    worst large/demo p50 ratio R; slowest large p50 M ms; anonymous floor ratio A;
    signed-in floor ratio S

where A and S are the lowest share of the floor among the anonymous and the signed-in
pages at demo size. The databases are dropped at the end unless `--keep`; `--reuse`
measures databases kept by an earlier run instead of building them again.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import math
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
QUICK = {"proposals": 20_000, "events": 200_000, "votes": 78_800, "meetings": 1_000,
         "comments": 12_000}  # fmt: skip
FLOOR = "/__floor__/"
BASE = "pmc_scale_bench_base"  # migrated once, the template of the others
SEARCH_WORD = "attic"
# Requests whose statements are counted, the fewest printed: each worker keeps its own
# pages, so with the page cache some of them are rendered (and kept) by another worker.
COUNTED = 6


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # a format string over the values `Targets` finds in each database
    signed_in_only: bool = False


PAGES = [
    Page("home", "/"),
    Page("proposals", "/proposals/"),
    Page("proposals, committee and state", "/proposals/?committee={committee}&state=voting"),
    Page("proposals by title", "/proposals/?sort=title"),
    Page("proposals, search", f"/proposals/?q={SEARCH_WORD}"),
    Page("proposals, last page", "/proposals/?page={proposal_pages}"),
    Page("proposal in vote", "/proposals/{voting}/"),
    Page("proposal completed", "/proposals/{completed}/"),
    Page("proposal discussed", "/proposals/{discussed}/"),
    Page("audit", "/audit/"),
    Page("audit, last page", "/audit/?page={audit_pages}"),
    Page("audit, committee and action", "/audit/?committee={committee}&action=vote."),
    Page("audit, actor", "/audit/?actor={username}"),
    Page("audit, from a date", "/audit/?date_from={month_ago}"),
    Page("meetings", "/meetings/"),
    Page("meetings of a committee", "/meetings/?committee={slug}"),
    Page("meeting", "/meetings/{meeting}/"),
    Page("projects", "/projects/"),
    Page("project", "/projects/{project}/"),
    Page("committee", "/committees/{slug}/"),
    Page("search", f"/search/?q={SEARCH_WORD}"),
    Page("new proposal form", "/proposals/new/?kind=attic", signed_in_only=True),
    Page("notifications", "/notifications/", signed_in_only=True),
]


# Databases


def server_url(argument: str | None) -> str:
    """The server's URL with its maintenance database (`postgres`)."""
    url = argument or os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    if not url.startswith("postgres"):
        raise SystemExit(f"{url} is not PostgreSQL: pass --server postgres://...")
    return url.rsplit("/", 1)[0] + "/postgres"


def database_url(server: str, name: str) -> str:
    return f"{server.rsplit('/', 1)[0]}/{name}"


def execute(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql)


def exists(server: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return row.fetchone() is not None


def manage(url: str, *arguments: str, log: Path) -> None:
    """A management command on database `url`, with DEBUG on (setting up, not measured)."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "PYTHONPATH": str(ROOT),
           "DJANGO_SETTINGS_MODULE": "pmc.settings", "LOG_LEVEL": "WARNING"}  # fmt: skip
    with open(log, "a") as out:
        subprocess.run(  # noqa: S603
            [PYTHON, *arguments], cwd=ROOT, env=env, stdout=out, stderr=out, check=True
        )


def database_names(args) -> list[tuple[str, str]]:
    """[(size, database name)]: demo first, then the large one."""
    large = "pmc_scale_bench_quick" if args.quick else "pmc_scale_bench_large"
    return [("demo", "pmc_scale_bench_demo"), ("large", large)]


def build_databases(args, server: str, work: Path, wanted: list[tuple[str, str]]) -> None:
    """Make the databases (unless `--reuse` finds them)."""
    log = work / "setup.log"
    if args.reuse and all(exists(server, name) for _, name in wanted):
        for _, name in wanted:  # brought up to the code's migrations
            manage(database_url(server, name), "manage.py", "migrate", "--verbosity", "0", log=log)
        print(f"Reusing {', '.join(name for _, name in wanted)}.")
        return
    base = BASE
    for _, name in [*wanted, ("base", base)]:
        execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(server, f'CREATE DATABASE "{base}"')
    started = time.monotonic()
    manage(database_url(server, base), "manage.py", "migrate", "--verbosity", "0", log=log)
    for _, name in wanted:
        execute(server, f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
    execute(server, f'DROP DATABASE "{base}"')
    print(f"Migrated in {time.monotonic() - started:.0f} s.")
    started = time.monotonic()
    manage(database_url(server, wanted[0][1]), "manage.py", "seed_demo", log=log)
    print(f"Demo seeded in {time.monotonic() - started:.0f} s.")
    started = time.monotonic()
    sizes = [f"--{key}={value}" for key, value in (QUICK if args.quick else {}).items()]
    large = database_url(server, wanted[1][1])
    manage(large, "benchmarks/dataset.py", f"--seed={args.seed}", *sizes, log=log)
    print(f"Large dataset generated in {time.monotonic() - started:.0f} s (log: {log}).")
    for _, name in wanted:
        started = time.monotonic()
        import psycopg

        with psycopg.connect(database_url(server, name), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        print(f"{name}: vacuumed and analysed in {time.monotonic() - started:.0f} s.")


@dataclass
class Targets:
    """The rows each page is about, found in one database, and the member signed in."""

    values: dict
    username: str
    password: str


def targets(url: str, demo: bool) -> Targets:
    import psycopg

    def one(sql: str, *params):
        row = connection.execute(sql, params).fetchone()
        return row[0] if row else None

    with psycopg.connect(url) as connection:
        # A member (not the chair) of the committee with the most proposals, seated now.
        committee = one(
            "SELECT committee_id FROM proposals_proposal GROUP BY 1 ORDER BY count(*) DESC, 1 "
            "LIMIT 1"
        )
        username = one(
            "SELECT u.username FROM pmc_membership m JOIN auth_user u ON u.id = m.user_id "
            "WHERE m.committee_id = %s AND m.role = 'member' AND m.ended_on IS NULL "
            "AND m.started_on <= now() ORDER BY u.id LIMIT 1",
            committee,
        )
        # The member's committee's first: what the page asks depends on whether its
        # reader votes, so both sizes show the page to a voter where they can.
        voting = one(
            "SELECT p.id FROM proposals_proposal p WHERE state = 'voting' ORDER BY "
            "p.committee_id = %s DESC, "
            "(SELECT count(*) FROM proposals_vote v WHERE v.proposal_id = p.id) DESC, id LIMIT 1",
            committee,
        )
        values = {
            "committee": committee,
            "slug": one("SELECT slug FROM pmc_committee WHERE id = %s", committee),
            "username": username,
            "voting": voting,
            "completed": one(
                "SELECT id FROM proposals_proposal WHERE state = 'completed' "
                "ORDER BY updated_at DESC, id LIMIT 1"
            ),
            "discussed": one(
                "SELECT proposal_id FROM proposals_comment GROUP BY 1 ORDER BY count(*) DESC, 1 "
                "LIMIT 1"
            ),
            "meeting": one(
                "SELECT id FROM pmc_meeting WHERE committee_id = %s AND date <= now() "
                "ORDER BY date DESC LIMIT 1",
                committee,
            ),
            "project": one(
                "SELECT project_id FROM proposals_proposal WHERE project_id IS NOT NULL "
                "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            ),
            "proposal_pages": math.ceil(one("SELECT count(*) FROM proposals_proposal") / 25),
            "audit_pages": math.ceil(one("SELECT count(*) FROM proposals_event") / 50),
            "month_ago": one("SELECT (now() - interval '30 days')::date::text"),
        }
    missing = [key for key, value in values.items() if value is None]
    if missing:
        raise SystemExit(f"{url}: found nothing for {', '.join(missing)}.")
    password = f"demo-{username}" if demo else "dataset-password"
    return Targets(values, username, password)


# The site


@contextlib.contextmanager
def site(url: str, args, work: Path, static: Path):
    """gunicorn serving the site and the floor on database `url`; yields its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.floor_settings",
        "DEBUG": "0",
        "SECRET_KEY": args.secret_key,
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "PMC_EMBEDDED_JOBS": "0",  # the pages are measured, not the jobs
        "PMC_PAGE_CACHE_SECONDS": "0" if args.no_page_cache else "60",
        "STATIC_ROOT": str(static),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    log = open(work / "gunicorn.log", "a")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(  # noqa: S603
        [str(Path(PYTHON).parent / "gunicorn"), "pmc.wsgi:application", "--workers",
         str(args.workers), "--bind", f"127.0.0.1:{port}", "--timeout", "120",
         "--chdir", str(ROOT)],
        env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request("127.0.0.1", port, FLOOR)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start: see {work / 'gunicorn.log'}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def collect_static(static: Path, work: Path, args) -> None:
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": args.secret_key,
           "STATIC_ROOT": str(static), "PYTHONPATH": str(ROOT),
           "DATABASE_URL": "sqlite:///" + str(work / "unused.sqlite3")}  # fmt: skip
    with open(work / "setup.log", "a") as out:
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT, env=env, stdout=out, stderr=out, check=True,
        )  # fmt: skip


# The client


def request(host, port, path, headers=None, method="GET", body=None):
    """One request on a new connection (gunicorn's sync workers close each one after
    its response); returns (status, headers, body)."""
    connection = http.client.HTTPConnection(host, port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def sign_in(port: int, targets: Targets) -> str:
    """The member's cookies (session and CSRF), from the site's own sign-in form."""
    status, headers, body = request("127.0.0.1", port, "/accounts/login/")
    cookies = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": targets.username, "password": targets.password,
         "csrfmiddlewaretoken": token}
    )  # fmt: skip
    status, headers, _ = request(
        "127.0.0.1", port, "/accounts/login/", method="POST", body=form,
        headers={"Cookie": f"csrftoken={cookies['csrftoken']}",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    signed_in = _cookies(headers)
    session = signed_in.get("sessionid")
    if status != 302 or not session:
        raise SystemExit(f"Signing in as {targets.username} failed (HTTP {status}).")
    # As a browser does: the session and the CSRF cookie (renewed by the sign-in).
    csrf = signed_in.get("csrftoken", cookies["csrftoken"])
    return f"sessionid={session}; csrftoken={csrf}"


def _cookies(headers) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            found[key] = rest.split(";", 1)[0]
    return found


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    queries: int | None = None
    size: int = 0
    floor: float = 0.0  # the floor's requests per second, measured just before

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000


def load(port: int, path: str, cookie: str | None, args, duration: float) -> Result:
    """`--connections` threads requesting `path` for `--duration` seconds (at least
    `--min-requests` in all), after a warm-up."""
    headers = {"Cookie": cookie} if cookie else {}
    for _ in range(2):
        request("127.0.0.1", port, path, headers)
    counts = []
    for _ in range(COUNTED):
        status, response_headers, body = request(
            "127.0.0.1", port, path, {**headers, "X-Count-Queries": "1"}
        )
        if status != 200:
            raise SystemExit(f"{path} answered HTTP {status}")
        counts.append(int(dict((k.lower(), v) for k, v in response_headers)["x-query-count"]))
    queries = min(counts)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                done = len(latencies) + errors
                if time.monotonic() >= stop_at and done >= args.min_requests:
                    return
            started = time.perf_counter()
            status, _, _ = request("127.0.0.1", port, path, headers)
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    return Result(len(latencies), seconds, latencies, errors, queries, len(body))


# The run


def measure(databases, server: str, args, work: Path, static: Path) -> dict:
    """{size: {(page name, reader): Result}}. Both sites run at once, and each page is
    measured on one size then the other, back to back, just after the floor: the
    machine's other work (it is shared) then weighs alike on what is compared."""
    urls = {size: database_url(server, name) for size, name in databases}
    found = {size: targets(url, demo=size == "demo") for size, url in urls.items()}
    by_size: dict = {size: {} for size in urls}
    with contextlib.ExitStack() as stack:
        ports = {size: stack.enter_context(site(url, args, work, static))
                 for size, url in urls.items()}  # fmt: skip
        cookies = {size: sign_in(ports[size], found[size]) for size in urls}
        floor_port = ports["demo"]
        pages = [Page("floor", FLOOR), *PAGES]
        for page in pages:
            if args.only and page.path != FLOOR and not re.search(args.only, page.name):
                continue
            for reader in ("anonymous", "signed in"):
                if page.signed_in_only and reader == "anonymous":
                    continue
                floor = load(floor_port, FLOOR, None, args, args.duration / 2)
                for size in urls:
                    cookie = cookies[size] if reader == "signed in" else None
                    path = page.path.format(**found[size].values)
                    result = load(ports[size], path, cookie, args, args.duration)
                    result.floor = floor.rate
                    by_size[size][(page.name, reader)] = result
                    print(
                        f"  {size:5} {reader:9} {page.name:31} {result.rate:7.1f}/s "
                        f"p50 {result.p50:7.1f} ms  queries {result.queries}  "
                        f"(floor {floor.rate:.0f}/s)",
                        flush=True,
                    )
    return by_size


def report(by_size: dict) -> str:
    lines = []
    for size, results in by_size.items():
        lines.append(f"\n{size} size")
        lines.append(
            f"{'page':32} {'reader':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'x floor':>8} {'queries':>7} {'KB':>6}"
        )
        for (name, reader), result in results.items():
            lines.append(
                f"{name:32} {reader:10} {result.rate:8.1f} {result.p50:8.1f} "
                f"{result.percentile(0.99):8.1f} {result.rate / result.floor:8.2f} "
                f"{result.queries if result.queries is not None else '-':>7} "
                f"{result.size / 1024:6.0f}"
                + (f"  {result.errors} errors" if result.errors else "")
            )
    demo, large = by_size["demo"], by_size["large"]
    lines.append("\nlarge / demo")
    lines.append(f"{'page':32} {'reader':10} {'p50 ratio':>9} {'queries':>9}")
    for key, result in large.items():
        if key[0] == "floor" or key not in demo:
            continue
        ratio = result.p50 / demo[key].p50
        queries = f"{demo[key].queries}->{result.queries}"
        lines.append(f"{key[0]:32} {key[1]:10} {ratio:9.1f} {queries:>9}")
    return "\n".join(lines)


def summary(by_size: dict) -> str:
    demo, large = by_size["demo"], by_size["large"]
    pages = [key for key in large if key[0] != "floor" and key in demo]
    worst = max(large[key].p50 / demo[key].p50 for key in pages)
    slowest = max(large[key].p50 for key in pages)

    def floor_ratio(reader: str) -> float:
        return min(demo[key].rate / demo[key].floor for key in pages if key[1] == reader)

    return (
        f"worst large/demo p50 ratio {worst:.1f}; slowest large p50 {slowest:.0f} ms; "
        f"anonymous floor ratio {floor_ratio('anonymous'):.2f}; "
        f"signed-in floor ratio {floor_ratio('signed in'):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="20,000 proposals and about 200,000 events as the large size",
    )
    parser.add_argument("--server", help=f"PostgreSQL server URL (default: {DEFAULT_SERVER})")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="store_true", help="use databases an earlier --keep left")
    parser.add_argument("--duration", type=float, help="seconds per page (default 3; 1.5 quick)")
    parser.add_argument("--min-requests", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, help="client threads (default: --workers)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="measure the pages whose name matches this pattern")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="render every anonymous page afresh (PMC_PAGE_CACHE_SECONDS=0)",
    )
    args = parser.parse_args()  # fmt: skip
    args.duration = args.duration or (1.5 if args.quick else 3.0)
    args.connections = args.connections or args.workers
    args.secret_key = secrets.token_urlsafe(50)
    server = server_url(args.server)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="pmc-pages-"))
    static = work / "static"
    collect_static(static, work, args)
    databases = database_names(args)
    try:
        build_databases(args, server, work, databases)
        print(f"Measuring {' and '.join(name for _, name in databases)}:", flush=True)
        by_size = measure(databases, server, args, work, static)
        print(report(by_size))
        print(f"\n(took {time.monotonic() - started:.0f} s; logs in {work})")
        print(summary(by_size))
    finally:
        execute(server, f'DROP DATABASE IF EXISTS "{BASE}" WITH (FORCE)')
        if not args.keep:
            for _, name in databases:
                execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
