"""The crm pivots over 100,000 opportunities: `GET /crm_opportunity/pivot/crm.sales_analysis/` (stage × owner,
count and sum of the amounts) and `crm.sales_by_month` (owner × close month) (issue 15).

Run from the repository root (about a minute on 2 cores):

    .venv/bin/python bench/pivot.py                      # PostgreSQL at $FORMWORK_BENCH_POSTGRES_URL, else the tests'
    .venv/bin/python bench/pivot.py --postgres postgresql://postgres@127.0.0.1:5432/test --rows 100000
    .venv/bin/python bench/pivot.py --sqlite             # the embedded default, for comparison

One throw-away platform (on PostgreSQL a database of its own, created and dropped) with a tenant on the core and
CRM packs: `--rows` opportunities over the six stages, 200 accounts, 20 owners and 24 close months, written in
batches. Its admin, signed in through the login form, opens each pivot as a person would. The first request is
reported apart; the figures are the median, the fastest and the slowest of the timed requests that follow (server
time: the WSGI app is called in-process) and the SQL statements of one request reading the packs' tables. With
`--index`, an index on (stage, owner_id) is added first, to see whether the grouping gains from it. Issue 15's
goal: at most 500 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from decimal import Decimal
from typing import Any

from pages import PageFigures, bench_platform, bench_tenant, signed_in, time_page
from scratch import quiet_logs, throwaway_platform

SLUG = "pivotbench"
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
GOAL_SECONDS = 0.5
PIVOTS = {
    "stage × owner": f"/t/{SLUG}/crm_opportunity/pivot/crm.sales_analysis/",
    "owner × close month": f"/t/{SLUG}/crm_opportunity/pivot/crm.sales_by_month/",
}
TEST_URL = "postgresql://postgres@127.0.0.1:5432/test"
BATCH = 10_000


def opportunities(settings: Any, catalog: Any, rows: int, index: bool) -> None:
    """A tenant with `rows` opportunities, inserted in batches of plain rows (no per-record lifecycle: only the
    reading is measured)."""
    import sqlalchemy as sa

    runtime = bench_tenant(settings, catalog, SLUG, ["core", "crm"])
    session = runtime.session()
    accounts = [runtime.compiled.model("crm.account")(name=f"Account {n}") for n in range(200)]
    owners = [runtime.compiled.model("core.employee")(name=f"Owner {n:02}") for n in range(20)]
    session.add_all([*accounts, *owners])
    session.flush()
    table = runtime.compiled.model("crm.opportunity").__table__
    for start in range(0, rows, BATCH):
        session.execute(
            sa.insert(table),
            [
                {
                    "name": f"Deal {n}",
                    "account_id": accounts[n % len(accounts)].id,
                    "owner_id": owners[n % len(owners)].id,
                    "stage": STAGES[n % len(STAGES)],
                    "amount": Decimal(1000 + n % 5000),
                    "probability": 50,
                    "close_date": date(2025 + (n % 24) // 12, (n % 24) % 12 + 1, 1 + n % 28),
                    "version": 1,
                }
                for n in range(start, min(rows, start + BATCH))
            ],
        )
    if index:
        session.execute(sa.text(f"CREATE INDEX bench_stage_owner ON {table.name} (stage, owner_id)"))
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"ANALYZE {table.name}"))
        session.commit()
    runtime.session.remove()


def measure(rows: int, runs: int, index: bool) -> dict[str, PageFigures]:
    settings, catalog = bench_platform()
    opportunities(settings, catalog, rows, index)
    client = signed_in(settings, catalog, SLUG)
    return {
        name: time_page(
            client,
            url,
            runs,
            answered=lambda response: "fw-pivot-totals" in response.text,
            own=lambda statement: "crm_" in statement or "core_employee" in statement,
        )
        for name, url in PIVOTS.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="opportunities (100000)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests after the first (15)")
    parser.add_argument("--postgres", metavar="URL", help="the PostgreSQL server (default: the bench or test URL)")
    parser.add_argument("--sqlite", action="store_true", help="measure on SQLite instead")
    parser.add_argument("--index", action="store_true", help="add an index on (stage, owner_id) first")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    postgres = None if args.sqlite else args.postgres or os.environ.get("FORMWORK_BENCH_POSTGRES_URL") or TEST_URL
    with throwaway_platform("pivot", postgres, args.keep):
        figures = measure(args.rows, args.runs, args.index)
    backend = "PostgreSQL" if postgres else "SQLite"
    print(
        f"pivots over {args.rows:,} opportunities on {backend}{' with the index' if args.index else ''}, "
        f"{args.runs} timed requests after the first"
    )
    for name, found in figures.items():
        times = ", ".join(
            f"{key} {getattr(found, key) * 1000:.1f} ms" for key in ("first", "median", "fastest", "slowest")
        )
        print(f"{name:20} {times}; {found.own_statements} statements on the packs' tables")
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine slows every figure)"
    )
    within = all(found.median <= GOAL_SECONDS for found in figures.values())
    print(f"{'within' if within else 'OVER'} the goal of {GOAL_SECONDS * 1000:.0f} ms")


if __name__ == "__main__":
    main()
