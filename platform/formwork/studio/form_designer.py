"""What the form designer changes in an entity's draft: the Form overlay of the form it lays out, and the conditions
(visible / required / read-only) of the fields on it.

A condition is written where `formwork tenant customize` reads it: for a field the tenant added, on its entry in the
EntityExtension's `fields`; for a pack's field, under the extension's `changes.<field>`, which is merged over the
pack's own field. A pack's condition the admin leaves as it is is not repeated in `changes`; one the admin clears is
replaced by the condition that never holds (`false`; `true` for visible_when), as `changes` can set a key but not
remove it. Errors of `checked_overlays` are brought back to the place on the page they are about: a section of the
form, or one condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..compile.logic import CONDITIONS
from ..meta.errors import DefinitionError
from ..meta.model import EntityDef
from ..tenancy.drafting import error_words
from .form_layout import Layout, form_document
from .publishing import fields_document

#: the condition that keeps a field as if it had none (a pack's condition the admin clears)
NEUTRAL = {"visible_when": "true", "required_when": "false", "read_only_when": "false"}


def condition_prefix(field_name: str, which: str) -> str:
    """The name under which a field's condition builder posts (studio/condition_builder.py)."""
    return f"cond.{field_name}.{which}"


def with_layout(documents: list[dict[str, Any]], layout: Layout) -> list[dict[str, Any]]:
    """`documents` with the Form overlay of `layout` in place of the draft's overlay of that form, if any."""
    target = (layout.entity, layout.name)
    kept = [
        doc
        for doc in documents
        if not (doc.get("kind") == "Form" and (doc.get("entity"), doc.get("name", "default")) == target)
    ]
    return [*kept, form_document(layout)]


def set_condition(
    documents: list[dict[str, Any]], pack_entity: EntityDef | None, name: str, which: str, text: str
) -> None:
    """Write `which` (visible_when…) of field `name` into the draft's extension; "" means no condition."""
    extension = fields_document(documents)
    own = next((spec for spec in extension.get("fields", []) if spec["name"] == name), None)
    if own is not None:
        if text:
            own[which] = text
        else:
            own.pop(which, None)
        return
    pack_field = pack_entity.field(name) if pack_entity is not None else None
    pack_text = (pack_field.condition(which) if pack_field is not None else None) or ""
    changes = extension.setdefault("changes", {})
    change = changes.setdefault(name, {})
    if text == pack_text:
        change.pop(which, None)
    else:
        change[which] = text or NEUTRAL[which]
    if not change:
        del changes[name]
    if not changes:
        del extension["changes"]


@dataclass
class PlacedErrors:
    """Errors of a checked draft, by where the page shows them."""

    sections: dict[str, list[str]] = field(default_factory=dict)  # section key -> messages
    conditions: dict[str, list[str]] = field(default_factory=dict)  # builder prefix -> messages
    page: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sections or self.conditions or self.page)


_SECTION = re.compile(r"^sections\[(\d+)\]")
_CHANGE = re.compile(r"^changes\.(\w+)\.(\w+)")
_OWN = re.compile(r"^fields\[(\d+)\]\.(\w+)")


def place_errors(errors: list[DefinitionError], documents: list[dict[str, Any]], layout: Layout) -> PlacedErrors:
    """Each error at the section (`sections[2]…` of the Form) or condition (`changes.level.required_when`,
    `fields[0].visible_when` of the extension) it is about; the rest above the page."""
    placed = PlacedErrors()
    sections = layout.ordered_sections()
    own = [spec["name"] for spec in fields_document(documents).get("fields", [])]
    for error in errors:
        section, change, mine = _SECTION.match(error.path), _CHANGE.match(error.path), _OWN.match(error.path)
        if section and int(section.group(1)) < len(sections):
            placed.sections.setdefault(sections[int(section.group(1))].key, []).append(error.message)
        elif change and change.group(2) in CONDITIONS:
            placed.conditions.setdefault(condition_prefix(*change.groups()), []).append(error.message)
        elif mine and mine.group(2) in CONDITIONS and int(mine.group(1)) < len(own):
            prefix = condition_prefix(own[int(mine.group(1))], mine.group(2))
            placed.conditions.setdefault(prefix, []).append(error.message)
        else:
            placed.page.append(error_words(error))
    return placed
