"""What the benchmarks of one page share (kanban, calendar, timeline, pivot): a throw-away platform with one tenant
whose admin signs in through the login form, the page asked for as a person would ask for it, the first request
reported apart, and the SQL statements of one request, all of them and the page's own."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clients import browser, counting

PASSWORD = "Bench-Password-1"


def bench_platform() -> tuple[Any, Any]:
    """(settings, catalog) of the throw-away platform the caller's `scratch.throwaway_platform` set up."""
    from formwork.config import Settings
    from formwork.definitions.loader import require_catalog
    from formwork.tenancy.registry import upgrade_platform_db

    settings = Settings.from_env()
    upgrade_platform_db(settings.database_url)
    return settings, require_catalog()


def bench_tenant(settings: Any, catalog: Any, slug: str, packs: list[str], **changes: Any) -> Any:
    """A new tenant on `packs` (its admin signs in with PASSWORD), with `changes` to its registry row (a time
    zone…), and its runtime: write the records in `runtime.session()`, then call `runtime.session.remove()`."""
    import sqlalchemy as sa

    from formwork.tenancy.apps import build_tenant_app
    from formwork.tenancy.provision import create_tenant
    from formwork.tenancy.registry import Tenant, platform_session

    create_tenant(settings, catalog, slug, "Bench Inc", packs, "admin", PASSWORD)
    with platform_session(settings.database_url) as session:
        tenant = session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).one()
        for name, value in changes.items():
            setattr(tenant, name, value)
        session.commit()
        session.refresh(tenant)
        session.expunge(tenant)
    return build_tenant_app(settings, tenant, catalog).extensions["formwork"]


def signed_in(settings: Any, catalog: Any, slug: str) -> Any:
    """The served platform and its tenant's admin, signed in through the login form."""
    from formwork import create_app

    return browser(create_app(settings, catalog), f"/t/{slug}", "admin", PASSWORD)


@dataclass(frozen=True)
class PageFigures:
    """Seconds: the first request, then the median, fastest and slowest of the timed ones; the statements of one
    request, and those of them on the packs' tables (the page's own)."""

    first: float
    median: float
    fastest: float
    slowest: float
    statements: int
    own_statements: int


def time_page(
    client: Any,
    url: str,
    runs: int,
    answered: Callable[[Any], bool],
    own: Callable[[str], bool],
    query: dict[str, str] | None = None,
) -> PageFigures:
    """`runs` + 1 requests of `url`, each checked with `answered(response)` (a wrong page stops the benchmark),
    then one more counting its statements; `own(statement)` tells the page's own."""
    samples = []
    for _ in range(runs + 1):
        began = time.perf_counter()
        response = client.get(url, query_string=query)
        samples.append(time.perf_counter() - began)
        if response.status_code != 200 or not answered(response):
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
    with counting() as statements:
        client.get(url, query_string=query)
    timed = samples[1:]
    return PageFigures(
        samples[0],
        statistics.median(timed),
        min(timed),
        max(timed),
        len(statements),
        len([s for s in statements if own(s)]),
    )


def print_figures(title: str, figures: PageFigures, goal_seconds: float, goal_statements: int, own: str) -> None:
    """The figures, the machine's load (other work slows every figure), and whether they are within the goal."""
    print(title)
    for name in ("first", "median", "fastest", "slowest"):
        print(f"{name:10}{getattr(figures, name) * 1000:10.1f} ms")
    print(f"statements {figures.statements} in the request, {figures.own_statements} of them the {own}'s")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    within = figures.median <= goal_seconds and figures.own_statements <= goal_statements
    print(f"{'within' if within else 'OVER'} the goal of {goal_seconds * 1000:.0f} ms and {goal_statements} statements")
