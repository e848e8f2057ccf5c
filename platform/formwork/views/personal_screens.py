"""Personal list views on an entity's list screen: any user who may read the entity saves the list as they see it
(the columns they tick, the list's sort and filters) under a name, finds their views in the list's "My views"
menu, applies and deletes them. Nobody sees another's views.

A mixin of every entity's ModelView (views/feature.py): each route asks for the entity's `can_list`, as its lists do,
and the posts carry the CSRF token. A view is shown as the list view it was saved from, with its columns and sort:
the columns the user's roles hide are still left out, and the list view's filter and the record rules still apply.
A column is one the entity's list views show, or a field of its own value (a reference the list views do not show
is not offered: its title would come from a record the record rules were not asked about).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access, permission_name
from flask_login import current_user
from werkzeug.wrappers import Response

from ..actor import request_state
from ..compile.actors import request_actor
from ..compile.listing import Listing
from ..fields import kind_of
from ..rights import hidden_fields
from .personal import (
    NAME_LENGTH,
    PersonalView,
    delete_personal_view,
    filter_query,
    personal_view,
    personal_views,
    save_personal_view,
)
from .personal_labels import TEXT


def applied(base: Listing, view: PersonalView) -> Listing:
    """The list view `base` with the personal view's columns and sort."""
    definition = base.definition
    if view.sort:
        definition = replace(definition, sort_field=view.sort.lstrip("-"), sort_descending=view.sort.startswith("-"))
    return Listing(replace(definition, columns=list(view.columns)), base.entity)


