"""The roles screen's editor of a pack role's record rules and field rights on one entity.

The admin picks each rule's kind (every record, their own, those naming them in a field, their department's, a
filter); a field rule offers only the entity's fields that fit it, and a filter is rows of field, operator and value
joined by all or any. What is posted becomes the `records:` and `fields:` the Role kind takes, checked with the
checks `formwork validate` gives a Role (access/checks.py), each problem placed at the control it came from. A rule
the rows cannot show (a nested filter in the pack) is kept as written and said in words.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from ..fields import kind_of, value_kind
from ..filters import OPERATORS
from ..filters.operators import COUNT, LIST, NO_VALUE, PAIR, SHAPES
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .checks import field_right_problems, rule_problems
from .definition import FieldRights, RecordRule, RoleDef
from .labels import LIMIT_TEXT
from .records import DEPARTMENT, EMPLOYEE
from .tailoring import Limits
from .words import OPERATORS as OPERATOR_WORDS
from .words import PERIODS, STANDARD_COLUMNS, filter_in_words

#: the kinds of rule the editor offers, in its order; `kept`: a rule of the pack the rows cannot show
KINDS = ("all", "own", "user_field", "department", "department_tree", "filter")
KEPT = "kept"
#: how the conditions of a filter rule are joined
MATCHES = ("all", "any")
#: blank rows offered below a rule's conditions, and blank rules below the role's
SPARE_CONDITIONS, SPARE_RULES = 3, 1
FIELD_KEYS = ("hidden", "read_only")


@dataclass
class Condition:
    field: str = ""
    op: str = ""
    value: str = ""


@dataclass
class RuleRow:
    """One rule as the editor shows it: its kind, the field it reads, a filter's conditions, or a kept rule."""

    kind: str = ""
    field: str = ""
    match: str = "all"
    conditions: list[Condition] = dataclasses.field(default_factory=list)
    kept: str = ""
    words: str = ""

    def spare(self) -> list[Condition]:
        return [Condition() for _ in range(SPARE_CONDITIONS)]


@dataclass
class Editor:
    """The editor's state: its rules, the ticked hidden and read-only fields, and the errors by control."""

    rules: list[RuleRow]
    hidden: set[str]
    read_only: set[str]
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def editor_of(role: RoleDef, entity: EntityDef, catalog: Catalog) -> Editor:
    """What `role` (as tailored) says on `entity`, as the editor shows it."""
    rules = [_row(rule, entity, catalog) for rule in role.records.get(entity.qualified, (RecordRule("all"),))]
    rights = role.fields.get(entity.qualified, FieldRights())
    return Editor(rules, set(rights.hidden), set(rights.read_only))


def _row(rule: RecordRule, entity: EntityDef, catalog: Catalog) -> RuleRow:
    if rule.kind != "filter":
        return RuleRow(rule.kind, rule.field or "")
    flat = _flat(rule.filter)
    if flat is None:
        return RuleRow(KEPT, kept=json.dumps(rule.filter), words=filter_in_words(rule.filter, entity, catalog))
    match, conditions = flat
    return RuleRow("filter", match=match, conditions=[Condition(c["field"], c["op"], _text(c)) for c in conditions])


