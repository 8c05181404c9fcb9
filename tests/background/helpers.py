"""Real workers on the real Redis for the background tests.

The tests use Redis database 15 (TEST_BROKER), and in it only keys under a prefix of
their own run (RUN_PREFIX, kombu's `global_keyprefix`), which they clear: two test runs
side by side on one machine neither share queues nor clear each other's. Workers run in
threads of the test process (`celery.contrib.testing.worker.start_worker`, solo pool),
so they share the test database and Django's in-memory mail outbox.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import redis
from celery import signals
from celery.contrib.testing.worker import TestWorkController, start_worker
from celery.worker import state as worker_state
from django.conf import settings
from django.db import connections
from django.test import override_settings
from kombu import pools

from pmc.celery import app
from proposals import background
from tests.base import AppendOnlyTransactionTestCase, CommitteeActorsMixin

TEST_BROKER = "redis://127.0.0.1:6379/15"
RUN_PREFIX = f"pmc-test-{os.getpid()}:"
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/15"
HOUR = datetime.timedelta(hours=1)


def clear_test_redis() -> None:
    with redis.Redis.from_url(TEST_BROKER, socket_timeout=5) as client:
        keys = list(client.scan_iter(match=f"{RUN_PREFIX}*", count=1000))
        if keys:
            client.delete(*keys)


def queued(queue: str = "celery") -> int:
    with redis.Redis.from_url(TEST_BROKER, socket_timeout=5) as client:
        return client.llen(RUN_PREFIX + queue)


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point the Celery app (producers, control, the services checks) at `url`, with this
    run's key prefix."""
    previous = app.conf.broker_url, app.conf.broker_transport_options
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": RUN_PREFIX}
    _switch_broker(url, options)
    try:
        yield
    finally:
        background.wait_for_enqueue()
        _switch_broker(*previous)


def _switch_broker(url: str, options: dict) -> None:
    background.wait_for_enqueue()
    pools.reset()  # kombu keeps pools per broker URL for the whole process
    app.conf.broker_transport_options = options
    app._pool = None
    app.amqp._producer_pool = None
    with contextlib.suppress(AttributeError):
        del app.control.mailbox.producer_pool  # cached from the old pools
    app.conf.broker_url = url
    background.reset_broker_backoff()


class SilentServer:
    """A TCP server that accepts connections and never answers: a hung broker."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._connections: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/15"

    def _accept(self) -> None:
        self._socket.settimeout(0.2)
        while not self._stopped.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connections.append(connection)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopped.set()
        self._thread.join(5)
        for connection in self._connections:
            connection.close()
        self._socket.close()


class TaskWatch:
    """Counts tasks the workers of this process start and finish (Celery's signals)."""

    def __init__(self) -> None:
        self.started: Counter[str] = Counter()
        self.finished: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _on_prerun(self, sender=None, **kwargs) -> None:
        with self._lock:
            self.started[sender.name] += 1

    def _on_postrun(self, sender=None, **kwargs) -> None:
        with self._lock:
            self.finished[sender.name] += 1

    def __enter__(self) -> TaskWatch:
        signals.task_prerun.connect(self._on_prerun, weak=False)
        signals.task_postrun.connect(self._on_postrun, weak=False)
        return self

    def __exit__(self, *exc) -> None:
        signals.task_prerun.disconnect(self._on_prerun)
        signals.task_postrun.disconnect(self._on_postrun)

    def busy(self) -> bool:
        with self._lock:
            return sum(self.started.values()) > sum(self.finished.values())

    def wait_idle(self, timeout: float = 20.0, settle: float = 0.5) -> None:
        """Until the queue is empty and no task runs, for `settle` seconds in a row."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            background.wait_for_enqueue()
            if queued() == 0 and not self.busy():
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle:
                    return
            else:
                quiet_since = None
            time.sleep(0.05)
        raise AssertionError(f"workers still busy after {timeout} s: {self.started=}")


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


class ThreadWorkController(TestWorkController):
    """A test worker that polls its broker connection instead of using kombu's event
    loop, which is one per process: two workers in one process would read each other's
    sockets."""

    def should_use_eventloop(self) -> bool:
        return False


@contextlib.contextmanager
def workers(count: int = 1) -> Iterator[list]:
    """`count` real workers (solo pool) consuming from the test broker."""
    with contextlib.ExitStack() as stack:
        started = [
            stack.enter_context(
                start_worker(
                    app,
                    pool="solo",
                    perform_ping_check=False,
                    WorkController=ThreadWorkController,
                    hostname=f"test-worker-{i}@localhost",
                    shutdown_timeout=30,
                )
            )
            for i in range(count)
        ]
        try:
            yield started
        finally:
            # Stop all of them together: the worker state is per process.
            worker_state.should_terminate = 0


class BackgroundTestCase(CommitteeActorsMixin, AppendOnlyTransactionTestCase):
    """Committee actors, Celery pointed at the test Redis, the embedded jobs off."""

    broker = TEST_BROKER

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        if cls.broker == TEST_BROKER:
            clear_test_redis()
            cls.addClassCleanup(clear_test_redis)  # runs last, after the workers stopped
        cls.enterClassContext(broker_at(cls.broker))
        cls.enterClassContext(override_settings(PMC_EMBEDDED_JOBS=False))

    def setUp(self) -> None:
        super().setUp()
        self.make_actors()

    def tearDown(self) -> None:
        background.wait_for_enqueue()
        connections.close_all()
        super().tearDown()

    def sent_to(self, subject_part: str = "") -> Counter[str]:
        from django.core import mail

        return Counter(
            address
            for message in mail.outbox
            if subject_part in message.subject
            for address in message.to
        )


class WorkerTestCase(BackgroundTestCase):
    """Real workers for the whole class (starting is quick, stopping takes seconds).
    Each test waits until they are idle, so the next starts with an empty queue."""

    worker_count = 2

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.workers = cls.enterClassContext(workers(cls.worker_count))

    def setUp(self) -> None:
        self.watch = self.enterContext(TaskWatch())
        super().setUp()

    def tearDown(self) -> None:
        self.watch.wait_idle()
        super().tearDown()
