"""Structured filters: list view filters, record rules and approval conditions, compiled to SQLAlchemy.

A filter is plain data (YAML in packs, JSON from the browser):

    all:
      - {field: stage, op: not_in, value: [won, lost]}
      - {field: owner, op: "=", value: $employee}
      - any:
          - {field: amount, op: ">=", value: 10000}
          - {field: close_date, op: this_month}

`check_filter` reports problems against an entity's definition,
`compile_filter` turns a filter into a WHERE clause on the compiled model.
Read docs/filters.md for the operators per type. Modules follow the
pipeline: tree (structure) -> targets (names) -> operators (per type) ->
values (literals) -> check; sql (one condition) -> compile.
"""

from __future__ import annotations

from .check import check_filter
from .compile import FilterError, compile_filter
from .context import VARIABLES, FilterContext, actor_context
from .operators import OPERATORS, TYPE_GROUPS, operators_for
from .schema import FILTER_DOCUMENT, FILTER_SCHEMA

__all__ = [
    "FILTER_DOCUMENT",
    "FILTER_SCHEMA",
    "OPERATORS",
    "TYPE_GROUPS",
    "VARIABLES",
    "FilterContext",
    "FilterError",
    "actor_context",
    "check_filter",
    "compile_filter",
    "operators_for",
]
