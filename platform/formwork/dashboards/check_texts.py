"""The dashboard checks' messages as catalog texts (checks.py fills them in with `i18n.say`): `formwork validate`
prints their English, the dashboard editor shows them at their controls in the admin's language. The English of
each is the message the checks have always given; what several features say is the core's
(definitions/check_texts.py)."""

from __future__ import annotations

from ..i18n import CatalogText

ROW_TOO_WIDE = CatalogText("the widths of the row add up to {width}; a row has {columns} columns")
NOT_FOR_WIDGET = CatalogText("'{name}' does not apply to a {type} widget")
NOT_A_LIST_VIEW = CatalogText("'{name}' is not a list view of {entity}")
COUNT_TAKES_NO_FIELD = CatalogText("count counts records; it takes no field")
MEASURE_NEEDS_FIELD = CatalogText("{measure} needs the number field it measures")
NOT_MEASURED = CatalogText("'{name}' is not a number field of {entity}, so it has no {measure}")
CHART_NEEDS_KIND = CatalogText("a chart widget needs 'chart': bar, line or pie")
GROUP_OR_OVER_TIME = CatalogText("a chart needs either group_by (a field) or over_time (a date field), not both")
CANNOT_GROUP = CatalogText(
    "cannot group by '{name}', a {type} field; group by a choice, reference, boolean or string field"
)
LIST_NEEDS_COLUMNS = CatalogText("a list widget needs columns")
