"""A print format applied to one record: the HTML document, and the PDF WeasyPrint makes of it.

The template renders in the tenant's language (labels, choices, dates and money: the document is the tenant's, not
the reader's screen), with the tenant's currency and time zone. The platform's stylesheet sets the paper and a
font that has Chinese (Noto Sans CJK SC, Debian's fonts-noto-cjk); the format's own CSS comes after it.

A template that fails on the record's data (a field it reads is not there, an unsafe attribute, a value a filter
cannot format) raises PrintFailed with Jinja's words: the screen and the API answer it as the user's problem,
never as a 500. WeasyPrint fetches nothing but `data:` URLs, so a template cannot make the server request a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from jinja2 import TemplateError
from markupsafe import escape
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .definition import PrintFormatDef
from .printed import Printed
from .sandbox import compiled, missing

#: paper sizes CSS names (`@page { size }`)
PAPER = {"A4": "A4", "A5": "A5", "Letter": "letter"}
FONTS = '"Noto Sans CJK SC", "Noto Sans CJK", "Noto Sans", sans-serif'
BASE_STYLE = """
@page {{ size: {paper}{orientation}; margin: 15mm 14mm; }}
html {{ font-family: {fonts}; font-size: 10pt; color: #000; }}
h1 {{ font-size: 16pt; margin: 0 0 6pt; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 0.5pt solid #555; padding: 3pt 5pt; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
.number {{ text-align: right; white-space: nowrap; }}
"""
PAGE = (
    '<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8"><title>{title}</title>'
    "<style>{style}</style></head>\n<body>\n{body}\n</body></html>\n"
)
#: what a render may raise on the record's data: Jinja's errors, a filter given what it cannot format, a macro
#: calling itself without end
TEMPLATE_FAILURES = (TemplateError, ArithmeticError, ValueError, TypeError, LookupError, RecursionError)
NO_FETCHING = URLFetcher(allowed_protocols={"data"})


class PrintFailed(Exception):
    """The template could not be applied to this record; the message says why (Jinja's words)."""


@dataclass(frozen=True)
class TenantFacts:
    """What a print shows of the tenant: its name, its logo (a `data:` URI, or None) and its language, currency and
    time zone."""

    name: str
    language: str
    currency: str
    timezone: str
    logo: str | None = None


@dataclass(frozen=True)
class PrintJob:
    """One format to apply to one record (already read for its reader) of `entity`."""

    definition: PrintFormatDef
    entity: EntityDef
    record: Printed
    catalog: Catalog
    tenant: TenantFacts
    printed_at: datetime


def render_html(job: PrintJob) -> str:
    """The HTML document of `job`, in the tenant's language."""
    language = job.tenant.language
    with force_locale(language):
        try:
            body = compiled(job.definition.template).render(_context(job))
        except TEMPLATE_FAILURES as failed:
            raise PrintFailed(str(failed)) from failed
    definition = job.definition
    style = BASE_STYLE.format(
        paper=PAPER[definition.paper], orientation=" landscape" if definition.landscape else "", fonts=FONTS
    )
    return PAGE.format(
        language=escape(language),
        title=escape(f"{definition.label.get(language)} {job.record}"),
        style=(style + definition.style).replace("</", "<\\/"),  # the format's CSS cannot close the style element
        body=body,
    )


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered document."""
    return HTML(string=html, url_fetcher=NO_FETCHING).write_pdf()


def _context(job: PrintJob) -> dict[str, Any]:
    language = job.tenant.language
    return {
        "record": job.record,
        "tenant": job.tenant,
        "entity": job.entity.label.get(language),
        "format": {"name": job.definition.name, "label": job.definition.label.get(language)},
        "label": lambda path: _label(job.catalog, job.entity, path, language),
        "now": job.printed_at,
    }


def _label(catalog: Catalog, entity: EntityDef, path: str, language: str) -> Any:
    """The label of a field in `language`: `label("total")`, or through a table or reference `label("lines.amount")`."""
    *through, name = str(path).split(".")
    for step in through:
        found = entity.field(step)
        target = catalog.entities.get(found.target or "") if found is not None else None
        if target is None:
            return missing(f"{entity.qualified} has no table or reference '{step}'")
        entity = target
    field = entity.field(name)
    if field is None:
        return missing(f"{entity.qualified} has no field '{name}'")
    label: Label = field.label
    return label.get(language)
