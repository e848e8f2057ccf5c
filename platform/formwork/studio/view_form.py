"""The view editor's form, generated from what a view kind declares it edits (meta/editing.py): each property's
control (its options among the entity's fields, what the document holds now) and the document a post makes.

A list of values (a card's fields, a list's columns, a pivot's dimensions or measures) is posted as one value per
chosen item under the property's control name, in the order the admin put them; each item is a token (`amount`,
`close_date:month`, `sum:amount`) that stands for the document's item; a view's roles are ticked boxes, none ticked
leaving the key out (everyone). A filter is rows of field, operator and value joined by all or any
(studio/filter_rows.py), posted with `<control>.mode` = rows; a filter the rows cannot show, or one the admin
chooses to write as JSON (`<control>.mode` = text), is the JSON text posted under the control's name. Keys the
editor does not edit (a calendar's duration, a list's page size, a column's format) are kept as the document has
them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from ..fields import value_kind
from ..meta.editing import (
    CHOICE,
    DIMENSIONS,
    FIELDS,
    FILTER,
    MEASURES,
    ORDER,
    ROLES,
    TOTALS,
    EditableProperty,
    ViewEditing,
)
from ..meta.model import EntityDef, FieldDef
from .filter_rows import (
    FilterRows,
    field_options,
    filter_of,
    filter_text,
    operator_options,
    posted_as_rows,
    posted_rows,
    row_control,
    rows_of,
    shown_again,
)
from .filter_rows import Option as FilterOption
from .view_labels import MEASURE_WORDS, TEXT

#: the lists of tokens: one posted value per chosen item, in order (a view's roles: one per ticked box)
LISTS = (FIELDS, DIMENSIONS, MEASURES, ROLES)
COUNT = "count"
LABEL_CONTROLS = {"en": "label_en", "zh": "label_zh"}


@dataclass(frozen=True)
class Option:
    token: str
    label: str


@dataclass
class Control:
    """One property as the form shows it: its options and what is chosen (tokens, in order); a filter's rows (with
    their options) and its text."""

    prop: EditableProperty
    options: list[Option]
    chosen: list[str]
    descending: bool = False
    text: str = ""
    totals: dict[str, str] = field(default_factory=dict)
    rows: FilterRows = field(default_factory=FilterRows)
    filter_fields: list[FilterOption] = field(default_factory=list)
    operators: list[FilterOption] = field(default_factory=list)

    @property
    def name(self) -> str:
        return control_name(self.prop)

    def label_of(self, token: str) -> str:
        return next((o.label for o in self.options if o.token == token), token)


def control_name(prop: EditableProperty) -> str:
    return f"p.{prop.key}"


def _field_label(found: FieldDef) -> str:
    return f"{found.label.localized()} ({found.name})"


def _accepted(prop: EditableProperty, found: FieldDef) -> bool:
    kind = value_kind(found)
    return not prop.accepts or any(getattr(kind, capability) for capability in prop.accepts)


def options(prop: EditableProperty, entity: EntityDef, roles: Sequence[Option] = ()) -> list[Option]:
    """What the property may name, among `entity`'s fields or the tenant's `roles` (the checks still judge what is
    posted)."""
    if prop.value == ROLES:
        return list(roles)
    if prop.value == CHOICE:
        return [Option(choice, choice) for choice in prop.choices]
    if prop.value == DIMENSIONS:
        return _dimension_options(prop, entity)
    if prop.value == MEASURES:
        return _measure_options(prop, entity)
    return [Option(f.name, _field_label(f)) for f in entity.fields if _accepted(prop, f)]


def _dimension_options(prop: EditableProperty, entity: EntityDef) -> list[Option]:
    """A field one groups by as it is, or a date field by each period."""
    found = []
    for f in entity.fields:
        kind = value_kind(f)
        if kind.holds_date and not kind.holds_moment:
            found += [Option(f"{f.name}:{period}", f"{_field_label(f)} — {period}") for period in prop.choices]
        elif kind.groupable or kind.has_choices or kind.refers_to_one or kind.holds_yes_no:
            found.append(Option(f.name, _field_label(f)))
    return found


def _measure_options(prop: EditableProperty, entity: EntityDef) -> list[Option]:
    found = [Option(COUNT, TEXT["count"].localized())]
    for f in entity.fields:
        if value_kind(f).holds_number:
            for function in prop.choices:
                words = MEASURE_WORDS.get(function)
                label = words.localized().format(field=_field_label(f)) if words else f"{function} {_field_label(f)}"
                found.append(Option(f"{function}:{f.name}", label))
    return found


def tokens(prop: EditableProperty, value: Any) -> list[str]:
    """The document's value of the property as the form's tokens."""
    if value is None:
        return []
    if prop.value == ORDER:
        return [str(value).lstrip("-")]
    if prop.value == TOTALS:
        return [str(name) for name in value]
    if prop.value not in LISTS:
        return [str(value)]
    return [_token(item) for item in value]


def _token(item: Any) -> str:
    """`amount`; `{field: close_date, by: month}` → `close_date:month`; `{sum: amount}` → `sum:amount`;
    a list column `{field: due, format: relative}` → `due` (its format is kept by `_item`)."""
    if not isinstance(item, dict):
        return str(item)
    if "field" in item:
        return f"{item['field']}:{item['by']}" if "by" in item else str(item["field"])
    ((function, name),) = item.items()
    return f"{function}:{name}"


def _item(prop: EditableProperty, token: str, kept: dict[str, Any]) -> Any:
    """The document's item of a token: the one the document had for it (a column keeps its format), else made."""
    if token in kept:
        return kept[token]
    if ":" not in token:
        return token
    first, second = token.split(":", 1)
    return {"field": first, "by": second} if prop.value == DIMENSIONS else {first: second}