def _flat(data: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """(all/any, conditions) when the filter is conditions joined one way; None when it nests."""
    if isinstance(data, dict) and "field" in data:
        return "all", [data]
    match, items = ("all", data) if isinstance(data, list) else next(iter(data.items()))
    if match in MATCHES and isinstance(items, list) and all(isinstance(i, dict) and "field" in i for i in items):
        return match, items
    return None


def _text(condition: dict[str, Any]) -> str:
    value = condition.get("value")
    if isinstance(value, list):
        return ", ".join(_atom_text(v) for v in value)
    return "" if value is None else _atom_text(value)


def _atom_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def posted_editor(form: MultiDict[str, str]) -> Editor:
    """The editor as posted: rules `rule.<i>.kind`, `.field`, `.match`, `.kept`, conditions `rule.<i>.cond.<j>.*`
    (a rule without a kind and a condition without a field are left out), fields ticked in `hidden`/`read_only`."""
    rules = []
    for i in _indexes(form, "rule."):
        prefix = f"rule.{i}."
        kind = form.get(f"{prefix}kind", "")
        if not kind:
            continue
        conditions = [
            Condition(
                form.get(f"{prefix}cond.{j}.field", ""),
                form.get(f"{prefix}cond.{j}.op", ""),
                form.get(f"{prefix}cond.{j}.value", ""),
            )
            for j in _indexes(form, f"{prefix}cond.")
        ]
        rules.append(
            RuleRow(
                kind,
                form.get(f"{prefix}field", ""),
                form.get(f"{prefix}match", "all"),
                [c for c in conditions if c.field],
                form.get(f"{prefix}kept", ""),
            )
        )
    return Editor(rules, set(form.getlist("hidden")), set(form.getlist("read_only")))


def _indexes(form: MultiDict[str, str], prefix: str) -> list[int]:
    found = set()
    for key in form:
        number = key[len(prefix) :].split(".")[0] if key.startswith(prefix) else ""
        if number.isdigit():
            found.add(int(number))
    return sorted(found)


def limits_of(editor: Editor, entity: EntityDef, catalog: Catalog, creates: bool) -> Limits | None:
    """The record rules and field rights the editor holds, as the Role kind writes them (no field right: None), or
    None with `editor.errors` filled when the checks refuse them."""
    records = []
    for i, row in enumerate(editor.rules):
        rule = _rule(row, i, entity, editor.errors)
        if rule is None:
            continue
        for sub, message in rule_problems(entity, rule, catalog):
            editor.errors.setdefault(_control(i, row, sub), []).append(message)
        records.append(rule)
    spec = {key: _in_form_order(entity, getattr(editor, key)) for key in FIELD_KEYS}
    for (key, _), message in field_right_problems(entity, spec, creates):
        editor.errors.setdefault(key, []).append(message)
    if editor.errors:
        return None
    fields = {key: names for key, names in spec.items() if names}
    return Limits(None if records in ([], ["all"]) else records, fields or None)


def _in_form_order(entity: EntityDef, names: set[str]) -> list[str]:
    order = [f.name for f in entity.fields]
    return [name for name in order if name in names] + sorted(names - set(order))


def _rule(row: RuleRow, i: int, entity: EntityDef, errors: dict[str, list[str]]) -> Any:
    """The rule as the Role kind writes it; None (with an error) for a kind the editor does not know."""
    if row.kind in ("all", "own") or (row.kind in ("department", "department_tree") and not row.field):
        return row.kind
    if row.kind in ("user_field", "department", "department_tree"):
        return {row.kind: row.field}
    if row.kind == "filter" and not row.conditions:
        errors.setdefault(f"rule.{i}.kind", []).append(LIMIT_TEXT["no_conditions"].localized())
        return None
    if row.kind == "filter":
        return {
            "filter": {row.match if row.match in MATCHES else "all": [_condition(c, entity) for c in row.conditions]}
        }
    if row.kind == KEPT:
        try:
            return {"filter": json.loads(row.kept)}
        except ValueError:
            pass
    errors.setdefault(f"rule.{i}.kind", []).append(LIMIT_TEXT["bad_kind"].localized())
    return None


def _condition(condition: Condition, entity: EntityDef) -> dict[str, Any]:
    """A row as a filter condition: its value read by the operator's shape (a list, a pair, a number of days)."""
    found: dict[str, Any] = {"field": condition.field, "op": condition.op}
    shape = SHAPES.get(condition.op)
    if shape == NO_VALUE:
        return found
    target = entity.field(condition.field)
    yes_no = target is not None and value_kind(target).holds_yes_no
    if shape in (LIST, PAIR):
        found["value"] = [_atom(part.strip(), yes_no) for part in condition.value.split(",") if part.strip()]
    elif shape == COUNT:
        text = condition.value.strip()
        found["value"] = int(text) if text.isdigit() else text
    else:
        found["value"] = _atom(condition.value.strip(), yes_no)
    return found


def _atom(text: str, yes_no: bool) -> Any:
    """A value typed in a row; a yes/no field's `true`/`false` become the boolean the filter compares with."""
    if yes_no and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _control(i: int, row: RuleRow, sub: tuple) -> str:
    """The control a check's problem at `sub` (inside rule `i`) belongs at. Rules and conditions are numbered as
    the editor shows them again: without the blank ones."""
    if row.kind == "filter" and len(sub) >= 4 and sub[0] == "filter" and isinstance(sub[2], int):
        key = sub[3] if sub[3] in ("field", "op", "value") else "field"
        return f"rule.{i}.cond.{sub[2]}.{key}"
    if row.kind in ("user_field", "department", "department_tree") and sub:
        return f"rule.{i}.field"
    return f"rule.{i}.kind"


def field_options(entity: EntityDef) -> list[Option]:
    """The fields a user_field or department rule may read: a user field, a reference (or link) to an employee, a
    reference to a department."""
    found = []
    for f in entity.fields:
        kind = kind_of(f)
        if kind.refers_to_user or (
            (kind.refers_to_record or kind.refers_to_many) and f.target in (EMPLOYEE, DEPARTMENT)
        ):
            found.append(Option(f.name, f.label.localized()))
    return found


def condition_fields(entity: EntityDef, editor: Editor) -> list[Option]:
    """The entity's fields and standard columns a condition may compare, and any path a rule already names."""
    found = [Option(f.name, f.label.localized()) for f in entity.fields if not kind_of(f).holds_rows]
    found += [Option(name, text.localized()) for name, text in STANDARD_COLUMNS.items()]
    known = {o.value for o in found}
    named = {c.field for row in editor.rules for c in row.conditions} - known
    return found + [Option(name, name) for name in sorted(named)]


def operator_options() -> list[Option]:
    """Every operator, said as its sentence with blanks: "… is one of …"."""
    blanks = {"field": "…", "value": "…", "low": "…", "high": "…", "days": "N"}
    return [Option(op, (OPERATOR_WORDS.get(op) or PERIODS[op]).localized().format(**blanks)) for op in OPERATORS]
