"""The timeline screens: `/<table>/timeline/<pack>.<name>/` and its JSON endpoint, routes of the entity's ModelView
(views/screens.py says which rights each needs). The endpoint answers JSON: 200 with the bar as saved, or the
refusal's status (400 with the lifecycle's message, 404, 409) and its message, which the page shows while the bar
goes back to its dates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, jsonify, url_for
from flask_appbuilder import expose, has_access, permission_name
from flask_appbuilder.security.decorators import has_access_api
from werkzeug.wrappers import Response

from ...i18n import current_locale
from ..saving import Refused
from ..screens import ViewScreens, json_body, refusal, tenant_runtime
from .chart import BARS, Chart, ChartQuery, bar_data
from .checks import timeline_problems
from .definition import ZOOMS, TimelineViewDef
from .labels import TEXT
from .reschedule import reschedule

PAGE = "formwork/views/timeline.html"


class TimelineScreens(ViewScreens):
    """The timeline routes of an entity's ModelView."""

    @expose("/timeline/<name>/")
    @has_access
    @permission_name("list")
    def timeline(self, name: str) -> Any:
        definition = self._definition(name)
        problems = timeline_problems(definition, tenant_runtime().catalog)
        if problems:
            return self._page(definition, None, TEXT["timeline_failed"].localized().format(problem=problems[0][1]))
        return self._page(definition, self._query(definition).chart(self.may("can_edit")), None)

    @expose("/timeline/<name>/reschedule", methods=["POST"])
    @has_access_api
    @permission_name("edit")
    def timeline_reschedule(self, name: str) -> Response:
        """Body `{"id": …, "start": …, "end": …, "version": …}`: the record saved with those dates."""
        query, body = self._query(self._definition(name)), json_body()
        try:
            record = reschedule(
                query, tenant_runtime(), body.get("id"), body.get("start"), body.get("end"), body.get("version")
            )
            bar = bar_data(query.bar(record), self._record_urls())
            query.session.commit()
        except Refused as refused:
            return refusal(refused)
        return jsonify(bar)

    # -- helpers -------------------------------------------------------------------------------------------------
    def _definition(self, name: str) -> TimelineViewDef:
        return self.view_definition("timeline_views", name)

    def _query(self, definition: TimelineViewDef) -> ChartQuery:
        query: ChartQuery = self.query_for(ChartQuery, definition)
        if {definition.start, definition.end, definition.group_by} & query.hidden:  # bars would tell hidden values
            abort(403)
        return query

    def _record_urls(self) -> Callable[[int], str]:
        """Each bar's record page: the show route (`…/show/<pk>`) built once and each id put at its end, as building
        it for every bar took a third of a 500-bar page's time."""
        head = self.show_url(0).removesuffix("0")
        return lambda pk: f"{head}{pk}"

    def _page(self, definition: TimelineViewDef, chart: Chart | None, problem: str | None) -> Any:
        view = self.__class__.__name__
        record_url = self._record_urls()
        return self.render_template(
            PAGE,
            title=definition.label,
            definition=definition,
            chart=chart,
            data=chart.data(record_url) if chart is not None else None,
            problem=problem,
            T=TEXT,
            zooms=ZOOMS,
            language=current_locale(),
            reschedule_url=url_for(f"{view}.timeline_reschedule", name=definition.qualified),
            list_url=url_for(f"{view}.list"),
            record_url=record_url,
            bars=BARS,
        )
