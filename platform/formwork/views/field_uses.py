"""The fields of an entity its views filter by (the FIELD_USES slot): the Studio locks them.

A board or calendar that keeps only some records (`stage not_in [won, lost]`) shows others once a value its filter
names is renamed or retired; those values are the choices it relies on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..definitions.field_uses import FieldUse, filter_fields, uses_of
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .base import views_of
from .kinds import ViewKind

FILTERS = CatalogText("The view {what} filters by it")


def view_field_uses(kinds: Iterable[ViewKind], catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    for kind in kinds:
        for view in views_of(catalog, kind.collection, entity.qualified):
            yield from uses_of(filter_fields(view.filter), FILTERS, view.label)
