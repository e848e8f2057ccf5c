"""Types: what callers declare about names (`Variable`), and what the checker infers (`Type`).

A `Variable` speaks the language of definitions: field type names from the
field registry ("money", "date", "choice"…), plus "map", "list" and "any".
A `Type` speaks CEL: int, double, string, timestamp… The checker works on
`Type`s; `Variable.static` maps one to the other, so that the field registry
and CEL meet in exactly one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Union

from ..i18n import CatalogText

NUMBER_KINDS = frozenset({"int", "uint", "double"})
TIME_KINDS = frozenset({"date", "timestamp"})


@dataclass(frozen=True, eq=False)
class Variable:
    """The declared type of a name an expression may use.

    `type` is a field type name from the registry, or "map", "list" or "any".
    A map (or a reference) lists its keys in `fields`; without them its keys are
    not checked. A choice lists its `choices`, so that `stage == 'wonn'` is caught.
    `scale` is the number of decimals of a decimal/money result. A type this
    module does not know is treated as "any": usable, but not checked.
    """

    type: str
    fields: Mapping[str, Variable] | None = None
    choices: tuple[str, ...] = ()
    item: Variable | None = None
    scale: int | None = None

    @cached_property
    def static(self) -> Type:
        """The CEL type a value of this variable has inside an expression."""
        kind = KIND_OF_FIELD_TYPE.get(self.type)
        if kind is not None:
            return Type(kind, choices=self.choices if self.type == "choice" else ())
        if self.type in ("map", "reference"):
            fields = None if self.fields is None else {k: v.static for k, v in self.fields.items()}
            return Type("map", fields=fields)
        if self.type == "multi_choice":
            return Type("list", item=Type("string", choices=self.choices))
        if self.type == "many_to_many":
            return Type("list", item=INT)
        if self.type == "list":
            return Type("list", item=self.item.static if self.item else DYN)
        return DYN  # "any", "json", and field types added after this table


VariableSpec = Union[str, Variable]

#: Field types whose values are one CEL scalar. `time` is text "HH:MM" (or "HH:MM:SS"), which orders correctly.
KIND_OF_FIELD_TYPE = {
    **dict.fromkeys(
        ("string", "text", "rich_text", "email", "phone", "url", "choice", "auto_number", "time"), "string"
    ),
    **dict.fromkeys(("integer", "rating", "user"), "int"),
    **dict.fromkeys(("decimal", "money", "percent"), "double"),
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
}


def as_variable(spec: VariableSpec) -> Variable:
    """`"money"` is shorthand for `Variable("money")`."""
    return spec if isinstance(spec, Variable) else Variable(spec)


@dataclass(frozen=True, eq=False)
class Type:
    """A static CEL type. `date` is a timestamp at midnight UTC that the checker tells apart.

    kind: int uint double string bool bytes null date timestamp duration list map type dyn.
    """

    kind: str
    item: Type | None = None
    fields: dict[str, Type] | None = None
    choices: tuple[str, ...] = ()

    @property
    def dyn(self) -> bool:
        return self.kind == "dyn"

    def describe(self) -> str:
        """The type in words a business admin reads in an error message (in their language where it is shown)."""
        return WORDS.get(self.kind, self.kind)


WHOLE_NUMBER = CatalogText("a whole number")
#: each kind in words
WORDS = {
    "int": WHOLE_NUMBER,
    "uint": WHOLE_NUMBER,
    "double": CatalogText("a decimal number"),
    "string": CatalogText("text"),
    "bool": CatalogText("true/false"),
    "bytes": CatalogText("bytes"),
    "null": CatalogText("null"),
    "date": CatalogText("a date"),
    "timestamp": CatalogText("a date and time"),
    "duration": CatalogText("a duration"),
    "list": CatalogText("a list"),
    "map": CatalogText("a record"),
    "type": CatalogText("a type"),
    "dyn": CatalogText("a value"),
}

DYN = Type("dyn")
INT, UINT, DOUBLE = Type("int"), Type("uint"), Type("double")
STRING, BOOL, BYTES, NULL = Type("string"), Type("bool"), Type("bytes"), Type("null")
DATE, TIMESTAMP, DURATION = Type("date"), Type("timestamp"), Type("duration")
TYPE = Type("type")
