"""Semantic checks of kanban views (`formwork validate`): the entity, the grouping field, the card fields, the sum,
the order and the filter, each error at its line.

`board_problems` is also asked when a board is shown, against a tenant's effective definitions: a board whose
field a customization removed answers with that problem instead of failing.
"""

from __future__ import annotations

from typing import Any

from ..fields import FIELD_TYPES, FieldType, kind_of, value_kind
from ..filters import check_filter
from ..filters.targets import STANDARD_TYPES
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import EntityDef, FieldDef
from .definition import KanbanViewDef

Problem = tuple[tuple[Any, ...], str]


def check_kanban_views(catalog: Catalog) -> list[DefinitionError]:
    errors = []
    for board in catalog.kanban_views.values():
        assert board.document is not None  # built from a document
        errors += [board.document.error(path, message) for path, message in board_problems(board, catalog)]
    return errors


def board_problems(board: KanbanViewDef, catalog: Catalog) -> list[Problem]:
    """Every problem of one board, with paths inside its document."""
    entity = catalog.entities.get(board.entity)
    if entity is None:
        return [] if catalog.knows_entity(board.entity) else [(("entity",), f"unknown entity '{board.entity}'")]
    if problem := catalog.unrequired_entity(board.pack, board.entity):
        return [(("entity",), problem)]
    problems = _group_problems(board, entity)
    for i, name in enumerate(board.card):
        kind = stored_kind(entity, name)
        if kind is None:
            problems.append((("card", i), f"'{name}' is not a field of {entity.qualified}"))
        elif kind.holds_rows or kind.refers_to_many:
            problems.append((("card", i), f"a card cannot show '{name}', a {kind.name} field (many records)"))
    if board.sum is not None:
        summed = stored_kind(entity, board.sum)
        if summed is None or not summed.holds_number:
            problems.append((("sum",), f"'{board.sum}' is not a number or money field of {entity.qualified}"))
    ordered = stored_kind(entity, board.order_field)
    if ordered is None or not ordered.stores_column or ordered.holds_list:
        problems.append((("order",), f"cannot order cards by '{board.order_field}': not a field of {entity.qualified}"))
    if board.filter is not None:
        problems += [(("filter", *path), message) for path, message in check_filter(board.filter, entity, catalog)]
    return problems


def _group_problems(board: KanbanViewDef, entity: EntityDef) -> list[Problem]:
    grouped = entity.field(board.group_by)
    if grouped is None:
        return [(("group_by",), f"'{board.group_by}' is not a field of {entity.qualified}")]
    if not groups_columns(grouped):
        return [
            (
                ("group_by",),
                f"cannot make columns of '{board.group_by}', a {grouped.type} field; "
                "group by a choice field or a reference field",
            )
        ]
    return []


def groups_columns(field: FieldDef) -> bool:
    """A field whose values are a board's columns: one choice (not several), or one record of an entity."""
    kind = kind_of(field)
    return (kind.has_choices and not kind.holds_list) or kind.refers_to_record


def stored_kind(entity: EntityDef, name: str) -> FieldType | None:
    """The type of the value a field or standard column of `entity` holds (a formula's by its result), None if it
    has no such name."""
    found = entity.field(name)
    if found is not None:
        return value_kind(found)
    return FIELD_TYPES[STANDARD_TYPES[name]] if name in STANDARD_TYPES else None
