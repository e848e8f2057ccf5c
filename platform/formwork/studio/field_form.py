"""The Studio's add-field form: what an admin posts becomes one field of an EntityExtension, as YAML writes it.

The form offers the simple field types; whatever is posted is still checked by the same JSON Schema and
semantic checks as `formwork validate` (studio/publishing.py), so the form needs no rules of its own.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from ..definitions.checks import TENANT_FIELD_PREFIX

#: the field types the form offers (every one needs nothing beyond what the form asks)
SIMPLE_TYPES = (
    "string",
    "text",
    "integer",
    "decimal",
    "money",
    "date",
    "datetime",
    "boolean",
    "choice",
    "email",
    "phone",
    "url",
)
#: the form's controls, named as the field's keys in YAML (an error at `fields[i].<key>` is shown at that control)
CONTROLS = ("name", "type", "label", "help", "required", "choices")


def field_name(posted: str) -> str:
    """The name as stored: the tenant prefix added when the admin left it out (the CLI asks for it written)."""
    name = posted.strip()
    return name if name.startswith(TENANT_FIELD_PREFIX) else f"{TENANT_FIELD_PREFIX}{name}"


def posted_field(form: MultiDict[str, str]) -> dict[str, Any]:
    """The field document of a posted add-field form (empty optional controls left out)."""
    english, chinese = form.get("label_en", "").strip(), form.get("label_zh", "").strip()
    field: dict[str, Any] = {
        "name": field_name(form.get("name", "")),
        "type": form.get("type", "").strip(),
        "label": {"en": english, "zh": chinese} if chinese else english,
    }
    if form.get("help", "").strip():
        field["help"] = form["help"].strip()
    if form.get("required") == "on":
        field["required"] = True
    if field["type"] == "choice":
        values = [line.strip() for line in form.get("choices", "").splitlines() if line.strip()]
        field["choices"] = [{"value": value, "label": value} for value in values]
    return field


def control_of(path: str, index: int) -> str:
    """The control an error at `path` (`fields[3].name`) of the extension belongs to; "" for the form as a whole.

    An error about the new field as a whole (a schema error naming no key) belongs to its type, which decides
    which keys a field may have."""
    prefix = f"fields[{index}]"
    if not path.startswith(prefix):
        return ""
    key = path[len(prefix) :].lstrip(".").split(".")[0].split("[")[0]
    if not key:
        return "type"
    return key if key in CONTROLS else ""
