"""The automation and action editor's form: an Automation or Action overlay document shown as controls, read back
from a post, and the checks' errors put at their controls.

The controls are read from the kind's JSON Schema (the automation feature declares it and its `automation_step`
definitions; the Studio imports no feature): each property gets the control its schema asks for (a choice for an
enum, several for an array of them, names separated by commas for an array of strings, English and Chinese for a
label, field and value rows for a mapping of fields, a group for an object of known properties, a number, a flag;
YAML for anything else, such as a filter or an action's inputs). A step kind the feature adds is editable here with
no change. The condition (`condition`, an action's `visible_when`) is the Studio's condition builder.

Controls are named after the document's paths (`trigger.type`, `steps.1.notify.subject`), so an error of the checks
lands at the control it is about. The page is one HTML form: each button (add a step of a kind, remove or move one,
remove a row) posts it and gets the page back with its change; a post is read in the order of its `step` keys.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import yaml
from werkzeug.datastructures import MultiDict

from ..definitions.jsonschemas import kind_schema
from ..meta.errors import DefinitionError
from .chain_form import constant_text, errors_at, moved
from .condition_builder import Builder, posted_builder, stored_builder
from .conditions import Subject

AUTOMATION, ACTION = "Automation", "Action"
#: the property of each kind that is a CEL condition, edited with the condition builder
CONDITION = {AUTOMATION: "condition", ACTION: "visible_when"}
#: what a new document of each kind starts with (beside its entity and name)
SKELETON: dict[str, dict[str, Any]] = {
    AUTOMATION: {"trigger": {"type": "created"}, "steps": []},
    ACTION: {"steps": []},
}
#: properties the page shows apart: the document's identity and its steps
OWN = ("kind", "name", "entity", "steps")
SAVE = "save"
#: the choice of a group that decides which of its other controls apply (a trigger's type)
TYPE = "type"
LABEL_REF = "#/$defs/label"
STEP_DEF = "automation_step"


@dataclass(frozen=True)
class Control:
    """One control of the form: its name (the document path it edits), the property it is, its shape (how it is
    shown and read: choice, choices, names, label, rows, number, flag, text, yaml, group), the values a choice
    allows, and a group's own controls."""

    name: str
    key: str
    shape: str
    values: tuple[str, ...] = ()
    children: tuple[Control, ...] = ()
    #: in a group with a `type` choice (a trigger): the types this control is for (empty: every type)
    for_types: tuple[str, ...] = ()

    def applies(self, chosen: Any) -> bool:
        return not self.for_types or chosen in self.for_types


def _defs(kind: str) -> dict[str, Any]:
    defs: dict[str, Any] = kind_schema(kind)["$defs"]
    return defs


