"""Reaching the services around the application: Redis, the Celery workers and beat.

Each check answers quickly (short socket timeouts) so that a health check, or a web
request, never hangs on a broker that accepts connections and does not answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis

from pmc.celery import BEAT_STALE_SECONDS, app, beat_heartbeat_key, broker_url, redis_client


@dataclass(frozen=True)
class Status:
    name: str
    ok: bool
    detail: str
    required: bool = True


def uses_redis() -> bool:
    return broker_url().startswith(("redis://", "rediss://", "unix://"))


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def beat_heartbeat_age() -> float | None:
    """Seconds since beat last noted it was alive, or None if it never did."""
    with redis_client() as client:
        raw = client.get(beat_heartbeat_key())
    if raw is None:
        return None
    return max(0.0, time.time() - float(raw))


def check_redis() -> Status:
    url = safe_url(broker_url())
    try:
        with redis_client() as client:
            started = time.monotonic()
            client.ping()
            elapsed = (time.monotonic() - started) * 1000
    except redis.RedisError as error:
        return Status("redis", False, f"{url}: {error}")
    return Status("redis", True, f"{url}: answered PING in {elapsed:.0f} ms")


def check_workers(timeout: float = 2.0) -> Status:
    try:
        replies = app.control.inspect(timeout=timeout).ping() or {}
    except Exception as error:  # the broker's own errors vary by transport
        return Status("worker", False, f"could not ask the workers: {error}")
    if not replies:
        return Status("worker", False, f"no worker answered a ping within {timeout:g} s")
    names = ", ".join(sorted(replies))
    return Status("worker", True, f"{len(replies)} worker(s) answered: {names}")


def check_beat() -> Status:
    try:
        age = beat_heartbeat_age()
    except redis.RedisError as error:
        return Status("beat", False, f"could not read the heartbeat: {error}")
    if age is None:
        return Status("beat", False, "no heartbeat: `celery -A pmc beat` has not run")
    if age > BEAT_STALE_SECONDS:
        return Status("beat", False, f"last heartbeat {age:.0f} s ago (stale)")
    return Status("beat", True, f"last heartbeat {age:.0f} s ago")
