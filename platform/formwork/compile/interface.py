"""FAB's SQLAInterface, loading the references a list shows in one extra query, not one per row."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.orm import Query, selectinload


class EntityInterface(SQLAInterface):
    def _apply_normal_col_select_option(self, query: Query, column: str) -> Query:
        if self.is_relation_many_to_one(column):
            return query.options(selectinload(getattr(self.obj, column)))
        return super()._apply_normal_col_select_option(query, column)
