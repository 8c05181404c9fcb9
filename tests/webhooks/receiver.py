"""A webhook receiver for the tests: an HTTP server on 127.0.0.1 in a thread of the test
process that records each POST and answers with the statuses it is given; and the check
of a signature, written as the README tells receivers to."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """Answers POSTs with `statuses` in turn (the last one again once they run out).
    With `blocked=True` each request waits in the handler until `release()`."""

    def __init__(self, statuses: tuple[int, ...] = (200,), *, blocked: bool = False) -> None:
        self.statuses = list(statuses)
        self.received: list[Received] = []
        self.arrived = threading.Event()  # a request is in the handler
        self._gate = threading.Event()
        if not blocked:
            self._gate.set()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.arrived.set()
                receiver._gate.wait(30)
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
                    status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else None
                    status = status or receiver.statuses[0]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"busy, try later" if status >= 300 else b"thanks")

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hooks/pmc"

    def release(self) -> None:
        self._gate.set()

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: the connection is refused."""
    with contextlib.closing(socket.create_server(("127.0.0.1", 0))) as sock:
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/pmc"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as in the README: the HMAC-SHA256 of "<t>.<body>" with the
    secret equals v1, and t is within `tolerance` seconds of now."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - timestamp) <= tolerance
    return fresh and hmac.compare_digest(expected, fields["v1"])
