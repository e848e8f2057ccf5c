"""A list's records narrowed by a structured filter in its URL: `/<table>/view/<name>/?where=<JSON filter>`.

Other screens link to "exactly these records" this way: a pivot's cell opens the list of the records it counted,
whatever its dimensions (a choice, a record, a month, no value at all), which Flask-AppBuilder's `_flt_` search
arguments cannot say (they take only the search columns, and no emptiness). The filter is the form list views and
record rules use (docs/filters.md), checked against the entity and compiled to SQL, never string SQL; the viewer's
record rules still apply, as on every list.

A URL is typed by anyone, so it may ask only what the viewer could read on the list anyway: no field their roles
hide (a condition on it would reveal its values one question at a time), and no path through a reference
(`account.annual_revenue` would ask about a record the viewer's rules may not let them read).
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort
from sqlalchemy.sql.elements import ColumnElement

from ..actor import Actor
from ..filters import FilterError, actor_context, check_filter, compile_filter
from ..filters.tree import conditions, parse
from ..i18n import CatalogText, say
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..rights import hidden_fields

#: the query parameter a list reads a structured filter from
WHERE = "where"
BAD_FILTER = CatalogText("This link's filter cannot be used: {problem}")
NOT_JSON = CatalogText("it is not a filter written in JSON")
FOLLOWS = CatalogText("'{field}' follows a reference")
HIDDEN = CatalogText("'{field}' is not a field you may see")


def url_filter(text: str, model: type, entity: EntityDef, catalog: Catalog, actor: Actor) -> ColumnElement[bool]:
    """The WHERE clause of the filter `text` (JSON) on `model`; a filter that cannot be used is answered 400 with
    what is wrong with it, in the reader's language."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # nesting deeper than the decoder's stack: not a filter anyone writes
        _refuse(NOT_JSON)
    problems = [message for _path, message in check_filter(data, entity, catalog)]
    node, _ = parse(data)
    hidden = hidden_fields(entity, actor)
    for condition in conditions(node):
        if "." in condition.field:
            problems.append(say(FOLLOWS, field=condition.field))
        elif condition.field in hidden:
            problems.append(say(HIDDEN, field=condition.field))
    if problems:
        _refuse(problems[0])
    try:
        return compile_filter(data, model, entity, actor_context(actor))
    except FilterError as unusable:  # what only compiling finds (a child table is no column)
        return _refuse(unusable.problems[0][1] if unusable.problems else str(unusable))


def _refuse(problem: str) -> Any:
    """400 saying what is wrong: `problem` is a check's message (`i18n.say`), rendered in the reader's language."""
    abort(400, description=say(BAD_FILTER, problem=problem).localized())
