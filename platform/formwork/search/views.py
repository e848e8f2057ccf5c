"""`/search/?q=`: the records matching a text across the entities the user may open, and `/search/suggest?q=` the
same as JSON for the top bar's box (static/layout.js). One FAB right opens both, `can_search` on `Search`, which every
pack role holds (search/feature.py); which entities are searched follows the user's `can_show` right on each, and
the records their record rules and field rights (search/finding.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import current_app, jsonify, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from flask_appbuilder.security.decorators import has_access_api

from ..compile.actors import request_actor
from ..compile.views import EntityModelView
from .finding import PAGE_HITS, SUGGESTED_HITS, Found, find, search_fields
from .labels import TEXT
from .rights import PERMISSION, VIEW


def readable_screens(appbuilder: AppBuilder) -> Iterator[EntityModelView]:
    """The entity screens whose records the user may open, in menu order (packs, then their entities)."""
    sm = appbuilder.sm
    for view in appbuilder.baseviews:
        if isinstance(view, EntityModelView) and sm.has_access("can_show", view.class_permission_name):
            yield view


def searched(text: str, per_entity: int) -> list[tuple[EntityModelView, Found]]:
    """(screen, what it found) for every readable entity with a match, in menu order."""
    if not text.strip():
        return []
    actor = request_actor()
    runtime = current_app.extensions["formwork"]
    session = runtime.session()
    results = []
    for view in readable_screens(current_app.appbuilder):  # type: ignore[attr-defined]  # FAB sets it on the app
        fields = search_fields(view.entity, runtime.catalog, actor)
        if not fields:
            continue
        found = find(session, view.datamodel.obj, fields, text, actor, per_entity)
        if found.records:
            results.append((view, found))
    return results


def record_url(view: EntityModelView, pk: int) -> str:
    return url_for(f"{view.endpoint}.show", pk=pk)


def list_url(view: EntityModelView, text: str) -> str | None:
    """The entity's list searched for `text` (its quick search), when the user may open the list."""
    if not current_app.appbuilder.sm.has_access("can_list", view.class_permission_name):  # type: ignore[attr-defined]
        return None
    return url_for(f"{view.endpoint}.list", q=text)


class SearchView(BaseView):
    """/search/: the search page; /search/suggest: what the top bar's box offers as the user types."""

    route_base = "/search"
    default_view = "search"
    class_permission_name = VIEW
    base_permissions = [PERMISSION]

    @expose("/")
    @has_access
    @permission_name("search")
    def search(self) -> Any:
        text = request.args.get("q", "").strip()
        groups = [
            {
                "label": found.entity.plural,
                "records": [(title, record_url(view, pk)) for pk, title in found.records],
                "more": list_url(view, text) if found.more else None,
            }
            for view, found in searched(text, PAGE_HITS)
        ]
        return self.render_template("formwork/search/results.html", title=TEXT["search"], T=TEXT, q=text, groups=groups)

    @expose("/suggest")
    @has_access_api
    @permission_name("search")
    def suggest(self) -> Any:
        """{results: [{entity, title, url}]}: a few records per entity, for the box's list of suggestions."""
        text = request.args.get("q", "").strip()
        results = [
            {"entity": found.entity.plural.localized(), "title": title, "url": record_url(view, pk)}
            for view, found in searched(text, SUGGESTED_HITS)
            for pk, title in found.records
        ]
        return jsonify(results=results)


def register_search(appbuilder: AppBuilder) -> None:
    appbuilder.add_view_no_menu(SearchView)


def search_box() -> dict[str, Any] | None:
    """The top bar's search box (a TopBarPart): for a user who may search."""
    appbuilder = current_app.appbuilder  # type: ignore[attr-defined]
    if not request_actor().signed_in or not appbuilder.sm.has_access(PERMISSION, VIEW):
        return None
    return {
        "action": url_for("SearchView.search"),
        "suggest": url_for("SearchView.suggest"),
        "q": request.args.get("q", "") if request.endpoint == "SearchView.search" else "",
        "T": TEXT,
    }
