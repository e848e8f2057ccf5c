"""rich_text: HTML written by users, sanitized on every save so a page can show it as HTML."""

from __future__ import annotations

from typing import Any

import nh3
import sqlalchemy as sa
import wtforms
from markupsafe import Markup
from marshmallow import fields as ma

from ..meta.model import FieldDef
from .base import FieldType
from .widgets import TextAreaWidget

ALLOWED_TAGS = {
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "hr",
}


def sanitize(html: str | None) -> str | None:
    """Keep formatting, drop scripts, event handlers and javascript: links."""
    if html is None:
        return None
    return nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer", url_schemes={"http", "https", "mailto"})


class SanitizedHtml(ma.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        return sanitize(super()._deserialize(value, attr, data, **kwargs))


class SanitizedTextArea(wtforms.TextAreaField):
    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.data = sanitize(self.data) if self.data else self.data


class RichTextField(FieldType):
    name = "rich_text"
    searchable = keys_seeds = True
    indexable = False
    form_class = SanitizedTextArea

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.Text()

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return SanitizedHtml

    def widget(self, field: FieldDef) -> Any:
        return TextAreaWidget(rows=8)

    def format_value(self, field: FieldDef, value: Any) -> str:
        return Markup(sanitize(value)) if value else ""
