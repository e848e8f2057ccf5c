"""What the semantic checks of every view kind share (`formwork validate`): the entity must exist and be the pack's
to use, the filter must be a filter of it, and each named field must be one of the kind the view needs; every error
at its line.

A kind's `problems(view, catalog)` is also asked when a view is shown, against a tenant's effective definitions: a
view whose field a customization removed answers with that problem instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..definitions.check_texts import NOT_A_FIELD, UNKNOWN_ENTITY
from ..fields import FIELD_TYPES, FieldType, value_kind
from ..filters import check_filter
from ..filters.targets import STANDARD_TYPES
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import EntityDef
from . import check_texts as says
from .base import ViewDef

Problem = tuple[tuple[Any, ...], str]
Problems = Callable[[Any, Catalog], list[Problem]]


def definition_check(collection: str, problems: Problems) -> Callable[[Catalog], list[DefinitionError]]:
    """The DEFINITION_CHECKS entry of one view kind: each view's problems as errors at their lines."""

    def check(catalog: Catalog) -> list[DefinitionError]:
        errors = []
        for view in getattr(catalog, collection).values():
            assert view.document is not None  # built from a document
            errors += [view.document.error(path, message) for path, message in problems(view, catalog)]
        return errors

    check.__name__ = check.__qualname__ = f"check_{collection}"  # as the registry's listings name it
    return check


def view_entity(view: ViewDef, catalog: Catalog) -> tuple[EntityDef | None, list[Problem]]:
    """The view's entity, or the problem with it (none when the entity is a pack's the catalog does not load)."""
    entity = catalog.entities.get(view.entity)
    if entity is None:
        return None, [] if catalog.knows_entity(view.entity) else [(("entity",), say(UNKNOWN_ENTITY, name=view.entity))]
    if problem := catalog.unrequired_entity(view.pack, view.entity):
        return None, [(("entity",), problem)]
    return entity, []


def filter_problems(view: ViewDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
    if view.filter is None:
        return []
    return [(("filter", *path), message) for path, message in check_filter(view.filter, entity, catalog)]


def stored_kind(entity: EntityDef, name: str) -> FieldType | None:
    """The type of the value a field or standard column of `entity` holds (a formula's by its result), None if it
    has no such name."""
    found = entity.field(name)
    if found is not None:
        return value_kind(found)
    return FIELD_TYPES[STANDARD_TYPES[name]] if name in STANDARD_TYPES else None


def shown_field_problems(entity: EntityDef, names: tuple[str, ...], key: str) -> list[Problem]:
    """Fields a view shows (a card's, an event's): each must be a field of one value (not rows, not many records)."""
    problems: list[Problem] = []
    for i, name in enumerate(names):
        kind = stored_kind(entity, name)
        if kind is None:
            problems.append(((key, i), say(NOT_A_FIELD, name=name, entity=entity.qualified)))
        elif kind.holds_rows or kind.refers_to_many:
            problems.append(((key, i), say(says.MANY_RECORDS, name=name, type=kind.name)))
    return problems
