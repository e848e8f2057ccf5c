"""Queueing a webhook: one delivery row written in the caller's transaction (the outbox pattern).

The webhook step calls `queue_webhook` inside the save that triggered it and sends nothing itself: if that save
rolls back, the row goes with it and nothing was sent; once it commits, the row is there for the worker (delivery.py)
until it is delivered or failed, so no call is lost to a crash between the commit and the request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from .tables import DELIVERIES, EVENT_TYPE

PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
STATUSES = (PENDING, SENDING, DELIVERED, FAILED)
#: the insert of a delivery, with its parameters given per call: one statement compiled once, not one per delivery
QUEUED = DELIVERIES.insert().returning(DELIVERIES.c.id)


def queue_webhook(
    session: Session,
    *,
    url: str,
    event_type: str,
    data: Mapping[str, Any],
    now: datetime,
    source: str = "",
) -> int:
    """Queue a POST of `{"type": event_type, "timestamp": now, "data": data}` to `url`, due at `now` (naive UTC);
    returns the delivery's id. Dates and times in `data` are sent as ISO 8601 text and decimals as their exact
    text (as the entity API writes them); anything else JSON cannot hold raises TypeError here, in the caller's
    save, rather than at sending. Nothing is committed: the caller's transaction decides."""
    if not event_type or len(event_type) > EVENT_TYPE:
        raise ValueError(f"a webhook's event type is 1 to {EVENT_TYPE} characters: {event_type!r}")
    payload = {"type": event_type, "timestamp": iso_time(now), "data": json_ready(data)}
    inserted = session.execute(
        QUEUED,
        {
            "url": url,
            "event_type": event_type,
            "payload": payload,
            "message_id": f"msg_{uuid.uuid4().hex}",
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "source": source,
        },
    )
    return int(inserted.scalar_one())


def body_of(payload: Mapping[str, Any]) -> bytes:
    """The bytes sent and signed: compact JSON, UTF-8, keys in the stored order."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def iso_time(value: datetime) -> str:
    """A naive UTC time as ISO 8601 with its zone: `2026-01-03T07:30:00Z`."""
    return value.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


def json_ready(data: Mapping[str, Any]) -> Any:
    """`data` with dates, times and decimals as text, checked to be JSON (a TypeError names what is not)."""
    return json.loads(json.dumps(data, default=_json_value))


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_time(value) if value.tzinfo is None else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"a webhook's data must be JSON; {type(value).__name__} is not: {value!r}")
