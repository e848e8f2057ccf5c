"""One import as the screens, the REST API and the CLI run it: the request actor's rights, record rules and
field rights applied to a file.

Callers say which rights the user holds (a screen asks its ModelView's
`can_add`/`can_edit`, the API its `can_post`/`can_put`), so each path checks
the rights of its own kind, as for a single record.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..compile.actors import request_actor
from ..compile.schemas import input_schema
from ..meta.model import EntityDef
from ..rights import unchangeable_fields
from .importer import Importer, Outcome, Progress
from .mapping import ColumnMap, map_columns
from .reading import Sheet, read_sheet
from .template import template_xlsx


def required_fields(entity: EntityDef) -> set[str]:
    schema = input_schema(entity, f"{entity.table}_import")
    return {name for name, f in schema().fields.items() if f.required}


def importer_for(entity: EntityDef, may_create: bool, may_update: bool) -> Importer:
    runtime = current_app.extensions["formwork"]
    return Importer(
        runtime,
        entity,
        input_schema(entity, f"{entity.table}_import", runtime.catalog),
        request_actor(),
        may_create,
        may_update,
    )


def columns_of(entity: EntityDef, sheet: Sheet, mapping: dict[str, str] | None = None) -> ColumnMap:
    return map_columns(entity, sheet.headers, mapping, unchangeable_fields(entity, request_actor()))


def import_file(
    entity: EntityDef,
    filename: str,
    data: bytes,
    *,
    match_on: str | None,
    apply: bool,
    may_create: bool,
    may_update: bool,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Read, map and import one file (raises UnreadableFile, ImportRefused)."""
    sheet = read_sheet(filename, data)
    columns = columns_of(entity, sheet, mapping)
    return importer_for(entity, may_create, may_update).run(sheet, columns, match_on, apply, progress)


def template_for(entity: EntityDef) -> bytes:
    catalog = current_app.extensions["formwork"].catalog
    targets = {q: e.plural.localized() for q, e in catalog.entities.items()}
    return template_xlsx(entity, required_fields(entity), unchangeable_fields(entity, request_actor()), targets)


def outcome_body(outcome: Outcome) -> dict[str, Any]:
    """What the API answers: counts, or every error by row and column; ignored columns either way."""
    ignored = [{"column": header, "message": message} for header, message in outcome.notes]
    if outcome.errors:
        return {"errors": [e.as_dict() for e in outcome.errors], "ignored_columns": ignored}
    return {
        "created": outcome.created,
        "updated": outcome.updated,
        "applied": outcome.applied,
        "ignored_columns": ignored,
    }
