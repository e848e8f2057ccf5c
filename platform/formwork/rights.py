"""Record rules and field rights as the core asks them: which records of a model the request's user may see, and
which fields of an entity it may not see or change.

The core (lists, forms, the REST API, child rows, reference choices) imports this module, never the feature that
decides: the access feature registers its answers in the RIGHTS slot (access/feature.py). With no feature answering,
every question fails loudly rather than showing everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .features import RIGHTS, load_features

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

    from .meta.model import EntityDef


class Rights(Protocol):
    """What a rights feature answers, for the request's user (no limit outside a request)."""

    def visible_condition(self, model: type) -> ColumnElement[bool] | None: ...

    def hidden_fields(self, entity: EntityDef | str) -> set[str]: ...

    def read_only_fields(self, entity: EntityDef | str) -> set[str]: ...

    def unchangeable_row_fields(
        self, entity: EntityDef | str, data: dict[str, Any]
    ) -> dict[str, list[tuple[int, str]]]: ...

    def without_hidden(self, entity: EntityDef | str, data: dict[str, Any]) -> dict[str, Any]: ...


class NoRightsFeature(LookupError):
    """No loaded feature answers for record rules and field rights."""


def rights() -> Rights:
    answering = load_features().items(RIGHTS)
    if not answering:
        raise NoRightsFeature("no feature answers for record rules and field rights (the RIGHTS slot)")
    return answering[0]


def visible_condition(model: type) -> ColumnElement[bool] | None:
    """The SQL condition limiting the request's user to the records of `model` they may see; None: no limit."""
    return rights().visible_condition(model)


def hidden_fields(entity: EntityDef | str) -> set[str]:
    """Fields of `entity` the request's user never sees: not in forms, show, lists, API reads or exports."""
    return rights().hidden_fields(entity)


def read_only_fields(entity: EntityDef | str) -> set[str]:
    """Fields of `entity` the request's user sees but may not change."""
    return rights().read_only_fields(entity)


def unchangeable_fields(entity: EntityDef | str) -> set[str]:
    """Fields the request's user may not set (read-only or hidden): forms drop them, the API refuses them."""
    return hidden_fields(entity) | read_only_fields(entity)


def unchangeable_row_fields(entity: EntityDef | str, data: dict[str, Any]) -> dict[str, list[tuple[int, str]]]:
    """(row number, field) per child table of `data` whose rows set a field the user may not set on the child."""
    return rights().unchangeable_row_fields(entity, data)


def without_hidden(entity: EntityDef | str, data: dict[str, Any]) -> dict[str, Any]:
    """A record body without the fields hidden from the request's user, in its child-table rows too."""
    return rights().without_hidden(entity, data)
