"""The Studio's add-field form: what an admin posts becomes one field of an EntityExtension, as YAML writes it.

The form asks what the field types accept: each type says which keys a definition of it may have
(`FieldType.accepted_properties`, its JSON Schema) and whether a tenant may add it (`added_in_studio`), so a type a
feature or an extension adds is offered with its own properties. Each key gets a control from its schema (a select
for an enum, a checkbox for a boolean, a number input for a number…) unless it needs one of its own (`OWN_INPUTS`:
labels in two languages, choices as rows, the target entity, a filter, the field a rollup sums up, CEL in the
formula editor). The page shows a control only for the types that accept it (static/studio/field_form.js), and a
post keeps only the keys the chosen type accepts. A filter is rows of field, operator and value
(studio/filter_rows.py) on the entity it filters: a reference's target, or the records a rollup sums over (its
source's entity), with the expert's text (YAML, or JSON) for a filter the rows cannot show; the field a rollup sums
up is picked among the number fields of those records. Whatever is posted is still checked by the same JSON Schema
and semantic checks as `formwork validate` (studio/publishing.py), so the form has no rules of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

import yaml
from werkzeug.datastructures import MultiDict

from ..definitions.checks import TENANT_FIELD_PREFIX
from ..fields import FIELD_TYPES, FieldType
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .filter_rows import filter_of, posted_as_rows, posted_rows, row_control

LANGUAGE_KEYS = ("en", "zh")
#: keys whose control is not read from their schema
OWN_INPUTS = {
    "label": "label",
    "help": "label",
    "placeholder": "label",
    "choices": "choices",
    "target": "target",
    "filter": "filter",
    "source": "source",
    "field": "summed",
    "expression": "expression",
    "visible_when": "condition",
    "required_when": "condition",
    "read_only_when": "condition",
    "default": "default",
}
#: keys a new field has no use for: no former name or column, no stored records without a value or with old choices
LEFT_OUT = frozenset({"name", "type", "renamed_from", "backfill", "map_choices"})
#: the CEL controls, and the formula editor's name for each (`default_expr` is the default's expression)
EXPRESSION_CONTROLS = ("expression", "default_expr", "visible_when", "required_when", "read_only_when")
#: where a key's control goes: its own inputs first, the conditions and the default last
LAST = ("default", "visible_when", "required_when", "read_only_when")
#: JSON Schema's message for a key a definition must have
MISSING_KEY = re.compile(r"^'([a-z_]+)' is a required property")


@dataclass(frozen=True)
class Control:
    """One control of the form: the field's `key` in YAML, how it is asked (`input`), a select's `options`, and the
    field types that accept it (the page shows it for those only)."""

    key: str
    input: str
    types: tuple[str, ...]
    options: tuple[str, ...] = ()


def addable_types() -> dict[str, FieldType]:
    """The field types a tenant's admin may add, by name, in the registry's order."""
    return {name: kind for name, kind in FIELD_TYPES.items() if kind.added_in_studio}


def input_of(schema: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """(the input, a select's options) that asks for a value of `schema`; ("", ()) when no simple input can."""
    if "enum" in schema:
        return "select", tuple(str(value) for value in schema["enum"])
    items = schema.get("items", {})
    kinds = schema.get("type")
    if kinds == "array" and "enum" in items:
        return "multiple", tuple(str(value) for value in items["enum"])
    if kinds == "boolean":
        return "checkbox", ()
    if kinds in ("integer", "number"):
        return "number", ()
    if kinds == "string" or schema.get("$ref") == "#/$defs/identifier":
        return "text", ()
    return "", ()


def default_input(kind: FieldType) -> str:
    """How the form asks for a constant default of `kind`: the choices (one, or several for a list), or the input of
    its default's schema; "" when only an expression can give it (a date's `today()`, a reference's record)."""
    if kind.has_choices:
        return "choices" if kind.holds_list else "choice"
    return input_of(kind.default_schema or {})[0]


def controls() -> list[Control]:
    """Every control the form has, each with the types that accept it, in the order the form shows them."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    accepting: dict[str, list[str]] = {}
    for name, kind in addable_types().items():
        schemas = kind.json_schema()["properties"]
        for key in kind.accepted_properties():
            if key in LEFT_OUT:
                continue
            shape = (OWN_INPUTS[key], ()) if key in OWN_INPUTS else input_of(schemas[key])
            if not shape[0]:
                continue
            found.setdefault(key, shape)
            accepting.setdefault(key, []).append(name)
    ordered = sorted(found, key=lambda key: LAST.index(key) + 1 if key in LAST else 0)
    return [Control(key, found[key][0], tuple(accepting[key]), found[key][1]) for key in ordered]


def field_name(posted: str, prefix: str = TENANT_FIELD_PREFIX) -> str:
    """The name as stored: the tenant prefix added when the admin left it out (the CLI asks for it written). The
    fields of an entity of the tenant's own need none (`prefix` ""): no pack can add to it."""
    name = posted.strip()
    return name if name.startswith(prefix) else f"{prefix}{name}"


def label_value(form: MultiDict[str, str], key: str) -> Any:
    """A text in two languages as YAML writes it: the English alone, or both; None when neither is given."""
    texts = {language: form.get(f"{key}_{language}", "").strip() for language in LANGUAGE_KEYS}
    if not any(texts.values()):
        return None
    if not texts["zh"]:
        return texts["en"]
    return {language: text for language, text in texts.items() if text}  # no English: the schema says it is needed


def number_value(text: str, schema: dict[str, Any]) -> Any:
    """A posted number as YAML reads it (10, 2.5); text that is no number is kept for the schema to refuse."""
    text = text.strip()
    for parse in (int, float) if schema.get("type") != "integer" else (int,):
        try:
            return parse(text)
        except ValueError:
            continue
    return text


def choice_rows(form: MultiDict[str, str]) -> list[tuple[str, str, str, str]]:
    """The posted choice rows: (value, English label, Chinese label, colour), a column left out read as empty."""
    values, english, chinese, colors = (
        form.getlist(f"choice_{part}") for part in ("value", "label_en", "label_zh", "color")
    )
    return list(zip_longest(values, english, chinese, colors, fillvalue=""))


def posted_choices(form: MultiDict[str, str]) -> list[dict[str, Any]]:
    """The choice rows (value, English and Chinese label, colour) with a value, as YAML writes them."""
    choices = []
    for value, english, chinese, color in choice_rows(form):
        if not value.strip():
            continue
        choice: dict[str, Any] = {"value": value.strip()}
        label = label_value(MultiDict({"label_en": english, "label_zh": chinese}), "label")
        if label is not None:
            choice["label"] = label
        if color:
            choice["color"] = color
        choices.append(choice)
    return choices


def filter_chooser(kind: FieldType) -> str:
    """The control whose choice is the entity a field's filter is on: a rollup's source (the records it sums over)
    or a reference's target; "" for a type with neither."""
    if kind.aggregates_records:
        return "source"
    return "target" if kind.targets_entity else ""


def filtered_entity(form: MultiDict[str, str], kind: FieldType, catalog: Catalog) -> EntityDef | None:
    """The entity a posted field's filter is on (`filter_chooser`), None while none is chosen."""
    chooser = filter_chooser(kind)
    if chooser == "source":
        return summed_entity(form, catalog)
    return catalog.entities.get(form.get(chooser, "").strip()) if chooser else None


def summed_entity(form: MultiDict[str, str], catalog: Catalog) -> EntityDef | None:
    """The entity of the records a posted rollup sums up (its `source`, `pack.entity.reference`), None while none
    is chosen."""
    return catalog.entities.get(form.get("source", "").strip().rpartition(".")[0])


def posted_filter(form: MultiDict[str, str], key: str, entity: EntityDef | None) -> Any:
    """The filter the rows under `key` make on `entity`, or the expert's text as YAML reads it (JSON too; docs/
    filters.md); text YAML cannot read is kept for the schema to refuse."""
    if posted_as_rows(form, key):
        return filter_of(posted_rows(form, key), entity)
    text = form.get(key, "").strip()
    if not text:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def posted_default(form: MultiDict[str, str], kind: FieldType) -> Any:
    """The default: an expression when one is written, otherwise the constant of the type's input, or None."""
    expression = form.get("default_expr", "").strip()
    if expression:
        return {"expr": expression}
    shape = default_input(kind)
    if shape == "choices":
        return form.getlist("default_choices") or None
    if shape == "checkbox":
        return True if form.get("default_checkbox") == "on" else None
    text = form.get(f"default_{shape}", "").strip() if shape else ""
    if not text:
        return None
    return number_value(text, kind.default_schema or {}) if shape == "number" else text


def posted_value(form: MultiDict[str, str], control: Control, kind: FieldType, filtered: EntityDef | None) -> Any:
    """The value of one control, or None when the admin left it empty; `filtered` is the entity a filter is on."""
    if control.input == "label":
        return label_value(form, control.key)
    if control.input == "choices":
        return posted_choices(form) or None
    if control.input == "default":
        return posted_default(form, kind)
    if control.input == "checkbox":
        return True if form.get(control.key) == "on" else None
    if control.input == "multiple":
        return form.getlist(control.key) or None
    if control.input == "filter":
        return posted_filter(form, control.key, filtered)
    text = form.get(control.key, "").strip()
    if not text:
        return None
    if control.input == "number":
        return number_value(text, kind.json_schema()["properties"][control.key])
    return text


def posted_field(
    form: MultiDict[str, str], offered: Iterable[Control], catalog: Catalog, prefix: str = TENANT_FIELD_PREFIX
) -> dict[str, Any]:
    """The field document of a posted add-field form: name and type, then every control the type accepts that the
    admin filled in, in the form's order (`catalog` has the entity a filter's rows are on). A type the registry does
    not know keeps only its name, type and label (the check then says the type is unknown)."""
    type_name = form.get("type", "").strip()
    field: dict[str, Any] = {"name": field_name(form.get("name", ""), prefix), "type": type_name}
    kind = addable_types().get(type_name)
    if kind is None:
        label = label_value(form, "label")
        return field if label is None else {**field, "label": label}
    filtered = filtered_entity(form, kind, catalog)
    for control in offered:
        if type_name in control.types and (value := posted_value(form, control, kind, filtered)) is not None:
            field[control.key] = value
    return field


def control_of(path: str, index: int, form: MultiDict[str, str], message: str = "") -> str:
    """The control an error at `path` (`fields[3].choices[0].color`) of the extension belongs to; "" for the form as
    a whole. An error inside a filter posted as rows belongs to its row (`fields[3].filter[1].op` → `filter.1.op`).
    An error about the new field as a whole belongs to the key JSON Schema says is missing (its message names it:
    `'choices' is a required property`), otherwise to the type, which decides which keys a field may have."""
    prefix = f"fields[{index}]"
    if not path.startswith(prefix) or path[len(prefix) : len(prefix) + 1] not in ("", ".", "["):
        return ""
    inside = path[len(prefix) :].lstrip(".")
    key = inside.split(".")[0].split("[")[0]
    if not key:
        missing = MISSING_KEY.match(message)
        key = missing.group(1) if missing else "type"
    found = next((control for control in controls() if control.key == key), None)
    if found is not None and found.input == "filter" and posted_as_rows(form, key):
        return row_control(inside[len(key) :], key)
    return key if key in ("name", "type") or found is not None else ""
