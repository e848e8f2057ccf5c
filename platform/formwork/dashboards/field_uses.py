"""The fields of an entity its dashboards filter by (the FIELD_USES slot): the Studio locks them.

A widget counting the open purchase requests (`status = draft`) stops counting them when `draft` is renamed or
retired, and is left out once the field is retired; the values its filter names are the choices it relies on.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..definitions.field_uses import FieldUse, filter_fields, merged, uses_of
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..meta.model import EntityDef

FILTERS = CatalogText("The dashboard {what} filters by it")


def dashboard_field_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    for dashboard in catalog.dashboards.values():
        filters = [filter_fields(w.filter) for w in dashboard.widgets if w.entity == entity.qualified]
        yield from uses_of(merged(*filters), FILTERS, dashboard.label)
