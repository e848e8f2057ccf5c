"""FAB's SQLAInterface with what Formwork's lists need.

- the references a list shows are loaded in one extra query, not one per row;
- the active list view's filter is applied to every query of the list (rows,
  count, totals, export);
- counting stops at 10,001 rows, so a page on a huge table stays fast;
- the signed-in user's record rules (`access.visible_condition`) limit every
  query, so a record outside them is not found (404) on every path;
- a save the database refuses is reported in words, never with its SQL;
- a save the record lifecycle refuses is kept for the request (`refusal`), so the
  form shows why at its fields (compile/forms.py).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Query, selectinload

from ..actor import request_state
from ..adapters.fab import filtered_query
from ..fields.base import INTEGER_LIMIT
from ..rights import hidden_fields, visible_condition
from .actors import request_actor
from .lifecycle import RecordConflict, RecordInUse, RecordRejected, delete_record, save_assigned_record
from .listing import capped_count
from .logic import FieldErrors
from .records import BEING_UPDATED, NOT_SAVED, RecordNotSaved

#: the request's cache: why the record lifecycle refused a screen's save, by model
REFUSED = "refused save"


class EntityInterface(SQLAInterface):
    def __init__(self, obj: type, shown_references: list[str] | None = None) -> None:
        super().__init__(obj)
        self.shown_references = shown_references or []

    def apply_all(self, query: Query, *args: Any, **kwargs: Any) -> Query:
        """FAB's list screens pass no column list; preload the references their columns show."""
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*(selectinload(getattr(self.obj, name)) for name in self.shown_references))

    def apply_filters(self, query: Query, filters: Any) -> Query:
        """Every query FAB builds passes here (lists, get, counts): the user's record rules and the active list
        view's filter apply to all of them. FAB also builds one for a related model that is no entity (the
        users a user field offers), which has no rules."""
        entity = getattr(self.obj, "__entity__", None)
        if entity is None:
            return super().apply_filters(query, filters)
        actor = request_actor()  # FAB's data access serves one request: its boundary
        query = super().apply_filters(query, without_hidden_columns(filters, hidden_fields(entity, actor)))
        for where in (visible_condition(self.obj, actor), list_filter_of_request(self.obj)):
            if where is not None:
                query = query.filter(where)
        return query

    def get(self, id: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 - FAB's signature
        """A key that is not a storable whole number names no record (instead of a database error)."""
        try:
            key = int(id)
        except (TypeError, ValueError):
            return None
        if not 0 < key <= INTEGER_LIMIT:
            return None
        return super().get(key, *args, **kwargs)

    def add(self, item: Any, commit: bool = True) -> None:
        """A screen's new record through the record lifecycle; FAB shows the text of whatever this raises, so the
        user reads why in words, never the database's SQL."""
        if hasattr(self.obj, "__entity__"):
            self._save(item, commit)
        else:
            super().add(item, commit)

    def edit(self, item: Any, commit: bool = True) -> None:
        """A screen's edit through the record lifecycle (FAB answers any failure with its database-error message, but
        the form shows a refusal of the lifecycle instead: `refusal`)."""
        if hasattr(self.obj, "__entity__"):
            self._save(item, commit)
        else:
            super().edit(item, commit)

    def _save(self, item: Any, commit: bool) -> None:
        runtime = current_app.extensions["formwork"]
        entity = self.obj.__entity__
        try:
            save_assigned_record(runtime, request_actor(), entity, item, session=self.session)
            if commit:
                self.session.commit()
        except RecordRejected as rejected:  # what a hook assigned broke a rule, or a value filled on flush is taken
            self.session.rollback()
            _refusals()[self.obj] = rejected.errors
            raise RecordNotSaved(
                "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in rejected.errors.items())
            ) from None
        except (RecordConflict, SQLAlchemyError) as exc:
            self.session.rollback()
            moved = has_app_context() and runtime.storage_moved()
            raise RecordNotSaved((BEING_UPDATED if moved else NOT_SAVED).localized()) from exc

    def refusal(self) -> FieldErrors:
        """Why the record lifecycle refused this request's save of a record (empty when it did not): FAB only
        flashes a fixed text and leaves the form, so the form asks here to show the refusal at its fields."""
        return _refusals().get(self.obj, {})

    def delete(self, item: Any, commit: bool = True) -> None:
        """A screen's delete through the record lifecycle (compile/lifecycle.py): a record that is locked, still
        referred to or in approval stays, and FAB shows the user why (the text of what this raises)."""
        entity = getattr(self.obj, "__entity__", None)
        if entity is None:
            return super().delete(item, commit)
        runtime = current_app.extensions["formwork"]
        try:
            delete_record(runtime, request_actor(), entity, item, session=self.session)
            if commit:
                self.session.commit()
        except (RecordInUse, RecordConflict):
            self.session.rollback()
            raise

    def query_count(self, query: Query, filters: Any = None, select_columns: Any = None) -> int:
        return capped_count(filtered_query(self, query, filters, select_columns))


def _refusals() -> dict[Any, FieldErrors]:
    state = request_state()
    assert state is not None, "a screen saves in its request"
    return state.cache(REFUSED)


def without_hidden_columns(filters: Any, hidden: set[str]) -> Any:
    """FAB's search filters (screen `_flt_…`, API `filters`) minus those on fields hidden from the user: a filter
    on a value one may not see would reveal it, one question at a time."""
    if not filters or not hidden or all(f.column_name not in hidden for f in filters.filters):
        return filters
    kept = filters.copy()
    pairs = [(f, v) for f, v in zip(kept.filters, kept.values, strict=True) if f.column_name not in hidden]
    kept.filters, kept.values = [f for f, _ in pairs], [v for _, v in pairs]
    return kept


def list_filter_of_request(model: type) -> Any:
    """The SQL condition of the list view this request shows for `model`, if any."""
    state = request_state()
    if state is None or state.list_where is None:
        return None
    filtered, where = state.list_where
    return where if filtered is model else None
