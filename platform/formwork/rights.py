"""Record rules and field rights as the core asks them: which records of a model an actor may see, and which
fields of an entity it may not see or change.

The core (lists, forms, the REST API, child rows, reference choices) imports this module, never the feature that
decides: the access feature registers its answers in the RIGHTS slot (access/feature.py). With no feature answering,
every question fails loudly rather than showing everything.

Every question names its actor (formwork/actor.py): it is a required argument, so forgetting it is a type error.
The system sees and sets everything; an anonymous actor (`Actor.anonymous()`, what the request boundary gives when
no one signed in) sees no record and no field any role restricts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .features import RIGHTS, load_features

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

    from .actor import Actor
    from .meta.model import EntityDef


class Rights(Protocol):
    """What a rights feature answers for `actor`."""

    def visible_condition(self, model: type, actor: Actor) -> ColumnElement[bool] | None: ...

    def hidden_fields(self, entity: EntityDef | str, actor: Actor) -> set[str]: ...

    def read_only_fields(self, entity: EntityDef | str, actor: Actor) -> set[str]: ...

    def unchangeable_row_fields(
        self, entity: EntityDef | str, data: dict[str, Any], actor: Actor
    ) -> dict[str, list[tuple[int, str]]]: ...

    def without_hidden(self, entity: EntityDef | str, data: dict[str, Any], actor: Actor) -> dict[str, Any]: ...


class NoRightsFeature(LookupError):
    """No loaded feature answers for record rules and field rights."""


def rights() -> Rights:
    answering = load_features().items(RIGHTS)
    if not answering:
        raise NoRightsFeature("no feature answers for record rules and field rights (the RIGHTS slot)")
    return answering[0]


def visible_condition(model: type, actor: Actor) -> ColumnElement[bool] | None:
    """The SQL condition limiting `actor` to the records of `model` it may see; None: no limit."""
    return rights().visible_condition(model, actor)


def hidden_fields(entity: EntityDef | str, actor: Actor) -> set[str]:
    """Fields of `entity` `actor` never sees: not in forms, show, lists, API reads or exports."""
    return rights().hidden_fields(entity, actor)


def read_only_fields(entity: EntityDef | str, actor: Actor) -> set[str]:
    """Fields of `entity` `actor` sees but may not change."""
    return rights().read_only_fields(entity, actor)


def unchangeable_fields(entity: EntityDef | str, actor: Actor) -> set[str]:
    """Fields `actor` may not set (read-only or hidden): forms drop them, the API refuses them."""
    return hidden_fields(entity, actor) | read_only_fields(entity, actor)


def unchangeable_row_fields(
    entity: EntityDef | str, data: dict[str, Any], actor: Actor
) -> dict[str, list[tuple[int, str]]]:
    """(row number, field) per child table of `data` whose rows set a field `actor` may not set on the child."""
    return rights().unchangeable_row_fields(entity, data, actor)


def without_hidden(entity: EntityDef | str, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """A record body without the fields hidden from `actor`, in its child-table rows too."""
    return rights().without_hidden(entity, data, actor)
