"""Field types whose value is a structure: multi_choice (a list of choice values) and json."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
import wtforms
from markupsafe import Markup
from marshmallow import ValidationError
from marshmallow import fields as ma

from ..meta.model import FieldDef
from .base import FieldType
from .choices import ChoiceKind, KeptChoicesSelect, badge
from .widgets import TextAreaWidget

#: rows read at a time when the schema plan scans a multi_choice column
SCAN_BATCH = 1000


class MultiChoiceField(ChoiceKind):
    """Several values from a fixed list (tags, skills), stored as a JSON list.

    SQLite and PostgreSQL spell JSON functions differently, so the schema plan reads and rewrites the lists in
    Python: every list when counting stored values, only those whose text mentions a mapped value when rewriting.
    """

    name = "multi_choice"
    holds_list = True
    indexable = False
    default_schema = {"type": "array", "items": {"type": ["string", "integer"]}}
    form_class = KeptChoicesSelect

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.JSON()

    def values_of(self, value: Any) -> list[str]:
        return [str(v) for v in value] if isinstance(value, list) else []

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return ma.List(
            ma.String(validate=self.marshmallow_validators(field)),
            required=field.required and field.default is None,
            allow_none=not field.required,
            load_default=field.default,
            metadata={"description": field.help or field.label},
        )

    def widget(self, field: FieldDef) -> Any:
        from flask_appbuilder.fieldwidgets import Select2ManyWidget

        return Select2ManyWidget()

    def format_value(self, field: FieldDef, value: Any) -> str:
        if not value:
            return ""
        choices = {c.value: c for c in field.choices}
        return Markup(" ").join(badge(choices[v]) if v in choices else Markup("{0}").format(v) for v in value)

    def stored_outside(
        self, connection: sa.Connection, table: sa.TableClause, column: str, allowed: set[str]
    ) -> dict[str, int]:
        query = sa.select(table.c[column]).where(table.c[column].is_not(None)).execution_options(yield_per=SCAN_BATCH)
        counts: Counter[str] = Counter()
        for (stored,) in connection.execute(query):
            counts.update({v for v in self.values_of(stored) if v not in allowed})
        return dict(counts)

    def rewrite_stored(
        self, connection: sa.Connection, table: sa.TableClause, column: str, mapping: dict[str, str]
    ) -> None:
        text = sa.cast(table.c[column], sa.Text)
        spellings = {spelling for old in mapping for spelling in (old, json.dumps(old)[1:-1])}  # as is, or escaped
        mentions = sa.or_(*(text.contains(spelling, autoescape=True) for spelling in spellings))
        for key, stored in connection.execute(sa.select(table.c.id, table.c[column]).where(mentions)).all():
            values = self.values_of(stored)
            if any(v in mapping for v in values):
                rewritten = list(dict.fromkeys(mapping.get(v, v) for v in values))
                connection.execute(sa.update(table).where(table.c.id == key).values({column: rewritten}))


class JsonTextField(wtforms.TextAreaField):
    """A textarea holding JSON; invalid JSON is a form error, not a 500."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else json.dumps(self.data, ensure_ascii=False, indent=2)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = json.loads(text)
        except ValueError as exc:
            self.data = None
            raise ValueError(f"Not valid JSON: {exc}") from None


class JsonValue(ma.Raw):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, (dict, list)):
            raise ValidationError("Must be a JSON object or list.")
        return value


class JsonField(FieldType):
    """Free-form structured data for integrations; any JSON object or list."""

    name = "json"
    indexable = False
    default_schema = {"type": ["object", "array"]}
    form_class = JsonTextField

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.JSON()

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return JsonValue

    def widget(self, field: FieldDef) -> Any:
        return TextAreaWidget(rows=6)

    def format_value(self, field: FieldDef, value: Any) -> str:
        if value is None:
            return ""
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:77] + "..."
