"""A tenant's roles as its app serves them: the definitions, and what admins changed before roles were drafted.

The roles screen drafts a role's change as a Role overlay, published as a version of the tenant's customizations
(access/role_drafts.py), so the effective definitions hold every role as the tenant has it. Before that, the screen
stored an admin's change of a pack role's rights (tables.ROLE_RIGHT_CHANGES) and of its record rules and field rights
(tables.ROLE_LIMIT_CHANGES) apart, laid over the definition. Those changes still apply to a role until it has a Role
overlay (the screen's first draft of the role starts from the role as so changed, so publishing it keeps them, and
restoring a version from before brings them back). Each tenant app keeps its roles so tailored (`tenant_roles`),
made when its permissions are synced: the FAB permissions (grants.py), record rules and field rights (records.py,
fields.py) read them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from ..meta.catalog import Catalog
from .definition import RIGHTS, FieldRights, RoleDef, parse_rule
from .tables import ROLE_LIMIT_CHANGES, ROLE_RIGHT_CHANGES

#: role -> entity -> right -> granted (True: beyond the definition, False: taken from it)
Changes = dict[str, dict[str, dict[str, bool]]]
#: where a tenant app keeps its tailored roles
ROLES_KEY = "formwork.roles"


@dataclass(frozen=True)
class Limits:
    """An admin's record rules and field rights for a role on one entity, as the Role kind writes them. None: none
    (every record; no field kept from them), but in a change stored before roles were drafted: the definition's."""

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
        name: role
        if role.document.customization
        else limited(tailored(role, changes.get(name, {}), catalog), limits.get(name, {}))
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
