"""A record as a print template reads it: its fields the reader may read, its child rows, the records it refers to.

What the template gets is decided here, not in the template: a field the reader's roles hide (or the definition
hides) is there but empty, child rows are those the reader's record rules let them see, and a referenced record the
reader may not see shows only its title (as its show page does). So a format prints for each reader what their
screens show them, and a template cannot reach past it: it is given values, never the stored objects.

Values keep their types (numbers, dates) so the template's filters format them; a choice is its label in the
print's language, a reference one level deep is a record of its own (`record.employee.name`), deeper and in rows its
title, a user their user name, a file its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..actor import Actor
from ..compile.records import may_see_record
from ..fields import field_type, kind_of
from ..fields.child_table import parent_field_of
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef
from ..rights import hidden_fields, visible_condition
from .sandbox import missing


class Printed:
    """One record's values: `record.total` or `record["total"]`; printed as itself, it is its title. Reading a field
    it has not is an error that names the record and the field (the template asked for something that is not
    there), not a blank."""

    __slots__ = ("_title", "_values")

    def __init__(self, values: dict[str, Any], title: str) -> None:
        self._values = values
        self._title = title

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # Python's own protocols (copy, pickle) ask for these: never a field
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        return missing(f"{self._title or 'the record'} has no field '{name}'")

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def __str__(self) -> str:
        return self._title


@dataclass(frozen=True)
class RecordReader:
    """Reads records for one reader (`actor`) from one tenant's session, under their field rights and record rules."""

    session: Session
    catalog: Catalog
    models: Any
    actor: Actor

    def record(self, item: Any) -> Printed:
        """`item` with its child rows and the records it refers to."""
        return self._printed(item.__entity__, item, depth=0)

    def _printed(self, entity: EntityDef, item: Any, depth: int) -> Printed:
        unreadable = hidden_fields(entity, self.actor)
        values: dict[str, Any] = {"id": item.id}
        for definition in entity.fields:
            readable = definition.name not in unreadable and not definition.hidden
            values[definition.name] = self._value(entity, definition, item, depth) if readable else _blank(definition)
        return Printed(values, str(item))

    def _value(self, entity: EntityDef, definition: FieldDef, item: Any, depth: int) -> Any:
        kind = kind_of(definition)
        if kind.holds_rows:
            return self._rows(entity, definition, item) if depth == 0 else []
        value = getattr(item, definition.name)
        if kind.refers_to_record and depth == 0 and value is not None:
            return self._referenced(value)
        if kind.is_relation:
            return [str(v) for v in value] if kind.refers_to_many else ("" if value is None else str(value))
        if kind.holds_file:
            return (value or {}).get("name", "")
        if kind.has_choices:
            return field_type(definition.type).format_value(definition, value)
        return value

    def _referenced(self, target: Any) -> Printed:
        """A referenced record one level deep; its title with every field empty when the reader's record rules hide
        it (as its show page shows only the title), so one template prints for every reader."""
        entity: EntityDef = target.__entity__
        if may_see_record(self.session, type(target), target.id, self.actor):
            return self._printed(entity, target, depth=1)
        return Printed({"id": target.id, **{f.name: _blank(f) for f in entity.fields}}, str(target))

    def _rows(self, parent: EntityDef, definition: FieldDef, item: Any) -> list[Printed]:
        """The rows of a child table the reader may see, in the order they were added, in one query (their
        references loaded with them)."""
        assert definition.target is not None  # the definition schema requires a child table's target
        child = self.catalog.entities[definition.target]
        model = self.models.model(child.qualified)
        link = parent_field_of(definition, child, parent.qualified)
        loaded = [f.name for f in child.fields if kind_of(f).refers_to_one]
        query = (
            sa.select(model)
            .where(getattr(model, f"{link}_id") == item.id)
            .order_by(model.id)
            .options(*(selectinload(getattr(model, name)) for name in loaded))
        )
        visible = visible_condition(model, self.actor)
        rows = self.session.scalars(query if visible is None else query.where(visible))
        return [self._printed(child, row, depth=1) for row in rows]


def _blank(definition: FieldDef) -> Any:
    """What a field the reader may not read holds in the template: nothing (no rows for a table)."""
    kind = kind_of(definition)
    return [] if kind.holds_rows or kind.refers_to_many else ""
