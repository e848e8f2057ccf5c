"""The PivotView: an entity's records counted and measured across row and column dimensions, with totals, a
drill-down from each cell to its records and an XLSX export."""

from __future__ import annotations

from ...meta.kinds import Kind
from ...meta.partial import Partial
from ..base import add_view
from ..kinds import ViewKind
from .checks import pivot_problems
from .definition import build_pivot_view
from .editing import PIVOT_EDITING
from .screens import PivotScreens

PIVOT = ViewKind(
    kind=Kind(
        "PivotView",
        "pivotview.json",
        build_pivot_view,
        add_view,
        Partial(identity=("name", "entity")),
        collection="pivot_views",
        schema_package="formwork.views",
        customizable=True,
        editing=PIVOT_EDITING,
    ),
    problems=pivot_problems,
    screens=PivotScreens,
    endpoint="pivot",
    icon="fa-table",
    menu_prefix="Pivot",
)
