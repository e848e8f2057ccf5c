"""The TimelineView: an entity's records as bars from a start to an end date, in lanes of a choice or reference
field (a Gantt chart drawn with frappe-gantt)."""

from __future__ import annotations

from ...meta.kinds import Kind
from ...meta.partial import Partial
from ..base import add_view
from ..kinds import ViewKind
from .checks import timeline_problems
from .definition import build_timeline_view
from .editing import TIMELINE_EDITING
from .screens import TimelineScreens

TIMELINE = ViewKind(
    kind=Kind(
        "TimelineView",
        "timelineview.json",
        build_timeline_view,
        add_view,
        Partial(identity=("name", "entity")),
        collection="timeline_views",
        schema_package="formwork.views",
        customizable=True,
        editing=TIMELINE_EDITING,
    ),
    problems=timeline_problems,
    screens=TimelineScreens,
    endpoint="timeline",
    icon="fa-tasks",
    menu_prefix="Timeline",
)
