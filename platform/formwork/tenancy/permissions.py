"""FAB's roles and permissions in a tenant's storage: synced by FAB, copied where FAB would repeat itself.

FAB's permission sync asks about every view, API and menu entry one query at a
time (about 1,400 queries for core + crm + oa), which was most of the time it
took to create a tenant. Every tenant created with the same definitions ends
up with the same rows, so the first one in a process gets them from FAB and
later ones get a copy of those rows. When a tenant's definitions change (an
entity or list view was added), FAB's own sync adds what is new.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_appbuilder.models.sqla import Model

from ..config import Settings
from ..features import ROLES_SETUP, load_features
from ..meta.catalog import Catalog
from .apps import build_tenant_app, one_commit
from .registry import Tenant
from .state import TenantState, effective_definitions

#: FAB's tables that hold roles and permissions, parents first
SECURITY_TABLES = ("ab_permission", "ab_view_menu", "ab_permission_view", "ab_role", "ab_permission_view_role")
_synced: dict[str, dict[str, list[dict[str, Any]]]] = {}
_lock = threading.Lock()


def provision_app(settings: Settings, tenant: Tenant, catalog: Catalog, state: TenantState) -> Flask:
    """The app of a tenant being created (from `state`), with FAB's tables, roles and permissions in its storage."""
    key = effective_definitions(settings, tenant.slug, state)[0].content_hash()
    with _lock:
        rows = _synced.get(key)
    if rows is None:
        app = build_tenant_app(settings, tenant, catalog, provisioning=True, state=state)
        _set_up_roles(app)
        with _lock:
            _synced[key] = _security_rows(_engine(app))
        return app
    app = build_tenant_app(settings, tenant, catalog, state=state)
    _copy_security_rows(_engine(app), rows)
    return app


def sync_permissions(app: Flask) -> None:
    """Let FAB add the permissions of views and menu entries the tenant did not have (in one transaction).

    FAB's sync asks about every right one query at a time; when the admin role already has every right the
    views and menus need (the usual case: fields changed, not entities or list views), it is skipped.
    Then the packs' roles the tenant lacks are created, so a pack that gained a role has it at once.
    """
    with app.app_context():
        appbuilder = app.appbuilder  # type: ignore[attr-defined]  # FAB sets it on the app
        if missing_admin_rights(appbuilder):
            with one_commit(app.extensions["formwork"].session, enabled=True):
                appbuilder.add_permissions(update_perms=True)
    _set_up_roles(app)


def _set_up_roles(app: Flask) -> None:
    """What features set up once FAB's roles and permissions are stored (the packs' roles and their rights)."""
    for set_up in load_features().items(ROLES_SETUP):
        set_up(app)


def missing_admin_rights(appbuilder: Any) -> set[tuple[str, str]]:
    """(view, permission) pairs the app's views and menu entries need that the admin role does not have."""
    wanted = {
        (view.class_permission_name, permission)
        for view in appbuilder.baseviews
        for permission in view.base_permissions or ()
    }
    wanted |= {
        (item.name, "menu_access")
        for category in appbuilder.menu.get_list()
        for item in (category, *category.childs)
        if item.name != "-"
    }
    sm = appbuilder.sm
    return wanted - sm.rights_of([sm.find_role(sm.auth_role_admin).id])


def _engine(app: Flask) -> sa.Engine:
    return app.extensions["formwork"].session.get_bind()


def _security_rows(engine: sa.Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            name: [dict(row) for row in connection.execute(sa.select(Model.metadata.tables[name])).mappings()]
            for name in SECURITY_TABLES
        }


def _copy_security_rows(engine: sa.Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as connection:
        Model.metadata.create_all(connection)
        for name in SECURITY_TABLES:
            table = Model.metadata.tables[name]
            if rows[name]:
                connection.execute(table.insert(), rows[name])
            _advance_sequence(connection, table)


def _advance_sequence(connection: sa.Connection, table: sa.Table) -> None:
    """Rows were inserted with their ids: PostgreSQL's sequence must move past them (SQLite needs nothing)."""
    sequence = table.c.id.default
    if connection.dialect.name != "postgresql" or not isinstance(sequence, sa.Sequence):
        return
    highest = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0) + 1).scalar_subquery()
    connection.execute(sa.select(sa.func.setval(sequence.name, highest, False)))
