"""The FAB rights of dashboards: one view right for every page and data endpoint, one menu entry per dashboard.

Every pack role gets `can_show` on `Dashboards` and the menu entries of the
dashboards meant for it (dashboards/feature.py gives them in the ROLE_RIGHTS slot),
so each user's menu lists exactly the dashboards they may open.
"""

from __future__ import annotations

from ..meta.catalog import Catalog

VIEW = "Dashboards"
#: the menu category's name: also the name of its `menu_access` right
CATEGORY = "Dashboards"


def menu_name(qualified: str) -> str:
    """A dashboard's menu entry, which is also the name of its `menu_access` right."""
    return f"Dashboard {qualified}"


def dashboard_rights(role: str, catalog: Catalog) -> set[tuple[str, str]]:
    """(permission, view or menu name) pairs the holders of pack role `role` get for the tenant's dashboards."""
    if not catalog.dashboards:
        return set()
    return {("can_show", VIEW), ("menu_access", CATEGORY)} | {
        ("menu_access", menu_name(d.qualified)) for d in catalog.dashboards.values() if d.is_for({role})
    }
