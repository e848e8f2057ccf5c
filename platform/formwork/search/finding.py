"""Finding records by what a person typed: each entity's search fields, the entity's record rules and the reader's
field rights, a few records per entity.

Which entities are searched and how a hit links to its page is the caller's (search/views.py asks FAB's rights and
builds the URLs); this module only queries. One query per searched entity, each with a LIMIT, the title's reference
(when the title is one) loaded with one more query per entity, never one per record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..actor import Actor
from ..fields import kind_of
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef
from ..rights import hidden_fields, visible_condition

#: records shown per entity on the search page, and in the box's suggestions
PAGE_HITS, SUGGESTED_HITS = 5, 3
#: the longest text searched (a longer one is cut): a pasted paragraph is no search
LONGEST = 100


@dataclass(frozen=True)
class Found:
    """The records of one entity matching the text: (id, title) of at most `limit`, and whether there were more."""

    entity: EntityDef
    records: list[tuple[int, str]]
    more: bool


def search_fields(entity: EntityDef, catalog: Catalog, actor: Actor) -> list[FieldDef]:
    """The fields a text is looked for in: what the entity's list views search (each field once, in their order),
    else the fields a list's search box searches by default; never a field the definitions or `actor`'s roles hide,
    since a match would reveal its value."""
    named = [name for view in catalog.list_views_for(entity.qualified) for name in view.search]
    if not named:
        named = [f.name for f in entity.fields if kind_of(f).searched_by_default]
    hidden = hidden_fields(entity, actor)
    fields = (entity.field(name) for name in dict.fromkeys(named) if name not in hidden)
    return [f for f in fields if f is not None and not f.hidden and kind_of(f).searchable]


def find(session: Session, model: Any, fields: list[FieldDef], text: str, actor: Actor, limit: int) -> Found:
    """The newest records of `model` `actor` may see with `text` in one of `fields` (case-insensitive; % and _ are
    literal)."""
    entity: EntityDef = model.__entity__
    wanted = text.strip()[:LONGEST].lower()
    columns = [getattr(model, kind_of(f).attribute(f)) for f in fields]
    query = sa.select(model).where(sa.or_(*(sa.func.lower(c).contains(wanted, autoescape=True) for c in columns)))
    rules = visible_condition(model, actor)
    if rules is not None:
        query = query.where(rules)
    titled = _title_field(entity, actor)
    if titled is not None and kind_of(titled).refers_to_one:
        query = query.options(selectinload(getattr(model, titled.name)))
    rows = session.scalars(query.order_by(model.id.desc()).limit(limit + 1)).all()
    return Found(entity, [(row.id, _title(row, entity, titled)) for row in rows[:limit]], len(rows) > limit)


def _title_field(entity: EntityDef, actor: Actor) -> FieldDef | None:
    """The field that titles a record, unless `actor` may not see it (then a record is "<Entity> #<id>")."""
    if not entity.title_field or entity.title_field in hidden_fields(entity, actor):
        return None
    return entity.field(entity.title_field)


def _title(row: Any, entity: EntityDef, titled: FieldDef | None) -> str:
    return str(row) if titled is not None else f"{entity.label.localized()} #{row.id}"
