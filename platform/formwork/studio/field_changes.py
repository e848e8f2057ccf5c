"""A pack field changed in the Studio: what an admin posts on the field's page becomes its `changes.<field>` entry.

The page edits the field as the tenant has it (the pack's field with the changes already published or drafted):
labels, help and placeholder in English and Chinese, required, hidden, read-only, the default, and for a field
with choices the table of its choices. A choice keeps the value it had in a hidden control beside the one the admin may edit, so a changed value
is a rename: the entry lists the new value in `choices` and maps the old one in `map_choices`, and publishing
rewrites the stored records (schema/choices.py). A stored value is never blanked: a choice is retired, not removed.

The entry holds only what differs from the pack's own field, so a change put back leaves no entry behind; what is
posted is then checked as `formwork validate` checks it (studio/publishing.py), errors shown at their control.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import yaml
from werkzeug.datastructures import MultiDict

from ..fields import FieldType
from ..i18n import CatalogText, Label

#: the keys this page changes (with `map_choices`, which follows the choices), in the order they are written
CHANGED_KEYS = (
    "label",
    "help",
    "placeholder",
    "required",
    "hidden",
    "read_only",
    "default",
    "choices",
    "map_choices",
)
#: the page's texts in two languages, and its yes/no controls
TEXTS, SWITCHES = ("help", "placeholder"), ("required", "hidden", "read_only")
#: the page's controls; an error at `changes.<field>.<key>` is shown at the control of that key
CONTROLS = {key: key for key in ("label", *TEXTS, *SWITCHES, "default")}
CHOICE_CONTROLS = {"choices": "choices", "map_choices": "choices"}
RETIRED, OFFERED = "retired", "offered"
BLANKED = CatalogText("A stored value cannot be blanked: retire the choice \u201c{value}\u201d instead.")
TWICE = CatalogText("The value \u201c{value}\u201d is listed twice.")
NO_LABEL = CatalogText("The field needs an English label.")


@dataclass
class ChangedField:
    """The field as the admin wants it, the choices renamed in this post ({old: new}), and what is refused."""

    spec: dict[str, Any]
    renamed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, control: str, message: str) -> None:
        self.errors.setdefault(control, []).append(message)


def texts(value: Any) -> dict[str, str]:
    """A label as written (a string, or a mapping of languages) as {language: text}."""
    label = Label(value) if value else None
    return dict(label.translations) if label is not None else {}


def _written(english: str, chinese: str) -> str | dict[str, str]:
    """A label as YAML writes it: the English alone when it has no Chinese."""
    return {"en": english, "zh": chinese} if chinese else english


def posted_change(current: dict[str, Any], kind: FieldType, form: MultiDict[str, str]) -> ChangedField:
    """The field `current` (as the tenant has it) with the posted labels, help, placeholder, switches, default and
    choices. A placeholder is posted only for a type that shows one (`shows_placeholder`)."""
    spec = copy.deepcopy(current)
    changed = ChangedField(spec)
    english, chinese = form.get("label_en", "").strip(), form.get("label_zh", "").strip()
    if not english:
        changed.refuse("label", NO_LABEL.localized())
    spec["label"] = _written(english, chinese)
    for key in TEXTS:
        if key == "placeholder" and not shows_placeholder(kind):
            continue
        text_en, text_zh = form.get(f"{key}_en", "").strip(), form.get(f"{key}_zh", "").strip()
        spec.pop(key, None)
        if text_en or text_zh:
            spec[key] = _written(text_en, text_zh)
    for key in SWITCHES:
        spec[key] = form.get(key) == "on"
    if "default" in form:
        spec.pop("default", None)
        if form["default"].strip():
            spec["default"] = _posted_default(form["default"], kind)
    if kind.has_choices:
        _change_choices(changed, form)
        if isinstance(spec.get("default"), str):
            spec["default"] = changed.renamed.get(spec["default"], spec["default"])  # the default follows a rename
    return changed


def shows_placeholder(kind: FieldType) -> bool:
    return "placeholder" in kind.accepted_properties()


def _posted_default(text: str, kind: FieldType) -> Any:
    """A choice is taken as written; another value is read as YAML reads it (`5` a number, `true` a yes), and the
    field's JSON Schema then says whether it fits the field's type."""
    return text.strip() if kind.has_choices else yaml.safe_load(text)


def _change_choices(changed: ChangedField, form: MultiDict[str, str]) -> None:
    """The posted rows in their order (moved by `move`, "3:up"): renamed, recoloured, retired, added."""
    rows = posted_rows(form)
    index, _, direction = form.get("move", "").partition(":")
    if index.isdigit() and int(index) < len(rows):
        i = int(index)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(rows):
            rows[i], rows[j] = rows[j], rows[i]
    spec, kept = changed.spec, set()
    choices = []
    for row in rows:
        original, value = row["original"], row["value"]
        if not value:
            if original:
                changed.refuse("choices", BLANKED.localized().format(value=original))
            continue
        if value in kept:
            changed.refuse("choices", TWICE.localized().format(value=value))
        kept.add(value)
        if original and original != value:
            changed.renamed[original] = value
        choices.append(_choice(row))
    had = [str(c["value"]) for c in spec.get("choices", [])]
    for value in had:
        if value not in {row["original"] for row in rows}:
            changed.refuse("choices", BLANKED.localized().format(value=value))
    spec["choices"] = choices
    spec["map_choices"] = _mapped(spec.get("map_choices") or {}, changed.renamed, kept)


def posted_rows(form: MultiDict[str, str]) -> list[dict[str, str]]:
    """The choice table's rows as posted, in their order (each column a list of its own, one item per row)."""
    columns = ("original", "value", "label_en", "label_zh", "color", "state")
    posted = {column: form.getlist(f"choice_{column}") for column in columns}
    return [
        {column: (posted[column][i] if i < len(posted[column]) else "").strip() for column in columns}
        for i in range(len(posted["value"]))
    ]


