"""Prepare the demo: operator, tenant and sample data; safe to run again."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from ..config import Settings
from ..console import add_operator, build_console_app
from ..meta.catalog import Catalog
from ..tenancy.apps import tenant_runtime
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
    runtime = tenant_runtime(settings, tenant, catalog)
    session = runtime.session()
    try:
        employee = runtime.compiled.model("core.employee")
        if session.scalar(sa.select(sa.func.count()).select_from(employee)) == 0:
            progress("loading sample data")
            load_sample_data(session, runtime.compiled, progress=progress)
            if session.get_bind().dialect.name == "sqlite":
                session.execute(sa.text("ANALYZE"))  # statistics, so list pages pick the sort index
    finally:
        runtime.session.remove()
    add_demo_users(settings, tenant, catalog, password, progress)
