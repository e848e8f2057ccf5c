"""Child tables edited inline in the parent's form: add, change and remove rows, saved in one go.

A `ChildRowsField` is a WTForms FieldList of one small form per row (the
child entity's fields, minus its link to the parent, plus the row id). The
browser adds rows from a template and removes rows from the page; saving
keeps rows that come back with their id, adds the others and deletes the rest,
exactly like the REST API (fields/child_table.py).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_appbuilder.fieldwidgets import Select2Widget
from markupsafe import Markup
from wtforms import Field, FieldList, Form, FormField, HiddenField
from wtforms import widgets as html

from ..fields import FIELD_TYPES
from ..fields.base import KeepsStoredValue
from ..fields.child_table import parent_field_of
from ..fields.record_select import name_chosen
from ..fields.widgets import TextWidget
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef
from ..rights import hidden_fields, read_only_fields, unchangeable_fields
from .actors import request_actor
from .forms import FormContext
from .interface import EntityInterface
from .models import class_name


class RowForm(Form):
    """One row; CSRF is the parent form's concern."""

    id = HiddenField()


def _plain(unbound: Any, field: FieldDef) -> Any:
    """Rows added in the browser get no JavaScript widgets: plain selects and HTML date inputs."""
    widget, plain = unbound.kwargs.get("widget"), FIELD_TYPES[field.type].plain_input
    if isinstance(widget, Select2Widget) or plain == "select":
        unbound.kwargs["widget"] = html.Select()
        unbound.kwargs["render_kw"] = {**unbound.kwargs.get("render_kw", {}), "class": "form-control"}
    elif plain is not None:
        unbound.kwargs["widget"] = TextWidget(plain)
    return unbound


def row_form(parent: EntityDef, field: FieldDef, catalog: Catalog, models: Any) -> tuple[type[Form], list[FieldDef]]:
    """The form class of one row, and the child fields it shows, in order."""
    child = catalog.entities[child_entity(field)]
    link = parent_field_of(field, child, parent.qualified)
    ctx = FormContext(EntityInterface(models.model(child.qualified)), f"{class_name(child)}View")
    shown = [
        f
        for f in child.fields
        if f.name != link and not f.hidden and not FIELD_TYPES[f.type].generated and FIELD_TYPES[f.type].stores_column
    ]
    fields = {}
    for f in shown:
        unbound = FIELD_TYPES[f.type].form_field(f, ctx)
        if unbound is not None:
            fields[f.name] = _plain(unbound, f)
    return type(f"{child.table}_row", (RowForm,), fields), [f for f in shown if f.name in fields]


class ChildRowsWidget:
    def __call__(self, field: ChildRowsField, **kwargs: Any) -> Markup:
        blank = field.unbound_field.bind(
            form=None,  # type: ignore[arg-type]  # FieldList binds its rows without a form too
            name=f"{field.name}-__index__",
            prefix="",
            _meta=field.meta,
        )
        blank.process(None)
        fixed = read_only_fields(field.target, request_actor())
        for form in [blank.form, *(entry.form for entry in field.entries)]:
            for name in [n for n in fixed if n in form]:  # the user's roles may not change these: saving keeps them
                form[name].render_kw = {**(form[name].render_kw or {}), "readonly": True}
        for column in field.columns:  # the records the rows' selects show, named together (not one query per row)
            name_chosen([entry.form[column.name] for entry in field.entries if column.name in entry.form])
        return Markup(
            render_template("formwork/child_rows.html", field=field, columns=field.shown_columns(), blank=blank)
        )


class ChildRowsField(KeepsStoredValue, FieldList):
    widget = ChildRowsWidget()

    def __init__(
        self, unbound_field: Any, label: Any = None, *, definition: FieldDef, columns: list[FieldDef], **kwargs: Any
    ) -> None:
        super().__init__(unbound_field, label, min_entries=0, **kwargs)
        self.definition, self.columns = definition, columns

    @property
    def target(self) -> str:
        """The child entity, whose field rights apply to the rows."""
        return child_entity(self.definition)

    def shown_columns(self) -> list[FieldDef]:
        """The child fields this user sees: the child entity's field rights apply to its rows here too."""
        hidden = hidden_fields(self.target, request_actor())
        return [f for f in self.columns if f.name not in hidden]

    def process(self, formdata: Any, data: Any = (), extra_filters: Any = None) -> None:
        super().process(
            formdata,
            data=[_row_data(row, self.columns) for row in data or []] if data else (),
            extra_filters=extra_filters,
        )
        hidden = hidden_fields(self.target, request_actor())
        for entry in self.entries:  # a hidden field is neither shown nor checked nor taken from the post
            for name in [n for n in hidden if n in entry.form]:
                del entry.form[name]

    def keep(self, stored: Any) -> None:
        """A posted row that comes back with its id tells its fields what that row holds."""
        rows = {str(row.id): row for row in stored or []}
        for entry in self.entries:
            row = rows.get(str(entry.form.id.data))
            field: Field
            for field in entry.form if row is not None else ():
                if isinstance(field, KeepsStoredValue):
                    field.keep(getattr(row, field.short_name))

    def populate_obj(self, obj: Any, name: str) -> None:
        # left out of the row: a kept row keeps its stored value
        fixed = unchangeable_fields(self.target, request_actor())
        rows = [_api_row(entry.form, [f for f in self.columns if f.name not in fixed]) for entry in self.entries]
        session = current_app.appbuilder.session  # type: ignore[attr-defined]  # FAB's
        FIELD_TYPES["child_table"].assign(obj, self.definition, rows, session, obj.__models__)


def child_entity(field: FieldDef) -> str:
    """The entity of a child-table field's rows (validation made sure it names one)."""
    assert field.target is not None, f"checked: {field.name} names its child entity"
    return field.target


def _row_data(row: Any, columns: list[FieldDef]) -> dict[str, Any]:
    """A stored row as the row form's initial data."""
    data = {"id": row.id}
    for f in columns:
        data[f.name] = getattr(row, f.name)
    return data


def _api_row(form: Any, columns: list[FieldDef]) -> dict[str, Any]:
    """A submitted row as the REST API would receive it (references as ids)."""
    row: dict[str, Any] = {"id": int(form.id.data) if str(form.id.data or "").isdigit() else None}
    for f in columns:
        value = form[f.name].data
        row[f.name] = getattr(value, "id", value) if FIELD_TYPES[f.type].refers_to_one else value
    return row


def child_rows_field(parent: EntityDef, field: FieldDef, catalog: Catalog, models: Any) -> ChildRowsField:
    form_class, columns = row_form(parent, field, catalog, models)
    return ChildRowsField(
        FormField(form_class), field.label, definition=field, columns=columns, description=field.help or ""
    )
