"""child_table: the rows of another entity that belong to this record (expense lines, quote lines).

The child entity has a reference field back to this entity (`parent_field`).
Rows are created, changed and removed together with their parent, in one save:
the API takes the whole list (a row with an `id` is kept and updated, a row
without one is added, a row left out is deleted); screens edit them inline.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from marshmallow import fields as ma
from sqlalchemy.orm import relationship

from ..actor import Actor
from ..i18n import CatalogText
from ..meta.model import FieldDef
from .base import ChoiceFilter, FieldType
from .reference import TARGET_SCHEMA

#: a row's refusal, whole in the reader's language: the row's number, its field's label, the field's message
ROW_PROBLEM = CatalogText("Row {number}, {field}: {problem}")


class ChildTableField(FieldType):
    name = "child_table"
    holds_rows = targets_entity = True
    stores_column = False
    properties = {
        "target": TARGET_SCHEMA,
        "parent_field": {
            "$ref": "#/$defs/identifier",
            "description": "the child's reference field pointing at this entity (needed only if it has several)",
        },
    }
    required_properties = ("target",)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        schema = super().json_schema()
        schema["properties"] = {
            k: v for k, v in schema["properties"].items() if k not in ("unique", "indexed", "default")
        }
        return schema

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        child = ctx.entity_of(field.target)
        link = parent_field_of(field, child, ctx.entity.qualified)
        remote = ctx.class_name(child)
        return {
            field.name: relationship(
                remote,
                foreign_keys=f"[{remote}.{link}_id]",
                cascade="all, delete-orphan",
                order_by=f"{remote}.id",
                lazy="select",
                overlaps=link,
            )
        }

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        # Rows are validated with the child entity's own schema (compile/schemas.py nests it here).
        return ma.List(ma.Dict(), metadata={"description": f"rows of {field.target}"})

    def form_field(self, field: FieldDef, ctx: Any) -> None:
        return None

    def assign(self, item: Any, field: FieldDef, rows: Any, session: Any, models: Any) -> None:
        """Keep the rows sent with an id, add those without, drop the rest (delete-orphan deletes them)."""
        from . import FIELD_TYPES  # the registry imports this module

        child_model = models.model(field.target)
        child = child_model.__entity__
        link = parent_field_of(field, child, item.__entity__.qualified)
        existing = {row.id: row for row in getattr(item, field.name)}
        kept = []
        for data in rows or []:
            row = existing.get(data.get("id")) or child_model()
            for f in child.fields:
                if f.name in data and f.name != link:
                    FIELD_TYPES[f.type].assign(row, f, data[f.name], session, models)
            kept.append(row)
        setattr(item, field.name, kept)

    def value_errors(
        self, field: FieldDef, value: Any, session: Any, models: Any, actor: Actor, choices: ChoiceFilter
    ) -> list[str]:
        from . import FIELD_TYPES

        return [
            _row_problem(number, f, p)
            for number, f, sent, _ in _row_values(field, value, None, models)
            for p in FIELD_TYPES[f.type].value_errors(f, sent, session, models, actor, choices)
        ]

    def change_errors(self, field: FieldDef, value: Any, item: Any | None, models: Any) -> list[str]:
        """Each row's values judged against the row it changes (a row sent with its id), as the row's own fields."""
        from . import FIELD_TYPES

        return [
            _row_problem(number, f, p)
            for number, f, sent, row in _row_values(field, value, item, models)
            for p in FIELD_TYPES[f.type].change_errors(f, sent, row, models)
        ]

    def format_value(self, field: FieldDef, value: Any) -> str:
        """A list cell or export: how many rows (show pages and the approval panel show the rows, compile/child_tables.py)."""
        return str(len(value or []))


def _row_problem(number: int, field: FieldDef, problem: str) -> str:
    return ROW_PROBLEM.localized().format(number=number, field=field.label.localized(), problem=problem)


#: the value types whose column a child table adds up under its rows
TOTALLED = frozenset({"integer", "decimal", "money"})


def display_columns(child: Any, link: str, listed: list[str] | None, hidden: set[str]) -> list[FieldDef]:
    """The columns a child table shows read-only: its list view's (`listed`), else its fields; never the link to the
    parent, a field hidden from the reader, or one that holds several values."""
    names = listed if listed is not None else [f.name for f in child.fields]
    fields = [child.field(name) for name in names if child.field(name) is not None]
    return [
        f
        for f in fields
        if f.name != link
        and f.name not in hidden
        and not f.hidden
        and f.type not in ("many_to_many", "child_table", "json")
    ]


def related_columns(columns: list[FieldDef]) -> list[str]:
    """Columns shown through a relationship (a reference's title, a user's name): loaded with the rows."""
    return [f.name for f in columns if f.type in ("reference", "user")]


def display_cell(field: FieldDef, row: Any) -> Any:
    """One row's value of a column, formatted as lists format it (a related record by its title)."""
    from . import FIELD_TYPES

    value = getattr(row, field.name)
    if field.type in ("reference", "user"):
        return "" if value is None else str(value)
    if field.options.get("currency_field"):
        # a money field: its format_value also takes the currency
        return FIELD_TYPES[field.type].format_value(field, value, getattr(row, field.options["currency_field"]))  # type: ignore[call-arg]
    return FIELD_TYPES[field.type].format_value(field, value)


def column_total(field: FieldDef, rows: list[Any]) -> Any:
    """The sum of a number column, formatted as its cells are; None for other columns, and for amounts in several
    currencies (they do not add up)."""
    if field.value_type not in TOTALLED:
        return None
    currency = field.options.get("currency_field")
    currencies = {getattr(row, currency) for row in rows} if currency else set()
    if len(currencies) > 1:
        return None
    total = {field.name: sum((getattr(row, field.name) or 0 for row in rows), 0)}
    if currency:
        total[currency] = next(iter(currencies), None)
    return display_cell(field, SimpleNamespace(**total))


def _row_values(field: FieldDef, rows: Any, item: Any | None, models: Any) -> list[tuple[int, FieldDef, Any, Any]]:
    """(row number, child field, value sent, stored row or None) for every value of every row sent."""
    child = models.model(field.target).__entity__
    stored = {row.id: row for row in getattr(item, field.name)} if item is not None else {}
    return [
        (number, f, data[f.name], stored.get(data.get("id")))
        for number, data in enumerate(rows or [], start=1)
        for f in child.fields
        if f.name in data
    ]


def parent_field_of(field: FieldDef, child: Any, parent: str) -> str:
    """The child's reference to the parent: named by `parent_field`, or the only one there is."""
    if field.options.get("parent_field"):
        return str(field.options["parent_field"])
    links = [f.name for f in child.fields if f.type == "reference" and f.target == parent]
    return links[0] if len(links) == 1 else ""
