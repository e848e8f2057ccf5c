"""The fields of an entity its roles' record rules depend on (the FIELD_USES slot): the Studio locks them.

A record rule lets a role's holders see the records whose field names them (`user_field: owner`), whose department
is theirs (`department: department`), or that a filter keeps; changing such a field's choices or letting it go
empty would change who sees which records. A filter relies on the choices it names.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..definitions.field_uses import FieldUse, every_value, filter_fields, merged, uses_of
from ..expr import NamedValues
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .definition import RecordRule

RECORD_RULE = CatalogText("The role {what} decides by it which records its holders see")


def role_field_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    for role in catalog.roles.values():
        named = merged(*(_rule_fields(rule) for rule in role.records.get(entity.qualified, ())))
        yield from uses_of(named, RECORD_RULE, role.label)


def _rule_fields(rule: RecordRule) -> NamedValues:
    """`department: department` names a field; `department` alone (the creator's department) names none."""
    return every_value([rule.field.partition(".")[0]]) if rule.field else filter_fields(rule.filter)
