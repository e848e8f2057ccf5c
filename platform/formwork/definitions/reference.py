"""The reference part of docs/definitions.md, generated from the kinds' schemas and the field type registry.

`render_reference()` gives the Markdown; `update_document(path)` puts it
between the markers in the document. `python -m formwork.definitions.reference`
rewrites docs/definitions.md; tests/test_reference_doc.py fails when the
document and the registry drift apart.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

START = "<!-- reference:start -->"
END = "<!-- reference:end -->"
DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "definitions.md"
COMMAND = "python -m formwork.definitions.reference"

#: how a `$ref` to a shared definition is written in the tables (explained under "Value types")
REF_NAMES = {
    "identifier": "name",
    "qualified_name": "entity name",
    "label": "label",
    "color": "colour",
    "filter": "filter",
    "field": "field",
}
#: what the shared definitions mean, for the "Value types" table (the schemas say how they are checked)
REF_MEANINGS = {
    "identifier": "snake_case: a lower-case letter, then lower-case letters, digits and `_`; at most 48 characters",
    "qualified_name": "an entity of the same pack (`account`) or of another pack (`crm.account`)",
    "label": "a plain string (English), or `{en: …, zh: …}` with `en` required",
    "color": "",
    "filter": "a structured filter (docs/filters.md)",
    "field": "one field of an entity: see *Fields* below",
}


# -- schema → text -------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"`{text}`"


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/$defs/") else None


def _shared_name(schema: dict[str, Any]) -> str | None:
    """The shared definition (`_defs.json`) a schema written out in full is equal to, if any."""
    from .jsonschemas import _read

    bare = {k: v for k, v in schema.items() if k != "description"}
    return next((name for name, shared in sorted(_read("_defs.json").items()) if shared == bare), None)


def _bounds(schema: dict[str, Any]) -> list[str]:
    notes = []
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        notes.append(f"{low} to {high}")
    elif low is not None:
        notes.append(f"at least {low}")
    elif high is not None:
        notes.append(f"at most {high}")
    if schema.get("minItems"):
        notes.append(f"at least {schema['minItems']} item{'s' if schema['minItems'] > 1 else ''}")
    if schema.get("minLength"):
        notes.append("not empty")
    if schema.get("maxLength"):
        notes.append(f"at most {schema['maxLength']} characters")
    if "pattern" in schema:
        notes.append(f"matching {_code(schema['pattern'])}")
    return notes


def describe(schema: dict[str, Any]) -> str:
    """A short summary of what a property takes: its type, enum or shared definition, and its limits."""
    from ..fields.base import EXPRESSION_DEFAULT

    if schema == EXPRESSION_DEFAULT:
        return "`{expr: …}` (CEL)"
    ref = _ref_name(schema) or _shared_name(schema)
    if ref is not None:
        return REF_NAMES.get(ref, ref)
    if "const" in schema:
        return _code(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(_code(v) for v in schema["enum"])
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " or ".join(describe(option) for option in schema[key])
    kind = schema.get("type")
    if kind == "array" and isinstance(schema.get("items"), dict):
        text = f"list of {describe(schema['items'])}"
    elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        keys = describe(schema["propertyNames"]) if "propertyNames" in schema else "string"
        text = f"mapping of {keys} to {describe(schema['additionalProperties'])}"
    elif kind == "object" and "properties" in schema:
        text = "mapping (" + ", ".join(_code(k) for k in schema["properties"]) + ")"
    elif isinstance(kind, list):
        text = " or ".join(kind)
    elif kind is not None:
        text = kind
    else:
        text = "any"
    notes = _bounds(schema)
    return f"{text} ({'; '.join(notes)})" if notes else text


def _nested(schema: dict[str, Any]) -> tuple[bool, dict[str, Any]] | None:
    """(is it a list's items, the object schema) inside a property whose properties deserve their own table."""
    from ..fields.base import EXPRESSION_DEFAULT

    items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
    for in_list, options in ((True, [items, *items.get("oneOf", [])]), (False, [schema, *schema.get("oneOf", [])])):
        for option in options:
            if option.get("type") == "object" and "properties" in option and option != EXPRESSION_DEFAULT:
                return in_list, option
    return None


def property_table(schema: dict[str, Any], title: str, skip: tuple[str, ...] = ()) -> list[str]:
    """A table of an object schema's properties, followed by tables of the objects nested in it."""
    required = set(schema.get("required", []))
    lines = ["| property | takes | required | description |", "|---|---|---|---|"]
    nested: list[tuple[str, bool, dict[str, Any]]] = []
    for name, prop in schema.get("properties", {}).items():
        if name in skip:
            continue
        lines.append(
            f"| `{name}` | {_cell(describe(prop))} | {'yes' if name in required else ''} "
            f"| {_cell(prop.get('description', ''))} |"
        )
        found = _nested(prop)
        if found is not None:
            nested.append((f"{title}.{name}", *found))
    for path, in_list, inner in nested:
        lines += ["", f"{'Each item of ' if in_list else ''}`{path}`:", ""]
        lines += property_table(inner, path)
    return lines


# -- field types ---------------------------------------------------------------
def field_summary(field_type: Any) -> str:
    """The first line of the type's docstring: its own, an abstract base's, or its module's when that names it."""
    from ..fields import FIELD_TYPES
    from ..fields.base import FieldType

    registered = {type(ft) for ft in FIELD_TYPES.values()}
    cls = type(field_type)
    for klass in cls.__mro__:
        if klass is FieldType or not issubclass(klass, FieldType):
            break
        if klass is not cls and klass in registered:
            continue
        doc = klass.__dict__.get("__doc__")
        if doc and doc.strip():
            return doc.strip().splitlines()[0]
    module_doc = (inspect.getmodule(cls).__doc__ or "").strip()
    first = module_doc.splitlines()[0] if module_doc else ""
    head, colon, rest = first.partition(": ")
    if colon and re.search(rf"(^|[ ,]){re.escape(field_type.name)}($|[ ,])", head):
        return rest[:1].upper() + rest[1:]
    return ""


def _default_text(schema: dict[str, Any]) -> str:
    default = schema["properties"].get("default")
    if default is None:
        return "no `default`"
    if "anyOf" in default:
        return f"`default`: a constant ({describe(default['anyOf'][0])}) or `{{expr: …}}`"
    return "`default`: only `{expr: …}` (no constant)"


def field_section(field_type: Any) -> list[str]:
    from ..fields.base import COMMON_PROPERTIES

    schema = field_type.json_schema()
    lines = [f"#### `{field_type.name}`", ""]
    summary = field_summary(field_type)
    if summary:
        lines += [summary, ""]
    required = list(field_type.required_properties)
    facts = [
        "required: " + (", ".join(f"`{p}`" for p in required) if required else "nothing beyond `name` and `type`"),
        _default_text(schema),
    ]
    if field_type.generated:
        facts.append("computed: the platform fills the value in; it is never typed in a form or accepted from the API")
    refused = sorted(p for p in COMMON_PROPERTIES if p not in schema["properties"])
    if refused:
        facts.append("does not take " + ", ".join(f"`{p}`" for p in refused))
    lines += [f"- {fact}" for fact in facts] + [""]
    extra = {k: v for k, v in schema["properties"].items() if k not in COMMON_PROPERTIES and k != "default"}
    if extra:
        lines += property_table({"properties": extra, "required": required}, field_type.name)
    else:
        lines.append("No properties beyond the common ones.")
    return lines


# -- the whole reference -------------------------------------------------------
def render_reference() -> str:
    """The Markdown of the reference: every kind's properties, the value types, and every field type (the features'
    too, so they are loaded first)."""
    from ..features import load_features
    from ..fields import FIELD_TYPES
    from ..fields.base import COMMON_PROPERTIES, EXPRESSION_DEFAULT
    from ..meta.kinds import KINDS
    from .jsonschemas import kind_schema

    load_features()

    out = [
        f"<!-- generated by `{COMMAND}` from the kinds' JSON Schemas and the field type registry; do not edit by hand -->",
        "",
        "### Kinds",
        "",
        ("Every document has `kind`; what else it takes depends on the kind. Properties not listed are refused."),
    ]
    defs: dict[str, Any] = {}
    for kind in KINDS:
        schema = kind_schema(kind)
        defs.update(schema["$defs"])
        out += ["", f"#### `{kind}`", ""]
        if schema.get("description"):
            out += [schema["description"], ""]
        out += property_table(schema, kind)

    out += ["", "### Value types", "", "| written as | meaning | checked as |", "|---|---|---|"]
    for name in sorted(defs, key=lambda n: REF_NAMES.get(n, n)):
        meaning = REF_MEANINGS.get(name) or defs[name].get("description", "")
        if name in ("field", "filter"):
            checked = "see below" if name == "field" else "docs/filters.md"
        else:
            checked = describe({k: v for k, v in defs[name].items() if k != "description"})
        out.append(f"| {REF_NAMES.get(name, name)} | {_cell(meaning)} | {_cell(checked)} |")

    out += [
        "",
        "### Fields",
        "",
        (
            "An entity's `fields` is a list; each field is a mapping with `name` and `type`. "
            "These properties apply to every type (except where a type says it does not take one):"
        ),
        "",
    ]
    common = {
        **COMMON_PROPERTIES,
        "type": {"enum": list(FIELD_TYPES), "description": "the field type (below)"},
        "default": {
            "anyOf": [{"type": "constant of the field's type"}, EXPRESSION_DEFAULT],
            "description": "the value of a new record: a constant, or {expr: …} computed with CEL",
        },
    }
    out += property_table({"properties": common, "required": ["name", "type"]}, "field")
    out += ["", "### Field types", "", "In registry order. A *computed* type's value is filled in by the platform."]
    for field_type in FIELD_TYPES.values():
        out += [""] + field_section(field_type)
    return "\n".join(out) + "\n"


def splice(text: str, reference: str) -> str:
    """`text` with the part between the markers replaced by `reference`."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the document needs the markers {START} and {END}, in that order")
    return text[: start + len(START)] + "\n\n" + reference.strip("\n") + "\n\n" + text[end:]


def update_document(path: Path | str = DOCUMENT) -> bool:
    """Put the generated reference between the markers of `path`; True when that changed the file."""
    path = Path(path)
    old = path.read_text(encoding="utf-8")
    new = splice(old, render_reference())
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DOCUMENT
    print(f"{path}: {'updated' if update_document(path) else 'already up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
