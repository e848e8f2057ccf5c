"""Boolean, date, datetime and choice field types."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
import wtforms
from markupsafe import Markup
from marshmallow import fields as ma
from wtforms.widgets import html_params

from .. import formatting
from ..meta.model import FieldDef
from .base import FieldType
from .choices import ChoiceKind, KeptChoiceSelect, badge
from .widgets import TextWidget


class JsonBoolean(ma.Boolean):
    """true or false as JSON writes them: `0`, `1` or `"yes"` are refused (marshmallow would take them)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):  # 1 == True in Python, so a set of truthy values cannot tell them apart
            raise self.make_error("invalid", input=value)
        return value


class BooleanField(FieldType):
    name = "boolean"
    holds_yes_no = groupable = True
    default_schema = {"type": "boolean"}
    form_class = wtforms.BooleanField

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.Boolean()

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return JsonBoolean

    def form_field(self, field: FieldDef, ctx: Any) -> wtforms.Field | None:
        # A required checkbox would force it ticked; "required" means "not null" here.
        return wtforms.BooleanField(field.label, description=field.help or "", default=bool(field.default))

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else ("✓" if value else "✗")


class DateField(FieldType):
    name = "date"
    holds_date = native_in_spreadsheets = True
    plain_input = "date"
    form_class = wtforms.DateField

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.Date()

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return ma.Date

    def widget(self, field: FieldDef) -> Any:
        from flask_appbuilder.fieldwidgets import DatePickerWidget

        return DatePickerWidget()

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else formatting.day(value)


class LocalDateTimeInput(wtforms.DateTimeField):
    """A datetime typed and shown in the tenant's time zone; its `data` stays naive UTC, as stored.

    The show page and lists convert stored times to the tenant's zone, so the form must too, or a
    record edited and saved unchanged would move by the zone's offset.
    """

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return formatting.to_local(self.data).strftime(self.format[0]) if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = formatting.to_utc(self.data)


class LocalDateTimePicker:
    """FAB's date-time picker, showing the field's text (`_value()`: local time, or what was typed) where FAB's
    shows `field.data` (the UTC value)."""

    def __call__(self, field: LocalDateTimeInput, **kwargs: Any) -> Markup:
        from flask_appbuilder.fieldwidgets import DateTimePickerWidget

        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        return Markup(
            DateTimePickerWidget.data_template % {"text": html_params(type="text", value=field._value(), **kwargs)}
        )


class UtcDateTime(ma.DateTime):
    """A moment in the API: stored as naive UTC, written with its zone (`+00:00`) as RFC 3339 asks; one sent with
    another zone is converted to UTC, one sent without a zone is taken as UTC."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | float | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        return moment if moment.tzinfo is None else moment.astimezone(timezone.utc).replace(tzinfo=None)


class DateTimeField(FieldType):
    name = "datetime"
    holds_date = holds_moment = native_in_spreadsheets = True
    form_class = LocalDateTimeInput

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.DateTime()

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return UtcDateTime

    def form_kwargs(self, field: FieldDef) -> dict[str, Any]:
        return {"format": "%Y-%m-%d %H:%M:%S"}

    def widget(self, field: FieldDef) -> Any:
        return LocalDateTimePicker()

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else formatting.moment(value)


class TimeField(FieldType):
    name = "time"
    form_class = wtforms.TimeField

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.Time()

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return ma.Time

    def widget(self, field: FieldDef) -> Any:
        return TextWidget("time")

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else formatting.clock(value)


class ChoiceField(ChoiceKind):
    """One value from a fixed list; stored as the value, shown as its label."""

    name = "choice"
    searchable = keys_seeds = groupable = titles_as_stored = True
    plain_input = "select"
    default_schema = {"type": ["string", "integer"]}
    form_class = KeptChoiceSelect

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.String(64)

    def values_of(self, value: Any) -> list[str]:
        return [] if value in (None, "") else [str(value)]

    def form_kwargs(self, field: FieldDef) -> dict[str, Any]:
        kwargs = super().form_kwargs(field)
        blank = [] if field.required else [("", "—")]
        return {**kwargs, "choices": blank + kwargs["choices"], "coerce": _blank_to_none}

    def widget(self, field: FieldDef) -> Any:
        from flask_appbuilder.fieldwidgets import Select2Widget

        return Select2Widget()

    def format_value(self, field: FieldDef, value: Any) -> str:
        if value is None:
            return ""
        choice = {c.value: c for c in field.choices}.get(str(value))
        return badge(choice) if choice else str(value)

    def stored_outside(
        self, connection: sa.Connection, table: sa.TableClause, column: str, allowed: set[str]
    ) -> dict[str, int]:
        stored = table.c[column]
        query = (
            sa.select(stored, sa.func.count())
            .where(stored.is_not(None), stored != "", stored.not_in(sorted(allowed)))
            .group_by(stored)
        )
        return {str(value): count for value, count in connection.execute(query)}

    def rewrite_stored(
        self, connection: sa.Connection, table: sa.TableClause, column: str, mapping: dict[str, str]
    ) -> None:
        for old, new in mapping.items():
            connection.execute(sa.update(table).where(table.c[column] == old).values({column: new}))


def _blank_to_none(value: Any) -> Any:
    return None if value in ("", None, "None") else str(value)