def _offered(prop: EditableProperty, entity: EntityDef, chosen: list[str], roles: Sequence[Option]) -> list[Option]:
    """The property's options, and what is chosen that is none of them (shown, so the admin sees and removes it)."""
    known = options(prop, entity, roles)
    return known + [Option(token, token) for token in chosen if all(o.token != token for o in known)]


def controls(
    editing: ViewEditing, entity: EntityDef, document: dict[str, Any], roles: Sequence[Option] = ()
) -> list[Control]:
    """The form's controls for the view `document` (its properties' values now); `roles` are the tenant's."""
    found = []
    for prop in editing.properties:
        value = document.get(prop.key)
        chosen = tokens(prop, value)
        control = Control(
            prop,
            _offered(prop, entity, chosen, roles),
            chosen,
            descending=prop.value == ORDER and str(value or "").startswith("-"),
            totals=dict(value) if prop.value == TOTALS and isinstance(value, dict) else {},
        )
        found.append(
            _with_filter(control, entity, rows_of(value, entity), filter_text(value))
            if prop.value == FILTER
            else control
        )
    return found


def _with_filter(control: Control, entity: EntityDef, rows: FilterRows, text: str) -> Control:
    """A filter's control: its rows (or, `fits` False, its text alone) and the fields and operators they offer."""
    control.rows, control.text = rows, text
    control.filter_fields, control.operators = field_options(entity, rows), operator_options(rows)
    return control


def posted_controls(
    editing: ViewEditing, entity: EntityDef, form: MultiDict[str, str], roles: Sequence[Option] = ()
) -> list[Control]:
    """The controls as a refused post shows them again: what the admin chose, not what is stored."""
    found = []
    for prop in editing.properties:
        name = control_name(prop)
        chosen = [v for v in (form.getlist(name) if prop.value in LISTS else [form.get(name, "")]) if v]
        control = Control(
            prop,
            _offered(prop, entity, chosen, roles),
            chosen,
            descending=form.get(f"{name}.descending") == "1",
            totals=_posted_totals(prop, form),
        )
        found.append(
            _with_filter(control, entity, *shown_again(form, name, entity)) if prop.value == FILTER else control
        )
    return found


def _posted_totals(prop: EditableProperty, form: MultiDict[str, str]) -> dict[str, str]:
    prefix = f"{control_name(prop)}."
    return {
        key[len(prefix) :]: value for key, value in form.items() if key.startswith(prefix) and value in prop.choices
    }


def posted_document(
    editing: ViewEditing, document: dict[str, Any], form: MultiDict[str, str], entity: EntityDef
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """`document` with the posted values of the properties (an emptied one left out) and its label; the errors
    found before the checks (nothing chosen for a required property, a filter that is no JSON), by control."""
    changed = copy.deepcopy(document)
    errors: dict[str, list[str]] = {}
    for prop in editing.properties:
        try:
            value = _posted_value(prop, document.get(prop.key), form, entity)
        except ValueError as wrong:
            errors.setdefault(control_name(prop), []).append(str(wrong))
            continue
        if value in (None, [], {}, ""):
            changed.pop(prop.key, None)
            if prop.required:
                words = TEXT["choose_some"] if prop.value in LISTS else TEXT["choose_one"]
                errors.setdefault(control_name(prop), []).append(words.localized())
        else:
            changed[prop.key] = value
    label = {language: form.get(control, "").strip() for language, control in LABEL_CONTROLS.items()}
    label = {language: text for language, text in label.items() if text}
    if label:
        changed["label"] = label
    else:
        changed.pop("label", None)
    return changed, errors


def _posted_value(prop: EditableProperty, stored: Any, form: MultiDict[str, str], entity: EntityDef) -> Any:
    name = control_name(prop)
    if prop.value == FILTER and posted_as_rows(form, name):
        return filter_of(posted_rows(form, name), entity)
    if prop.value in LISTS:
        kept = {_token(item): item for item in stored} if isinstance(stored, list) else {}
        return [_item(prop, token, kept) for token in form.getlist(name) if token]
    if prop.value == TOTALS:
        return _posted_totals(prop, form)
    text = form.get(name, "").strip()
    if prop.value == ORDER and text:
        return f"-{text}" if form.get(f"{name}.descending") == "1" else text
    if prop.value == FILTER and text:
        try:
            return json.loads(text)
        except ValueError as wrong:
            raise ValueError(TEXT["not_json"].localized().format(problem=wrong)) from None
    return text


def control_of(path: str, editing: ViewEditing, form: MultiDict[str, str]) -> str:
    """The control a check's error at `path` (`card[1]`, `label.en`) belongs at: the property it starts with (a
    filter posted as rows: the row, `filter[1].value` → `p.filter.1.value`), the name or the label; '' (above the
    form) for the rest."""
    key = path.split(".")[0].split("[")[0]
    if key in ("name", "label"):
        return "label_en" if key == "label" else "name"
    prop = next((p for p in editing.properties if p.key == key), None)
    if prop is None:
        return ""
    if prop.value == FILTER and posted_as_rows(form, control_name(prop)):
        return row_control(path[len(key) :], control_name(prop))
    return control_name(prop)
