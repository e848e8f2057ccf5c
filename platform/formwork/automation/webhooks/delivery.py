"""Delivering the queued webhooks: the worker POSTs each due delivery, retries failures, and never loses one.

The deliveries are a table of due rows (tenancy/due_rows.py), claimed one at a time as the e-mail outbox's: the
claim is committed before the HTTP request and leased for LEASE. A worker that dies mid-request leaves the row to
be taken again once the lease is over: the receiver may then get the message twice, under the same `webhook-id`
(the Standard Webhooks idempotency key), but it is never lost.

A 2xx answer delivers. Any other answer, a timeout or a refused connection is recorded on the row (response code,
error) and tried again after BACKOFF; after MAX_ATTEMPTS the row is `failed` and stays, for an admin to see in the
delivery log and send again. A target the allow-list refuses (targets.py) is failed at once: no retry would pass.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ...tenancy.due_rows import DueRows
from .posting import Answer, post
from .queue import DELIVERED, FAILED, PENDING, SENDING, body_of
from .signing import signed_headers, signing_secrets
from .tables import DELIVERIES
from .targets import TargetRefused, checked_target

if TYPE_CHECKING:
    from ...tenancy.runtime import TenantRuntime

#: the wait before each next attempt; after the last one the delivery is failed
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)  # far longer than one request may take (posting.TIMEOUT)
#: at most this many deliveries per tenant and tick, and for at most this long (unreachable receivers each cost a
#: timeout): one tenant's backlog does not hold up the others, nor the e-mails after it
BATCH = 100
BUDGET = timedelta(seconds=60)
#: the counts a tick reports (named apart from the other jobs' kinds: notify's `failed_mail`, workflow's `failed`)
OUTCOMES = {
    "webhooks_delivered": "webhook(s) delivered",
    "webhooks_retry": "webhook(s) not accepted, to be retried",
    "webhooks_failed": "webhook(s) given up",
}
KEPT_ERROR = 2000
DELIVERY_QUEUE = DueRows(DELIVERIES, LEASE, PENDING, SENDING, FAILED)
log = logging.getLogger(__name__)


def deliver_due(runtime: TenantRuntime, now: datetime, allow: Sequence[str]) -> Counter[str]:
    """Deliver the tenant's webhooks due at `now` to targets `allow` (FORMWORK_WEBHOOK_ALLOW) permits."""
    return DELIVERY_QUEUE.drain(
        runtime, now, BATCH, lambda claimed: _deliver(runtime, claimed, now, allow), BUDGET, last_attempt_at=now
    )


def claim(s: Session, now: datetime) -> Any | None:
    """Take one delivery due at `now` (or whose worker's lease ran out) for LEASE; None when none is due."""
    return DELIVERY_QUEUE.claim(s, now, last_attempt_at=now)


def _deliver(runtime: TenantRuntime, claimed: Any, now: datetime, allow: Sequence[str]) -> str:
    """One attempt at a claimed delivery, its outcome recorded; returns the outcome's count kind."""
    try:
        target = checked_target(claimed.url, allow)
        keys = runtime.in_transaction(lambda s: signing_secrets(s, now))
        body = body_of(claimed.payload)
        answer = post(target, body, signed_headers(keys, claimed.message_id, now, body))
    except TargetRefused as refused:
        return _failed(runtime, claimed, now, str(refused), final=True)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried; the next one still goes
        return _failed(runtime, claimed, now, f"{type(exc).__name__}: {exc}")
    if not answer.accepted:
        return _failed(runtime, claimed, now, _refusal(answer), code=answer.status)
    runtime.in_transaction(
        lambda s: DELIVERY_QUEUE.settle(
            s, claimed, status=DELIVERED, delivered_at=now, response_code=answer.status, last_error=None
        )
    )
    return "webhooks_delivered"


def _refusal(answer: Answer) -> str:
    said = " ".join(answer.body.split())
    return f"HTTP {answer.status}" + (f": {said}" if said else "")


def _failed(
    runtime: TenantRuntime, claimed: Any, now: datetime, error: str, code: int | None = None, final: bool = False
) -> str:
    """Record a failed attempt: due again after its backoff, or failed for good after the last (or when `final`)."""
    given_up = final or claimed.attempts >= MAX_ATTEMPTS
    wait = BACKOFF[min(claimed.attempts, len(BACKOFF)) - 1]
    runtime.in_transaction(
        lambda s: DELIVERY_QUEUE.settle(
            s,
            claimed,
            status=FAILED if given_up else PENDING,
            response_code=code,
            last_error=error[:KEPT_ERROR],
            next_attempt_at=now if given_up else now + wait,
        )
    )
    log.warning("webhook %s to %s: attempt %s failed (%s)", claimed.id, claimed.url, claimed.attempts, error)
    return "webhooks_failed" if given_up else "webhooks_retry"
