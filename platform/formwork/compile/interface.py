"""FAB's SQLAInterface with what Formwork's lists need.

- the references a list shows are loaded in one extra query, not one per row;
- the active list view's filter is applied to every query of the list (rows,
  count, totals, export);
- counting stops at 10,001 rows, so a page on a huge table stays fast.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.orm import Query, selectinload

from ..fields.base import INTEGER_LIMIT
from .listing import capped_count


class EntityInterface(SQLAInterface):
    def __init__(self, obj: type, shown_references: list[str] | None = None) -> None:
        super().__init__(obj)
        self.shown_references = shown_references or []

    def apply_all(self, query: Query, *args: Any, **kwargs: Any) -> Query:
        """FAB's list screens pass no column list; preload the references their columns show."""
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*(selectinload(getattr(self.obj, name)) for name in self.shown_references))

    def apply_filters(self, query: Query, filters: Any) -> Query:
        query = super().apply_filters(query, filters)
        where = list_filter_of_request(self.obj)
        return query if where is None else query.filter(where)

    def get(self, id: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 - FAB's signature
        """A key that is not a storable whole number names no record (instead of a database error)."""
        try:
            key = int(id)
        except (TypeError, ValueError):
            return None
        if not 0 < key <= INTEGER_LIMIT:
            return None
        return super().get(key, *args, **kwargs)

    def query_count(self, query: Query, filters: Any = None, select_columns: Any = None) -> int:
        return capped_count(self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={}))


def list_filter_of_request(model: type) -> Any:
    """The SQL condition of the list view this request shows for `model`, if any."""
    if not has_request_context():
        return None
    filtered, where = getattr(g, "formwork_list_where", (None, None))
    return where if filtered is model else None
