"""Prepare the demo: operator, tenant and sample data; safe to run again."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from ..config import Settings
from ..console import add_operator, build_console_app
from ..meta.catalog import Catalog
from ..tenancy.apps import build_tenant_app
from ..tenancy.migrate import bring_up_to_date
from ..tenancy.provision import create_tenant
from ..tenancy.registry import find_tenant
from .sample import load_sample_data
from .users import add_demo_users

DEMO_PACKS = ["core", "oa", "crm"]


def prepare_demo(
    settings: Settings, catalog: Catalog, slug: str, user: str, password: str, progress: Callable[[str], None]
) -> None:
    if add_operator(build_console_app(settings), user, password):
        progress(f"operator '{user}' created for the console")
    tenant = find_tenant(settings.database_url, slug)
    if tenant is None:
        progress(f"creating tenant '{slug}' with packs {', '.join(DEMO_PACKS)}")
        tenant = create_tenant(settings, catalog, slug, "Demo Company", DEMO_PACKS, user, password, progress=progress)
    else:
        progress(f"tenant '{slug}' exists; keeping its data")
        tenant = bring_up_to_date(settings, catalog, tenant)[1]
    app = build_tenant_app(settings, tenant, catalog)
    runtime = app.extensions["formwork"]
    session = runtime.session()
    try:
        employee = runtime.compiled.model("core.employee")
        empty = session.scalar(sa.select(sa.func.count()).select_from(employee)) == 0
    finally:
        runtime.session.remove()
    if empty:
        progress("loading sample data")
        load_sample_data(app, progress=progress)
        _analyze(runtime.session.get_bind())
    add_demo_users(app, password, progress)


def _analyze(engine: sa.Engine) -> None:
    """SQLite's statistics, so list pages pick the sort index."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
