"""The record run log's table: one row per run of an automation a record triggered (created, updated, changed,
deleted, approval) whose condition held, with its outcome.

Kept apart from the timed runs' table (timed/tables.py), whose rows are claims the worker takes, resumes and
retries: a record run is over when its row is written, so nothing here may ever be claimed again. A succeeded run's
row is written in the save's transaction (a save rolled back keeps none); a failed run's after its save was rolled
back, in a transaction of its own (record_runs/log.py). A row is never changed.
"""

from __future__ import annotations

import sqlalchemy as sa

from ...compile.generated import TENANT_METADATA, keyed_by
from ...tenancy.directory import USER_NAME

RECORD_RUNS = sa.Table(
    "formwork_automation_record_run",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("automation", sa.String(200), nullable=False, info=keyed_by("Automation")),  # pack.name
    sa.Column("trigger", sa.String(20), nullable=False),  # created, updated, changed, deleted, approval
    sa.Column("record_id", sa.Integer),  # None: a new record whose save failed before it had an id
    sa.Column("status", sa.String(20), nullable=False),  # succeeded, failed
    sa.Column("steps_done", sa.Integer, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("actor", sa.String(USER_NAME)),  # the user whose change triggered it (None: the platform)
    sa.Column("started_at", sa.DateTime, nullable=False),  # naive UTC
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Index("ix_formwork_automation_record_run_newest", "automation", "started_at"),  # the Studio's query
)
