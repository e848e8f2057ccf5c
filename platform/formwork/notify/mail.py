"""Sending one e-mail: over SMTP when FORMWORK_SMTP_URL is set, into the log when it is not.

`smtp://user:pass@host:587?starttls=1`, `smtps://user:pass@host:465` or
`smtp://host:25`; `?from=noreply@example.com` sets the sender (default
`formwork@<host>`). A mailer raises on any failure, including a refusal
(an SMTP 4xx/5xx answer): the outbox records it and tries again later.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)
TIMEOUT = 30  # seconds: a mail server that hangs costs the worker this much per mail, never a request


class Mailer(Protocol):
    sender: str
    #: where people open the platform (FORMWORK_SITE_URL), so a mail can link to its notification; "" for no link
    site_url: str

    def send(self, message: EmailMessage) -> None: ...


@dataclass
class LogMailer:
    """No SMTP server configured: each mail is written to the log (and counts as sent)."""

    sender: str = "formwork@localhost"
    site_url: str = ""

    def send(self, message: EmailMessage) -> None:
        log.info(
            "e-mail (FORMWORK_SMTP_URL is not set) to %s: %s\n%s",
            message["To"],
            message["Subject"],
            message.get_content(),
        )


@dataclass
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    starttls: bool = False
    site_url: str = ""

    def send(self, message: EmailMessage) -> None:
        client_class = smtplib.SMTP_SSL if self.implicit_tls else smtplib.SMTP
        with client_class(self.host, self.port, timeout=TIMEOUT) as client:
            if self.starttls:
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


def mailer_for(smtp_url: str, site_url: str = "") -> Mailer:
    """The mailer FORMWORK_SMTP_URL asks for; the log when it is empty. A malformed URL is a ValueError."""
    if not smtp_url:
        return LogMailer(site_url=site_url)
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"FORMWORK_SMTP_URL must look like smtp://user:password@host:port, not {parts.scheme}://…")
    query = parse_qs(parts.query)
    implicit = parts.scheme == "smtps"
    return SmtpMailer(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 25),
        sender=query.get("from", [f"formwork@{parts.hostname}"])[0],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit,
        starttls=query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes", "on"),
        site_url=site_url,
    )