class PersonalListViews:
    """Mixin for EntityModelView (which provides entity, listings, default_listing, label_columns, list() and FAB's
    list machinery)."""

    entity: Any
    listings: dict[str, Listing]
    default_listing: Listing | None
    label_columns: dict[str, Any]
    endpoint: str
    render_template: Any
    list: Any
    _sortable_columns: Any  # ListScreens's: the columns this user may sort by
    listing_named: Any  # ListScreens's: a list view the user may open (404 unknown, 403 meant for other roles)
    shown_listings: Any  # ListScreens's: the list views the user may open

    @expose("/mine/<int:view_id>/")
    @has_access
    @permission_name("list")
    def personal_list(self, view_id: int) -> Any:
        view = self._own(view_id)
        shown = {listing.name: listing for listing in self.shown_listings()}
        base = shown.get(view.listing) or self.default_listing  # its list view may since be meant for other roles
        if base is None:
            abort(404)
        request_state().listing = applied(base, view)  # type: ignore[union-attr]  # a list is served in a request
        return self.list()

    @expose("/mine/", methods=["POST"])
    @has_access
    @permission_name("list")
    def save_personal_list(self) -> Any:
        base = self.listing_named(request.form.get("listing", ""))
        name = request.form.get("name", "").strip()
        columns = [c for c in request.form.getlist("columns") if c]
        sort = request.form.get("sort", "").strip()
        query = filter_query(parse_qsl(request.form.get("query", "")))
        errors = self._errors(name, columns, sort)
        if errors:
            flash(TEXT["not_saved"].localized(), "danger")
            form = self._form(base, name, columns, sort, query)
            page = self.render_template(
                "formwork/views/personal_view.html",
                title=TEXT["title"].localized().format(list=base.title.localized()),
                P=TEXT,
                form=form,
                errors=errors,
            )
            return page, 400
        session = _session()
        view_id = save_personal_view(session, _user_id(), self.entity.qualified, base.name, name, columns, sort, query)
        session.commit()
        flash(TEXT["saved"].localized().format(name=name), "success")
        return redirect(self._url(view_id, query))

    @expose("/mine/<int:view_id>/delete", methods=["POST"])
    @has_access
    @permission_name("list")
    def delete_personal_list(self, view_id: int) -> Response:
        view = self._own(view_id)
        session = _session()
        delete_personal_view(session, _user_id(), self.entity.qualified, view.id)
        session.commit()
        flash(TEXT["deleted"].localized().format(name=view.name), "success")
        return redirect(url_for(f"{self.endpoint}.list_view", name=view.listing))

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
        """The list's widgets with the user's views and the form that saves the list as one."""
        found: dict[str, Any] = super()._get_list_widget(  # type: ignore[misc]
            filters, actions, order_column, order_direction, page, page_size, widgets, **kwargs
        )
        summary = found.get("summary")
        if summary is not None:
            listing: Listing = summary["listing"]
            arguments = list(request.args.items(multi=True))
            found["personal"] = {
                "views": [
                    (view, self._url(view.id, view.query))
                    for view in personal_views(_session(), _user_id(), self.entity.qualified)
                ],
                "active": (request.view_args or {}).get("view_id")
                if request.endpoint == f"{self.endpoint}.personal_list"
                else None,
                "delete_endpoint": f"{self.endpoint}.delete_personal_list",
                "texts": TEXT,
                "form": self._form(
                    listing, "", listing.columns(request_actor()), self._current_sort(listing), filter_query(arguments)
                ),
            }
        return found

    def _own(self, view_id: int) -> PersonalView:
        return personal_view(_session(), _user_id(), self.entity.qualified, view_id) or abort(404)

    def _url(self, view_id: int, query: str) -> str:
        url = url_for(f"{self.endpoint}.personal_list", view_id=view_id)
        return f"{url}?{query}" if query else url

    def _current_sort(self, listing: Listing) -> str:
        """The sort the list is shown in: the column the user clicked (FAB's arguments), else the list view's."""
        column = request.args.get(f"_oc_{self.__class__.__name__}")
        if column:
            return f"-{column}" if request.args.get(f"_od_{self.__class__.__name__}") == "desc" else column
        definition = listing.definition
        return f"-{definition.sort_field}" if definition.sort_descending else definition.sort_field

    def _columns(self) -> list[str]:
        """The columns the user may put in a view: those of the entity's list views, and its fields of one value
        of their own (no reference: its title would come from a record the record rules were not asked about)."""
        hidden = hidden_fields(self.entity, request_actor())
        listed = [c for listing in self.listings.values() for c in listing.definition.columns]
        own = [f.name for f in self.entity.fields if _plain(f)]
        return [
            c
            for c in dict.fromkeys([*listed, *own])
            if c not in hidden and ((f := self.entity.field(c)) is None or not f.hidden)
        ]

    def _errors(self, name: str, columns: list[str], sort: str) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if not name:
            errors["name"] = [TEXT["no_name"].localized()]
        elif len(name) > NAME_LENGTH:
            errors["name"] = [TEXT["long_name"].localized().format(length=NAME_LENGTH)]
        allowed = set(self._columns())
        wrong = [TEXT["not_a_column"].localized().format(field=c) for c in columns if c not in allowed]
        if wrong or not columns:
            errors["columns"] = wrong or [TEXT["no_columns"].localized()]
        if sort and sort.lstrip("-") not in self._sortable_columns():
            errors["sort"] = [TEXT["not_a_sort"].localized().format(field=sort.lstrip("-"))]
        return errors

    def _form(self, listing: Listing, name: str, columns: list[str], sort: str, query: str) -> dict[str, Any]:
        """What the save form shows: the columns the user may choose (the chosen ones first, in their order)."""
        chosen = [c for c in columns if c in self._columns()]
        return {
            "action": url_for(f"{self.endpoint}.save_personal_list"),
            "listing": listing.name,
            "name": name,
            "columns": [
                (c, self.label_columns.get(c, c), c in chosen) for c in dict.fromkeys([*chosen, *self._columns()])
            ],
            "sort": sort,
            "query": query,
        }


def _plain(field: Any) -> bool:
    kind = kind_of(field)
    return not (kind.refers_to_one or kind.refers_to_many or kind.holds_rows or kind.holds_file)


def _session() -> Any:
    return current_app.extensions["formwork"].session()


def _user_id() -> int:
    return int(current_user.id)
