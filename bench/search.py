"""The global search over many records: `GET /search/?q=` and `/search/suggest?q=` (issue 15, docs/navigation.md).

Run from the repository root:

    .venv/bin/python bench/search.py                     # SQLite, 20,000 records per searched CRM entity
    .venv/bin/python bench/search.py --records 20000 --postgres postgresql://postgres@127.0.0.1:5432/postgres

One throw-away platform with a tenant on the core, CRM and Office packs: `--records` accounts, contacts and
opportunities each, and a tenth as many employees, every name holding the searched word. Its admin, signed in
through the login form, searches as a person would. The first request is reported apart; the figures are the
median, the fastest and the slowest of the timed requests that follow, and the SQL statements of one request: all
of them (sign-in state, rights, menu included) and the search's own (those reading the packs' tables), which stay
one per searched entity whatever the number of records.
"""

from __future__ import annotations

import argparse
from typing import Any

from pages import PageFigures, bench_platform, bench_tenant, signed_in, time_page
from scratch import quiet_logs, throwaway_platform

SLUG = "searchbench"
WORD = "harbour"
#: the search page and the box's suggestions for a word every record holds (each query stops at its LIMIT), and the
#: suggestions for one none holds (each query reads its whole table: the worst case)
PAGES = {
    "page": (f"/t/{SLUG}/search/?q={WORD}", True),
    "suggest": (f"/t/{SLUG}/search/suggest?q={WORD}", True),
    "suggest, no match": (f"/t/{SLUG}/search/suggest?q=nowhere", False),
}


def records(settings: Any, catalog: Any, count: int) -> None:
    """A tenant with `count` accounts, contacts and opportunities and count/10 employees, in one transaction."""
    runtime = bench_tenant(settings, catalog, SLUG, ["core", "crm", "oa"])
    session, model = runtime.session(), runtime.compiled.model
    accounts = [model("crm.account")(name=f"{WORD.title()} Account {n}", city="Ningbo") for n in range(count)]
    session.add_all(accounts)
    session.add_all(model("core.employee")(name=f"{WORD.title()} Person {n}") for n in range(count // 10))
    session.flush()
    session.add_all(
        model("crm.contact")(name=f"{WORD.title()} Contact {n}", account_id=accounts[n].id) for n in range(count)
    )
    session.add_all(
        model("crm.opportunity")(name=f"{WORD.title()} Deal {n}", account_id=accounts[n].id, stage="prospecting")
        for n in range(count)
    )
    session.commit()
    runtime.session.remove()


def measure(count: int, runs: int) -> dict[str, PageFigures]:
    settings, catalog = bench_platform()
    records(settings, catalog, count)
    client = signed_in(settings, catalog, SLUG)
    return {
        name: time_page(
            client,
            path,
            runs,
            answered=lambda response, found=found: (WORD.title() in response.text) == found,
            own=lambda statement: any(f"FROM {table}" in statement for table in ("crm_", "core_", "oa_")),
        )
        for name, (path, found) in PAGES.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000, help="accounts, contacts and opportunities each")
    parser.add_argument("--runs", type=int, default=15, help="timed requests after the first (15)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to use instead of SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    quiet_logs()
    with throwaway_platform("search", args.postgres, args.keep):
        figures = measure(args.records, args.runs)
    print(f"global search for '{WORD}' over {args.records} records per CRM entity, {args.runs} timed requests")
    for page, shown in figures.items():
        print(page)
        for name in ("first", "median", "fastest", "slowest"):
            print(f"  {name:10}{getattr(shown, name) * 1000:10.1f} ms")
        print(f"  statements {shown.statements} in the request, {shown.own_statements} of them the search's")


if __name__ == "__main__":
    main()
