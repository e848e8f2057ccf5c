"""One HTTP POST to a checked target (targets.Target): to the address that was checked, under the URL's host name.

The standard library's http.client, with `connect` replaced so the socket goes to the checked address while the
Host header and, for https, the TLS server name and certificate check use the URL's host. Redirects are not
followed (http.client never does): a 3xx is an answer like any other non-2xx, so a redirect cannot lead the
request to a host nobody checked.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from .targets import Target

TIMEOUT = 10.0  # seconds: to connect, and between bytes of the answer
#: how much of a refusal's body is kept in the delivery log
KEPT_BODY = 500


@dataclass(frozen=True)
class Answer:
    """The receiver's HTTP status and the start of its body (as text, for the log)."""

    status: int
    body: str

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the target's checked addresses (the first that answers, as `socket.create_connection`
    tries a name's), whatever its host resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses

    def connect(self) -> None:
        failure: OSError = OSError(f"{self.host} has no address")
        for address in self.addresses:
            try:
                self.sock = socket.create_connection((address, self.port), self.timeout)
                return
            except OSError as refused:
                failure = refused
        raise failure


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """The same over TLS: the certificate must be valid for the URL's host name (sent as SNI)."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target, timeout)
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT) -> Answer:
    """POST `body` to `target`; raises OSError (refused, unreachable, timed out, TLS) or http.client.HTTPException
    (an answer that is not HTTP)."""
    kind = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    connection = kind(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(KEPT_BODY).decode("utf-8", "replace")
        return Answer(response.status, text)
    finally:
        connection.close()
