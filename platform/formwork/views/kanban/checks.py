"""Semantic checks of kanban views: the grouping field, the card fields, the sum and the order (views/checks.py
checks the entity and the filter)."""

from __future__ import annotations

from ...definitions.check_texts import NOT_A_FIELD, NOT_A_NUMBER_FIELD
from ...fields import kind_of
from ...i18n import say
from ...meta.catalog import Catalog
from ...meta.model import EntityDef, FieldDef
from .. import check_texts as says
from ..checks import Problem, filter_problems, shown_field_problems, stored_kind, view_entity
from .definition import KanbanViewDef


def board_problems(board: KanbanViewDef, catalog: Catalog) -> list[Problem]:
    """Every problem of one board, with paths inside its document."""
    entity, problems = view_entity(board, catalog)
    if entity is None:
        return problems
    problems = _group_problems(board, entity) + shown_field_problems(entity, board.card, "card")
    if board.sum is not None:
        summed = stored_kind(entity, board.sum)
        if summed is None or not summed.holds_number:
            problems.append((("sum",), say(NOT_A_NUMBER_FIELD, name=board.sum, entity=entity.qualified)))
    ordered = stored_kind(entity, board.order_field)
    if ordered is None or not ordered.stores_column or ordered.holds_list:
        problems.append((("order",), say(says.CANNOT_ORDER, name=board.order_field, entity=entity.qualified)))
    return problems + _rank_problems(board, entity) + filter_problems(board, entity, catalog)


def _rank_problems(board: KanbanViewDef, entity: EntityDef) -> list[Problem]:
    """A rank is stored by the moves: a number field of the entity's own, not a formula's result."""
    if board.rank is None:
        return []
    ranked = entity.field(board.rank)
    if ranked is None or not kind_of(ranked).holds_number:
        return [(("rank",), say(says.CANNOT_RANK, name=board.rank, entity=entity.qualified))]
    return []


def _group_problems(board: KanbanViewDef, entity: EntityDef) -> list[Problem]:
    grouped = entity.field(board.group_by)
    if grouped is None:
        return [(("group_by",), say(NOT_A_FIELD, name=board.group_by, entity=entity.qualified))]
    if not groups_columns(grouped):
        return [(("group_by",), say(says.NO_COLUMNS, name=board.group_by, type=grouped.type))]
    return []


def groups_columns(field: FieldDef) -> bool:
    """A field whose values are a board's columns: one choice (not several), or one record of an entity."""
    kind = kind_of(field)
    return (kind.has_choices and not kind.holds_list) or kind.refers_to_record
