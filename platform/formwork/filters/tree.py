"""The structure of a filter: conditions joined by all / any / not.

Filters come from YAML and from a browser UI, so the structure is read
defensively: every problem is reported with its path inside the filter (as
`(path, message)`), and the parts that are well formed are kept so their
own problems can be reported in the same run.

    all: [...]      every item holds (a plain list means the same)
    any: [...]      at least one item holds
    not: <filter>   the filter does not hold
    {field: stage, op: "=", value: won}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from ..i18n import say
from . import check_texts as says

Path = tuple[str | int, ...]
Problem = tuple[Path, str]

COMBINATORS = ("all", "any", "not")
MAX_DEPTH = 64  # path parts; filters come from browsers too: refuse nesting that would exhaust the stack
CONDITION_KEYS = ("field", "op", "value")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any
    has_value: bool
    path: Path


@dataclass(frozen=True)
class All:
    items: tuple[Node, ...]
    path: Path


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]
    path: Path


@dataclass(frozen=True)
class Not:
    item: Node
    path: Path


Node = Union[Condition, All, AnyOf, Not]


def parse(data: Any, path: Path = ()) -> tuple[Node | None, list[Problem]]:
    """The tree of `data` (None where it is malformed) and every structural problem."""
    if len(path) > MAX_DEPTH:
        return None, [(path, say(says.NESTS_TOO_DEEPLY))]
    if isinstance(data, list):
        return _items(All, data, path, path)
    if not isinstance(data, dict):
        return None, [(path, say(says.EXPECTED))]
    combinators = [k for k in COMBINATORS if k in data]
    if combinators:
        if len(data) > 1:
            others = ", ".join(str(k) for k in data if k != combinators[0])
            return None, [(path, say(says.STANDS_ALONE, key=combinators[0], others=others))]
        key = combinators[0]
        if key == "not":
            item, problems = parse(data["not"], (*path, "not"))
            return (Not(item, path) if item is not None else None), problems
        if not isinstance(data[key], list):
            return None, [((*path, key), say(says.NEEDS_CONDITIONS, key=key))]
        return _items(All if key == "all" else AnyOf, data[key], path, (*path, key))
    if "field" in data or "op" in data:
        return _condition(data, path)
    return None, [(path, say(says.EXPECTED))]


def _items(kind: type[All] | type[AnyOf], data: list[Any], path: Path, items_path: Path) -> tuple[Node, list[Problem]]:
    nodes, problems = [], []
    for i, item in enumerate(data):
        node, found = parse(item, (*items_path, i))
        problems += found
        if node is not None:
            nodes.append(node)
    return kind(tuple(nodes), path), problems


def _condition(data: dict[Any, Any], path: Path) -> tuple[Condition | None, list[Problem]]:
    problems: list[Problem] = [((*path, k), say(says.UNEXPECTED_KEY, key=k)) for k in data if k not in CONDITION_KEYS]
    field, op = data.get("field"), data.get("op")
    if not isinstance(field, str) or not field:
        problems.append(((*path, "field"), say(says.NEEDS_FIELD)))
    if not isinstance(op, str) or not op:
        problems.append(((*path, "op"), say(says.NEEDS_OPERATOR)))
    if problems or not isinstance(field, str) or not isinstance(op, str):
        return None, problems
    return Condition(field, op, data.get("value"), "value" in data, path), []


def conditions(node: Node | None) -> list[Condition]:
    """Every condition of the tree, in order."""
    if node is None:
        return []
    if isinstance(node, Condition):
        return [node]
    if isinstance(node, Not):
        return conditions(node.item)
    return [c for item in node.items for c in conditions(item)]
