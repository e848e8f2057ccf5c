"""Conditions on fields that hold several values: multi_choice (a JSON list) and many_to_many (a link table).

    contains v     the record has v
    in [a, b]      it has at least one of them
    not_in [a, b]  it has none of them
    is_empty       it has no value at all

A JSON list is searched in its text for the JSON token of a value (`"vip"`,
quotes included): inside a list of strings such a token can only be a whole
element, and the same expression runs on SQLite and PostgreSQL (whose `json`
type has no equality or containment operator). A link table is searched with
the relationship's own EXISTS. Like sql.py, the result is never NULL.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from .sql import MISSING, NEGATIONS
from .targets import Target

EMPTY_DOCUMENTS = ("null", "[]", "{}")


def condition(op: str, attribute: Any, target: Target, value: Any) -> ColumnElement[bool]:
    """`op` on the multi-valued `attribute` (a JSON column or a many-to-many relationship)."""
    if op in NEGATIONS:
        return sa.not_(condition(NEGATIONS[op], attribute, target, value))
    if op == "is_empty":
        return _is_empty(attribute, target)
    wanted = [] if value is MISSING else [value] if op == "contains" else list(value)
    if not wanted:
        return sa.false()
    if target.group.storage == "link":
        return attribute.any(attribute.property.mapper.class_.id.in_(wanted))
    text = sa.cast(attribute, sa.Text)
    return sa.and_(
        attribute.is_not(None), sa.or_(*(text.contains(json.dumps(str(v)), autoescape=True) for v in wanted))
    )


def _is_empty(attribute: Any, target: Target) -> ColumnElement[bool]:
    if target.group.storage == "link":
        return sa.not_(attribute.any())
    return sa.or_(attribute.is_(None), sa.cast(attribute, sa.Text).in_(EMPTY_DOCUMENTS))
