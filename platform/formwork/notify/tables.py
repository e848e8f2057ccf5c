"""The notification tables, in every tenant's storage next to the tenant's records.

They are on TENANT_METADATA, so new tenants get them with their other platform
tables and existing ones at their next `formwork migrate` (storage_hash covers
them). A notification keeps the event's data, not its text: the inbox renders
it in the reader's language at read time, and the e-mail worker renders the
mail it sends. The outbox is the e-mail queue the worker drains: a row is
never deleted, it ends `sent` or `failed` (with its attempts and last error).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..compile.generated import TENANT_METADATA, keyed_by
from ..tenancy.directory import USER_NAME

NOTIFICATIONS = sa.Table(
    "formwork_notification",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("recipient", sa.String(USER_NAME), nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column(
        "entity", sa.String(100), info=keyed_by("Entity")
    ),  # qualified entity name (`crm.deal`); none: not about one record
    sa.Column("record_id", sa.Integer),
    sa.Column("actor", sa.String(USER_NAME)),  # none: the platform itself (a reminder, a timeout)
    sa.Column("data", sa.JSON, nullable=False),  # the template's placeholders ({record}, {step}, {comment}…)
    sa.Column(
        "in_app", sa.Boolean, nullable=False
    ),  # false: the recipient wanted it by e-mail only (kept for the mail)
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("read_at", sa.DateTime),
    sa.Index("ix_formwork_notification_unread", "recipient", "read_at"),  # the navbar badge's one query
    sa.Index("ix_formwork_notification_inbox", "recipient", "created_at"),
)

OUTBOX = sa.Table(
    "formwork_notification_outbox",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("notification_id", sa.Integer, sa.ForeignKey(NOTIFICATIONS.c.id, ondelete="CASCADE"), nullable=False),
    sa.Column("recipient", sa.String(USER_NAME), nullable=False),
    sa.Column("address", sa.String(320)),  # resolved when sent: the FAB user's e-mail, else the employee's
    sa.Column("status", sa.String(20), nullable=False),  # pending, sending (inside a claim), sent, failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime),
    sa.Index("ix_formwork_notification_outbox_due", "status", "next_attempt_at"),
)

PREFERENCES = sa.Table(
    "formwork_notification_preference",
    TENANT_METADATA,
    sa.Column("username", sa.String(USER_NAME), primary_key=True),
    sa.Column("event", sa.String(40), primary_key=True),
    sa.Column("in_app", sa.Boolean, nullable=False),
    sa.Column("email", sa.Boolean, nullable=False),
)

PROFILES = sa.Table(
    "formwork_notification_profile",
    TENANT_METADATA,
    sa.Column("username", sa.String(USER_NAME), primary_key=True),
    sa.Column("language", sa.String(8), nullable=False),  # the language of the e-mails this person gets
)

FOLLOWERS = sa.Table(
    "formwork_follower",
    TENANT_METADATA,
    sa.Column("username", sa.String(USER_NAME), primary_key=True),
    sa.Column("entity", sa.String(100), primary_key=True, info=keyed_by("Entity")),
    sa.Column("record_id", sa.Integer, primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_formwork_follower_record", "entity", "record_id"),
)
