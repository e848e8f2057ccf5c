"""Choice values in schema evolution: stored values a definition no longer offers are mapped, or the change refused.

Alembic's autogenerate sees no difference when a choice loses a value: the
column stays text (or a JSON list). The records holding the value do not go
away, so for every choice and multi_choice field of a stored table the plan
counts the values that are neither a current nor a retired choice.
`map_choices:` rewrites them (in `Phase.FILLS`, after renames); otherwise the
change is refused, naming each value and how many records hold it, until the
definition maps them or keeps them as `retired: true` choices.

With the definitions the tenant had before (`Planner.previous`), only fields
that lost values or give `map_choices` are read, so a migration does not scan
every choice column of large tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..fields import FIELD_TYPES
from ..fields.choices import ChoiceKind
from ..i18n import joined, say
from ..meta.model import EntityDef, FieldDef
from . import plan_texts as says
from .changes import Phase

if TYPE_CHECKING:
    from .plan import Planner


def plan_choices(p: Planner) -> None:
    """Map or refuse the stored values each choice field of an existing table no longer allows."""
    for entity in p.entities.values():
        for f in entity.fields:
            kind = FIELD_TYPES[f.type]
            if not isinstance(kind, ChoiceKind) or not _may_have_lost_values(p, entity, f):
                continue
            stored = _stored_column(p, entity, f)
            if stored is not None:
                _judge(p, entity, f, kind, stored)


def _stored_column(p: Planner, entity: EntityDef, f: FieldDef) -> str | None:
    """The field's column as the database has it now (before a rename in this plan); None when there is none yet,
    or when its type is not the field's (a type change the rules judge: its values cannot be read as choices)."""
    if not p.inspector.has_table(entity.table):
        return None
    column = FIELD_TYPES[f.type].attribute(f)
    name = next((old for (table, old), new in p.renamed.items() if table == entity.table and new == column), column)
    stored = next((c for c in p.inspector.get_columns(entity.table) if c["name"] == name), None)
    wanted = p.metadata.tables[entity.table].c[column].type
    return name if stored is not None and isinstance(stored["type"], type(wanted)) else None


def _may_have_lost_values(p: Planner, entity: EntityDef, f: FieldDef) -> bool:
    """Without the former definitions every field is checked; with them, those that lost values or map some."""
    if p.previous is None or f.map_choices:
        return True
    before = _previous_field(p.previous, entity, f)
    if before is None or not isinstance(FIELD_TYPES[before.type], ChoiceKind):
        return True
    return bool({c.value for c in before.choices} - {c.value for c in f.choices})


def _previous_field(previous: Mapping[str, EntityDef], entity: EntityDef, f: FieldDef) -> FieldDef | None:
    """The field as the former definitions had it, following declared renames of the entity and the field."""
    former = previous.get(entity.table)
    if former is None and entity.former_table:
        former = previous.get(entity.former_table)
    if former is None:
        return None
    return former.field(f.name) or (former.field(f.renamed_from) if f.renamed_from else None)


def _judge(p: Planner, entity: EntityDef, f: FieldDef, kind: ChoiceKind, stored: str) -> None:
    column = kind.attribute(f)
    values_type = p.metadata.tables[entity.table].c[column].type
    before = sa.table(entity.table, sa.column("id", sa.Integer), sa.column(stored, values_type))
    outside = kind.stored_outside(p.connection, before, stored, {c.value for c in f.choices})
    what, mapping = p.name(entity.table, column), f.map_choices
    mapped = {old: count for old, count in _by_count(outside) if old in mapping}
    unmapped = {value: count for value, count in _by_count(outside) if value not in mapping}
    if mapped:
        after = sa.table(entity.table, sa.column("id", sa.Integer), sa.column(column, values_type))
        rewrite = {old: mapping[old] for old in mapped}
        mappings = [
            say(says.MAPPED, old=old, new=mapping[old], records=_records(count)) for old, count in mapped.items()
        ]
        p.add(
            say(says.MAP_VALUES, what=what, mappings=joined(mappings, says.LIST_ITEMS)),
            entity.table,
            (Phase.FILLS, lambda ops: kind.rewrite_stored(ops.get_bind(), after, column, rewrite)),
        )
    if unmapped:
        values = _listed(
            [say(says.VALUE_RECORDS, value=value, records=_records(count)) for value, count in unmapped.items()]
        )
        p.refuse(say(says.NOT_OFFERED, what=what, values=values))


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _records(count: int) -> str:
    return say(says.ONE_RECORD if count == 1 else says.RECORDS, count=count)


def _listed(parts: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return (
        parts[0] if len(parts) == 1 else say(says.LIST_LAST, first=joined(parts[:-1], says.LIST_ITEMS), then=parts[-1])
    )
