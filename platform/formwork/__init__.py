"""Formwork: a low-code platform driven by metadata.

`create_app()` is the one WSGI entry point: the operators' console at `/`
and every tenant's app at `/t/<slug>/`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import Settings

if TYPE_CHECKING:
    from .meta.catalog import Catalog


def create_app(settings: Settings | None = None, catalog: Catalog | None = None):
    """Load and check the packs, bring the platform database up to date, and return the dispatcher."""
    from .console import build_console_app
    from .definitions.loader import require_catalog
    from .tenancy.cache import TenantApps
    from .tenancy.dispatch import TenantDispatcher
    from .tenancy.registry import upgrade_platform_db

    settings = settings or Settings.from_env()
    catalog = catalog or require_catalog()
    upgrade_platform_db(settings.database_url)
    return TenantDispatcher(build_console_app(settings, catalog), TenantApps(settings, catalog))


__all__ = ["create_app", "Settings"]
