"""The run log of scheduled and date-relative automations, in every tenant's storage (on TENANT_METADATA).

A row is both the claim and the log of one run. `run_key` names the run's slot: a schedule's slot time, or a date
run's record and date value; the unique key (automation, run_key) is what makes a run happen once however many
workers tick: the worker whose INSERT of the row succeeds runs it, the others find the key taken and skip it.

The progress (`records_done`, `steps_done`, `after_id`: the last record whose chunk committed) is written in the
same transaction as each chunk's records, so a run resumed after its worker died, or retried by an admin, starts
exactly where the committed work ends. A row is never deleted.
"""

from __future__ import annotations

import sqlalchemy as sa

from ...compile.generated import TENANT_METADATA, keyed_by

RUN_KEY = 100
KEPT_ERROR = 4000

RUNS = sa.Table(
    "formwork_automation_run",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("automation", sa.String(200), nullable=False, info=keyed_by("Automation")),  # pack.name
    sa.Column("trigger", sa.String(20), nullable=False),  # date, schedule
    sa.Column("run_key", sa.String(RUN_KEY), nullable=False),  # the slot's ISO time; a date run's "record:date"
    sa.Column("slot", sa.DateTime, nullable=False),  # when it was due (naive UTC)
    sa.Column("record_id", sa.Integer),  # a date run's record
    sa.Column("status", sa.String(20), nullable=False),  # running, succeeded, failed, pending (retried)
    sa.Column("records_done", sa.Integer, nullable=False),
    sa.Column("steps_done", sa.Integer, nullable=False),
    sa.Column("after_id", sa.Integer),  # the last record id whose chunk committed: where a resumed run goes on
    # the highest record id when the run started: records its own steps create are not its records
    sa.Column("up_to_id", sa.Integer),
    sa.Column("failed_record_id", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("duration_ms", sa.Integer),  # wall time of the last attempt
    sa.Column("lease_until", sa.DateTime),  # a running row whose lease ran out is resumed by the next tick
    sa.UniqueConstraint("automation", "run_key", name="ux_formwork_automation_run_slot"),
    sa.Index("ix_formwork_automation_run_waiting", "status", "lease_until"),  # the resume claim's query
    sa.Index("ix_formwork_automation_run_last", "automation", "trigger", "slot"),  # a schedule's last slot
)
