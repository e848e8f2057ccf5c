"""Roles as a feature: the Role kind and its checks, the admins' changes to roles' rights and the roles screen,
declared on the registry (formwork/features.py)."""

from __future__ import annotations

from ..features import (
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    FIELD_USES,
    RIGHTS,
    ROLES_SETUP,
    SCREENS,
    TENANT_TABLES,
    FeatureRegistry,
)
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.kinds import Kind
from ..meta.partial import Partial
from . import fields, records
from .checks import check_roles
from .definition import RoleDef, build_role
from .field_uses import role_field_uses
from .grants import ensure_pack_roles
from .screens import register_screens
from .tables import DEFINED_ROLES, ROLE_LIMIT_CHANGES, ROLE_RIGHT_CHANGES


def add_role(catalog: Catalog, role: RoleDef) -> list[DefinitionError]:
    """Roles by name: FAB role names are one namespace per tenant, so two packs may not both define one."""
    if role.name in catalog.roles:
        return [
            role.document.error(
                ("name",), f"role '{role.name}' is defined twice (also in pack {catalog.roles[role.name].pack})"
            )
        ]
    catalog.roles[role.name] = role
    return []


ROLE = Kind(
    "Role",
    "role.json",
    build_role,
    add_role,
    Partial(linked={"rights": ("records", "fields")}),
    collection="roles",
    schema_package="formwork.access",
    customizable=True,
)


class RoleRights:
    """The roles' record rules and field rights, as `formwork.rights` asks them (for an actor)."""

    visible_condition = staticmethod(records.visible_condition)
    hidden_fields = staticmethod(fields.hidden_fields)
    read_only_fields = staticmethod(fields.read_only_fields)
    unchangeable_row_fields = staticmethod(fields.unchangeable_row_fields)
    without_hidden = staticmethod(fields.without_hidden)


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, ROLE, priority=10)
    registry.add(DEFINITION_CHECKS, check_roles, priority=40)
    registry.add(FIELD_USES, role_field_uses)
    registry.add(RIGHTS, RoleRights())
    registry.add(ROLES_SETUP, ensure_pack_roles)
    registry.add(TENANT_TABLES, ROLE_RIGHT_CHANGES)
    registry.add(TENANT_TABLES, ROLE_LIMIT_CHANGES)
    registry.add(TENANT_TABLES, DEFINED_ROLES)
    registry.add(SCREENS, register_screens, priority=90)
