"""Draining the e-mail outbox: the worker sends each due mail once, retries refusals, and never loses one.

The outbox is a table of due rows (tenancy/due_rows.py): one mail at a time is claimed, its claim committed before
the SMTP conversation, and leased for LEASE. A failure (refused, unreachable, no address) is recorded on the row
with the attempt count; the row is tried again after BACKOFF, and after MAX_ATTEMPTS it is `failed` and stays, for
an admin to see and send again (/notifications/outbox).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_appbuilder.models.sqla import Model
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..i18n import DEFAULT_LANGUAGE
from ..tenancy.directory import EMPLOYEE
from ..tenancy.due_rows import DueRows
from .mail import Mailer
from .tables import NOTIFICATIONS, OUTBOX, PROFILES
from .templates import rendered

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
#: the wait before each next attempt; after the last one the mail is failed
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=10)
#: at most this many mails per tenant and tick, so one tenant's backlog does not hold up the others
BATCH = 500
MAILS = DueRows(OUTBOX, LEASE, PENDING, SENDING, FAILED)
log = logging.getLogger(__name__)


def send_due(runtime: TenantRuntime, mailer: Mailer, now: datetime) -> Counter[str]:
    """Send the tenant's mails due at `now`; counts `sent`, `retry` (refused, to be tried again) and `failed`."""
    return MAILS.drain(runtime, now, BATCH, lambda claimed: _send(runtime, mailer, claimed, now))


def _send(runtime: TenantRuntime, mailer: Mailer, claimed: Any, now: datetime) -> str:
    try:
        message = runtime.in_transaction(lambda s: compose(runtime, s, claimed, mailer))
        mailer.send(message)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried; the next mail still goes
        error = f"{type(exc).__name__}: {exc}"[:2000]
        outcome = FAILED if claimed.attempts >= MAX_ATTEMPTS or isinstance(exc, NoAddress) else PENDING
        wait = BACKOFF[min(claimed.attempts, len(BACKOFF)) - 1]
        runtime.in_transaction(
            lambda s: MAILS.settle(s, claimed, status=outcome, last_error=error, next_attempt_at=now + wait)
        )
        log.warning("mail %s to %s: attempt %s failed (%s)", claimed.id, claimed.recipient, claimed.attempts, error)
        return "failed" if outcome == FAILED else "retry"
    runtime.in_transaction(
        lambda s: MAILS.settle(s, claimed, status=SENT, sent_at=utcnow(), address=message["To"], last_error=None)
    )
    return "sent"


class NoAddress(Exception):
    """The recipient has no e-mail address: trying again would not help."""


def compose(runtime: TenantRuntime, s: Session, row: Any, mailer: Mailer) -> EmailMessage:
    """The mail of an outbox row, in the recipient's language, to their address as it is now; with a link that
    opens the notification (and so its record, if the reader may still see it) when the site's URL is known."""
    address = row.address or email_of(runtime, s, row.recipient)
    if not address:
        raise NoAddress(f"{row.recipient} has no e-mail address")
    notification = s.execute(sa.select(NOTIFICATIONS).where(NOTIFICATIONS.c.id == row.notification_id)).one()
    language = s.execute(sa.select(PROFILES.c.language).where(PROFILES.c.username == row.recipient)).scalar()
    subject, body = rendered(runtime.catalog, notification, language or DEFAULT_LANGUAGE)
    message = EmailMessage()
    message["From"], message["To"] = mailer.sender, address
    message["Subject"] = " ".join(subject.split())  # one line: a newline in a value can never start a header
    opens = mailer.site_url and row.recipient  # a mail to a contact's address opens nothing of the tenant's
    link = f"{mailer.site_url}/t/{runtime.slug}/notifications/open/{notification.id}" if opens else ""
    message.set_content(f"{body}\n\n{link}" if link else body)
    return message


def email_of(runtime: TenantRuntime, s: Session, username: str) -> str | None:
    """The FAB user's e-mail address, else the employee's (core.employee whose login is the user)."""
    users = Model.metadata.tables["ab_user"]
    address = s.execute(sa.select(users.c.email).where(users.c.username == username)).scalar()
    if address:
        return address
    if EMPLOYEE not in runtime.compiled.models:
        return None
    model = runtime.compiled.model(EMPLOYEE)
    return (
        s.execute(sa.select(model.email).where(model.login == username)).scalar() if hasattr(model, "email") else None
    )
