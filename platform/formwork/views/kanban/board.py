"""What a board shows one viewer, in a fixed number of SQL statements whatever the number of cards.

The statements: the columns' records (a reference board only), one grouped count (and sum) per board, the cards
(ranked per column in SQL, so a column shows at most CARDS_PER_COLUMN), and one query per reference a card shows
(the referenced titles, owners…). Every query carries the viewer's record rules and the board's filter; the fields
the viewer's roles hide are neither on the cards, nor summed, nor ordered by.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...actor import Actor
from ...fields import field_type, kind_of
from ...i18n import Label
from ...meta.catalog import Catalog
from ...meta.model import FieldDef
from ...rights import unchangeable_fields, visible_condition
from ..query import ViewQuery
from .definition import KanbanViewDef
from .labels import TEXT

#: the most cards a column shows (its count and sum still cover all of its records)
CARDS_PER_COLUMN = 200
#: the most columns a reference board shows: the referenced records the viewer may see, by title
REFERENCE_COLUMNS = 24
#: the key of the column of records without a value
EMPTY = ""


@dataclass
class Card:
    """One record as its card shows it: the title (the first card field) and the other fields, as text."""

    id: int
    version: int
    column: str
    title: str
    lines: list[tuple[Label, str]] = field(default_factory=list)


@dataclass
class Column:
    """One value of the grouping field: its key (a choice's value, a record's id as text, EMPTY), label, badge
    colour, how many records hold it and their sum (formatted), and the cards shown."""

    key: str
    label: str
    color: str | None = None
    #: shown only while it holds cards: a retired choice, or the column without a value of a required field
    only_when_used: bool = False
    count: int = 0
    sum: str | None = None
    cards: list[Card] = field(default_factory=list)


@dataclass
class Board:
    """A board for one viewer: its columns and what the viewer may do (`movable`: change the grouping field, and
    the rank; `addable`: set the title, the grouping field and the rank of a new record; `ranked`: the cards are
    in the order people put them in, so a move within a column is one)."""

    definition: KanbanViewDef
    columns: list[Column]
    card_fields: list[str]
    summed: str | None
    movable: bool = False
    addable: bool = False
    ranked: bool = False

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


class BoardQuery(ViewQuery):
    """The queries of one board for one viewer, in the tenant's session."""

    definition: KanbanViewDef

    def __init__(
        self, definition: KanbanViewDef, catalog: Catalog, compiled: Any, session: Session, actor: Actor
    ) -> None:
        super().__init__(definition, catalog, compiled, session, actor)
        self.grouped: FieldDef = self.entity.field(definition.group_by)  # type: ignore[assignment]  # checked

    # -- what the viewer sees ------------------------------------------------------------------------------------
    @property
    def card_fields(self) -> list[str]:
        return self.shown(self.definition.card)

    @property
    def rank(self) -> str | None:
        """The rank field, when the board has one and the viewer sees it (a hidden rank would tell its values)."""
        return self.definition.rank if self.definition.rank not in self.hidden else None

    @property
    def summed(self) -> str | None:
        return self.definition.sum if self.definition.sum not in self.hidden else None

    def board(self, may_edit: bool, may_add: bool) -> Board:
        """The whole board: columns with counts and sums, and their cards."""
        columns = self.columns()
        self.fill_totals(columns)
        by_key = {c.key: c for c in columns}
        for card in self.cards(columns):
            by_key[card.column].cards.append(card)
        movable, addable = self.allowed(may_edit, may_add)
        shown = [c for c in columns if not c.only_when_used or c.count]
        return Board(
            self.definition,
            shown,
            self.card_fields,
            self.summed,
            movable=movable,
            addable=addable,
            ranked=self.rank is not None,
        )

    def allowed(self, may_edit: bool, may_add: bool) -> tuple[bool, bool]:
        """(move, quick-add) for a viewer with the entity's edit and add rights: a move changes the grouping field
        (and the rank), a quick-add sets them and the title field, so the viewer's field rights must let them."""
        unchangeable = unchangeable_fields(self.entity, self.actor)
        moved = {self.grouped.name, *([self.rank] if self.rank is not None else [])}
        movable = may_edit and not moved & unchangeable
        return movable, may_add and not {self.definition.card[0], *moved} & unchangeable

    # -- columns -------------------------------------------------------------------------------------------------
    def columns(self) -> list[Column]:
        """Every choice in order (a retired one kept for now: shown only when it holds cards), or the referenced
        records the viewer may see by title; then the column of records without a value."""
        if kind_of(self.grouped).has_choices:
            found = [
                Column(c.value, c.label.localized(), c.color, only_when_used=c.retired) for c in self.grouped.choices
            ]
        else:
            found = [Column(str(target.id), str(target)) for target in self.session.scalars(self.targets())]
        return [*found, Column(EMPTY, TEXT["empty"].localized(), only_when_used=self.grouped.required)]

    def targets(self) -> Any:
        target_entity = self.catalog.entities[self.grouped.target or ""]
        target = self.compiled.model(target_entity.qualified)
        title = target_entity.field(target_entity.title_field or "")
        order = getattr(target, title.name) if title is not None and kind_of(title).stores_column else target.id
        rules = visible_condition(target, self.actor)
        query = sa.select(target).order_by(order, target.id).limit(REFERENCE_COLUMNS)
        return query if rules is None else query.where(rules)

    def value_of(self, key: str) -> Any:
        """The stored value of a column's key: the choice, the record id, or None for EMPTY."""
        if key == EMPTY:
            return None
        return key if kind_of(self.grouped).has_choices else int(key)

    def key_of(self, value: Any) -> str:
        return EMPTY if value is None else str(value)

    # -- the records -----------------------------------------------------------------------------------------
    @property
    def group_column(self) -> Any:
        return getattr(self.model, field_type(self.grouped.type).attribute(self.grouped))

    def conditions(self, columns: list[Column] | None = None) -> list[Any]:
        """The board's filter, the viewer's record rules and, on a reference board, the columns shown."""
        found = super().conditions()
        if columns is not None and not kind_of(self.grouped).has_choices:
            ids = [self.value_of(c.key) for c in columns if c.key != EMPTY]
            found.append(sa.or_(self.group_column.in_(ids), self.group_column.is_(None)))
        return found

    def fill_totals(self, columns: list[Column]) -> None:
        """Each column's count and sum: one grouped query."""
        measures: list[Any] = [sa.func.count(self.model.id)]
        if self.summed is not None:
            measures.append(sa.func.sum(self.column(self.summed)))
        query = sa.select(self.group_column, *measures).where(*self.conditions(columns)).group_by(self.group_column)
        by_key = {c.key: c for c in columns}
        for row in self.session.execute(query):
            column = by_key.get(self.key_of(row[0]))
            if column is not None:
                column.count = row[1]
                column.sum = self.shown_sum(row[2]) if self.summed is not None else None
        if self.summed is not None:
            for column in columns:
                column.sum = column.sum or self.shown_sum(0)

    def shown_sum(self, value: Any) -> str:
        """A column's sum in the field's format (money in its currency), 0 for a column without records."""
        summed = self.entity.field(self.summed or "")
        if summed is None:  # a standard column: id or version
            return str(value or 0)
        as_type = summed.value_type
        return field_type(as_type).format_value(replace(summed, type=as_type), value or 0) or "0"

    def cards(self, columns: list[Column]) -> list[Card]:
        """The first CARDS_PER_COLUMN cards of each column, in the board's order: one query (ranked per column),
        then one per reference the cards show."""
        order = self.order()
        rank = sa.func.row_number().over(partition_by=self.group_column, order_by=order).label("rank")
        ranked = sa.select(self.model.id, rank).where(*self.conditions(columns)).subquery()
        query = (
            sa.select(self.model)
            .join(ranked, ranked.c.id == self.model.id)
            .where(ranked.c.rank <= CARDS_PER_COLUMN)
            .order_by(*order)
            .options(*self.preloads(self.card_fields))
        )
        return [self.card(item) for item in self.session.scalars(query)]

    def order(self) -> list[Any]:
        """The cards' order: by rank when the board has one (records without a rank last), then by the order field
        (by id when the order field is hidden: the order would tell its values), newest last among equals; records
        without a value last."""
        ranked = [self.column(self.rank).asc().nulls_last()] if self.rank is not None else []
        name = self.definition.order_field
        if name in self.hidden:
            return [*ranked, self.model.id.desc()]
        column = self.column(name)
        first = column.desc() if self.definition.order_descending else column.asc()
        return [*ranked, first.nulls_last(), self.model.id.desc()]

    def card(self, item: Any) -> Card:
        names = self.card_fields
        texts = {name: self.text(item, name) for name in names}
        title = texts.get(self.definition.card[0]) or f"{self.entity.label.localized()} #{item.id}"
        lines = [(self.label(name), texts[name]) for name in names[1:] if texts[name]]
        return Card(item.id, item.version, self.key_of(getattr(item, self.group_column.key)), title, lines)
