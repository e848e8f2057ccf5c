"""The list screens of an entity: each ListView definition served by the entity's one ModelView.

`/<table>/view/<name>/` shows a list view; its filter, the quick search and a
filter in the URL (`?where=`, compile/url_filters.py) apply to the rows, the
capped count, totals, group counts and the CSV/XLSX export. The active list view of a request sits on its `RequestState`
(formwork/actor.py), so no shared view state changes between requests. A list view meant for roles the user holds
none of is neither offered above the list nor opened (403; compile/audience.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import Response, abort, request
from flask_appbuilder import expose, has_access, permission_name
from flask_appbuilder.urltools import get_filter_args

from ..actor import RequestState, request_state
from ..adapters.fab import base_filters
from ..fields import field_type
from ..filters import actor_context, compile_filter
from ..rights import hidden_fields
from . import listing as listing_module
from .actors import request_actor
from .audience import meant_for, offered
from .listing import (
    EXPORT_TYPES,
    Listing,
    active_listing,
    column_formatter,
    export_response,
    group_counts,
    quick_search,
    totals,
    with_shown_references,
)
from .url_filters import WHERE, url_filter

if TYPE_CHECKING:
    from flask_appbuilder import ModelView as FabModelView  # FAB ships no types: what it provides is Any here

    from ..meta.catalog import Catalog
    from ..meta.model import EntityDef
    from .interface import EntityInterface
    from .models import CompiledModels
else:
    FabModelView = object

MAX_PAGE_SIZE = 500


class ListScreens(FabModelView):
    """Mixin for EntityModelView (which provides entity, compiled, listings, datamodel and FAB's list machinery)."""

    entity: EntityDef
    catalog: Catalog
    compiled: CompiledModels
    listings: dict[str, Listing]
    datamodel: EntityInterface

    @property
    def default_listing(self) -> Listing | None:
        return next(iter(self.listings.values()), None)

    @expose("/view/<name>/")
    @has_access
    @permission_name("list")
    def list_view(self, name: str) -> Any:
        _state().listing = self.listing_named(name)
        return self.list()

    @expose("/view/<name>/export/<kind>")
    @has_access
    @permission_name("export")
    def export(self, name: str, kind: str) -> Response:
        listing = self.listing_named(name)
        if kind not in EXPORT_TYPES:
            abort(404)
        self._activate(listing)
        query = self._filtered_query()
        field = self.entity.field(listing.definition.sort_field)
        order = getattr(
            self.datamodel.obj, field_type(field.type).attribute(field) if field else listing.definition.sort_field
        )
        actor = request_actor()
        if listing.definition.sort_field in hidden_fields(self.entity, actor):  # the order would tell hidden values
            order = self.datamodel.obj.id
        query = with_shown_references(query, self.datamodel.obj, listing, actor)
        query = query.order_by(order.desc() if listing.definition.sort_descending else order.asc())
        return export_response(query, listing, kind, actor)

    def listing_named(self, name: str) -> Listing:
        """The list view `name` for the signed-in user: 404 when the entity has none of that name, 403 when it is
        meant for roles the user holds none of (compile/audience.py)."""
        listing = self.listings.get(name) or abort(404)
        if not meant_for(listing.definition.roles, request_actor()):
            abort(403)
        return listing

    def shown_listings(self) -> list[Listing]:
        """The list views the signed-in user may open, those meant for one of their roles first."""
        return offered(self.listings.values(), request_actor())

    def _activate(self, listing: Listing) -> None:
        """Make `listing` the list this request shows: its filter and the quick search apply to rows, counts,
        totals and export."""
        state = _state()
        state.listing = listing
        actor = request_actor()
        conditions = []
        if listing.definition.filter is not None:
            context = actor_context(actor)
            conditions.append(compile_filter(listing.definition.filter, self.datamodel.obj, self.entity, context))
        text = request.args.get("q", "").strip()
        if text:
            conditions.append(quick_search(self.datamodel.obj, self.entity, listing, text, actor))
        conditions += self._url_filter(actor)
        if conditions:
            state.list_where = (self.datamodel.obj, sa.and_(*conditions))

    def _url_filter(self, actor: Any) -> list[Any]:
        """The filter of this request's URL (`?where=`), also on an entity without list views."""
        where = request.args.get(WHERE, "").strip()
        return [url_filter(where, self.datamodel.obj, self.entity, self.catalog, actor)] if where else []

    def _filtered_query(self) -> Any:
        """Every row the current list shows, on all pages: the search filters of this request only."""
        filters = self.datamodel.get_filters(self.search_columns)
        get_filter_args(filters)
        query = self.datamodel.session.query(self.datamodel.obj)
        return self.datamodel.apply_filters(query, filters.get_joined_filters(base_filters(self)))

    def _get_list_widget(
        self,
        filters: Any,
        actions: Any = None,
        order_column: str = "",
        order_direction: str = "",
        page: Any = None,
        page_size: Any = None,
        widgets: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """FAB's list widget, configured by the active list view instead of class attributes."""
        listing = active_listing(self.default_listing)
        if listing is None:
            if where := self._url_filter(request_actor()):
                _state().list_where = (self.datamodel.obj, where[0])
            return super()._get_list_widget(
                filters, actions, order_column, order_direction, page, page_size, widgets, **kwargs
            )
        self._activate(listing)
        actor = request_actor()
        columns = listing.columns(actor)
        sortable = self._sortable_columns()
        if order_column not in sortable:  # a sort asked for in the URL must be a sortable column the user may see
            order_column = (
                ""
                if listing.definition.sort_field in hidden_fields(self.entity, actor)
                else listing.definition.sort_field
            )
            order_direction = "desc" if listing.definition.sort_descending else "asc"
        page_size = min(page_size or listing.definition.page_size, MAX_PAGE_SIZE)
        joined = filters.get_joined_filters(base_filters(self))
        count, items = self.datamodel.query(joined, order_column, order_direction, page=page, page_size=page_size)
        widgets = widgets or {}
        values = list(self.datamodel.get_values(items, columns))  # FAB yields them: read them once
        formatters = self._listing_formatters(listing, columns)
        for column, currency_field in self._money_in_own_currency(columns):
            formatters.pop(column, None)
            for item, row in zip(items, values, strict=True):
                row[column] = field_type("money").format_value(  # type: ignore[call-arg]  # money's takes a currency
                    self.entity.declared_field(column), row[column], getattr(item, currency_field)
                )
        widgets["list"] = self.list_widget(
            label_columns=self.label_columns,
            include_columns=columns,
            value_columns=values,
            order_columns=sortable,
            formatters_columns=formatters,
            page=page,
            page_size=page_size,
            count=count,
            pks=self.datamodel.get_keys(items),
            actions=actions or self.actions,
            filters=filters,
            modelview_name=self.__class__.__name__,
            **kwargs,
        )
        query = self.datamodel.apply_filters(self.datamodel.session.query(self.datamodel.obj), joined)
        widgets["summary"] = {
            "listing": listing,
            "listings": self.shown_listings(),
            "endpoint": self.endpoint,
            "totals": totals(query, self.datamodel.obj, listing, actor),
            "groups": group_counts(query, self.datamodel.obj, listing, self.compiled, actor),
            "group_label": self.label_columns.get(listing.definition.group_by or "", ""),
            "capped": count > listing_module.COUNT_LIMIT,
            "count_limit": listing_module.COUNT_LIMIT,
        }
        return widgets

    def _sortable_columns(self) -> list[str]:
        """The columns the list may be sorted by for this user: the order of a hidden field would tell its values."""
        hidden = hidden_fields(self.entity, request_actor())
        return [c for c in self.order_columns if c not in hidden]

    def _listing_formatters(self, listing: Listing, columns: list[str]) -> dict[str, Any]:
        formats = listing.definition.formats
        found = {c: column_formatter(self.entity, c, formats.get(c)) for c in columns}
        return {c: f for c, f in found.items() if f is not None}

    def _money_in_own_currency(self, columns: list[str]) -> list[tuple[str, str]]:
        """(money column, the field holding its currency) for the columns shown."""
        found = []
        for column in columns:
            field = self.entity.field(column)
            if field is not None and field.options.get("currency_field"):  # only money takes it (JSON Schema)
                found.append((column, field.options["currency_field"]))
        return found


def _state() -> RequestState:
    state = request_state()
    assert state is not None, "a list screen is served in its request"
    return state
