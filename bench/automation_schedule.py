"""A monthly schedule creating one record per matching record: 10,000 bills on SQLite (issue 14).

Run from the repository root (under a minute on 2 cores):

    .venv/bin/python bench/automation_schedule.py                    # SQLite, 10,000 records
    .venv/bin/python bench/automation_schedule.py --records 2000 --postgres postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/automation_schedule.py --profile          # and cProfile's 25 costliest functions

One throw-away platform with a tenant on the core pack and a small pack: `unit` (name, status, rent) and `bill`
(a reference to its unit, a note, an amount), and a schedule `0 8 1 * *` whose filter picks the occupied units and
whose one step creates a bill for each. `--records` occupied units (and a tenth as many vacant ones) are stored
first; then the worker's timed-automation job runs once at the slot. Each bill is saved through the record
lifecycle, CHUNK (automation/timed/executing.py) to a transaction. Printed: the job's wall time, the records per
second, the run log's own figures (records done, duration) and the bills made. Issue 14's goal: at most 10 s for
10,000 on SQLite.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from scratch import quiet_logs, throwaway_platform

SLUG = "schedbench"
PASSWORD = "Bench-Password-1"
GOAL_SECONDS = 10.0
SLOT = datetime(2027, 8, 1, 0, 0)  # 08:00 on the 1st in Shanghai
PACK = """kind: Pack
name: bench
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: unit
fields:
  - {name: name, type: string, required: true}
  - {name: status, type: choice, default: vacant, choices: [{value: vacant}, {value: occupied}]}
  - {name: rent, type: integer}
---
kind: Entity
name: bill
fields:
  - {name: unit, type: reference, target: unit}
  - {name: note, type: string}
  - {name: amount, type: integer}
rules:
  - {name: not_negative, check: "amount == null || amount >= 0", message: "No negative bills.", field: amount}
---
kind: Automation
name: monthly_rent
entity: unit
trigger: {type: schedule, cron: "0 8 1 * *", filter: [{field: status, op: "=", value: occupied}]}
steps:
  - create: {entity: bill, values: {unit: {expr: id}, note: rent, amount: {expr: rent}}}
"""


def tenant(records: int) -> Any:
    """The tenant's runtime, with `records` occupied units and a tenth as many vacant ones stored."""
    from formwork.config import Settings
    from formwork.definitions.loader import builtin_definitions, require_catalog
    from formwork.tenancy.apps import build_tenant_app
    from formwork.tenancy.provision import create_tenant
    from formwork.tenancy.registry import upgrade_platform_db

    folder = Path(tempfile.mkdtemp(prefix="formwork-bench-pack-")) / "bench"
    folder.mkdir()
    (folder / "pack.yaml").write_text(PACK)
    settings = Settings.from_env()
    upgrade_platform_db(settings.database_url)
    catalog = require_catalog([builtin_definitions(), folder])
    tenant = create_tenant(settings, catalog, SLUG, "Bench", ["core", "bench"], "admin", PASSWORD)
    runtime = build_tenant_app(settings, tenant, catalog).extensions["formwork"]
    runtime.timezone = "Asia/Shanghai"
    unit = runtime.compiled.model("bench.unit")
    session = runtime.session()
    session.add_all(unit(name=f"U{n}", status="occupied", rent=1000 + n % 500) for n in range(records))
    session.add_all(unit(name=f"V{n}", status="vacant", rent=0) for n in range(records // 10))
    session.commit()
    runtime.session.remove()
    return runtime


def measure(records: int, profile: bool) -> dict[str, Any]:
    import sqlalchemy as sa

    from formwork.automation.timed import RUNS, TIMED_AUTOMATIONS
    from formwork.tenancy.worker import run_tenant

    runtime = tenant(records)
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    done = run_tenant(runtime, SLOT, jobs=[TIMED_AUTOMATIONS]).done
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - started
    with runtime.session() as session:
        run = session.execute(sa.select(RUNS)).one()
        bills = session.execute(sa.select(sa.func.count()).select_from(runtime.compiled.model("bench.bill"))).scalar()
    runtime.session.remove()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return {"elapsed": elapsed, "done": dict(done), "run": run, "bills": bills}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; default SQLite")
    parser.add_argument("--profile", action="store_true", help="print cProfile's costliest functions")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    with throwaway_platform("schedule", args.postgres, args.keep):
        found = measure(args.records, args.profile)
    run = found["run"]
    print(f"schedule run at its slot: {found['elapsed']:.2f} s for {args.records} matching records")
    print(f"records per second: {args.records / found['elapsed']:.0f}")
    print(f"run log: {run.status}, {run.records_done} records, {run.steps_done} steps, {run.duration_ms / 1000:.2f} s")
    print(f"bills made: {found['bills']}; tick: {found['done']}")
    verdict = "met" if found["elapsed"] <= GOAL_SECONDS else "missed"
    print(f"goal: at most {GOAL_SECONDS:.0f} s for 10,000 on SQLite ({verdict})")


if __name__ == "__main__":
    main()