def _choice(row: dict[str, str]) -> dict[str, Any]:
    """A choice as YAML writes it: its label left out when it is the value itself."""
    choice: dict[str, Any] = {"value": row["value"]}
    english = row["label_en"] or row["value"]
    if english != row["value"] or row["label_zh"]:
        choice["label"] = _written(english, row["label_zh"])
    if row["color"]:
        choice["color"] = row["color"]
    if row["state"] == RETIRED:
        choice["retired"] = True
    return choice


def _mapped(before: dict[str, Any], renamed: dict[str, str], values: set[str]) -> dict[str, str]:
    """Former values and what they become, this post's renames added: a value mapped to a renamed one follows it,
    and a value that is a choice again is no longer mapped (its records hold a choice)."""
    mapping = {str(old): renamed.get(str(new), str(new)) for old, new in before.items()}
    mapping.update(renamed)
    return {old: new for old, new in mapping.items() if old not in values and old != new}


def change_entry(wanted: dict[str, Any], pack: dict[str, Any], before: dict[str, Any] | None = None) -> dict[str, Any]:
    """The keys of `wanted` that differ from the pack's own field (a key `wanted` leaves out, a help or default left
    blank, stays the pack's: a definition cannot say "none"), after the keys of the entry `before` this page does not
    change (the conditions the form designer writes, a placeholder written for `formwork tenant customize`)."""
    entry = {key: value for key, value in (before or {}).items() if key not in CHANGED_KEYS}
    for key in CHANGED_KEYS:
        if key in wanted and not _same(key, wanted[key], pack.get(key)):
            entry[key] = wanted[key]
    return entry


def _same(key: str, wanted: Any, pack: Any) -> bool:
    if key in ("label", *TEXTS):
        return texts(wanted) == texts(pack)
    if key in SWITCHES:
        return bool(wanted) == bool(pack)
    if key == "map_choices":
        return {str(k): str(v) for k, v in (wanted or {}).items()} == {str(k): str(v) for k, v in (pack or {}).items()}
    return bool(wanted == pack)


def control_of(path: str, name: str, kind: FieldType) -> str:
    """The control an error at `changes.<name>.<key>…` belongs to; "" for the page as a whole."""
    prefix = f"changes.{name}"
    if not path.startswith(prefix):
        return ""
    key = path[len(prefix) :].lstrip(".").split(".")[0].split("[")[0]
    controls = {**CONTROLS, **(CHOICE_CONTROLS if kind.has_choices else {})}
    return controls.get(key, "")
