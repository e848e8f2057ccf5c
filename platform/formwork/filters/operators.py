"""Which operators apply to which field type: the one table to extend when a field type is added.

A field type maps to a `Group`: the operators that make sense for it, the
kind of value it is compared with (a key of `values.KINDS`) and how it is
stored (one column, a JSON list, or a link table). A new field type is one
line in `TYPE_GROUPS`; a type that is not listed still gets equality and
emptiness, so nothing breaks before someone classifies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dates import DAY_COUNTS, PERIODS

# What each operator takes as `value`.
NO_VALUE, ONE, LIST, PAIR, COUNT = "none", "one", "list", "pair", "count"

SHAPES: dict[str, str] = {
    "=": ONE,
    "!=": ONE,
    "<": ONE,
    "<=": ONE,
    ">": ONE,
    ">=": ONE,
    "in": LIST,
    "not_in": LIST,
    "between": PAIR,
    "contains": ONE,
    "starts_with": ONE,
    "is_empty": NO_VALUE,
    "is_not_empty": NO_VALUE,
    **dict.fromkeys(PERIODS, NO_VALUE),
    **dict.fromkeys(DAY_COUNTS, COUNT),
}
OPERATORS: tuple[str, ...] = tuple(SHAPES)

EQUALITY = ("=", "!=", "in", "not_in")
ORDER = ("<", "<=", ">", ">=", "between")
TEXT_SEARCH = ("contains", "starts_with")
EMPTINESS = ("is_empty", "is_not_empty")
RELATIVE = (*PERIODS, *DAY_COUNTS)


@dataclass(frozen=True)
class Group:
    """What filters can do with a family of field types."""

    operators: tuple[str, ...]
    value: str  # the value kind, a key of values.KINDS
    #: "column" (compared in SQL as is), "json" (a JSON document), "link" (a many-to-many relationship)
    storage: str = "column"


TEXT = Group(EQUALITY + TEXT_SEARCH + EMPTINESS, "text")
INTEGER = Group(EQUALITY + ORDER + EMPTINESS, "integer")
NUMBER = Group(EQUALITY + ORDER + EMPTINESS, "number")
BOOLEAN = Group(("=", "!=") + EMPTINESS, "boolean")
DATE = Group(EQUALITY + ORDER + RELATIVE + EMPTINESS, "date")
DATETIME = Group(EQUALITY + ORDER + RELATIVE + EMPTINESS, "datetime")
TIME = Group(EQUALITY + ORDER + EMPTINESS, "time")
CHOICE = Group(EQUALITY + EMPTINESS, "choice")
RECORD = Group(EQUALITY + EMPTINESS, "id")
USER = Group(EQUALITY + EMPTINESS, "user")
# Several values per record: contains = has it, in = has any, not_in = has none (see members.py).
MEMBERSHIP = ("contains", "in", "not_in") + EMPTINESS
CHOICES = Group(MEMBERSHIP, "choice", "json")
RECORDS = Group(MEMBERSHIP, "id", "link")
DOCUMENT = Group(EMPTINESS, "scalar", "json")
OTHER = Group(("=", "!=") + EMPTINESS, "scalar")

#: field type -> group. Standard columns use these names too (see targets.STANDARD_TYPES).
TYPE_GROUPS: dict[str, Group] = {
    "string": TEXT,
    "text": TEXT,
    "rich_text": TEXT,
    "email": TEXT,
    "phone": TEXT,
    "url": TEXT,
    "auto_number": TEXT,
    "integer": INTEGER,
    "rating": INTEGER,
    "decimal": NUMBER,
    "money": NUMBER,
    "percent": NUMBER,
    "boolean": BOOLEAN,
    "date": DATE,
    "datetime": DATETIME,
    "time": TIME,
    "choice": CHOICE,
    "reference": RECORD,
    "user": USER,
    "multi_choice": CHOICES,
    "many_to_many": RECORDS,
    "json": DOCUMENT,
}


def group_of(field_type: str) -> Group:
    return TYPE_GROUPS.get(field_type, OTHER)


def operators_for(field_type: str) -> tuple[str, ...]:
    """The operators a filter may use on a field of this type (what a filter builder UI offers)."""
    return group_of(field_type).operators
