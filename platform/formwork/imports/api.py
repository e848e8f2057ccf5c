"""REST routes of an entity's API for files: import (CSV/XLSX), its template, and export of a list view.

Mixed into the generated `EntityRestApi` (compile/apis.py). Import needs
`can_import` on the entity's API and, per row, `can_post` to create or
`can_put` to update; export needs `can_export`. Record rules and field
rights apply as for every other read and write of the API.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Response, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from ..actor import Actor
from ..adapters.fab import base_filters
from ..compile.actors import request_actor
from ..compile.exports import named_download
from ..compile.listing import (
    EXPORT_TYPES,
    Listing,
    export_response,
    with_shown_references,
)
from ..fields import field_type
from ..filters import actor_context, compile_filter
from .importer import ImportRefused
from .reading import MAX_BYTES, UnreadableFile
from .service import import_file, outcome_body, template_for

XLSX = EXPORT_TYPES["xlsx"]
TRUE_WORDS = ("1", "true", "yes", "on")


class ImportApi:
    """Routes for EntityRestApi (which provides entity, catalog, datamodel and FAB's response helpers)."""

    @expose("/import", methods=["POST"])
    @protect()
    @safe
    @permission_name("import")
    def import_records(self) -> Response:
        """Import a CSV or XLSX file: every row is saved, or none
        ---
        post:
          description: >-
            multipart/form-data with the file as part `file` and, optionally, `mapping` (a JSON object: column
            header -> field name, "" to skip). Headers match field names or labels (en/zh). With `dry_run=1`
            nothing is saved. With `match_on` (a unique field, or `id`) rows that find a record update it.
          parameters:
          - {in: query, name: dry_run, schema: {type: boolean}}
          - {in: query, name: match_on, schema: {type: string}}
          responses:
            200: {description: '{"created": n, "updated": m}'}
            400: {description: '{"errors": [{"row", "column", "message"}]} or {"message": {field: [messages]}}'}
        """
        chosen = request.files.get("file")
        if chosen is None or not chosen.filename:
            return self.response_400(message={"file": ["Send the file as the multipart part `file`."]})
        mapping, problem = _mapping(request.form.get("mapping"))
        if problem:
            return self.response_400(message={"mapping": [problem]})
        name = self.__class__.__name__
        sm = self.appbuilder.sm
        try:
            outcome = import_file(
                self.entity,
                chosen.filename,
                chosen.read(MAX_BYTES + 1),
                mapping=mapping,
                match_on=request.args.get("match_on") or None,
                apply=request.args.get("dry_run", "").lower() not in TRUE_WORDS,
                may_create=sm.has_access("can_post", name),
                may_update=sm.has_access("can_put", name),
            )
        except UnreadableFile as unreadable:
            return self.response_400(message={"file": [str(unreadable)]})
        except ImportRefused as refused:
            return self.response_400(message={refused.field: [str(refused)]})
        body = outcome_body(outcome)
        return self.response(400 if outcome.errors else 200, **body)

    @expose("/import/template", methods=["GET"])
    @protect()
    @safe
    @permission_name("import")
    def import_template(self) -> Response:
        """The XLSX import template: headers in the user's language, a second sheet describing each column
        ---
        get:
          responses:
            200: {description: an XLSX file}
        """
        headers = {"Content-Disposition": named_download(self.entity.plural, "template", "xlsx")}
        return Response(template_for(self.entity), mimetype=XLSX, headers=headers)

    @expose("/export", methods=["GET"])
    @protect()
    @safe
    @permission_name("export")
    def export_records(self) -> Response:
        """Export the records of a list view (its filter, sort and columns) as CSV or XLSX
        ---
        get:
          parameters:
          - {in: query, name: view, schema: {type: string}, description: the list view; the first one by default}
          - {in: query, name: format, schema: {type: string, enum: [csv, xlsx]}}
          responses:
            200: {description: the file}
            400: {$ref: '#/components/responses/400'}
        """
        kind = request.args.get("format", "csv")
        listing = self._export_listing(request.args.get("view"))
        if listing is None or kind not in EXPORT_TYPES:
            return self.response_400(
                message={"view" if listing is None else "format": ["Unknown list view or format."]}
            )
        actor = request_actor()
        return export_response(self._export_query(listing, actor), listing, kind, actor)

    def _export_listing(self, name: str | None) -> Listing | None:
        """The list view asked for (its columns leave out the fields the user may not see)."""
        views = self.catalog.list_views_for(self.entity.qualified)
        found = next((v for v in views if v.name == name), None) if name else next(iter(views), None)
        return None if found is None else Listing(found, self.entity)

    def _export_query(self, listing: Listing, actor: Actor) -> Any:
        """The list view's records `actor` may see (record rules and FAB's base filters), in its order."""
        model = self.datamodel.obj
        query = self.datamodel.apply_filters(self.datamodel.session.query(model), base_filters(self))
        if listing.definition.filter is not None:
            context = actor_context(actor)
            query = query.filter(compile_filter(listing.definition.filter, model, self.entity, context))
        field = self.entity.field(listing.definition.sort_field)
        column = getattr(model, field_type(field.type).attribute(field) if field else listing.definition.sort_field)
        query = with_shown_references(query, model, listing, actor)
        return query.order_by(column.desc() if listing.definition.sort_descending else column.asc(), sa.asc(model.id))


def _mapping(text: str | None) -> tuple[dict[str, str] | None, str | None]:
    """The optional `mapping` part: a JSON object of header -> field name."""
    if not text:
        return None, None
    try:
        found = json.loads(text)
    except ValueError:
        return None, "Not valid JSON."
    if not isinstance(found, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in found.items()):
        return None, 'Give a JSON object of column header -> field name ("" to skip the column).'
    return found, None
