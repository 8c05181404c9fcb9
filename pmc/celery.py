"""The Celery application: `celery -A pmc worker` and `celery -A pmc beat`, and beat's
heartbeat in Redis.

Configuration comes from the Django settings whose names start with CELERY_. Tasks live
in each app's tasks.py. Only used when REDIS_URL is set; without it the web process runs
the same jobs itself (proposals.embedded). `pmc.services` reads the heartbeat written
here, with the same fail-fast client.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import redis
from celery import Celery
from celery.beat import PersistentScheduler
from redis.backoff import NoBackoff
from redis.retry import Retry

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmc.settings")

app = Celery("pmc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

BEAT_HEARTBEAT_KEY = "pmc:beat:heartbeat"
# Beat notes it is alive every 15 s; after this long without a note it counts as down.
BEAT_STALE_SECONDS = 120


def broker_url() -> str:
    return app.conf.broker_url or ""


def redis_client(timeout: float = 2.0) -> redis.Redis:
    """A client that fails fast: no retries with backoff, short socket timeouts."""
    return redis.Redis.from_url(
        broker_url(),
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


def beat_heartbeat_key() -> str:
    """The heartbeat's key, under the broker's key prefix if one is configured."""
    options = app.conf.broker_transport_options or {}
    return options.get("global_keyprefix", "") + BEAT_HEARTBEAT_KEY


def write_beat_heartbeat() -> None:
    with redis_client() as client:
        client.set(beat_heartbeat_key(), f"{time.time():.3f}", ex=BEAT_STALE_SECONDS * 5)


class HeartbeatScheduler(PersistentScheduler):
    """The default beat scheduler, which also notes in Redis that beat is alive.

    `manage.py check_services` reads the note: a beat that stopped ticking is reported
    as down even while the worker still answers pings.
    """

    heartbeat_every = 15.0

    def __init__(self, *args, **kwargs) -> None:
        self._last_heartbeat = 0.0
        if kwargs.get("schedule_filename"):
            Path(kwargs["schedule_filename"]).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        interval = super().tick(*args, **kwargs)
        if time.monotonic() - self._last_heartbeat >= self.heartbeat_every:
            self.write_heartbeat()
        return min(interval, self.heartbeat_every)

    def write_heartbeat(self) -> None:
        try:
            write_beat_heartbeat()
        except Exception:
            # A broker outage must not stop beat: it keeps its schedule and catches up.
            logger.warning("beat could not write its heartbeat to Redis", exc_info=True)
        else:
            self._last_heartbeat = time.monotonic()
