"""A filter's operators and periods in words ("{field} is at least {value}", "{field} is this month"), in the
reader's language: what the roles screen says of a record rule and what the Studio's filter rows offer.
"""

from __future__ import annotations

from ..i18n import CatalogText

#: `{field} {op} {value}` per operator; `{low}`/`{high}` for between, `{days}` for a number of days
OPERATORS = {
    "=": CatalogText("{field} is {value}"),
    "!=": CatalogText("{field} is not {value}"),
    "<": CatalogText("{field} is less than {value}"),
    "<=": CatalogText("{field} is at most {value}"),
    ">": CatalogText("{field} is more than {value}"),
    ">=": CatalogText("{field} is at least {value}"),
    "in": CatalogText("{field} is one of {value}"),
    "not_in": CatalogText("{field} is none of {value}"),
    "between": CatalogText("{field} is between {low} and {high}"),
    "contains": CatalogText("{field} contains {value}"),
    "starts_with": CatalogText("{field} starts with {value}"),
    "is_empty": CatalogText("{field} is empty"),
    "is_not_empty": CatalogText("{field} is not empty"),
    "last_days": CatalogText("{field} is in the last {days} days"),
    "next_days": CatalogText("{field} is in the next {days} days"),
}
PERIODS = {
    "today": CatalogText("{field} is today"),
    "yesterday": CatalogText("{field} is yesterday"),
    "tomorrow": CatalogText("{field} is tomorrow"),
    "this_week": CatalogText("{field} is this week"),
    "last_week": CatalogText("{field} is last week"),
    "next_week": CatalogText("{field} is next week"),
    "this_month": CatalogText("{field} is this month"),
    "last_month": CatalogText("{field} is last month"),
    "next_month": CatalogText("{field} is next month"),
    "this_quarter": CatalogText("{field} is this quarter"),
    "last_quarter": CatalogText("{field} is last quarter"),
    "next_quarter": CatalogText("{field} is next quarter"),
    "this_year": CatalogText("{field} is this year"),
    "last_year": CatalogText("{field} is last year"),
    "next_year": CatalogText("{field} is next year"),
}
