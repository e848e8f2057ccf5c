"""FAB's SQLAInterface, loading the references a list shows in one extra query, not one per row."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.orm import Query, selectinload


class EntityInterface(SQLAInterface):
    def __init__(self, obj: type, shown_references: list[str] | None = None) -> None:
        super().__init__(obj)
        self.shown_references = shown_references or []

    def apply_all(self, query: Query, *args: Any, **kwargs: Any) -> Query:
        """FAB's list screens pass no column list; preload the references their columns show."""
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*(selectinload(getattr(self.obj, name)) for name in self.shown_references))
