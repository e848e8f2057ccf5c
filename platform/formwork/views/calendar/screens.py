"""The calendar screens: `/<table>/calendar/<pack>.<name>/`, its events for a range and its moves, routes of the
entity's ModelView (views/screens.py says which rights each needs). The events endpoint answers FullCalendar's
`start`/`end` with `{events, capped, message}`; the move endpoint 200 with the record's new version, or the
refusal's status (400 with the lifecycle's message, 404, 409) and its message, which the page shows while the event
goes back where it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, jsonify, request, url_for
from flask_appbuilder import expose, has_access, permission_name
from flask_appbuilder.security.decorators import has_access_api
from werkzeug.wrappers import Response

from ...compile.related_lists import FILL_PREFIX
from ...formatting import tenant_zone
from ...i18n import current_locale
from ..saving import Refused
from ..screens import ViewScreens, json_body, refusal, tenant_runtime
from .checks import calendar_problems
from .definition import UNITS, CalendarViewDef
from .events import WALL_CLOCK, EventQuery, Window, wall_clock
from .labels import TEXT
from .moves import move_event

PAGE = "formwork/views/calendar.html"
#: where a record's id goes in the address of its page, filled in per event
ID_SLOT = "__id__"
#: FullCalendar's views for the definitions' `view`, for all-day and for timed calendars
FULLCALENDAR_VIEWS = {
    True: {"month": "dayGridMonth", "week": "dayGridWeek", "day": "dayGridDay"},
    False: {"month": "dayGridMonth", "week": "timeGridWeek", "day": "timeGridDay"},
}
#: FullCalendar's locale for a language whose code is not its own (its other locales are named as Babel's)
FULLCALENDAR_LOCALES = {"zh": "zh-cn"}


class CalendarScreens(ViewScreens):
    """The calendar routes of an entity's ModelView."""

    @expose("/calendar/<name>/")
    @has_access
    @permission_name("list")
    def calendar(self, name: str) -> Any:
        definition = self._definition(name)
        problems = calendar_problems(definition, tenant_runtime().catalog)
        if problems:
            return self._page(definition, None, TEXT["calendar_failed"].localized().format(problem=problems[0][1]))
        return self._page(definition, self._query(definition), None)

    @expose("/calendar/<name>/events")
    @has_access_api
    @permission_name("list")
    def calendar_events(self, name: str) -> Response:
        """`?start=…&end=…` (FullCalendar's range, the tenant's wall-clock time): the events reaching into it."""
        query = self._query(self._definition(name))
        try:
            window = Window(wall_clock(request.args["start"]), wall_clock(request.args["end"]))
        except (KeyError, ValueError):
            return refusal(Refused(400, TEXT["bad_range"].localized()))
        found = query.events(window, self._record_url(), ID_SLOT)
        message = TEXT["capped"].localized().format(shown=len(found.events)) if found.capped else ""
        return jsonify(events=found.events, capped=found.capped, message=message)

    @expose("/calendar/<name>/move", methods=["POST"])
    @has_access_api
    @permission_name("edit")
    def calendar_move(self, name: str) -> Response:
        """Body `{"id": …, "start": …, "end": …, "version": …}`: the event's record saved at its new time."""
        query, body = self._query(self._definition(name)), json_body()
        try:
            record = move_event(
                query, tenant_runtime(), body.get("id"), body.get("start"), body.get("end"), body.get("version")
            )
            record_id, version = record.id, record.version
            query.session.commit()
        except Refused as refused:
            return refusal(refused)
        return jsonify(id=record_id, version=version)

    # -- helpers -------------------------------------------------------------------------------------------------
    def _definition(self, name: str) -> CalendarViewDef:
        return self.view_definition("calendar_views", name)

    def _query(self, definition: CalendarViewDef) -> EventQuery:
        query: EventQuery = self.query_for(EventQuery, definition)
        if definition.start in query.hidden:  # where the events stand would tell the hidden values
            abort(403)
        return query

    def _record_url(self) -> str:
        """An event opens its record's edit form when the viewer may edit (the keyboard's way to move it), else its
        page."""
        page = "edit" if self.may("can_edit") else "show"
        return url_for(f"{self.__class__.__name__}.{page}", pk=ID_SLOT)

    def _page(self, definition: CalendarViewDef, query: EventQuery | None, problem: str | None) -> Any:
        view = self.__class__.__name__
        settings: dict[str, Any] = {}
        if query is not None:
            movable, resizable, addable = query.allowed(self.may("can_edit"), self.may("can_add"))
            settings = {
                "movable": movable,
                "resizable": resizable,
                "legend": query.legend(),
                "all_day": query.all_day,
                "initial_view": FULLCALENDAR_VIEWS[query.all_day][definition.initial_view],
                "add_url": url_for(f"{view}.add") if addable else "",
                "fills": self._fills(query),
            }
        return self.render_template(
            PAGE,
            title=definition.label,
            definition=definition,
            problem=problem,
            T=TEXT,
            events_url=url_for(f"{view}.calendar_events", name=definition.qualified),
            move_url=url_for(f"{view}.calendar_move", name=definition.qualified),
            list_url=url_for(f"{view}.list"),
            locale=FULLCALENDAR_LOCALES.get(current_locale(), current_locale()),
            time_zone=tenant_zone().key,
            now=datetime.now(tenant_zone()).strftime(WALL_CLOCK),
            **settings,
        )

    def _fills(self, query: EventQuery) -> dict[str, str]:
        """The add form's fill parameters (`fill.<field>`, compile/views.prefill_asked) a selection sets: the
        start, and the end field or the duration field with the duration's unit in minutes."""
        definition = query.definition
        fills = {"start": f"{FILL_PREFIX}{definition.start}"}
        length = query.length_field
        if length is not None and length == definition.end:
            fills["end"] = f"{FILL_PREFIX}{length}"
        elif length is not None and definition.duration is not None:
            fills["duration"] = f"{FILL_PREFIX}{length}"
            fills["unit"] = str(int(UNITS[definition.duration.unit].total_seconds() // 60))
        return fills
