"""The approval engine's tables, in every tenant's storage next to the tenant's records.

They are on TENANT_METADATA, so they are created with the tenant's other
platform tables. An instance holds the snapshot of the chain it started on;
tasks are what one person is asked to decide; events are the history (every
action, with actor, time, comment and attachments); jobs are a step's timeout
and reminders with their due time (workflow/timeouts.py); delegations are
out-of-office hand-overs for a date range; uploads are the files people
stored to attach to an action, bound to who uploaded them (an action attaches
only its actor's own uploads, each once).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..compile.generated import TENANT_METADATA, keyed_by
from ..tenancy.directory import USER_NAME

INSTANCES = sa.Table(
    "formwork_approval_instance",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("chain", sa.String(100), nullable=False, info=keyed_by("ApprovalChain")),
    sa.Column("chain_version", sa.String(16), nullable=False),
    sa.Column("snapshot", sa.JSON, nullable=False),
    sa.Column("entity", sa.String(100), nullable=False, info=keyed_by("Entity")),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("submitter", sa.String(USER_NAME), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("step", sa.String(48)),
    sa.Column("step_run", sa.Integer, nullable=False),  # counts step starts: a step run again gets fresh tasks
    sa.Column("chosen", sa.JSON, nullable=False),
    sa.Column("submitted_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.UniqueConstraint("entity", "record_id", name="uq_formwork_approval_instance_record"),
    sa.Index("ix_formwork_approval_instance_submitter", "submitter", "submitted_at"),  # inbox: submitted by me
)

TASKS = sa.Table(
    "formwork_approval_task",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("instance_id", sa.Integer, sa.ForeignKey(INSTANCES.c.id, ondelete="CASCADE"), nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("step", sa.String(48), nullable=False),
    sa.Column("step_run", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("assignee", sa.String(USER_NAME), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("origin", sa.String(20), nullable=False),
    sa.Column("delegated_from", sa.String(USER_NAME)),
    sa.Column("waiting_for", sa.Integer),
    sa.Column("decided_by", sa.String(USER_NAME)),
    sa.Column("decided_at", sa.DateTime),
    sa.Column("comment", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_formwork_approval_task_assignee", "assignee", "status"),
    sa.Index("ix_formwork_approval_task_instance", "instance_id", "round", "step"),
    sa.Index("ix_formwork_approval_task_decided", "decided_by", "decided_at"),  # inbox: done
)

EVENTS = sa.Table(
    "formwork_approval_event",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("instance_id", sa.Integer, sa.ForeignKey(INSTANCES.c.id, ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("step", sa.String(48)),
    sa.Column("task_id", sa.Integer),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("actor", sa.String(USER_NAME)),  # none: the engine itself (a skipped step, a policy)
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("attachments", sa.JSON, nullable=False),  # file references {key, name, size, content_type}
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Index("ix_formwork_approval_event_action", "action", "instance_id"),  # inbox: CC'd to me
)

JOBS = sa.Table(
    "formwork_approval_job",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("instance_id", sa.Integer, sa.ForeignKey(INSTANCES.c.id, ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # timeout | remind
    sa.Column("step", sa.String(48), nullable=False),
    sa.Column("step_run", sa.Integer, nullable=False),  # the step start it belongs to: a later start makes it obsolete
    sa.Column("due_at", sa.DateTime, nullable=False),
    sa.Column(
        "status", sa.String(20), nullable=False
    ),  # pending, then done, obsolete or failed (running inside its claim)
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Index("ix_formwork_approval_job_due", "status", "due_at"),
)

DELEGATIONS = sa.Table(
    "formwork_approval_delegation",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("delegator", sa.String(USER_NAME), nullable=False, index=True),
    sa.Column("delegate", sa.String(USER_NAME), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

UPLOADS = sa.Table(
    "formwork_approval_upload",
    TENANT_METADATA,
    sa.Column("key", sa.String(64), primary_key=True),  # the file store's key
    sa.Column("uploader", sa.String(USER_NAME), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content_type", sa.String(255), nullable=False),  # as the server sniffed it, never as a client said
    sa.Column("event_id", sa.Integer),  # the event it is attached to; none: not attached yet
    sa.Column("created_at", sa.DateTime, nullable=False),
)
