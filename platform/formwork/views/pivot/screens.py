"""The pivot screens: `/<table>/pivot/<pack>.<name>/` (the table, the page's filters in the query string) and
`/<table>/pivot/<pack>.<name>/export` (the same table as XLSX), routes of the entity's ModelView. The page needs the
entity's `can_list`, the export its `can_export`; a cell links to the entity's list filtered to exactly the cell's
records (`?where=`, compile/url_filters.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, request, url_for
from flask_appbuilder import expose, has_access, permission_name

from ...compile.url_filters import WHERE
from ..screens import ViewScreens, tenant_runtime
from .checks import pivot_problems
from .definition import PivotViewDef
from .export import XLSX, download_name, workbook
from .labels import TEXT
from .table import FILTER_PREFIX, Link, Pivot, PivotQuery, filter_json

PAGE = "formwork/views/pivot.html"


class PivotScreens(ViewScreens):
    """The pivot routes of an entity's ModelView (which provides `listings`, its list views). The helpers are named
    `_pivot_…`: the view kinds are mixins of one class, so their names must not meet."""

    listings: dict[str, Any]
    shown_listings: Any  # ListScreens's: the list views the viewer may open

    @expose("/pivot/<name>/")
    @has_access
    @permission_name("list")
    def pivot(self, name: str) -> Any:
        definition = self._pivot_definition(name)
        pivot, status = self._pivot_table(definition, self._pivot_link())
        view = self.__class__.__name__
        export_url = None
        if pivot.problem is None and self.may("can_export"):
            arguments: dict[str, Any] = {"name": definition.qualified, **self._pivot_picked()}
            export_url = url_for(f"{view}.pivot_export", **arguments)
        page = self.render_template(
            PAGE,
            title=definition.label,
            definition=definition,
            pivot=pivot,
            T=TEXT,
            filter_prefix=FILTER_PREFIX,
            export_url=export_url,
            list_url=url_for(f"{view}.list"),
        )
        return page if status == 200 else (page, status)

    @expose("/pivot/<name>/export")
    @has_access
    @permission_name("export")
    def pivot_export(self, name: str) -> Any:
        pivot, status = self._pivot_table(self._pivot_definition(name), None)
        if pivot.problem is not None:
            return Response(pivot.problem, status if status != 200 else 400, mimetype="text/plain")
        return Response(workbook(pivot), mimetype=XLSX, headers={"Content-Disposition": download_name(pivot)})

    # -- helpers -------------------------------------------------------------------------------------------------
    def _pivot_definition(self, name: str) -> PivotViewDef:
        return self.view_definition("pivot_views", name)

    def _pivot_picked(self) -> dict[str, str]:
        """The page's filters of this request: `f.<field>` query parameters."""
        return {key: value for key, value in request.args.items() if key.startswith(FILTER_PREFIX)}

    def _pivot_table(self, definition: PivotViewDef, link: Link | None) -> tuple[Pivot, int]:
        """The table for the viewer, or a pivot carrying the problem that stops it (and the status to answer)."""
        problems = pivot_problems(definition, tenant_runtime().catalog)
        if problems:
            failed = Pivot(definition, [], None, [], [])
            failed.problem = TEXT["pivot_failed"].localized().format(problem=problems[0][1])
            return failed, 200
        query: PivotQuery = self.query_for(PivotQuery, definition)
        query.filters = [
            query.page_filter(name, self._pivot_picked().get(FILTER_PREFIX + name, "")) for name in query.filtered
        ]
        hidden = query.hidden_dimension
        if hidden is not None:
            refused = Pivot(definition, [], None, [], [])
            refused.problem = TEXT["hidden_dimension"].localized().format(field=hidden)
            return refused, 403
        return query.pivot(link), 200

    def _pivot_link(self) -> Link:
        """The list a cell opens: the first list view the viewer may open without a filter of its own (so that it
        shows exactly the cell's records), else its default list. Its URL is built once, each cell adding its filter."""
        view = self.__class__.__name__
        unfiltered = next((found.name for found in self.shown_listings() if found.definition.filter is None), None)
        base = url_for(f"{view}.list") if unfiltered is None else url_for(f"{view}.list_view", name=unfiltered)
        return lambda where: f"{base}?{urlencode({WHERE: filter_json(where)})}"
