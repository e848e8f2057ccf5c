"""A record's related lists: the records of other entities whose reference field points at it (an account's
contacts and opportunities), shown as tabs of its page with their count and an Add button.

A list is shown only to a viewer who may list the referring entity, and only when the reference field itself is
not hidden from them (the list would tell which records point here). Its rows and its count follow the referring
entity's record rules for the request's actor, its columns the entity's first list view under the actor's field
rights. Each list costs two queries, whatever the number of rows: the newest rows (the references they show
joined in) and the count. A child table's link to its parent is not a related list: the page shows those rows in
place already (compile/child_tables.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session, joinedload

from ..actor import Actor
from ..fields import kind_of
from ..fields.child_table import display_cell, display_columns, parent_field_of, related_columns
from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef
from ..rights import hidden_fields, visible_condition
from .models import CompiledModels, class_name

#: how many of the newest referring records a related list shows (the count says how many there are)
RELATED_ROWS = 20
#: the query parameter an add form reads a field's first value from: `?fill.account=7` (compile/views.py)
FILL_PREFIX = "fill."


@dataclass(frozen=True)
class RelatedRow:
    cells: list[Any]  # formatted as lists format them
    url: str | None  # the record's page, for a viewer who may open it


@dataclass(frozen=True)
class RelatedList:
    """The records of `entity` whose `field` names the record, as one tab of its page."""

    entity: EntityDef
    field: FieldDef
    label: Label | str
    columns: list[FieldDef]
    rows: list[RelatedRow]
    count: int
    add_url: str | None  # the entity's add form with the reference filled in, for a viewer who may add

    @property
    def key(self) -> str:
        """What tells this list apart on the page (an entity may refer to the record through several fields)."""
        return f"{self.entity.table}-{self.field.name}"


def referring_fields(catalog: Catalog, entity: EntityDef) -> list[tuple[EntityDef, FieldDef]]:
    """(entity, reference field) for every reference to `entity` in the catalog, child tables' links excepted."""
    child_links = {
        (f.target, parent_field_of(f, catalog.entities[f.target], entity.qualified))
        for f in entity.fields
        if kind_of(f).holds_rows and f.target in catalog.entities
    }
    return [
        (other, f)
        for other in catalog.entities.values()
        for f in other.fields
        if kind_of(f).refers_to_record and f.target == entity.qualified and (other.qualified, f.name) not in child_links
    ]


def related_lists(
    session: Session, catalog: Catalog, compiled: CompiledModels, item: Any, actor: Actor, may: Any
) -> list[RelatedList]:
    """The related lists of `item` its viewer may see; `may(permission, view_name)` asks the viewer's rights."""
    entity: EntityDef = item.__entity__
    found = []
    for other, field in referring_fields(catalog, entity):
        view = f"{class_name(other)}View"
        if other.qualified not in compiled.models or not may("can_list", view):
            continue
        hidden = hidden_fields(other, actor)
        if field.name in hidden or field.hidden:
            continue
        found.append(_read(session, catalog, compiled.model(other.qualified), field, item, actor, hidden, may))
    return _labelled(found)


def _read(
    session: Session,
    catalog: Catalog,
    model: Any,
    field: FieldDef,
    item: Any,
    actor: Actor,
    hidden: set[str],
    may: Any,
) -> RelatedList:
    other: EntityDef = model.__entity__
    views = catalog.list_views_for(other.qualified)
    columns = display_columns(other, field.name, list(views[0].columns) if views else None, hidden)
    refers = getattr(model, f"{field.name}_id") == item.id
    visible = visible_condition(model, actor)
    conditions = [refers] if visible is None else [refers, visible]
    query = sa.select(model).where(*conditions).order_by(model.id.desc()).limit(RELATED_ROWS)
    query = query.options(*(joinedload(getattr(model, name)) for name in related_columns(columns)))
    records = list(session.scalars(query).unique())
    count = len(records)
    if count == RELATED_ROWS:  # there may be more: count them
        count = session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions)) or 0
    view = f"{class_name(other)}View"
    show = may("can_show", view)
    rows = [
        RelatedRow([display_cell(f, record) for f in columns], url_for(f"{view}.show", pk=record.id) if show else None)
        for record in records
    ]
    add_url = url_for(f"{view}.add", **{f"{FILL_PREFIX}{field.name}": item.id}) if may("can_add", view) else None
    return RelatedList(other, field, other.plural, columns, rows, count, add_url)


def _labelled(lists: list[RelatedList]) -> list[RelatedList]:
    """Lists of an entity referring through several fields are told apart by the field: "Contracts (Signed by)"."""
    entities = [related.entity.qualified for related in lists]
    return [
        related
        if entities.count(related.entity.qualified) == 1
        else replace(related, label=f"{related.entity.plural.localized()} ({related.field.label.localized()})")
        for related in lists
    ]
