"""Printing on the screens: the Print menu of a record's show page, the PDF and the HTML preview.

Mixed into the ModelView of each entity that has print formats (compile/views.build_view), so FAB checks the
entity's `can_show`, and the record is found through the view's datamodel with its base filters: a record the user
may not see is 404. The menu lists only the formats the user's roles may use; asking for another is 403. A template
that fails on the record flashes why and goes back to the record's page (and is logged), never a 500 page.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, url_for
from flask_appbuilder import expose, has_access, permission_name
from werkzeug.wrappers import Response

from ..adapters.fab import base_filters
from ..compile.actors import request_actor
from .definition import PrintFormatDef
from .labels import TEXT
from .rendering import PrintFailed
from .service import document_html, document_pdf, find_format, may_print, pdf_name, printable_formats

#: the preview is a document, not a page of the app: sandboxed (no scripts, its own origin), its styles inline and
#: its images from data: URLs only, as the PDF's renderer fetches nothing either
PREVIEW_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"


class PrintScreens:
    """The Print menu's values and the print routes of an entity's ModelView (which provides entity, catalog,
    datamodel and the route base)."""

    entity: Any
    catalog: Any
    datamodel: Any

    def print_widgets(self, pk: int) -> dict[str, Any]:
        """The show page's Print menu: (label, PDF link, preview link) of each format the user may use."""
        formats = printable_formats(self.catalog, self.entity, request_actor())
        if not formats:
            return {}
        links = [
            (f.label, url_for(".print_record", pk=pk, name=f.name), url_for(".print_preview", pk=pk, name=f.name))
            for f in formats
        ]
        return {"print_formats": links, "print_text": TEXT}

    @expose("/print/<int:pk>/<name>")
    @has_access
    @permission_name("show")
    def print_record(self, pk: int, name: str) -> Response:
        """The record printed with format `name`, as PDF (shown in the browser)."""
        definition, item = self._printing(pk, name)
        try:
            pdf = document_pdf(current_app.extensions["formwork"], definition, self.entity, item, request_actor())
        except PrintFailed as failed:
            return self._failed(pk, definition, failed)
        headers = {"Content-Disposition": f'inline; filename="{pdf_name(definition, item)}"'}
        return Response(pdf, mimetype="application/pdf", headers=headers)

    @expose("/print/<int:pk>/<name>/preview")
    @has_access
    @permission_name("show")
    def print_preview(self, pk: int, name: str) -> Response:
        """The record printed with format `name`, as the HTML page the PDF is made from."""
        definition, item = self._printing(pk, name)
        try:
            html = document_html(current_app.extensions["formwork"], definition, self.entity, item, request_actor())
        except PrintFailed as failed:
            return self._failed(pk, definition, failed)
        return Response(html, mimetype="text/html", headers={"Content-Security-Policy": PREVIEW_POLICY})

    def _printing(self, pk: int, name: str) -> tuple[PrintFormatDef, Any]:
        """The format (404 if the entity has none of that name, 403 if the user's roles may not use it) and the
        record (404 if the user may not see it)."""
        definition = find_format(self.catalog, self.entity, name)
        if definition is None:
            abort(404)
        if not may_print(definition, request_actor()):
            abort(403, TEXT["not_allowed"].localized())
        item = self.datamodel.get(pk, base_filters(self))
        if item is None:
            abort(404)
        return definition, item

    def _failed(self, pk: int, definition: PrintFormatDef, failed: PrintFailed) -> Response:
        flash(TEXT["failed"].localized().format(format=definition.label.localized(), error=failed), "danger")
        return redirect(url_for(".show", pk=pk))
