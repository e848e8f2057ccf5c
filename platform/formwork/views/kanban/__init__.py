"""The KanbanView: an entity's records as cards in columns of a choice or reference field."""

from __future__ import annotations

from ...meta.kinds import Kind
from ...meta.partial import Partial
from ..base import add_view
from ..kinds import ViewKind
from .checks import board_problems
from .definition import build_kanban_view
from .editing import KANBAN_EDITING
from .screens import KanbanScreens

KANBAN = ViewKind(
    kind=Kind(
        "KanbanView",
        "kanbanview.json",
        build_kanban_view,
        add_view,
        Partial(identity=("name", "entity")),
        collection="kanban_views",
        schema_package="formwork.views",
        customizable=True,
        editing=KANBAN_EDITING,
    ),
    problems=board_problems,
    screens=KanbanScreens,
    endpoint="kanban",
    icon="fa-columns",
    menu_prefix="Kanban",
)
