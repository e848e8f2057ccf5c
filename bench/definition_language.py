"""What the definition language costs at runtime: a filtered list over 100,000 rows, and saves with formulas and a rollup.

Run from the repository root (about a minute on 2 cores):

    .venv/bin/python bench/definition_language.py
    .venv/bin/python bench/definition_language.py --sql                 # also print the SQL of one request per case
    .venv/bin/python bench/definition_language.py --profile /tmp/dlprof # also cProfile dumps, <case>.prof
    .venv/bin/python bench/definition_language.py --analyze            # run SQLite's ANALYZE after seeding
    .venv/bin/python bench/definition_language.py --help                # --rows, --lines, --requests, --saves, --keep

It creates a throw-away instance with one tenant ("lab") on the pack
bench/packs/benchlab only, so a half-edited built-in pack cannot stop it (a
tenant app is built from its own packs, so the figures are the same with the
full catalog). Then:

1. seeds 100,000 rows into benchlab_item with SQLAlchemy Core bulk inserts and
   times the list view `open_items` (structured filter on two fields, sort by
   amount descending, totals sum + avg, group counts by category) as the HTML
   page and the API list with a rison filter and order on the same columns;
2. creates an order (5 formula fields, a child_table of 50 lines and a sum
   rollup over them) and times the API update of the order sending all 50
   lines with one amount changed, and the API update of one line's amount
   through the line's own API (the rollup on the order is recomputed).

Every request runs in-process through werkzeug's test Client and the tenant
dispatcher (/t/lab/...), after a warm-up; every response is checked. See
docs/performance.md for figures and what explains them.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from clients import bearer, browser, statements_of
from scratch import quiet_logs, throwaway_platform
from werkzeug.test import Client, TestResponse

SLUG = "lab"
PACK = "benchlab"
ADMIN, PASSWORD = "admin", "secret123"
PACKS_DIR = Path(__file__).resolve().parent / "packs"
CATEGORIES = ["alpha", "beta", "gamma", "delta", "omega"]
LIST_VIEW = "open_items"
# The API list asks for what the list view shows: active items of three categories, by amount descending.
API_QUERY = (
    "(filters:!((col:active,opr:eq,value:!t),(col:category,opr:in,value:!(alpha,beta,gamma))),"
    "order_column:amount,order_direction:desc,page:0,page_size:25)"
)
API_QUERY_FALLBACK = (
    "(filters:!((col:active,opr:eq,value:!t),(col:category,opr:eq,value:alpha)),"
    "order_column:amount,order_direction:desc,page:0,page_size:25)"
)

Request = Callable[[int], TestResponse]


# -- setup ----------------------------------------------------------------------


def provision(instance: Path) -> tuple[Any, Any, Any]:
    """A fresh platform in `instance` with the lab tenant; returns (dispatcher, settings, tenant)."""
    os.environ["FORMWORK_INSTANCE"] = str(instance)
    from formwork import create_app
    from formwork.config import Settings
    from formwork.definitions.loader import require_catalog
    from formwork.tenancy.provision import create_tenant
    from formwork.tenancy.registry import find_tenant

    settings = Settings.from_env()
    catalog = require_catalog([PACKS_DIR])
    dispatcher = create_app(settings, catalog)
    create_tenant(settings, catalog, SLUG, "Definition language lab", [PACK], ADMIN, PASSWORD)
    return dispatcher, settings, find_tenant(settings.database_url, SLUG)


def seed_items(settings: Any, tenant: Any, rows: int) -> float:
    """`rows` items straight into the tenant's table with Core executemany; returns seconds taken."""
    import sqlalchemy as sa

    from formwork.tenancy.storage import tenant_engine

    rng = random.Random(7)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    table = sa.Table(f"{PACK}_item", sa.MetaData(), autoload_with=tenant_engine(settings, tenant))
    start = time.perf_counter()
    with tenant_engine(settings, tenant).begin() as conn:
        for first in range(1, rows + 1, 10_000):
            conn.execute(
                table.insert(),
                [
                    {
                        "name": f"Item {i:06d}",
                        "category": rng.choice(CATEGORIES),
                        "amount": Decimal(rng.randrange(0, 10**8)) / 100,
                        "quantity": rng.randrange(1, 500),
                        "active": rng.random() < 0.7,
                        "due_on": date(2026, 1, 1) + timedelta(days=rng.randrange(0, 730)),
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                    for i in range(first, min(first + 10_000, rows + 1))
                ],
            )
    return time.perf_counter() - start


def analyze(settings: Any, tenant: Any) -> None:
    """Planner statistics (sqlite_stat1): without them SQLite picks the filter's index over the sort's."""
    import sqlalchemy as sa

    from formwork.tenancy.storage import tenant_engine

    start = time.perf_counter()
    with tenant_engine(settings, tenant).begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    print(f"  ANALYZE in {(time.perf_counter() - start) * 1000:.0f} ms")


def expect(what: str, response: TestResponse, status: int = 200) -> TestResponse:
    """A fast wrong answer (a login page, a 400) must not pass as a result."""
    if response.status_code != status:
        raise RuntimeError(f"{what}: HTTP {response.status_code}: {response.text[:400]}")
    return response


# -- measuring ------------------------------------------------------------------


@dataclass
class Result:
    samples: list[float]
    sql: list[str]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples, n=20)[18]


