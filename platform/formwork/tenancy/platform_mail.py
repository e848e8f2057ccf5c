"""The platform's own e-mails, to people of no tenant yet (a sign-up's address to verify): an outbox in the platform
database, queued in the transaction that decides the mail and sent by the worker, as a tenant's outbox is.

The rows are due rows (tenancy/due_rows.py): one mail at a time is claimed and its claim committed before the SMTP
conversation; a refusal is recorded with the attempt and tried again after BACKOFF, and after the last attempt the
mail is `failed` and stays. The mailer comes from whoever drains (the notify feature's tick job: FORMWORK_SMTP_URL,
or the log).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..config import Settings
from .due_rows import DueRows
from .registry import PlatformMail, platform_session

if TYPE_CHECKING:
    from ..notify.mail import Mailer

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
BATCH = 200
MAILS = DueRows(
    PlatformMail.metadata.tables[PlatformMail.__tablename__], timedelta(minutes=10), PENDING, SENDING, FAILED
)
log = logging.getLogger(__name__)


def queue_mail(session: Session, address: str, subject: str, body: str) -> None:
    """Queue one mail in the caller's platform transaction: it exists exactly when what it tells of is committed."""
    session.add(
        PlatformMail(address=address, subject=subject, body=body, status=PENDING, attempts=0, next_attempt_at=utcnow())
    )


def send_platform_mails(settings: Settings, mailer: Mailer, now: datetime) -> Counter[str]:
    """Send the platform's mails due at `now`; counts `sent`, `retry` and `failed`."""
    done: Counter[str] = Counter()
    for _ in range(BATCH):
        with platform_session(settings.database_url) as session, session.begin():
            claimed = MAILS.claim(session, now)
        if claimed is None:
            break
        done[_send(settings, mailer, claimed, now)] += 1
    return done


def _send(settings: Settings, mailer: Mailer, claimed: PlatformMail, now: datetime) -> str:
    message = EmailMessage()
    message["From"], message["To"] = mailer.sender, claimed.address
    message["Subject"] = " ".join(claimed.subject.split())  # one line: a newline can never start a header
    message.set_content(claimed.body)
    try:
        mailer.send(message)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried; the next mail still goes
        error = f"{type(exc).__name__}: {exc}"[:2000]
        outcome = FAILED if claimed.attempts >= MAX_ATTEMPTS else PENDING
        wait = BACKOFF[min(claimed.attempts, len(BACKOFF)) - 1]
        with platform_session(settings.database_url) as session, session.begin():
            MAILS.settle(session, claimed, status=outcome, last_error=error, next_attempt_at=now + wait)
        log.warning("platform mail %s: attempt %s failed (%s)", claimed.id, claimed.attempts, error)
        return "failed" if outcome == FAILED else "retry"
    with platform_session(settings.database_url) as session, session.begin():
        MAILS.settle(session, claimed, status=SENT, sent_at=utcnow(), last_error=None)
    return "sent"
