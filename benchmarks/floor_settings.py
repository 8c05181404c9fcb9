"""The settings `benchmarks/pages.py` runs the site with: the project's own (production
when DEBUG is off), with two additions that cost nothing to the pages measured.

- The URLs are the site's plus the floor (`benchmarks.floor_urls`), so the floor view runs
  in the same processes, behind the same middleware, as the pages it is compared with.
- A request that carries `X-Count-Queries: 1` is answered with the number of SQL
  statements it ran in `X-Query-Count`; other requests are not counted.
"""

from pmc.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.floor_urls"
MIDDLEWARE = ["benchmarks.floor_urls.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
