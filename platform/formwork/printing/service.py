"""Printing a record in a tenant app: who may use which format, and the document for the request's reader.

Who may print a format: a holder of one of its `roles` (every reader when it names none) or of the tenant's Admin
role, and only records they may read: the screen and the API check the entity's read right and look the record up
under the reader's record rules before anything here runs, and the record is read under their field rights
(printed.py). The screen and the API both come through here, so they print the same document and log the same line
when a template fails.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from ..actor import Actor
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .definition import PrintFormatDef, formats_of
from .printed import RecordReader
from .rendering import PrintFailed, PrintJob, TenantFacts, render_html, render_pdf

LOG = logging.getLogger(__name__)


def may_print(definition: PrintFormatDef, actor: Actor) -> bool:
    """Whether `actor`'s roles let it use `definition` (its read rights on the record are checked by the caller)."""
    if not definition.roles or actor.is_system:
        return True
    admin = current_app.appbuilder.sm.auth_role_admin  # type: ignore[attr-defined]  # FAB sets it on the app
    return admin in actor.roles or bool(actor.roles & set(definition.roles))


def printable_formats(catalog: Catalog, entity: EntityDef, actor: Actor) -> list[PrintFormatDef]:
    """The formats of `entity` `actor` may use: its record page's Print menu."""
    return [f for f in formats_of(catalog, entity.qualified) if may_print(f, actor)]


def find_format(catalog: Catalog, entity: EntityDef, name: str) -> PrintFormatDef | None:
    found: PrintFormatDef | None = catalog.print_formats.get((entity.qualified, name))
    return found


def tenant_facts() -> TenantFacts:
    """The tenant app's name, logo, language, currency and time zone (tenancy/apps.tenant_config)."""
    config = current_app.config
    return TenantFacts(
        name=config["APP_NAME"],
        language=config["BABEL_DEFAULT_LOCALE"],
        currency=config["FORMWORK_CURRENCY"],
        timezone=config["FORMWORK_TIMEZONE"],
        logo=config.get("FORMWORK_LOGO"),
    )


def document_html(runtime: Any, definition: PrintFormatDef, entity: EntityDef, item: Any, actor: Actor) -> str:
    """The HTML of `item` printed with `definition` for `actor`; PrintFailed (logged) when the template fails."""
    reader = RecordReader(runtime.session(), runtime.catalog, runtime.compiled, actor)
    job = PrintJob(definition, entity, reader.record(item), runtime.catalog, tenant_facts(), actor.now())
    try:
        return render_html(job)
    except PrintFailed as failed:
        LOG.warning(
            "print format %s of %s failed on record %s for %s: %s",
            definition.name,
            entity.qualified,
            item.id,
            actor.username,
            failed,
        )
        raise


def document_pdf(runtime: Any, definition: PrintFormatDef, entity: EntityDef, item: Any, actor: Actor) -> bytes:
    """The PDF of `item` printed with `definition` for `actor`."""
    return render_pdf(document_html(runtime, definition, entity, item, actor))


def pdf_name(definition: PrintFormatDef, item: Any) -> str:
    """The PDF's file name: the format and the record's id (a title may hold any character)."""
    return f"{definition.name}-{item.id}.pdf"
