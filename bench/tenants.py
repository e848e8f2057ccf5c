"""What running many tenants costs: creating one, migrating a fleet, memory per warm app, serving many.

Run from the repository root:

    .venv/bin/python bench/tenants.py                                   # SQLite, 200 tenants, 50 warm
    .venv/bin/python bench/tenants.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/tenants.py --tenants 50 --warm 20 --jobs 2   # a quicker run

It makes a throw-away instance (and, with --postgres, a throw-away database on
that server, dropped at the end), then:

1. **create**: creates tenants with the core, crm and oa packs one by one and
   times each: tables, FAB roles and permissions, first admin, seeds, and a
   `migrate` of the new tenant (which finds nothing to do). The first tenant in
   a process gets its permissions from FAB's sync, later ones a copy;
2. **fleet**: creates the rest of `--tenants` the same way (progress shown);
3. **migrate --all, nothing to change**: `migrate_all` over every tenant;
4. **upgrade-pack crm, one added field**: every tenant upgraded to a crm release
   with one more field on crm.account (definitions copied to a temporary folder;
   a new pack folder alone changes no tenant);
5. **memory**: resident memory before and after `--warm` tenant apps are built
   and kept in the app cache, per app;
6. **serving**: with every tenant registered and `--warm` apps in the cache, API
   list requests round-robin over the warm tenants (each signed in with its own
   JWT), and first requests to tenants whose app is not built yet.

See docs/performance.md for figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from clients import bearer
from scratch import quiet_logs, throwaway_platform

PACKS = ["core", "crm", "oa"]
ADMIN, PASSWORD = "admin", "bench-password-1"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def definitions_with_added_field(folder: Path) -> Path:
    """A copy of the built-in definitions where crm.account has one more field."""
    from formwork.definitions.loader import builtin_definitions

    target = folder / "definitions"
    shutil.copytree(builtin_definitions(), target)
    account = target / "crm" / "account.yaml"
    documents = list(yaml.safe_load_all(account.read_text(encoding="utf-8")))
    for doc in documents:
        if doc and doc.get("kind") == "Entity" and doc.get("name") == "account":
            doc["fields"].append({"name": "bench_note", "type": "string", "label": {"en": "Note", "zh": "备注"}})
    account.write_text(yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def create_tenants(settings: Any, catalog: Any, slugs: list[str], report: Callable[[int], None]) -> list[float]:
    from formwork.tenancy.migrate import migrate_tenant
    from formwork.tenancy.provision import create_tenant

    def create_and_migrate(slug: str) -> None:
        tenant = create_tenant(settings, catalog, slug, slug.title(), PACKS, ADMIN, PASSWORD)
        if migrate_tenant(settings, catalog, tenant) is not None:
            raise RuntimeError(f"{slug}: a fresh tenant should have nothing to migrate")

    seconds = []
    for number, slug in enumerate(slugs, start=1):
        seconds.append(timed(lambda: create_and_migrate(slug)))  # noqa: B023 - called at once
        report(number)
    return seconds


def migrate_everything(settings: Any, catalog: Any, jobs: int) -> float:
    from formwork.tenancy.migrate import migrate_all
    from formwork.tenancy.registry import list_tenants

    tenants = list_tenants(settings.database_url)
    start = time.perf_counter()
    summary = migrate_all(settings, catalog, tenants, jobs, report=lambda _line: None)
    seconds = time.perf_counter() - start
    if not summary.ok or len(summary.unchanged) != len(tenants):
        raise RuntimeError(f"migrate --all: {summary.describe()}")
    return seconds


def upgrade_everything(settings: Any, catalog: Any, jobs: int) -> float:
    """`formwork tenant upgrade-pack SLUG crm --yes` for every tenant (a new crm release adds one field)."""
    from formwork.tenancy.packs import plan_upgrade, upgrade_pack
    from formwork.tenancy.registry import list_tenants

    def upgrade(tenant: Any) -> None:
        upgrade_pack(settings, catalog, tenant, plan_upgrade(settings, catalog, tenant, "crm"))

    tenants = list_tenants(settings.database_url)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(upgrade, tenants))
    return time.perf_counter() - start


def serve(settings: Any, catalog: Any, slugs: list[str], warm: int, requests: int) -> dict[str, float]:
    from formwork import create_app

    dispatcher = create_app(settings, catalog)
    before = rss_mib()
    signed_in = [(slug, *bearer(dispatcher, f"/t/{slug}", ADMIN, PASSWORD)) for slug in slugs[:warm]]
    gc.collect()
    memory = (rss_mib() - before) / max(1, warm)
    latencies = []
    for i in range(requests):
        slug, client, headers = signed_in[i % len(signed_in)]
        start = time.perf_counter()
        response = client.get(f"/t/{slug}/api/v1/crm_account/", headers=headers)
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"{slug}: HTTP {response.status_code} {response.text[:200]}")
    cold = [
        timed(lambda slug=slug: bearer(dispatcher, f"/t/{slug}", ADMIN, PASSWORD)) for slug in slugs[warm : warm + 5]
    ]
    latencies.sort()
    return {
        "memory": memory,
        "median": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95)],
        "cold": statistics.median(cold) if cold else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--warm", type=int, default=50, help="tenant apps kept built in the cache")
    parser.add_argument("--jobs", type=int, default=2, help="tenants migrated at once")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (a database is created and dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    if args.tenants < args.warm + 5:
        parser.error("--tenants must exceed --warm by at least 5 (the cold requests need tenants not yet built)")
    quiet_logs()
    with throwaway_platform("tenants", args.postgres, args.keep) as instance:
        run(args, instance)


def run(args: argparse.Namespace, instance: Path) -> None:
    from formwork.config import Settings
    from formwork.definitions.loader import require_catalog
    from formwork.tenancy.registry import upgrade_platform_db

    settings = dataclasses.replace(Settings.from_env(), max_tenant_apps=args.warm + 10)
    backend = "PostgreSQL" if settings.is_postgres else "SQLite"
    upgrade_platform_db(settings.database_url)
    catalog = require_catalog()
    slugs = [f"tenant-{n:04d}" for n in range(args.tenants)]
    print(f"Formwork tenants benchmark on {backend}: {args.tenants} tenants with {', '.join(PACKS)}, {args.warm} warm")

    first = create_tenants(settings, catalog, slugs[:4], report=lambda _n: None)
    print(
        f"  create + migrate + seed one tenant: first in the process {first[0]:.2f} s, "
        f"then median {statistics.median(first[1:]):.2f} s"
    )

    def progress(number: int) -> None:
        if number % 20 == 0 or number == args.tenants - 4:
            print(f"    fleet: {number + 4}/{args.tenants} tenants", file=sys.stderr)

    fleet = create_tenants(settings, catalog, slugs[4:], report=progress)
    print(
        f"  fleet of {args.tenants}: {sum(first + fleet):.0f} s in all, median {statistics.median(first + fleet):.2f} s per tenant"
    )

    unchanged = migrate_everything(settings, catalog, args.jobs)
    print(f"  migrate --all, nothing to change: {unchanged:.2f} s ({args.jobs} jobs)")
    changed_catalog = require_catalog([definitions_with_added_field(instance)])
    changed = upgrade_everything(settings, changed_catalog, args.jobs)
    print(
        f"  upgrade-pack crm (one added field) on every tenant: {changed:.2f} s ({args.jobs} jobs, "
        f"{changed / args.tenants * 1000:.0f} ms per tenant)"
    )

    figures = serve(settings, changed_catalog, slugs, args.warm, args.requests)
    print(f"  memory per warm tenant app: {figures['memory']:.1f} MiB (resident, {args.warm} apps)")
    print(
        f"  API list with {args.tenants} registered, {args.warm} warm: median {figures['median'] * 1000:.1f} ms, "
        f"p95 {figures['p95'] * 1000:.1f} ms ({args.requests} requests, round-robin)"
    )
    print(f"  first request to a tenant not yet built (sign-in): median {figures['cold'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
