"""Demo sign-ins for the packs' roles, so a visitor can see record rules and field rights at work.

They are FAB users for sample employees (the employee's `login` names them), so
their rules have a department, a manager and records of their own.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Settings
from ..meta.catalog import Catalog
from ..tenancy.apps import build_tenant_app
from ..tenancy.registry import Tenant

#: user name → (what they do, their pack roles); sample employee user2 heads Sales, user10 sells in it, user12 is an engineer
DEMO_USERS = {
    "user2": ("sales director, head of Sales", ["sales_director", "employee"]),
    "user10": ("sales rep in Sales", ["sales_rep", "employee"]),
    "user12": ("engineer", ["employee"]),
}


def add_demo_users(settings: Settings, tenant: Tenant, catalog: Catalog, password: str,
                   progress: Callable[[str], None]) -> None:
    """Create the demo users the tenant lacks (kept as they are when the demo runs again)."""
    app = build_tenant_app(settings, tenant, catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        for username, (_, role_names) in DEMO_USERS.items():
            if sm.find_user(username=username) is not None:
                continue
            roles = [role for name in role_names if (role := sm.find_role(name)) is not None]
            sm.add_user(username, username, "Demo", f"{username}@demo.example", roles, password=password)
            progress(f"user '{username}' created ({', '.join(role_names)})")