def _resolved(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` followed (the label's is kept: it is a shape of its own)."""
    while "$ref" in schema and schema["$ref"] != LABEL_REF:
        schema = defs[schema["$ref"].rpartition("/")[2]]
    return schema


def control_for(name: str, key: str, schema: dict[str, Any], defs: dict[str, Any]) -> Control:
    """The control a property's schema asks for."""
    schema = _resolved(schema, defs)
    kind = schema.get("type")
    if schema.get("$ref") == LABEL_REF:
        return Control(name, key, "label")
    if "enum" in schema:
        return Control(name, key, "choice", tuple(map(str, schema["enum"])))
    if kind == "boolean":
        return Control(name, key, "flag")
    if kind in ("integer", "number"):
        return Control(name, key, "number")
    if kind == "string":
        return Control(name, key, "text")
    if kind == "array":
        items = _resolved(schema.get("items", {}), defs)
        if "enum" in items:
            return Control(name, key, "choices", tuple(map(str, items["enum"])))
        if items.get("type") == "string":
            return Control(name, key, "names")
    if kind == "object" and "properties" not in schema:
        return Control(name, key, "rows")
    if kind == "object":
        children = tuple(
            control_for(f"{name}.{child}", child, sub, defs) for child, sub in schema["properties"].items()
        )
        return Control(name, key, "group", children=_typed(children, schema["properties"]))
    return Control(name, key, "yaml")


def _typed(children: tuple[Control, ...], properties: dict[str, Any]) -> tuple[Control, ...]:
    """A group's controls, each marked with the types it is for when the group has a `type` choice: the schema's
    descriptions name them first (`date: the time of day…`, `schedule, date: which records…`)."""
    chooser = next((c for c in children if c.key == TYPE and c.shape == "choice"), None)
    if chooser is None:
        return children
    marked = []
    for child in children:
        named, colon, _ = str(properties[child.key].get("description", "")).partition(":")
        types = tuple(word.strip() for word in named.split(","))
        known = child is not chooser and colon and all(t in chooser.values for t in types)
        marked.append(replace(child, for_types=types) if known else child)
    return tuple(marked)


def document_controls(kind: str) -> tuple[Control, ...]:
    """The controls of a document's own settings (its label, trigger, roles…), in the schema's order."""
    schema, defs = kind_schema(kind), _defs(kind)
    return tuple(
        control_for(key, key, sub, defs)
        for key, sub in schema["properties"].items()
        if key not in OWN and key != CONDITION[kind]
    )


def step_kinds(kind: str) -> tuple[str, ...]:
    """The step kinds the schema allows, in its order."""
    return tuple(_defs(kind)[STEP_DEF]["properties"])


def step_control(kind: str, index: int, step_kind: str) -> Control:
    """The control of one step's options (`steps.<index>.<step kind>`)."""
    schema = _defs(kind)[STEP_DEF]["properties"].get(step_kind, {})
    return control_for(f"steps.{index}.{step_kind}", step_kind, schema, _defs(kind))


def step_kind(step: Any) -> str:
    """A step's kind: its one key ("" for a step of none)."""
    return next(iter(step), "") if isinstance(step, dict) else ""


def new_document(kind: str, entity: str) -> dict[str, Any]:
    return {"kind": kind, "name": "", "entity": entity, **copy.deepcopy(SKELETON[kind])}


# -- showing values ------------------------------------------------------------
def value_at(document: Any, name: str) -> Any:
    """The value of the document at a control's name (`steps.1.notify.to.users`); None where there is none."""
    found = document
    for part in name.split("."):
        if isinstance(found, list) and part.isdigit() and int(part) < len(found):
            found = found[int(part)]
        elif isinstance(found, dict):
            found = found.get(part)
        else:
            return None
    return found


def shown_text(control: Control, value: Any) -> str:
    """A text control's value as the page shows it."""
    if value is None:
        return ""
    if control.shape == "names":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if control.shape == "yaml":
        return value if isinstance(value, str) else yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
    return constant_text(value)


def row_text(value: Any) -> str:
    """A row's value as YAML writes it on one line: `won`, `100`, `{expr: input.reason}`."""
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return constant_text(value)


def label_text(value: Any, language: str) -> str:
    """One language of a label as written (a string is English)."""
    if isinstance(value, dict):
        return str(value.get(language, ""))
    return str(value) if value and language == "en" else ""


# -- reading a post --------------------------------------------------------------
@dataclass
class Posted:
    """The document a page posted and its condition builder (the prefix `cond.<property>`)."""

    document: dict[str, Any]
    builder: Builder

    @property
    def unwritten(self) -> bool:
        """The builder holds a row it could not write as CEL: the document cannot be saved as posted."""
        return bool(self.builder.error)


def condition_prefix(kind: str) -> str:
    return f"cond.{CONDITION[kind]}"


def stored_condition(kind: str, document: dict[str, Any], known: dict[str, Subject]) -> Builder:
    prefix = condition_prefix(kind)
    return stored_builder(prefix, str(document.get(CONDITION[kind]) or ""), known)


def posted_document(
    form: MultiDict[str, str], kind: str, original: dict[str, Any], known: dict[str, Subject]
) -> Posted:
    """The document as posted over `original` (whose keys the page has no control for are kept), with the posted
    button's change applied (`action`: a step added, removed or moved, a row removed)."""
    action = form.get("action", SAVE)
    document = copy.deepcopy(original)
    if "name" in form:
        document["name"] = form.get("name", "").strip()
    for control in document_controls(kind):
        _put(document, control.key, read_control(form, control, action))
    builder = posted_builder(form, condition_prefix(kind), known)
    if not builder.error:
        _put(document, CONDITION[kind], builder.text or None)
    keys = [key for key in form.getlist("step") if action != f"remove_step:{key}"]
    steps = moved([(key, _posted_step(form, kind, key, action)) for key in keys], action)
    document["steps"] = [step for _, step in steps]
    verb, _, added = action.partition(":")
    if verb == "add_step" and added in step_kinds(kind):
        document["steps"].append({added: _empty(step_control(kind, 0, added))})
    return Posted(document, builder)


def _posted_step(form: MultiDict[str, str], kind: str, key: str, action: str) -> dict[str, Any]:
    """One posted step: its kind and the options its controls (under `steps.<key>.<kind>`) hold."""
    chosen = form.get(f"steps.{key}.kind", "")
    control = step_control(kind, 0, chosen)
    value = read_control(form, control, action, f"steps.{key}")
    return {chosen: _empty(control) if value is None else value}


def _empty(control: Control) -> Any:
    """What a step of no options yet is written as: `{}` for an object, "" for a text."""
    return "" if control.shape in ("text", "choice", "names", "number") else {}


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    """Set `key`, or leave it out when its control is empty (the default applies)."""
    if value is None:
        document.pop(key, None)
    else:
        document[key] = value


def read_control(form: MultiDict[str, str], control: Control, action: str, prefix: str = "") -> Any:
    """A control's value as posted (None: empty). `prefix`: the name the control was posted under, when the page
    numbered it otherwise (a step's posted key)."""
    name = f"{prefix}.{control.key}" if prefix else control.name
    shape = control.shape
    if shape == "group":
        chosen = form.get(f"{name}.{TYPE}")
        found = {
            child.key: value
            for child in control.children
            if child.applies(chosen) and (value := read_control(form, child, action, name)) is not None
        }
        return found or None
    if shape == "label":
        return _posted_label(form, name)
    if shape == "rows":
        return _posted_rows(form, name, action) or None
    if shape == "choices":
        return form.getlist(name) or None
    text = form.get(name, "").strip()
    if not text:
        return None
    if shape == "names":
        return [part.strip() for part in text.split(",") if part.strip()] or None
    if shape == "number":
        return int(text) if text.lstrip("-").isdigit() else text
    if shape == "flag":
        return text == "true"
    if shape == "yaml":
        return _yaml(text)
    return text


def _posted_label(form: MultiDict[str, str], name: str) -> Any:
    """A label as YAML writes it: the English alone when it has no Chinese (None when it has neither)."""
    english, chinese = form.get(f"{name}.en", "").strip(), form.get(f"{name}.zh", "").strip()
    if chinese:
        return {"en": english, "zh": chinese} if english else {"zh": chinese}
    return english or None


def _posted_rows(form: MultiDict[str, str], name: str, action: str) -> dict[str, Any]:
    """Field and value rows in their posted order; the empty row each list offers and the removed one left out."""
    found = {}
    for key in form.getlist(f"{name}.row"):
        field_name = form.get(f"{name}.{key}.field", "").strip()
        if field_name and action != f"remove_row:{name}.{key}":
            found[field_name] = _yaml(form.get(f"{name}.{key}.value", ""), plain=True)
    return found


def _yaml(text: str, plain: bool = False) -> Any:
    """Text as YAML reads it; text that does not read is kept as typed (the schema then says what is wrong).
    `plain`: a row's value, where only a constant or `{expr: …}` makes sense."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if plain and isinstance(value, list):
        return text
    return value


# -- errors at their controls ----------------------------------------------------
def _names(control: Control, document: dict[str, Any]) -> Iterator[str]:
    yield control.name
    for child in control.children:
        yield from _names(child, document)
    if control.shape == "rows":
        rows = value_at(document, control.name)
        yield from (f"{control.name}.{row}" for row in (rows if isinstance(rows, dict) else {}))


def shown_controls(kind: str, document: dict[str, Any]) -> set[str]:
    """Every control the page shows for `document`, by name: where an error can be put."""
    shown = {"name", "steps", CONDITION[kind]}
    for control in document_controls(kind):
        shown.update(_names(control, document))
    for i, step in enumerate(document.get("steps") or []):
        shown.add(f"steps.{i}")
        if step_kind(step):
            shown.update(_names(step_control(kind, i, step_kind(step)), document))
    return shown


def placed_errors(kind: str, errors: list[DefinitionError], document: dict[str, Any]) -> dict[str, list[str]]:
    """Each error's message at the closest control the page shows for its path ("" for the page itself)."""
    return errors_at(errors, shown_controls(kind, document))
