"""What the Studio's filter rows say (translated in the platform's catalogs), and the operators they offer."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "nothing": CatalogText("(none)"),
    "field": CatalogText("Field"),
    "operator": CatalogText("Operator"),
    "value": CatalogText("Value"),
    "match": CatalogText("Records must match"),
    "rows_note": CatalogText("Leave a row's field empty to drop it; separate the values of a list with commas."),
    "expert": CatalogText("Write the filter as JSON instead (experts)"),
    "use_text": CatalogText("Use this JSON rather than the rows"),
    "text_note": CatalogText(
        "This filter groups conditions inside each other, which the rows cannot show, so it is written as JSON "
        "(see the filters guide). Empty it and save to start again with rows."
    ),
}
#: how the rows are joined, by the filter's key
MATCHES = {"all": CatalogText("all of the rows"), "any": CatalogText("any of the rows")}
#: the operators the rows offer (said in filters/words.py's words, as the roles screen says them); an operator a
#: filter already uses is offered too
OFFERED_OPERATORS = (
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not_in",
    "contains",
    "is_empty",
    "is_not_empty",
    "this_month",
    "this_year",
    "last_days",
)
