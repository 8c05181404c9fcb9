"""Where a webhook may point, and one POST to such an address.

A webhook is a request this site makes on a chair's word, so it must not become a way
to reach the site's own network. Unless PMC_WEBHOOKS_ALLOW_PRIVATE is on (the default
with DEBUG only, for development and tests on 127.0.0.1), an address must be `https://`
and every address its host name resolves to must be a public one: loopback, private
(10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the clouds'
metadata services, fe80::/10), shared, multicast and reserved ranges are refused. The
name is resolved again for each delivery, checked, and the connection is made to the
address that was checked (a name that changes its answer between the check and the
connection gains nothing); redirects are not followed.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# Seconds to connect, and to wait for each read of the answer.
TIMEOUT = 5.0
# Seconds for the whole exchange, however slowly a receiver trickles its answer: well
# within a sender's claim (`webhooks.LEASE`).
DEADLINE = 20.0
# Characters of a refusing answer's body kept as its error.
ANSWER_KEPT = 300


class TargetRefused(ValueError):
    """An address a webhook may not be sent to; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Answer:
    status: int
    text: str  # the beginning of the body, for the chair's list of deliveries

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def private_targets_allowed() -> bool:
    return bool(settings.PMC_WEBHOOKS_ALLOW_PRIVATE)


def check_url(url: str) -> str:
    """`url` without surrounding spaces if a webhook may be sent there, else refused
    with a message saying what to fix. In production the host name is resolved and its
    addresses checked here, and again at each delivery."""
    url = url.strip()
    parts = urlsplit(url)
    schemes = ("https", "http") if private_targets_allowed() else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise TargetRefused(
            "The webhook's address must be a full https:// address, e.g. "
            "https://hooks.example.org/pmc."
        )
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(
            "Leave the user name and password out of the webhook's address: the receiver "
            "checks each delivery's signature instead."
        )
    try:
        parts.port  # noqa: B018 (raises for a port out of range)
    except ValueError:
        raise TargetRefused("The webhook's address has an invalid port number.") from None
    if parts.fragment:
        raise TargetRefused("Leave the #fragment out of the webhook's address.")
    if not private_targets_allowed():
        addresses(parts.hostname, parts.port or 443)
    return url


def addresses(host: str, port: int) -> list[tuple]:
    """The socket addresses `host` resolves to, each of them allowed, or refused."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(
            f"The host name {host} cannot be found. Check the address, or try again once "
            "the name is in the DNS."
        ) from None
    if not private_targets_allowed():
        for *_, sockaddr in found:
            if not is_public(sockaddr[0]):
                raise TargetRefused(
                    f"{host} is at {sockaddr[0]}, a private, loopback or link-local address: "
                    "webhooks are sent to public addresses only."
                )
    return [(family, sockaddr) for family, _, _, _, sockaddr in found]


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` with `headers`, connected to a checked address of its host;
    a refused target raises `TargetRefused`, a network failure or an answer that is no
    HTTP `OSError`."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    _family, sockaddr = addresses(parts.hostname, port)[0]
    if https:
        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=TIMEOUT)

    def connect_to_checked(_address, timeout, source_address=None):
        # The Host header and the TLS server name stay the host's name.
        return socket.create_connection(sockaddr[:2], timeout, source_address)

    connection._create_connection = connect_to_checked
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    cut_off = threading.Timer(DEADLINE, _cut, args=(connection,))
    cut_off.daemon = True
    cut_off.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(ANSWER_KEPT).decode("utf-8", "replace")
        return Answer(status=response.status, text=text)
    except http.client.HTTPException as error:  # a malformed or cut-off answer
        raise ConnectionError(f"no valid HTTP answer ({type(error).__name__}: {error})") from None
    finally:
        cut_off.cancel()
        connection.close()


def _cut(connection: http.client.HTTPConnection) -> None:
    """End an exchange that outlasted DEADLINE: the blocked read returns at once."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
