"""Formwork against hand-written Flask-AppBuilder: build time and request latency.

Run from the repository root (about a minute on 2 cores):

    .venv/bin/python bench/compare.py
    .venv/bin/python bench/compare.py --full-menu        # hand-written app gets the tenant's menu size
    .venv/bin/python bench/compare.py --profile /tmp/fwprof   # also write cProfile dumps
    .venv/bin/python bench/compare.py --sql              # also print the SQL of one request per case

It creates a throw-away instance with one tenant ("bench", packs core + crm),
seeds accounts, and then measures

1. building the tenant app with `build_tenant_app`: the first build in a
   fresh interpreter (cold: models compiled, FAB's lazy imports paid) and
   rebuilds in that process (warm: compiled models come from the
   definitions-hash cache), next to the same for the hand-written app in
   bench/handwritten.py;
2. median and p95 latency of the crm_account HTML list, API list and API
   create, on Formwork (through the tenant dispatcher) and on the
   hand-written FAB app over the same SQLite file, both in-process through
   werkzeug's test Client. Requests alternate between the two apps so that
   noise from other work on the machine hits both alike: absolute times
   move with the machine's load, the ratios much less.

The goal is formwork / hand-written <= 1.1 for every request. See
docs/performance.md for measured figures and what explains them.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from clients import bearer, browser, statements_of
from scratch import quiet_logs, throwaway_platform
from werkzeug.test import Client, TestResponse

SLUG = "bench"
ADMIN, PASSWORD = "admin", "bench-password-1"
PACKS = ["core", "crm"]
HAND_SECRET = "bench-hand-written-app-secret-key-0123456789"
GOAL = 1.1
INDUSTRIES = ["technology", "manufacturing", "retail", "finance", "healthcare", "education"]
CITIES = ["Oslo", "Lyon", "Osaka", "Austin", "Porto", "Leeds", "Pune", "Quito", "Hanoi", "Perth"]

Request = Callable[[int], TestResponse]


# -- setup ----------------------------------------------------------------------


def tenant_db(instance: Path) -> Path:
    return instance / "tenants" / f"{SLUG}.sqlite"


def bench_catalog() -> Any:
    """Only the packs the bench tenant installs: a half-edited other pack must not stop the bench.

    The effective definitions (and so their hash, models and app) are the same
    as with the full catalog, since a tenant app is built from its packs only.
    """
    from formwork.definitions.loader import builtin_definitions, require_catalog

    return require_catalog([builtin_definitions() / pack for pack in PACKS])


def provision(instance: Path) -> Any:
    """A fresh platform in `instance` with the bench tenant; returns the WSGI dispatcher."""
    os.environ["FORMWORK_INSTANCE"] = str(instance)
    from formwork import create_app
    from formwork.config import Settings
    from formwork.tenancy.provision import create_tenant

    settings = Settings.from_env()
    catalog = bench_catalog()
    dispatcher = create_app(settings, catalog)
    create_tenant(settings, catalog, SLUG, "Bench Co", PACKS, ADMIN, PASSWORD)
    return dispatcher


def check_baseline() -> None:
    """The hand-written app must mirror crm.account as defined now, or the bench compares different pages.

    Fields, default list (columns, sort, search, page size) and API columns are
    compared; a list with totals, group counts or a filter would need them in
    the baseline too, so it stops the bench rather than skewing it.
    """
    from handwritten import (
        ACCOUNT_FIELDS,
        API_COLUMNS,
        OWNER_FILTER,
        ROLLUP_FIELDS,
        HandAccountView,
    )

    from formwork.compile.apis import api_columns

    catalog = bench_catalog()
    entity, listing = catalog.entities["crm.account"], catalog.list_views_for("crm.account")[0]
    differences = [
        f"{what}: Formwork {ours}, hand-written {theirs}"
        for what, ours, theirs in [
            ("fields", entity.field_names(), [*ACCOUNT_FIELDS, *ROLLUP_FIELDS]),
            ("rollups", [f.name for f in entity.fields if f.type == "rollup"], ROLLUP_FIELDS),
            ("owner filter", entity.field("owner").options.get("filter"), OWNER_FILTER),
            ("unique combinations", [i.fields for i in entity.indexes if i.unique], []),
            ("list columns", listing.columns, HandAccountView.list_columns),
            (
                "list sort",
                [listing.sort_field, "desc" if listing.sort_descending else "asc"],
                list(HandAccountView.base_order),
            ),
            ("list search", listing.search, HandAccountView.search_columns),
            ("page size", listing.page_size, HandAccountView.page_size),
            ("list totals, group_by, filter", [listing.totals, listing.group_by, listing.filter], [{}, None, None]),
            ("API columns", api_columns(entity, catalog), API_COLUMNS),
        ]
        if ours != theirs
    ]
    if differences:
        raise RuntimeError(
            "bench/handwritten.py no longer mirrors crm.account; update it:\n  " + "\n  ".join(differences)
        )


def other_screens(dispatcher: Any) -> list[tuple[str, str]]:
    """(category, name) of the tenant's menu entries besides Accounts and FAB's own Security menu."""
    app = dispatcher.tenant_apps.get(dispatcher.tenant_apps.tenant(SLUG))
    return [
        (str(category.name), str(item.name))
        for category in app.appbuilder.menu.get_list()
        if category.name != "Security"
        for item in category.childs
        if item.name not in ("Accounts", "-")
    ]


def seed(instance: Path, accounts: int, employees: int = 20) -> None:
    """Employees and accounts with every column filled, so lists render realistic rows and owners.

    Employees are active (crm.account's owner must be). The accounts' rollup
    columns get plausible values directly: the bench creates no opportunities.
    """
    from handwritten import Account, Employee, sqlite_engine
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    rng = random.Random(42)
    engine = sqlite_engine(tenant_db(instance))
    with Session(engine) as session:
        session.execute(insert(Employee), [employee_row(i) for i in range(1, employees + 1)])
        session.execute(insert(Account), [account_row(i, rng, employees) for i in range(1, accounts + 1)])
        session.commit()
    engine.dispose()


def employee_row(i: int) -> dict[str, Any]:
    return {
        "name": f"Rep {i:02d}",
        "login": f"rep{i:02d}",
        "email": f"rep{i:02d}@bench.example.com",
        "phone": f"+47 {40000000 + i}",
        "job_title": "Account executive",
        "hire_date": date(2020, 1, 1) + timedelta(days=30 * i),
        "active": True,
        "version": 1,
    }


def account_row(i: int, rng: random.Random, employees: int) -> dict[str, Any]:
    return {
        "name": f"Account {i:05d}",
        "industry": rng.choice(INDUSTRIES),
        "website": f"https://a{i}.example.com",
        "phone": f"+47 {rng.randrange(10**7, 10**8)}",
        "email": f"info@a{i}.example.com",
        "annual_revenue": Decimal(rng.randrange(10**5, 10**9)) / 100,
        "employees": rng.randrange(1, 5000),
        "rating": rng.randrange(0, 6),
        "city": rng.choice(CITIES),
        "address": f"{i} Main Street",
        "version": 1,
        "owner_id": rng.randrange(1, employees + 1) if rng.random() < 0.9 else None,
        "open_pipeline": Decimal(rng.randrange(0, 10**8)) / 100,
        "opportunity_count": rng.randrange(0, 12),
    }


# -- build time (fresh processes) -------------------------------------------------

Builder = Callable[[], Any]


def formwork_builder(instance: Path) -> tuple[Builder, Builder]:
    """(build the tenant app, compile its models without the cache); catalog loaded, tenant looked up."""
    from formwork.compile.models import compile_models
    from formwork.config import Settings
    from formwork.tenancy.apps import build_tenant_app
    from formwork.tenancy.registry import find_tenant

    settings, catalog = Settings.from_env(), bench_catalog()
    tenant = find_tenant(settings.database_url, SLUG)
    effective = catalog.select(tenant.packs)
    return (lambda: build_tenant_app(settings, tenant, catalog)), (lambda: compile_models(effective))


def hand_builder(instance: Path) -> tuple[Builder, Builder]:
    """(build the hand-written app, nothing: its models are plain classes, compiled at import)."""
    from handwritten import build_hand_app, sqlite_engine

    engine = sqlite_engine(tenant_db(instance))
    return (lambda: build_hand_app(engine, HAND_SECRET)), (lambda: None)


def probe_build(kind: str, instance: Path, rebuilds: int = 3) -> dict[str, float]:
    """Run inside a fresh process: time setup (imports, catalog), the first build and warm rebuilds (seconds).

    `compile` is compile_models alone, uncached: the part of a cold build that
    the definitions-hash cache saves on a rebuild.
    """
    quiet_logs()
    os.environ["FORMWORK_INSTANCE"] = str(instance)
    started = time.perf_counter()
    build, compile_ = (formwork_builder if kind == "formwork" else hand_builder)(instance)
    setup = time.perf_counter() - started
    cold = timed(build)
    warm = statistics.median(timed(build) for _ in range(rebuilds))
    return {"setup": setup, "cold": cold, "warm": warm, "compile": timed(compile_)}


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def build_times(kind: str, instance: Path, runs: int) -> dict[str, float]:
    """Median over `runs` fresh interpreters, each running `probe_build`."""
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--probe", kind, str(instance)], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"the {kind} build probe failed:\n{out.stderr[-3000:]}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


# -- clients ----------------------------------------------------------------------


@dataclass
class Side:
    """One app under test: its URL prefix, a signed-in browser and an API client."""

    name: str
    prefix: str
    html: Client
    api: Client
    auth: dict[str, str]

    def cases(self) -> dict[str, Request]:
        """The measured requests; `i` makes every created account name unique."""
        list_url, api_url = f"{self.prefix}/crm_account/list/", f"{self.prefix}/api/v1/crm_account/"
        return {
            "HTML list": lambda i: self.html.get(list_url),
            "API list": lambda i: self.api.get(api_url, headers=self.auth),
            "API create": lambda i: self.api.post(api_url, headers=self.auth, json=new_account(self.name, i)),
        }


def new_account(side: str, i: int) -> dict[str, Any]:
    return {
        "name": f"New {side} {i:06d}",
        "industry": "retail",
        "city": "Bergen",
        "employees": 12,
        "annual_revenue": "125000.00",
        "email": f"hello{i}@{side}.example.com",
        "rating": 4,
        "owner": 3,
    }


EXPECTED = {"HTML list": 200, "API list": 200, "API create": 201}


def check(case: str, side: str, response: TestResponse) -> None:
    """A fast wrong answer (a login page, a 400) must not pass as a result."""
    if response.status_code != EXPECTED[case]:
        raise RuntimeError(f"{case} on {side}: HTTP {response.status_code}: {response.text[:300]}")
    if case == "HTML list" and "Account 00001" not in response.text:
        raise RuntimeError(f"{case} on {side}: the page does not list the seeded accounts")


# -- latency ----------------------------------------------------------------------


@dataclass
class Latency:
    median: float
    p95: float
    sql: list[str]  # the statements one request runs: the first thing to compare when a ratio is off

    @classmethod
    def of(cls, samples: list[float], sql: list[str]) -> "Latency":
        return cls(statistics.median(samples), statistics.quantiles(samples, n=20)[18], sql)

    @property
    def statements(self) -> int:
        return len(self.sql)


def measure(case: str, sides: list[Side], requests: int, warmup: int, ids: Iterator[int]) -> dict[str, Latency]:
    """Time `case` on every side, alternating which goes first, after a warm-up."""
    calls = [(side.name, side.cases()[case]) for side in sides]
    samples: dict[str, list[float]] = {name: [] for name, _ in calls}
    gc.collect()
    for round_ in range(warmup + requests):
        for name, call in calls if round_ % 2 == 0 else reversed(calls):
            request_id = next(ids)
            start = time.perf_counter()
            response = call(request_id)
            elapsed = time.perf_counter() - start
            check(case, name, response)
            if round_ >= warmup:
                samples[name].append(elapsed)
    sql = {name: statements_of(call, next(ids)) for name, call in calls}
    return {name: Latency.of(values, sql[name]) for name, values in samples.items()}


def profile(sides: list[Side], requests: int, folder: Path, ids: Iterator[int]) -> None:
    """cProfile dumps per case and app, taken after the timing so they do not distort it.

    Requests alternate between the apps here too, so both dumps see the same machine load.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for case in EXPECTED:
        runs = [(side.name, side.cases()[case], cProfile.Profile()) for side in sides]
        for round_ in range(requests):
            for _name, call, profiler in runs if round_ % 2 == 0 else reversed(runs):
                request_id = next(ids)
                profiler.enable()
                call(request_id)
                profiler.disable()
        for name, _call, profiler in runs:
            profiler.dump_stats(folder / f"{case.lower().replace(' ', '_')}-{name}.prof")


# -- report -----------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def print_builds(builds: dict[str, dict[str, float]], runs: int) -> None:
    print(f"\nBuilding the app (median of {runs} fresh processes; ms)")
    print(f"{'':35}{'setup':>9}{'cold build':>12}{'= first app':>13}{'warm rebuild':>14}{'compile':>10}")
    labels = {"formwork": "Formwork tenant app (core + crm)", "hand": "hand-written FAB (1 view + 1 API)"}
    for kind, r in builds.items():
        compiled = ms(r["compile"]) if kind == "formwork" else "-"
        print(
            f"{labels[kind]:35}{ms(r['setup']):>9}{ms(r['cold']):>12}{ms(r['setup'] + r['cold']):>13}"
            f"{ms(r['warm']):>14}{compiled:>10}"
        )
    print(
        "  setup = imports + catalog load; first app = setup + cold build, from a fresh interpreter;\n"
        "  warm rebuild = build again in that process (models from the hash cache); compile = compile_models alone"
    )


def print_latency(
    results: dict[str, dict[str, Latency]], requests: int, accounts: int, extra_menu: list[tuple[str, str]]
) -> None:
    print(f"\nRequest latency ({requests} requests per case after warm-up, {accounts:,} accounts seeded; ms)")
    if extra_menu:
        print(
            f"hand-written app menu: Accounts + {len(extra_menu)} links, as the tenant's ({', '.join(n for _, n in extra_menu)})"
        )
    else:
        print("hand-written app menu: Accounts only (the tenant's has more screens; see --full-menu)")
    print(f"{'':12}{'formwork':>20}{'hand-written':>20}{'ratio':>16}{'SQL / request':>16}")
    print(f"{'':12}{'median':>10}{'p95':>10}{'median':>10}{'p95':>10}{'median':>8}{'p95':>8}{'fw':>8}{'hand':>8}")
    for case, by_side in results.items():
        fw, hand = by_side["formwork"], by_side["hand"]
        ratio = fw.median / hand.median
        flag = "" if ratio <= GOAL else f"  > {GOAL}x"
        print(
            f"{case:12}{ms(fw.median):>10}{ms(fw.p95):>10}{ms(hand.median):>10}{ms(hand.p95):>10}"
            f"{ratio:>7.2f}x{fw.p95 / hand.p95:>7.2f}x{fw.statements:>8}{hand.statements:>8}{flag}"
        )


def print_sql(results: dict[str, dict[str, Latency]]) -> None:
    for case, by_side in results.items():
        for side, latency in by_side.items():
            print(f"\nSQL of one {case} request on {side} ({latency.statements}):")
            for statement in latency.sql:
                print(f"  {statement[:150]}{' ...' if len(statement) > 150 else ''}")


# -- main -------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1000, help="accounts seeded before measuring (1000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case and app (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per case and app first (20)")
    parser.add_argument("--build-runs", type=int, default=3, help="fresh processes per build measurement (3)")
    parser.add_argument(
        "--full-menu",
        action="store_true",
        help="give the hand-written app links for the tenant's other menu entries, to separate menu size from Formwork's cost",
    )
    parser.add_argument(
        "--sql", action="store_true", help="also print the SQL statements of one request per case and app"
    )
    parser.add_argument("--profile", type=Path, help="also write cProfile dumps (<case>-<app>.prof) here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder")
    parser.add_argument("--probe", nargs=2, metavar=("KIND", "INSTANCE"), help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.probe:
        print(json.dumps(probe_build(args.probe[0], Path(args.probe[1]))))
        return
    quiet_logs()
    with throwaway_platform("compare", None, args.keep) as instance:
        run(args, instance)


def run(args: argparse.Namespace, instance: Path) -> None:
    from handwritten import build_hand_app, sqlite_engine

    began = time.perf_counter()
    print(f"Formwork vs hand-written Flask-AppBuilder on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    check_baseline()
    dispatcher = provision(instance)
    extra_menu = other_screens(dispatcher) if args.full_menu else []
    hand_app = build_hand_app(sqlite_engine(tenant_db(instance)), HAND_SECRET, update_perms=True, extra_menu=extra_menu)
    builds = {kind: build_times(kind, instance, args.build_runs) for kind in ("formwork", "hand")}
    print_builds(builds, args.build_runs)

    seed(instance, args.accounts)
    sides = [
        Side(
            "formwork",
            f"/t/{SLUG}",
            browser(dispatcher, f"/t/{SLUG}", ADMIN, PASSWORD),
            *bearer(dispatcher, f"/t/{SLUG}", ADMIN, PASSWORD),
        ),
        Side("hand", "", browser(hand_app, "", ADMIN, PASSWORD), *bearer(hand_app, "", ADMIN, PASSWORD)),
    ]
    ids = itertools.count(1)  # makes every created account name unique
    results = {case: measure(case, sides, args.requests, args.warmup, ids) for case in EXPECTED}
    print_latency(results, args.requests, args.accounts, extra_menu)
    if args.sql:
        print_sql(results)
    if args.profile:
        profile(sides, args.requests // 2, args.profile, ids)
        print(f"\ncProfile dumps in {args.profile} (python -m pstats FILE, then: sort cumtime / stats 25)")
    print(f"\ntotal run time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
