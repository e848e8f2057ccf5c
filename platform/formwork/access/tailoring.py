"""The rights a tenant's pack roles have once its admins changed them on the roles screen.

A pack role's rights come from its definition; an admin's change is kept apart (tables.ROLE_RIGHT_CHANGES) and
laid over it wherever the role's rights are read: the FAB permissions every sync gives the role (grants.py), and
the record rules and field rights, which ask whether a role has rights on an entity at all (records.py,
fields.py). The admins' record rules and field rights for a role on an entity (tables.ROLE_LIMIT_CHANGES) replace
the definition's the same way, so every reader of role definitions sees them. Each tenant app keeps its roles so
tailored (`tenant_roles`), made when its permissions are synced; a
change renews the tenant's generation, so every serving process builds its app again from the stored changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from ..meta.catalog import Catalog
from ..tenancy.registry import Tenant, platform_engine
from .definition import RIGHTS, FieldRights, RoleDef, parse_rule
from .tables import ROLE_LIMIT_CHANGES, ROLE_RIGHT_CHANGES

#: role -> entity -> right -> granted (True: beyond the definition, False: taken from it)
Changes = dict[str, dict[str, dict[str, bool]]]
#: where a tenant app keeps its tailored roles and how to tell other processes of a change
ROLES_KEY, RENEW_KEY = "formwork.roles", "formwork.roles.renew"


@dataclass(frozen=True)
class Limits:
    """An admin's record rules and field rights for a role on one entity, as the Role kind writes them; None keeps
    the definition's."""

    records: list[Any] | None = None
    fields: dict[str, list[str]] | None = None


#: role -> entity -> the admins' limits
LimitChanges = dict[str, dict[str, Limits]]


def stored_changes(session: Session) -> Changes:
    """Every change the tenant's admins made, by role and entity. None while a new tenant's roles are set up,
    before its tables exist."""
    found: Changes = {}
    if not sa.inspect(session.connection()).has_table(ROLE_RIGHT_CHANGES.name):
        return found
    for row in session.execute(sa.select(ROLE_RIGHT_CHANGES)):
        found.setdefault(row.role, {}).setdefault(row.entity, {})[row.right] = row.granted
    return found


def tailored(role: RoleDef, changes: dict[str, dict[str, bool]], catalog: Catalog) -> RoleDef:
    """`role` with `changes` laid over its rights; `*` is spelled out per entity, so one entity can lose a right."""
    if not changes:
        return role
    rights = {name: set(role.rights_on(name)) for name in catalog.entities}
    for entity, decided in changes.items():
        if entity in rights:
            rights[entity] = (rights[entity] | {r for r, given in decided.items() if given}) - {
                r for r, given in decided.items() if not given
            }
    return replace(role, rights={name: tuple(r for r in RIGHTS if r in held) for name, held in rights.items() if held})


def stored_limits(session: Session) -> LimitChanges:
    """Every record rule and field right the tenant's admins set, by role and entity (none before the table
    exists)."""
    found: LimitChanges = {}
    if not sa.inspect(session.connection()).has_table(ROLE_LIMIT_CHANGES.name):
        return found
    for row in session.execute(sa.select(ROLE_LIMIT_CHANGES)):
        found.setdefault(row.role, {})[row.entity] = Limits(row.records, row.fields)
    return found


def limited(role: RoleDef, limits: dict[str, Limits]) -> RoleDef:
    """`role` with the admins' record rules and field rights in place of its definition's, entity by entity."""
    if not limits:
        return role
    records, fields = dict(role.records), dict(role.fields)
    for entity, limit in limits.items():
        if limit.records is not None:
            records[entity] = tuple(parse_rule(rule) for rule in limit.records)
        if limit.fields is not None:
            fields[entity] = FieldRights(
                frozenset(limit.fields.get("hidden", ())), frozenset(limit.fields.get("read_only", ()))
            )
    return replace(role, records=records, fields=fields)


def tailored_roles(catalog: Catalog, changes: Changes, limits: LimitChanges) -> dict[str, RoleDef]:
    """The catalog's roles, each with its changes of rights and its limits."""
    return {
        name: limited(tailored(role, changes.get(name, {}), catalog), limits.get(name, {}))
        for name, role in catalog.roles.items()
    }


def with_roles(catalog: Catalog, roles: dict[str, RoleDef]) -> Catalog:
    """`catalog` holding `roles`: what the features giving rights to every pack role (ROLE_RIGHTS) read, so a
    kanban view's menu entry follows the read right an admin took away."""
    return replace(catalog, collections={**catalog.collections, "roles": roles})


def tenant_roles() -> dict[str, RoleDef]:
    """The current tenant app's pack roles as its admins tailored them (the definitions' before the first sync)."""
    kept = current_app.extensions.get(ROLES_KEY)
    return kept if kept is not None else current_app.extensions["formwork"].catalog.roles


def keep_roles(app: Flask, roles: dict[str, RoleDef]) -> None:
    app.extensions[ROLES_KEY] = roles


def changes_between(definition: RoleDef, wanted: dict[str, set[str]]) -> dict[str, dict[str, bool]]:
    """What an admin's choice (`wanted`: entity -> rights) changes of what `definition` gives."""
    found: dict[str, dict[str, bool]] = {}
    for entity, rights in wanted.items():
        given = set(definition.rights_on(entity))
        decided = dict.fromkeys(rights - given, True) | dict.fromkeys(given - rights, False)
        if decided:
            found[entity] = decided
    return found


def store_changes(session: Session, role: str, changes: dict[str, dict[str, bool]]) -> None:
    """Replace the role's stored changes (in the caller's transaction)."""
    session.execute(sa.delete(ROLE_RIGHT_CHANGES).where(ROLE_RIGHT_CHANGES.c.role == role))
    rows = [
        {"role": role, "entity": entity, "right": right, "granted": granted}
        for entity, decided in sorted(changes.items())
        for right, granted in sorted(decided.items())
    ]
    if rows:
        session.execute(sa.insert(ROLE_RIGHT_CHANGES), rows)


def store_limits(session: Session, role: str, entity: str, limits: Limits) -> None:
    """Replace what the admins set for `role` on `entity` (nothing left: the definition's again), in the caller's
    transaction."""
    table = ROLE_LIMIT_CHANGES
    session.execute(sa.delete(table).where(table.c.role == role, table.c.entity == entity))
    if limits.records is not None or limits.fields is not None:
        session.execute(
            sa.insert(table), [{"role": role, "entity": entity, "records": limits.records, "fields": limits.fields}]
        )


def remember_registry(app: Flask, settings: Any, tenant: Tenant) -> None:
    """APP_SETUP: how this app tells every serving process that its roles changed."""
    url, slug = settings.database_url, tenant.slug

    def renew() -> None:
        with platform_engine(url).begin() as connection:
            connection.execute(sa.update(Tenant).where(Tenant.slug == slug).values(generation=Tenant.generation + 1))

    app.extensions[RENEW_KEY] = renew


def announce_change() -> None:
    """A new generation of the tenant: every process (this one too) rebuilds its app with the tailored roles."""
    renew = current_app.extensions.get(RENEW_KEY)
    if renew is not None:
        renew()
