"""A small SMTP server on 127.0.0.1 for tests that deliver through real sockets.

It speaks enough of RFC 5321 for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
accepts every message and records each one it takes: its Message-ID, its recipients and
when the end of its data arrived. It can hold its answer to one message: the message is
recorded (the server has taken it, as a mail server that has queued it) but the `250`
is not written until the test releases it, so the sender waits, in the middle of the
SMTP exchange, for as long as the test needs to kill it.
"""

from __future__ import annotations

import contextlib
import socketserver
import threading
import time
from dataclasses import dataclass
from email.parser import BytesHeaderParser


@dataclass(frozen=True)
class Received:
    message_id: str
    recipients: tuple[str, ...]
    at: float  # time.monotonic() when the end of the data arrived


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        # OSError: the client died, or the answer went into a closed socket.
        with contextlib.suppress(OSError):
            self._converse()

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def _converse(self) -> None:
        self._reply("220 127.0.0.1 ESMTP test server")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self._reply("250 127.0.0.1")
            elif verb == b"MAIL":
                recipients = []
                self._reply("250 OK")
            elif verb == b"RCPT":
                address = line.partition(b":")[2].strip().strip(b"<>").decode()
                recipients.append(address)
                self._reply("250 OK")
            elif verb == b"DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = self._read_data()
                if data is None:
                    return
                self.server.mailbox.take(data, recipients)
                self._reply("250 OK: queued")
                recipients = []
            elif verb in (b"RSET", b"NOOP"):
                recipients = [] if verb == b"RSET" else recipients
                self._reply("250 OK")
            elif verb == b"QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")

    def _read_data(self) -> bytes | None:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None  # the connection closed before the end of the data
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mailbox: SMTPServer


class SMTPServer:
    """`with SMTPServer() as server:` listens on `server.port` until the block ends."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.mailbox = self
        self.port = self._server.server_address[1]
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._hold_at: int | None = None
        self.holding = threading.Event()  # set while the answer to the held message waits
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SMTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def reset(self) -> None:
        with self._lock:
            self._received.clear()
            self._hold_at = None
        self.holding.clear()
        self._release.clear()

    def hold_answer_to(self, number: int) -> None:
        """Record the `number`th message from now on, then hold the answer to it."""
        with self._lock:
            self._hold_at = len(self._received) + number

    def release(self) -> None:
        self._release.set()

    def take(self, data: bytes, recipients: list[str]) -> None:
        headers = BytesHeaderParser().parsebytes(data)
        with self._lock:
            self._received.append(
                Received(str(headers.get("Message-ID", "")), tuple(recipients), time.monotonic())
            )
            hold = len(self._received) == self._hold_at
        if hold:
            self.holding.set()
            self._release.wait(60)
