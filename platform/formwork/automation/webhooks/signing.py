"""The tenant's signing secret and the Standard Webhooks headers made with it.

The secret is made on first use (by the first delivery, or the admin opening the log) with `secrets`, in the
`whsec_` + base64 form the `standardwebhooks` libraries read, so a receiver verifies with
`Webhook(secret).verify(body, headers)`. Two workers making it at once agree: the first generation is inserted with
ON CONFLICT DO NOTHING and both read back the one stored. A rotation adds the next generation; for
ROTATION_OVERLAP the retired secret still signs too (the header carries one signature per secret, as the
specification allows), so a receiver can switch to the new secret without rejecting what is in flight.
"""

from __future__ import annotations

import base64
import math
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from .tables import SECRETS

ROTATION_OVERLAP = timedelta(hours=24)
SECRET_BYTES = 32


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def current_secret(s: Session, now: datetime) -> Any:
    """The secret in use (its row: generation, secret, created_at), made now if the tenant has none yet."""
    row = _newest(s)
    if row is None:
        _insert_generation(s, 1, now)
        row = _newest(s)
    return row


def rotate(s: Session, now: datetime) -> Any:
    """Put a new secret in use; the one it replaces keeps signing for ROTATION_OVERLAP."""
    previous = current_secret(s, now)
    _insert_generation(s, previous.generation + 1, now)
    s.execute(
        SECRETS.update()
        .where(SECRETS.c.generation == previous.generation, SECRETS.c.retired_at.is_(None))
        .values(retired_at=now)
    )
    return _newest(s)


def signing_secrets(s: Session, now: datetime) -> list[str]:
    """The secrets a message sent at `now` is signed with: the current one, then those retired in the overlap."""
    current = current_secret(s, now)
    retired = s.execute(
        sa.select(SECRETS.c.secret)
        .where(SECRETS.c.generation < current.generation, SECRETS.c.retired_at > now - ROTATION_OVERLAP)
        .order_by(SECRETS.c.generation.desc())
    ).scalars()
    return [current.secret, *retired]


def signed_headers(keys: Sequence[str], message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The request's headers: Content-Type and the three Standard Webhooks headers, one signature per key; `at`
    is naive UTC, as the platform stores times (and as `Webhook.sign` reads a naive time)."""
    signatures = " ".join(Webhook(key).sign(message_id, at, body) for key in keys)
    return {
        "Content-Type": "application/json",
        "User-Agent": "Formwork-Webhooks",
        "webhook-id": message_id,
        "webhook-timestamp": str(math.floor(at.replace(tzinfo=timezone.utc).timestamp())),
        "webhook-signature": signatures,
    }


def _newest(s: Session) -> Any:
    return s.execute(sa.select(SECRETS).order_by(SECRETS.c.generation.desc()).limit(1)).first()


def _insert_generation(s: Session, generation: int, now: datetime) -> None:
    """Store a fresh secret as `generation`, unless another worker or admin stored that generation first."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    s.execute(
        insert(SECRETS)
        .values(generation=generation, secret=new_secret(), created_at=now, retired_at=None)
        .on_conflict_do_nothing(index_elements=[SECRETS.c.generation])
    )
