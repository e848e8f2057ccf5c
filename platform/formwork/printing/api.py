"""`GET /api/v1/<entity>/<id>/print/<name>.pdf`: a record printed with one of its entity's print formats.

A route of every entity's REST API (mixed in through ENTITY_APIS), so it takes the API's JWT and needs `can_get` on
it, like reading the record. Then: a format the entity does not have is 404; one the caller's roles may not use
403; a record outside the caller's record rules 404 (as for every read: the caller never learns it exists); a
template that fails on this record 422 with why, logged, never a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from ..adapters.fab import base_filters
from ..compile.actors import request_actor
from .labels import TEXT
from .rendering import PrintFailed
from .service import document_pdf, find_format, may_print, pdf_name


class PrintApi:
    """The print route of EntityRestApi (which provides entity, catalog, datamodel, the tenant's runtime and FAB's
    response helpers)."""

    entity: Any
    catalog: Any
    datamodel: Any

    @expose("/<int:pk>/print/<name>.pdf", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def print_pdf(self, pk: int, name: str) -> Response:
        """A record printed as PDF with one of its entity's print formats
        ---
        get:
          description: >-
            The print format `name` (kind PrintFormat) applied to the record, as PDF. Formats may be limited to
            roles; the record is read under the caller's record rules and field rights.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: name, required: true, schema: {type: string}, description: the print format's name}
          responses:
            200:
              description: the PDF
              content:
                application/pdf: {schema: {type: string, format: binary}}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        definition = find_format(self.catalog, self.entity, name)
        if definition is None:
            return self.response_404()  # type: ignore[attr-defined]
        actor = request_actor()
        if not may_print(definition, actor):
            return self.response(403, message=TEXT["not_allowed"].localized())  # type: ignore[attr-defined]
        item = self.datamodel.get(pk, base_filters(self))
        if item is None:
            return self.response_404()  # type: ignore[attr-defined]
        runtime = self._runtime()  # type: ignore[attr-defined]
        try:
            pdf = document_pdf(runtime, definition, self.entity, item, actor)
        except PrintFailed as failed:
            message = TEXT["failed"].localized().format(format=definition.label.localized(), error=failed)
            return self.response(422, message=message)  # type: ignore[attr-defined]
        headers = {"Content-Disposition": f'inline; filename="{pdf_name(definition, item)}"'}
        return Response(pdf, mimetype="application/pdf", headers=headers)
