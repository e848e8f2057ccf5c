"""The crm pipeline board with 1,000 cards in 6 columns: `GET /crm_opportunity/kanban/crm.pipeline/` (issue 15).

Run from the repository root (a minute on 2 cores):

    .venv/bin/python bench/kanban.py                     # SQLite, 1,000 cards, 15 timed requests
    .venv/bin/python bench/kanban.py --cards 1000 --postgres postgresql://postgres@127.0.0.1:5432/postgres

One throw-away platform with a tenant on the core and CRM packs: `--cards` opportunities spread over the six
stages, over 50 accounts and 20 owners (every card shows its account and owner). Its admin, signed in through the
login form, opens the board as a person would. The first request is reported apart; the figures are the median,
the fastest and the slowest of the timed requests that follow, and the SQL statements of one request: all of them
(sign-in state, rights, menu included) and the board's own (those reading the packs' tables). Issue 15's goal: at
most 300 ms server time and at most 6 SQL statements for the board.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from pages import PageFigures, bench_platform, bench_tenant, print_figures, signed_in, time_page
from scratch import quiet_logs, throwaway_platform

SLUG = "kanbanbench"
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
GOAL_SECONDS, GOAL_STATEMENTS = 0.3, 6
BOARD = f"/t/{SLUG}/crm_opportunity/kanban/crm.pipeline/"


def pipeline(settings: Any, catalog: Any, cards: int) -> None:
    """A tenant with `cards` opportunities over the stages, 50 accounts and 20 owners, written in one transaction."""
    runtime = bench_tenant(settings, catalog, SLUG, ["core", "crm"])
    session = runtime.session()
    accounts = [runtime.compiled.model("crm.account")(name=f"Account {n}") for n in range(50)]
    owners = [runtime.compiled.model("core.employee")(name=f"Owner {n}") for n in range(20)]
    session.add_all([*accounts, *owners])
    session.flush()
    opportunity = runtime.compiled.model("crm.opportunity")
    session.add_all(
        opportunity(
            name=f"Deal {n}",
            account_id=accounts[n % len(accounts)].id,
            owner_id=owners[n % len(owners)].id,
            stage=STAGES[n % len(STAGES)],
            amount=Decimal(1000 + n),
            probability=100 if STAGES[n % len(STAGES)] == "won" else 50,
        )
        for n in range(cards)
    )
    session.commit()
    runtime.session.remove()


def measure(cards: int, runs: int) -> PageFigures:
    settings, catalog = bench_platform()
    pipeline(settings, catalog, cards)
    return time_page(
        signed_in(settings, catalog, SLUG),
        BOARD,
        runs,
        answered=lambda response: response.text.count('class="fw-kanban-card"') == cards,
        own=lambda statement: "crm_" in statement or "core_employee" in statement,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=1000, help="opportunities on the board (1000)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests after the first (15)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to use instead of SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    with throwaway_platform("kanban", args.postgres, args.keep):
        figures = measure(args.cards, args.runs)
    title = f"kanban board of {args.cards} cards in {len(STAGES)} columns, {args.runs} timed requests after the first"
    print_figures(title, figures, GOAL_SECONDS, GOAL_STATEMENTS, "board")


if __name__ == "__main__":
    main()
