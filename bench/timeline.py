"""The crm contract timeline with 500 bars (its most) in 50 lanes: `GET /crm_contract/timeline/crm.contract_timeline/`
(issue 15).

Run from the repository root:

    .venv/bin/python bench/timeline.py                     # SQLite, 500 contracts, 15 timed requests
    .venv/bin/python bench/timeline.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

One throw-away platform with a tenant on the core and CRM packs: `--bars` contracts over 50 accounts (the lanes),
each three months long, starting a day apart. Its admin, signed in through the login form, opens the timeline as a
person would (the page with the chart's data and the keyboard list). The first request is reported apart; the
figures are the median, the fastest and the slowest of the timed requests that follow, and the SQL statements of one
request: all of them and the timeline's own (those reading the packs' tables). Issue 15 sets no goal for timelines;
the kanban's (300 ms, 6 statements) is printed for comparison.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pages import PageFigures, bench_platform, bench_tenant, print_figures, signed_in, time_page
from scratch import quiet_logs, throwaway_platform

SLUG = "timelinebench"
STATUSES = ("draft", "in_approval", "approved", "rejected", "signed")
GOAL_SECONDS, GOAL_STATEMENTS = 0.3, 6
TIMELINE = f"/t/{SLUG}/crm_contract/timeline/crm.contract_timeline/"


def contracts(settings: Any, catalog: Any, bars: int) -> None:
    """A tenant with `bars` contracts over 50 accounts, written in one transaction."""
    runtime = bench_tenant(settings, catalog, SLUG, ["core", "crm"])
    session = runtime.session()
    accounts = [runtime.compiled.model("crm.account")(name=f"Account {n}") for n in range(50)]
    owner = runtime.compiled.model("core.employee")(name="Owner")
    session.add_all([*accounts, owner])
    session.flush()
    contract = runtime.compiled.model("crm.contract")
    first = date(2030, 1, 1)
    session.add_all(
        contract(
            title=f"Contract {n}",
            account_id=accounts[n % len(accounts)].id,
            owner_id=owner.id,
            amount=Decimal(1000 + n),
            status=STATUSES[n % len(STATUSES)],
            start_date=first + timedelta(days=n),
            end_date=first + timedelta(days=n + 90),
        )
        for n in range(bars)
    )
    session.commit()
    runtime.session.remove()


def measure(bars: int, runs: int) -> PageFigures:
    settings, catalog = bench_platform()
    contracts(settings, catalog, bars)
    return time_page(
        signed_in(settings, catalog, SLUG),
        TIMELINE,
        runs,
        answered=lambda response: response.text.count('class="fw-gantt-row"') == bars,
        own=lambda statement: "crm_" in statement or "core_employee" in statement,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bars", type=int, default=500, help="contracts on the timeline (500, its most)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests after the first (15)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to use instead of SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    with throwaway_platform("timeline", args.postgres, args.keep):
        figures = measure(args.bars, args.runs)
    title = f"timeline of {args.bars} bars in 50 lanes, {args.runs} timed requests after the first (the kanban's goal)"
    print_figures(title, figures, GOAL_SECONDS, GOAL_STATEMENTS, "timeline")


if __name__ == "__main__":
    main()