def measure(call: Request, requests: int, warmup: int, profile_to: Path | None) -> Result:
    gc.collect()
    samples = []
    for i in range(warmup + requests):
        start = time.perf_counter()
        call(i)
        if i >= warmup:
            samples.append(time.perf_counter() - start)
    sql = statements_of(call, warmup + requests)
    if profile_to is not None:
        profiler = cProfile.Profile()
        for i in range(max(5, requests // 3)):
            profiler.enable()
            call(warmup + requests + 1 + i)
            profiler.disable()
        profiler.dump_stats(profile_to)
    return Result(samples, sql)


# -- the cases ------------------------------------------------------------------


def list_cases(html: Client, api: Client, auth: dict[str, str], rows: int) -> dict[str, Request]:
    prefix = f"/t/{SLUG}"
    page_url = f"{prefix}/{PACK}_item/view/{LIST_VIEW}/"
    api_url = f"{prefix}/api/v1/{PACK}_item/"

    page = expect("HTML list", html.get(page_url)).text
    if "Item " not in page or "Open items" not in page:
        raise RuntimeError("HTML list: the page does not show the seeded items")
    query = API_QUERY
    first = api.get(api_url, query_string={"q": query}, headers=auth)
    if first.status_code != 200:  # an older FAB without `in` for this column: one category instead
        query = API_QUERY_FALLBACK
        first = expect("API list", api.get(api_url, query_string={"q": query}, headers=auth))
    body = first.json
    amounts = [Decimal(str(r["amount"])) for r in body["result"]]
    if len(amounts) != 25 or amounts != sorted(amounts, reverse=True) or not all(r["active"] for r in body["result"]):
        raise RuntimeError(f"API list: not 25 active items by amount descending: {str(body)[:300]}")
    print(f"  API list query: q={query}  (count {body.get('count')})")

    def html_list(_i: int) -> TestResponse:
        return expect("HTML list", html.get(page_url))

    def api_list(_i: int) -> TestResponse:
        return expect("API list", api.get(api_url, query_string={"q": query}, headers=auth))

    return {"HTML list view": html_list, "API list, rison filter + order": api_list}


def save_cases(api: Client, auth: dict[str, str], lines: int) -> tuple[dict[str, Request], Callable[[], None]]:
    prefix = f"/t/{SLUG}/api/v1"
    orders, order_lines = f"{prefix}/{PACK}_order/", f"{prefix}/{PACK}_order_line/"
    created = expect(
        "order create",
        api.post(
            orders,
            headers=auth,
            json={
                "name": "Order 1",
                "price": "125.50",
                "quantity": 120,
                "discount": "5",
                "tax_rate": "20",
                "lines": [{"description": f"Line {n:02d}", "amount": f"{10 + n}.25"} for n in range(lines)],
            },
        ),
        201,
    ).json
    order_id, result = created["id"], created["result"]
    if len(result["lines"]) != lines or Decimal(str(result["lines_total"])) != sum(
        Decimal(f"{10 + n}.25") for n in range(lines)
    ):
        raise RuntimeError(f"order create: lines or rollup wrong: {str(result)[:300]}")
    rows = [
        {"id": line["id"], "description": line["description"], "amount": str(line["amount"])}
        for line in result["lines"]
    ]
    line_id = rows[0]["id"]

    def put_order(i: int) -> TestResponse:
        rows[-1]["amount"] = f"{100 + i % 1000}.00"  # one amount changes each time: the rollup moves
        response = expect(
            "order update", api.put(f"{orders}{order_id}", headers=auth, json={"quantity": 100 + i % 50, "lines": rows})
        )
        return response

    def put_line(i: int) -> TestResponse:
        return expect(
            "line update", api.put(f"{order_lines}{line_id}", headers=auth, json={"amount": f"{200 + i % 1000}.00"})
        )

    def check() -> None:
        """The stored order agrees with its lines and formulas after all those saves."""
        got = expect("order read", api.get(f"{orders}{order_id}", headers=auth)).json["result"]
        total = sum(Decimal(str(line["amount"])) for line in got["lines"])
        net = Decimal(str(got["price"])) * got["quantity"]
        if Decimal(str(got["lines_total"])) != total or Decimal(str(got["net"])) != net or len(got["lines"]) != lines:
            raise RuntimeError(
                f"after the saves the order is inconsistent: total {got['lines_total']} vs {total}, "
                f"net {got['net']} vs {net}, {len(got['lines'])} lines"
            )

    return {
        f"API update of the order ({lines} lines sent)": put_order,
        "API update of one line (rollup recompute)": put_line,
    }, check


# -- report ---------------------------------------------------------------------


def report(title: str, results: dict[str, Result], runs: int, show_sql: bool) -> None:
    print(f"\n{title} ({runs} timed requests each after warm-up; ms)")
    print(f"{'':46}{'median':>9}{'p95':>9}{'SQL':>6}")
    for case, r in results.items():
        print(f"{case:46}{r.median * 1000:9.1f}{r.p95 * 1000:9.1f}{len(r.sql):6}")
    if show_sql:
        for case, r in results.items():
            print(f"\nSQL of one '{case}' request ({len(r.sql)}):")
            for statement in r.sql:
                print(f"  {statement[:160]}{' ...' if len(statement) > 160 else ''}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="items seeded for the list cases (100000)")
    parser.add_argument("--lines", type=int, default=50, help="lines of the order (50)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per list case (30)")
    parser.add_argument("--saves", type=int, default=20, help="timed saves per save case (20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per case first (3)")
    parser.add_argument("--sql", action="store_true", help="also print the SQL statements of one request per case")
    parser.add_argument("--profile", type=Path, help="also write cProfile dumps (<case>.prof) here")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE on the tenant database after seeding (Formwork does not, so it is off by default)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder")
    return parser.parse_args()


def slug_of(case: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", case.lower()).strip("_")


def main() -> None:
    args = parse_args()
    quiet_logs()
    with throwaway_platform("definition-language", None, args.keep) as instance:
        run(args, instance)


def run(args: argparse.Namespace, instance: Path) -> None:
    began = time.perf_counter()
    print(f"Definition language bench on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    dispatcher, settings, tenant = provision(instance)
    print(f"  tenant created in {time.perf_counter() - began:.1f} s")
    seconds = seed_items(settings, tenant, args.rows)
    print(f"  {args.rows:,} items seeded in {seconds:.1f} s")
    if args.analyze:
        analyze(settings, tenant)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    def dump(case: str) -> Path | None:
        return args.profile / f"{slug_of(case)}.prof" if args.profile else None

    html = browser(dispatcher, f"/t/{SLUG}", ADMIN, PASSWORD)
    api, auth = bearer(dispatcher, f"/t/{SLUG}", ADMIN, PASSWORD)

    lists = {
        case: measure(call, args.requests, args.warmup, dump(case))
        for case, call in list_cases(html, api, auth, args.rows).items()
    }
    report(
        f"List view '{LIST_VIEW}' on {args.rows:,} rows (filter on 2 fields, sort, totals sum + avg, group counts)",
        lists,
        args.requests,
        args.sql,
    )

    cases, check = save_cases(api, auth, args.lines)
    saves = {case: measure(call, args.saves, args.warmup, dump(case)) for case, call in cases.items()}
    check()
    report(f"Saves: order with 5 formulas and a sum rollup over {args.lines} lines", saves, args.saves, args.sql)
    if args.profile:
        print(f"\ncProfile dumps in {args.profile} (python -m pstats FILE, then: sort cumtime / stats 25)")
    print(f"\ntotal run time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
