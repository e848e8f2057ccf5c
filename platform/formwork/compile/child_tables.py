"""A record's child tables as people read them: the rows under the child's list columns, with totals.

The show page puts each in place of its row count and the approval panel shows them on the edit page, so an
approver sees what they approve. A table is read with one query (the references it shows joined in), under the
child entity's record rules and field rights for the request's actor (a table is part of a screen: the request is
its boundary), and once per request whoever shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import render_template
from markupsafe import Markup
from sqlalchemy.orm import Session, joinedload

from ..actor import Actor, request_state
from ..fields import field_type, kind_of
from ..fields.child_table import (
    column_total,
    display_cell,
    display_columns,
    parent_field_of,
    related_columns,
)
from ..fields.rollup import rollup_source
from ..i18n import CatalogText, Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef
from ..rights import hidden_fields, visible_condition
from .actors import request_actor

TOTAL = CatalogText("Total")
NO_ROWS = CatalogText("No rows.")


@dataclass(frozen=True)
class ChildTable:
    field: FieldDef
    columns: list[FieldDef]
    rows: list[list[Any]]  # formatted cells, one list per row
    totals: dict[str, Any]  # column -> formatted sum, for number columns
    rollups: list[tuple[Label, str]]  # the parent's rollups over these rows that no column total already shows

    def __html__(self) -> str:
        """A table shows itself wherever a template puts it (escaped cells, labels in the reader's language)."""
        return Markup(render_template("formwork/child_table.html", table=self, total=TOTAL, no_rows=NO_ROWS))


def child_tables(session: Session, catalog: Catalog, models: Any, item: Any) -> dict[str, ChildTable]:
    """The child tables of `item` the reader may see, by field name; read once per request."""
    entity: EntityDef = item.__entity__
    actor = request_actor()
    state = request_state()
    cache = state.cache("child_tables") if state is not None else {}
    key = (actor.user_id, entity.qualified, item.id)
    if key not in cache:
        hidden = hidden_fields(entity, actor)
        cache[key] = {
            f.name: _read(session, catalog, models, entity, f, item, actor)
            for f in entity.fields
            if kind_of(f).holds_rows and f.name not in hidden and not f.hidden
        }
    return cache[key]


def _read(
    session: Session, catalog: Catalog, models: Any, parent: EntityDef, field: FieldDef, item: Any, actor: Actor
) -> ChildTable:
    assert field.target is not None  # the definition schema requires a child table's target
    child = catalog.entities[field.target]
    link = parent_field_of(field, child, parent.qualified)
    views = catalog.list_views_for(child.qualified)
    columns = display_columns(child, link, list(views[0].columns) if views else None, hidden_fields(child, actor))
    model = models.model(child.qualified)
    query = sa.select(model).where(getattr(model, f"{link}_id") == item.id).order_by(model.id)
    query = query.options(*(joinedload(getattr(model, name)) for name in related_columns(columns)))
    visible = visible_condition(model, actor)
    rows = list(session.scalars(query if visible is None else query.where(visible)).unique())
    totals = {f.name: total for f in columns if (total := column_total(f, rows)) is not None}
    return ChildTable(
        field,
        columns,
        [[display_cell(f, row) for f in columns] for row in rows],
        totals,
        _rollups_over(parent, child.qualified, link, totals, item, actor),
    )


def _rollups_over(
    parent: EntityDef, child: str, link: str, totals: dict[str, Any], item: Any, actor: Actor
) -> list[tuple[Label, str]]:
    """The parent's rollups over these rows, but for a plain sum of a column the table already adds up."""
    hidden, found = hidden_fields(parent, actor), []
    for f in parent.fields:
        if not kind_of(f).aggregates_records or rollup_source(f) != (child, link) or f.name in hidden or f.hidden:
            continue
        options = f.options
        if options["aggregate"] == "sum" and options.get("field") in totals and options.get("filter") is None:
            continue
        found.append((f.label, field_type(f.type).format_value(f, getattr(item, f.name))))
    return found
