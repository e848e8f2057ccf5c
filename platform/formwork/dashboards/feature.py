"""Dashboards as a feature: the Dashboard kind and its checks, the dashboard screens and the home page that shows
the first dashboard meant for the user, and the fields its widgets filter by (the Studio's locks), declared on the
registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ..features import (
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    FIELD_USES,
    HOME_VIEW,
    ROLE_RIGHTS,
    SCREENS,
    FeatureRegistry,
)
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.kinds import Kind
from ..meta.partial import Partial
from .checks import check_dashboards
from .definition import DashboardDef, build_dashboard
from .field_uses import dashboard_field_uses
from .rights import dashboard_rights


def add_dashboard(catalog: Catalog, dashboard: DashboardDef) -> list[DefinitionError]:
    """Dashboards by `pack.name`, in the order the documents were read (the home page shows the first that fits)."""
    if dashboard.qualified in catalog.dashboards:
        return [
            dashboard.document.error(("name",), f"pack {dashboard.pack} has two dashboards named '{dashboard.name}'")
        ]
    catalog.dashboards[dashboard.qualified] = dashboard
    return []


DASHBOARD = Kind(
    "Dashboard",
    "dashboard.json",
    build_dashboard,
    add_dashboard,
    Partial(),
    collection="dashboards",
    schema_package="formwork.dashboards",
    customizable=True,
)


def dashboard_screens(appbuilder: Any, catalog: Catalog) -> None:
    from .views import register_dashboards

    register_dashboards(appbuilder, catalog)


def home_view() -> type:
    from .views import HomeView

    return HomeView


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, DASHBOARD, priority=40)
    registry.add(DEFINITION_CHECKS, check_dashboards, priority=20)
    registry.add(SCREENS, dashboard_screens, priority=70)
    registry.add(HOME_VIEW, home_view)
    registry.add(ROLE_RIGHTS, dashboard_rights)
    registry.add(FIELD_USES, dashboard_field_uses)
