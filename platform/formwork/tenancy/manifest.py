"""Tenants as code: a YAML manifest per tenant, applied idempotently and exported back.

`apply_manifest` creates the tenant, or brings an existing one in line (name,
locale, currency, added packs) and says what it changed — nothing on a second
run. Removing a pack is refused: its tables and data would be orphaned.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from jsonschema import Draft202012Validator

from ..config import Settings
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError, DefinitionsInvalid
from ..meta.jsonschemas import schema_file
from ..meta.yamlload import read_documents
from .migrate import migrate_tenant
from .provision import TenantError, create_tenant
from .registry import Tenant, find_tenant, platform_session
from .storage import tenant_engine

Report = Callable[[str], None]


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest's data, or DefinitionsInvalid with file, line and what was expected."""
    documents, errors = read_documents(path)
    if not errors and len(documents) != 1:
        errors = [DefinitionError(str(path), 1, "", "a tenant manifest holds exactly one document")]
    if errors:
        raise DefinitionsInvalid(errors)
    doc = documents[0]
    validator = Draft202012Validator(schema_file("tenant.json"))
    found = [doc.error(tuple(e.absolute_path), e.message) for e in validator.iter_errors(doc.data)]
    if found:
        raise DefinitionsInvalid(found)
    return doc.data


def _admin_password(admin: dict[str, Any]) -> str:
    if admin.get("password"):
        return str(admin["password"])
    variable = admin.get("password_env")
    if variable and os.environ.get(variable):
        return os.environ[variable]
    raise TenantError(f"the first admin needs a password: set {variable or 'admin.password_env'} in the environment")


def apply_manifest(settings: Settings, catalog: Catalog, data: dict[str, Any], report: Report) -> list[str]:
    """Create or update the tenant; returns the changes made (empty: it was already so)."""
    tenant = find_tenant(settings.database_url, data["slug"])
    if tenant is None:
        admin = data.get("admin") or {}
        if not admin:
            raise TenantError("a new tenant needs `admin: {username, password_env}`")
        create_tenant(settings, catalog, data["slug"], data["name"], list(data["packs"]), admin["username"],
                      _admin_password(admin), data.get("locale", "en"), progress=report,
                      currency=data.get("currency", "CNY"))
        return [f"created tenant '{data['slug']}'"]
    return _update(settings, catalog, tenant, data)


def _update(settings: Settings, catalog: Catalog, tenant: Tenant, data: dict[str, Any]) -> list[str]:
    wanted_packs = catalog.with_requirements(list(data["packs"]))
    unknown = [p for p in wanted_packs if p not in catalog.packs]
    if unknown:
        raise TenantError(f"unknown pack(s): {', '.join(unknown)}")
    dropped = sorted(set(tenant.packs) - set(wanted_packs))
    if dropped:
        raise TenantError(f"removing packs is not supported (their data would be orphaned): {', '.join(dropped)}")
    changes = []
    with platform_session(settings.database_url) as session:
        stored = session.get(Tenant, tenant.id)
        for attribute in ("name", "locale", "currency"):
            if attribute in data and getattr(stored, attribute) != data[attribute]:
                changes.append(f"{attribute}: {getattr(stored, attribute)} → {data[attribute]}")
                setattr(stored, attribute, data[attribute])
        added = [p for p in wanted_packs if p not in stored.packs]
        if added:
            stored.packs = [*stored.packs, *added]
            changes.append(f"installed pack(s): {', '.join(added)}")
        session.commit()
    if any(change.startswith("installed") for change in changes):
        migrate_tenant(settings, catalog, find_tenant(settings.database_url, tenant.slug))
    return changes


def export_manifest(settings: Settings, tenant: Tenant) -> str:
    """The tenant as a manifest that `apply` turns back into the same tenant."""
    data = {"kind": "Tenant", "slug": tenant.slug, "name": tenant.name, "packs": tenant.packs, "locale": tenant.locale,
            "currency": tenant.currency, "admin": {"username": first_admin(settings, tenant),
                                                   "password_env": "FORMWORK_ADMIN_PASSWORD"}}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def first_admin(settings: Settings, tenant: Tenant) -> str:
    """The oldest user with the Admin role in the tenant's own user table."""
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy.orm import Session

    with Session(tenant_engine(settings, tenant)) as session:
        for user in session.scalars(sa.select(User).order_by(User.id)):
            if any(role.name == "Admin" for role in user.roles):
                return user.username
    return "admin"
