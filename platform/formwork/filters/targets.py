"""What a filter's `field` names: an entity field, a standard column, or a path through references.

`owner.department` follows the reference `owner` to core.employee and
compares that employee's `department`. Resolution is shared by checking and
compiling, so both agree on what a name means.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from ..fields import FIELD_TYPES
from ..i18n import say
from ..meta.model import STANDARD_COLUMNS, EntityDef, FieldDef
from . import check_texts as says
from .operators import Group, group_of

#: the type each standard column is filtered as (created_by/updated_by hold a user id)
STANDARD_TYPES: dict[str, str] = {
    "id": "integer",
    "created_at": "datetime",
    "created_by": "user",
    "updated_at": "datetime",
    "updated_by": "user",
    "version": "integer",
}
assert set(STANDARD_TYPES) == set(STANDARD_COLUMNS)
MAX_HOPS = 3


@dataclass(frozen=True)
class Hop:
    """One step through a reference: the foreign key attribute, and the entity it leads to."""

    attribute: str
    target: str


@dataclass(frozen=True)
class Target:
    """The column a condition compares, and the references followed to reach it."""

    name: str
    entity: EntityDef
    type: str
    attribute: str
    field: FieldDef | None
    hops: tuple[Hop, ...] = ()

    @property
    def group(self) -> Group:
        return group_of(self.type)

    @property
    def refers_to(self) -> str | None:
        """The entity whose ids this column holds (a reference's target, or `id` of its own entity)."""
        if self.field is not None:
            return self.field.target
        return self.entity.qualified if self.attribute == "id" else None

    @property
    def choices(self) -> list[str] | None:
        return (
            [c.value for c in self.field.choices]
            if self.field is not None and "choices" in self.field.options
            else None
        )

    def describe(self) -> str:
        return say(
            says.FIELD_OF_TYPE_AN if self.type[0] in "aeio" else says.FIELD_OF_TYPE, name=self.name, type=self.type
        )


class UnknownField(Exception):
    """The name does not resolve; `message` says why and suggests the closest name (in each reader's language)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def resolve(name: str, entity: EntityDef, entities: Mapping[str, EntityDef]) -> Target:
    """The target of `name` on `entity`; `entities` gives the entities that references lead to."""
    parts = name.split(".")
    if len(parts) > MAX_HOPS + 1:
        raise UnknownField(say(says.TOO_MANY_HOPS, name=name, hops=MAX_HOPS))
    hops: list[Hop] = []
    current = entity
    for i, part in enumerate(parts[:-1]):
        field = current.field(part)
        if field is None or not FIELD_TYPES[field.type].refers_to_record:
            raise UnknownField(_unknown(part, current, prefix=parts[:i], reference=True))
        if field.target is None or field.target not in entities:
            raise UnknownField(say(says.NOT_INSTALLED, path=".".join(parts[: i + 1]), target=field.target))
        hops.append(Hop(_attribute(field), field.target))
        current = entities[field.target]
    last = parts[-1]
    if last in STANDARD_TYPES:
        return Target(name, current, STANDARD_TYPES[last], last, None, tuple(hops))
    field = current.field(last)
    if field is None:
        raise UnknownField(_unknown(last, current, prefix=parts[:-1], reference=False))
    return Target(name, current, field.value_type, _attribute(field), field, tuple(hops))


def _attribute(field: FieldDef) -> str:
    kind = FIELD_TYPES.get(field.type)
    return kind.attribute(field) if kind is not None else field.name


def _unknown(part: str, entity: EntityDef, prefix: list[str], reference: bool) -> str:
    full = ".".join([*prefix, part])
    if reference and entity.field(part) is not None:
        return say(says.NOT_FOLLOWED, name=full)
    if reference:
        names = [f.name for f in entity.fields if FIELD_TYPES[f.type].refers_to_record]
    else:
        names = entity.field_names() + list(STANDARD_TYPES)
    close = difflib.get_close_matches(part, names, n=1, cutoff=0.6)
    hint = say(says.DID_YOU_MEAN, close=".".join([*prefix, close[0]])) if close else ""
    text = says.NOT_A_REFERENCE_FIELD if reference else says.NOT_A_FIELD
    return say(text, name=full, entity=entity.qualified, hint=hint)
