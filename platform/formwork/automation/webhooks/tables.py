"""The webhook tables, in every tenant's storage next to its records (on TENANT_METADATA, like notify/tables.py).

A delivery keeps the exact JSON payload and message id it was queued with, so every attempt sends the same body
under the same `webhook-id`: a receiver that saw an attempt succeed after a lost answer can tell the retry is one
it already has. A row is never deleted; it ends `delivered` or `failed` with its attempts, the last response code
and error, which is the delivery log the admin reads.

The signing secrets are numbered by generation: the highest is the one in use, a rotation adds the next and stamps
the previous `retired_at`; a retired secret still signs for ROTATION_OVERLAP (delivery.py) so receivers can switch.
"""

from __future__ import annotations

import sqlalchemy as sa

from ...compile.generated import TENANT_METADATA

EVENT_TYPE = 200

DELIVERIES = sa.Table(
    "formwork_webhook_delivery",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("event_type", sa.String(EVENT_TYPE), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),  # {"type", "timestamp", "data"}: the body every attempt sends
    sa.Column("message_id", sa.String(64), nullable=False, unique=True),  # the `webhook-id` header
    sa.Column("status", sa.String(20), nullable=False),  # pending, sending (inside a claim), delivered, failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("response_code", sa.Integer),  # the last attempt's HTTP status; none: no answer (or refused)
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_attempt_at", sa.DateTime),
    sa.Column("delivered_at", sa.DateTime),
    sa.Column("source", sa.Text, nullable=False),  # what queued it: "automation crm.contract_ending"
    sa.Index("ix_formwork_webhook_delivery_due", "status", "next_attempt_at"),  # the claim's query
)

SECRETS = sa.Table(
    "formwork_webhook_secret",
    TENANT_METADATA,
    sa.Column("generation", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("secret", sa.String(100), nullable=False),  # whsec_ + base64 of 32 random bytes
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("retired_at", sa.DateTime),
)
