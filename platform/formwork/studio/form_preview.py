"""The designer's live preview: which fields the draft's conditions show, require and lock for test values.

The states come from the code the tenant's live form rules use (`compile_logic` and `field_states`, behind the
form's `data-rules-url`), run on the draft's entity (the draft merged over the tenant's definitions), so the
preview and the published form cannot disagree. The test values are posted as the preview's inputs give them (text)
and handed to the expressions as a form hands them: empty is null, and CEL reads text as the field's type.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from werkzeug.datastructures import MultiDict

from ..compile.logic import FieldState, compile_logic, field_states
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .conditions import Subject


def value_input(name: str) -> str:
    """The name of the preview's input for field `name`."""
    return f"value.{name}"


def test_values(form: MultiDict[str, str], known: dict[str, Subject]) -> dict[str, Any]:
    """The posted test values, as expressions take them."""
    values: dict[str, Any] = {}
    for name, subject in known.items():
        text = form.get(value_input(name), "")
        if text == "":
            values[name] = None
        elif subject.kind == "bool":
            values[name] = text == "true"
        elif subject.kind == "map":
            values[name] = {}  # a reference that is set: its fields are read as empty
        else:
            values[name] = text
    return values


def preview_states(
    entity: EntityDef, catalog: Catalog, names: list[str], values: dict[str, Any], user: dict[str, Any] | None
) -> dict[str, dict[str, bool]]:
    """{field: {visible, required, read_only}} for each of `names` (the fields on the form)."""
    states = field_states(compile_logic(entity, catalog), values, user)
    found = {}
    for name in names:
        spec = entity.field(name)
        if spec is not None:
            found[name] = asdict(states.get(name) or FieldState(required=spec.required))
    return found
