"""Roles as a feature: the Role kind and its checks, declared on the registry (formwork/features.py)."""

from __future__ import annotations

from ..features import DEFINITION_CHECKS, DEFINITION_KINDS, FeatureRegistry
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.kinds import Kind
from ..meta.partial import Partial
from .checks import check_roles
from .definition import RoleDef, build_role


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
    "Role", "role.json", build_role, add_role, Partial(linked={"rights": ("records", "fields")}), collection="roles"
)


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, ROLE, priority=10)
    registry.add(DEFINITION_CHECKS, check_roles, priority=40)
