"""The queries every view kind makes for one viewer: the view's entity and model, the fields the viewer's roles
hide, the conditions every query carries (the view's filter and the viewer's record rules), and a record's fields as
the reader reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..actor import Actor
from ..compile.listing import column_formatter
from ..fields import field_type, kind_of
from ..filters import actor_context, compile_filter
from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..rights import hidden_fields, visible_condition
from .base import ViewDef


class ViewQuery:
    """One view's queries for one viewer, in the tenant's session."""

    def __init__(self, definition: Any, catalog: Catalog, compiled: Any, session: Session, actor: Actor) -> None:
        self.definition: Any = definition
        self.catalog, self.compiled, self.session, self.actor = catalog, compiled, session, actor
        self.entity: EntityDef = catalog.entities[definition.entity]
        self.model: Any = compiled.model(self.entity.qualified)
        self.hidden = hidden_fields(self.entity, actor)

    def conditions(self) -> list[Any]:
        """The view's filter and the viewer's record rules."""
        view: ViewDef = self.definition
        found = []
        if view.filter is not None:
            found.append(compile_filter(view.filter, self.model, self.entity, actor_context(self.actor)))
        rules = visible_condition(self.model, self.actor)
        if rules is not None:
            found.append(rules)
        return found

    def find(self, record_id: Any) -> Any:
        """The record if the view shows it to the viewer (its filter, their record rules), else None."""
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            return None
        return self.session.scalar(sa.select(self.model).where(self.model.id == record_id, *self.conditions()))

    def shown(self, names: Iterable[str]) -> list[str]:
        """`names` without the fields the viewer's roles hide."""
        return [name for name in names if name not in self.hidden]

    def preloads(self, names: Iterable[str]) -> list[Any]:
        """One query per reference among `names` (account, owner…), not one per record."""
        found = []
        for name in names:
            shown = self.entity.field(name)
            if shown is not None and kind_of(shown).refers_to_one:
                found.append(selectinload(getattr(self.model, name)))
        return found

    def text(self, item: Any, name: str) -> str:
        """One field as the reader reads it: a choice by its label, a record by its title, numbers, money and dates
        in the reader's format; nothing for an empty value."""
        shown = self.entity.field(name)
        value = getattr(item, name, None)
        if value is None or value == "":
            return ""
        if shown is not None and kind_of(shown).has_choices and not kind_of(shown).holds_list:
            choice = next((c for c in shown.choices if c.value == value), None)
            return choice.label.localized() if choice else str(value)
        formatter: Callable[[Any], Any] | None = column_formatter(self.entity, name, None)
        return str(formatter(value) if formatter else value)

    def label(self, name: str) -> Label:
        shown = self.entity.field(name)
        return shown.label if shown is not None else Label(name.replace("_", " ").capitalize())

    def column(self, name: str) -> Any:
        """The model's column of field (or standard column) `name`."""
        found = self.entity.field(name)
        return getattr(self.model, field_type(found.type).attribute(found) if found is not None else name)
