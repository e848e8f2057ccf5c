"""The CalendarView: an entity's records as events on a calendar, placed by a date or datetime field."""

from __future__ import annotations

from ...meta.kinds import Kind
from ...meta.partial import Partial
from ..base import add_view
from ..kinds import ViewKind
from .checks import calendar_problems
from .definition import build_calendar_view
from .editing import CALENDAR_EDITING
from .screens import CalendarScreens

CALENDAR = ViewKind(
    kind=Kind(
        "CalendarView",
        "calendarview.json",
        build_calendar_view,
        add_view,
        Partial(identity=("name", "entity")),
        collection="calendar_views",
        schema_package="formwork.views",
        customizable=True,
        editing=CALENDAR_EDITING,
    ),
    problems=calendar_problems,
    screens=CalendarScreens,
    endpoint="calendar",
    icon="fa-calendar",
    menu_prefix="Calendar",
)
