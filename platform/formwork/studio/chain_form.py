"""The approval chain editor's form: an ApprovalChain overlay document shown as controls and read back from a post.

The page is one HTML form holding the whole chain, so every button (add, remove or move a step, remove an approver)
posts it and gets the page back with the change, and nothing is stored until "Save to the draft". Controls are named
after the document's paths (`steps.1.approvers.0.role` for `steps[1].approvers[0].role`), so an error of the
checks lands at the control it is about; the page always numbers steps and approvers by their place in the document
it shows, and a post is read in the order of its `step` and `<list>.row` keys.

What a control may take (the modes, the approver sources, the timeout actions…) is read from the ApprovalChain
JSON Schema, which the workflow feature declares: the Studio imports no feature. The conditions (`when`) are the
Studio's condition builder (studio/condition_builder.py); the document is checked by `checked_overlays`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import yaml
from werkzeug.datastructures import MultiDict

from ..definitions.jsonschemas import kind_schema
from ..fields import kind_of
from ..meta.errors import DefinitionError
from ..meta.model import EntityDef
from ..tenancy.directory import EMPLOYEE
from .condition_builder import Builder, posted_builder, stored_builder
from .conditions import Subject

#: a posted step: its key in the post first, then what the editor made of it
Step = TypeVar("Step", bound=tuple[Any, ...])

CHAIN_KIND = "ApprovalChain"
DEPARTMENT = "core.department"
#: the department_head source's value for the head of the submitter's own department
SUBMITTER = "submitter"
SAVE = "save"
#: what happens when the last step is approved and when the request is finally rejected
OUTCOMES = ("on_approve", "on_reject")
#: the lists of approver sources a chain has outside its steps, by the control prefix that is their path
CHAIN_SOURCES = ("cc.approvers", "on_approve.notify", "on_reject.notify")
CHAIN_CONTROLS = (
    "name",
    "label",
    "when",
    "self_approval",
    "no_approver",
    "dedup",
    "cc",
    "cc.at",
    "lock",
    "lock.approved",
    "lock.rejected",
    "lock.reopen",
    "on_approve",
    "on_approve.set",
    "on_reject",
    "on_reject.set",
    "steps",
    *CHAIN_SOURCES,
)
STEP_CONTROLS = (
    "name",
    "label",
    "when",
    "mode",
    "quorum",
    "on_reject",
    "editable",
    "approvers",
    "timeout",
    "timeout.after",
    "timeout.action",
    "timeout.to",
    "remind_every",
)
#: a lock scope that lists fields (the schema's other scopes are words: all, none)
FIELDS_SCOPE = "fields"
_PATH_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


@dataclass(frozen=True)
class ChainOptions:
    """The values the ApprovalChain schema allows each choosing control (its enums), in the schema's order."""

    modes: tuple[str, ...]
    rejections: tuple[str, ...]
    timeout_actions: tuple[str, ...]
    sources: tuple[str, ...]
    submitter_choices: tuple[str, ...]
    self_approval: tuple[str, ...]
    no_approver: tuple[str, ...]
    dedup: tuple[str, ...]
    cc_at: tuple[str, ...]
    lock_scopes: tuple[str, ...]
    reopen: tuple[str, ...]


@cache
def chain_options() -> ChainOptions:
    schema = kind_schema(CHAIN_KIND)["properties"]
    step = schema["steps"]["items"]["properties"]
    source = step["approvers"]["items"]["properties"]
    lock = schema["lock"]["properties"]
    return ChainOptions(
        modes=tuple(step["mode"]["enum"]),
        rejections=tuple(next(rule["enum"] for rule in step["on_reject"]["anyOf"] if "enum" in rule)),
        timeout_actions=tuple(step["timeout"]["properties"]["action"]["enum"]),
        sources=tuple(source),
        submitter_choices=tuple(source["submitter_choice"]["enum"]),
        self_approval=tuple(schema["self_approval"]["enum"]),
        no_approver=tuple(schema["no_approver"]["enum"]),
        dedup=tuple(schema["dedup"]["enum"]),
        cc_at=tuple(schema["cc"]["properties"]["at"]["enum"]),
        lock_scopes=(*next(s["enum"] for s in lock["approved"]["oneOf"] if "enum" in s), FIELDS_SCOPE),
        reopen=tuple(lock["reopen"]["enum"]),
    )


def new_chain(entity: str) -> dict[str, Any]:
    """A chain to start from: one step, whose approvers the admin chooses."""
    return {"kind": CHAIN_KIND, "entity": entity, "name": "", "steps": [{"name": "step_1", "approvers": []}]}


# -- what the controls offer -----------------------------------------------------
@dataclass(frozen=True)
class Choices:
    """What the entity offers the controls that name its fields, and the roles a role source may name."""

    roles: list[tuple[str, str]]
    person_fields: list[tuple[str, str]]
    department_fields: list[tuple[str, str]]
    fields: list[tuple[str, str]]


def entity_choices(entity: EntityDef, roles: list[tuple[str, str]]) -> Choices:
    """The entity's fields naming a person (a user field, a reference to an employee), naming a department, and all
    of them (for what a step lets change and what a decision locks), each as (name, label)."""
    named = [(f, (f.name, f.label.localized())) for f in entity.fields]
    return Choices(
        roles=roles,
        person_fields=[
            pair
            for f, pair in named
            if kind_of(f).refers_to_user or (kind_of(f).refers_to_record and f.target == EMPLOYEE)
        ],
        department_fields=[pair for f, pair in named if kind_of(f).refers_to_record and f.target == DEPARTMENT],
        fields=[pair for _, pair in named],
    )


def source_kind(entry: Any) -> str:
    """The source an approvers entry names (its one key); "" for an entry of no key."""
    return next(iter(entry), "") if isinstance(entry, dict) else ""


def source_text(entry: Any) -> str:
    """An entry's value as its control shows it: user names joined by commas, anything else as written."""
    value = entry.get(source_kind(entry)) if isinstance(entry, dict) else ""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else "" if value is None else str(value)


def label_text(value: Any, language: str) -> str:
    """One language of a label as written (a string is English)."""
    if isinstance(value, dict):
        return str(value.get(language, ""))
    return str(value) if value and language == "en" else ""


def lock_scope(value: Any) -> str:
    """The lock scope control's value: a word of the schema, or FIELDS_SCOPE for a list of fields."""
    return FIELDS_SCOPE if isinstance(value, list) else str(value or "")


# -- reading a post --------------------------------------------------------------
@dataclass
class PostedChain:
    """The chain a page posted, as a document, and its condition builders by prefix (`cond.when`,
    `cond.steps.0.when`), numbered as the document is."""

    document: dict[str, Any]
    builders: dict[str, Builder] = field(default_factory=dict)

    @property
    def unwritten(self) -> bool:
        """A builder holds a row it could not write as CEL: the chain cannot be saved as posted."""
        return any(builder.error for builder in self.builders.values())


def condition_prefix(path: str) -> str:
    """The prefix under which the builder of the condition at `path` (`when`, `steps.0.when`) posts."""
    return f"cond.{path}"


def stored_builders(document: dict[str, Any], known: dict[str, Subject]) -> dict[str, Builder]:
    """A builder for the chain's condition and each step's, opened on the document's conditions."""
    paths = {"when": document.get("when")} | {
        f"steps.{i}.when": step.get("when") for i, step in enumerate(document.get("steps", []))
    }
    return {
        condition_prefix(path): stored_builder(condition_prefix(path), text or "", known)
        for path, text in paths.items()
    }


def posted_chain(form: MultiDict[str, str], original: dict[str, Any], known: dict[str, Subject]) -> PostedChain:
    """The chain as posted, over `original` (whose other keys, such as `submitters` or an outcome's `set`, the page
    does not edit and keeps), with the posted button's change applied (`action`: a step added, removed or moved,
    an approver removed)."""
    action = form.get("action", SAVE)
    document = copy.deepcopy(original)
    if "name" in form:
        document["name"] = form.get("name", "").strip()
    _set(document, "label", _posted_label(form, ""))
    for key in ("self_approval", "no_approver", "dedup"):
        _set(document, key, form.get(key, ""))
    _read_cc(form, document, action)
    _read_lock(form, document)
    for outcome in OUTCOMES:
        found = dict(document.get(outcome) or {})
        _set(found, "set", _posted_set(form, outcome, found.get("set") or {}, action))
        _set(found, "notify", _posted_sources(form, f"{outcome}.notify", action))
        _set(document, outcome, found)
    posted = PostedChain(document)
    chain_when = posted_builder(form, condition_prefix("when"), known)
    if not chain_when.error:
        _set(document, "when", chain_when.text)
    keys = [key for key in form.getlist("step") if action != f"remove_step:{key}"]
    steps = moved([(key, *_posted_step(form, key, action, known)) for key in keys], action)
    document["steps"] = [step for _, step, _ in steps]
    if action == "add_step":
        document["steps"].append({"name": _new_step_name(document["steps"]), "approvers": []})
    posted.builders[condition_prefix("when")] = chain_when
    for i, step in enumerate(document["steps"]):
        prefix = condition_prefix(f"steps.{i}.when")
        built = steps[i][2] if i < len(steps) else None
        posted.builders[prefix] = (
            Builder(prefix, built.text, built.condition, built.error, built.error_row)
            if built is not None
            else stored_builder(prefix, step.get("when") or "", known)
        )
    return posted


def _set(document: dict[str, Any], key: str, value: Any) -> None:
    """Set `key`, or leave it out when the control is empty (the chain's default applies)."""
    if value in ("", None, [], {}):
        document.pop(key, None)
    else:
        document[key] = value


def _posted_label(form: MultiDict[str, str], prefix: str) -> str | dict[str, str]:
    """A label as YAML writes it: the English alone when it has no Chinese ("" when it has neither)."""
    english, chinese = form.get(f"{prefix}label_en", "").strip(), form.get(f"{prefix}label_zh", "").strip()
    if chinese:
        return {"en": english, "zh": chinese} if english else {"zh": chinese}
    return english


def _posted_sources(form: MultiDict[str, str], prefix: str, action: str) -> list[dict[str, Any]]:
    """The approver sources of the list at `prefix` in their posted order; a row with no source chosen (the empty row
    each list offers) and the row whose Remove was pressed are left out."""
    found = []
    for key in form.getlist(f"{prefix}.row"):
        kind = form.get(f"{prefix}.{key}.kind", "")
        if kind and action != f"remove_row:{prefix}.{key}":
            found.append({kind: _source_value(kind, form.get(f"{prefix}.{key}.{kind}", ""))})
    return found


def _source_value(kind: str, text: str) -> Any:
    """A source's value from its control: user names from a comma-separated list, a manager's level as a number;
    anything that does not read is kept as typed, for the schema to say what is wrong at its control."""
    text = text.strip()
    if kind == "users":
        return [name.strip() for name in text.split(",") if name.strip()]
    if kind == "manager" and text.isdigit():
        return int(text)
    return text


def _posted_set(form: MultiDict[str, str], outcome: str, current: dict[str, Any], action: str) -> dict[str, Any]:
    """An outcome's `set:`: the fields it computes (`{expr: …}`, edited in YAML) as they are, then the posted
    constants, each as YAML reads it (`approved`, `5`, `true`)."""
    found = {name: value for name, value in current.items() if isinstance(value, dict)}
    for key in form.getlist(f"{outcome}.set.row"):
        name = form.get(f"{outcome}.set.{key}.field", "")
        if name and action != f"remove_row:{outcome}.set.{key}":
            found[name] = _constant(form.get(f"{outcome}.set.{key}.value", ""))
    return found


def _constant(text: str) -> Any:
    """A constant as YAML reads it; text that YAML reads as no plain value is kept as typed."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if value is None or isinstance(value, (str, int, float, bool)) else text


def constant_text(value: Any) -> str:
    """A constant of `set:` as its control shows it (as YAML writes it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_cc(form: MultiDict[str, str], document: dict[str, Any], action: str) -> None:
    cc = {"approvers": _posted_sources(form, "cc.approvers", action)}
    _set(cc, "at", form.get("cc.at", ""))
    _set(document, "cc", cc if cc["approvers"] else {})


def _read_lock(form: MultiDict[str, str], document: dict[str, Any]) -> None:
    lock = dict(document.get("lock") or {})
    for outcome in ("approved", "rejected"):
        scope = form.get(f"lock.{outcome}", "")
        _set(lock, outcome, form.getlist(f"lock.{outcome}.fields") if scope == FIELDS_SCOPE else scope)
        if scope == FIELDS_SCOPE and not lock.get(outcome):
            lock[outcome] = []  # "these fields" with none chosen: the schema says so at the control
    _set(lock, "reopen", form.get("lock.reopen", ""))
    _set(document, "lock", lock)


def _posted_step(
    form: MultiDict[str, str], key: str, action: str, known: dict[str, Subject]
) -> tuple[dict[str, Any], Builder]:
    prefix = f"steps.{key}"
    step: dict[str, Any] = {"name": form.get(f"{prefix}.name", "").strip()}
    _set(step, "label", _posted_label(form, f"{prefix}."))
    builder = posted_builder(form, condition_prefix(f"{prefix}.when"), known)
    if not builder.error:
        _set(step, "when", builder.text)
    step["approvers"] = _posted_sources(form, f"{prefix}.approvers", action)
    _set(step, "mode", form.get(f"{prefix}.mode", ""))
    quorum = form.get(f"{prefix}.quorum", "").strip()
    _set(step, "quorum", int(quorum) if quorum.isdigit() else quorum)
    _set(step, "on_reject", form.get(f"{prefix}.on_reject", ""))
    _set(step, "editable", form.getlist(f"{prefix}.editable"))
    timeout: dict[str, Any] = {}
    _set(timeout, "after", form.get(f"{prefix}.timeout.after", "").strip())
    _set(timeout, "action", form.get(f"{prefix}.timeout.action", ""))
    _set(timeout, "to", _posted_sources(form, f"{prefix}.timeout.to", action))
    _set(step, "timeout", timeout)
    _set(step, "remind_every", form.get(f"{prefix}.remind_every", "").strip())
    return step, builder


def moved(steps: list[Step], action: str) -> list[Step]:
    """The steps (tuples whose first item is the step's posted key) with the one whose Up or Down was pressed
    (`up:<its posted key>`) moved one place; the automation editor moves its steps with it too."""
    verb, _, key = action.partition(":")
    at = next((i for i, step in enumerate(steps) if step[0] == key), None)
    if verb not in ("up", "down") or at is None:
        return steps
    other = at - 1 if verb == "up" else at + 1
    if not 0 <= other < len(steps):
        return steps
    result = list(steps)
    result[at], result[other] = result[other], result[at]
    return result


def _new_step_name(steps: list[dict[str, Any]]) -> str:
    """`step_<n>`, n the step's place, or the next number no step of the chain is named with."""
    taken, number = {step.get("name") for step in steps}, len(steps) + 1
    while f"step_{number}" in taken:
        number += 1
    return f"step_{number}"


# -- errors at their controls ----------------------------------------------------
def control_of(path: str) -> str:
    """The control named after a path of the checks: `steps[1].approvers[0].role` -> `steps.1.approvers.0.role`."""
    return ".".join(index or name for index, name in _PATH_PART.findall(path))


def shown_controls(document: dict[str, Any]) -> set[str]:
    """Every control the page shows for `document`, by name: where an error can be put."""
    shown = set(CHAIN_CONTROLS)
    lists: list[tuple[str, list[Any]]] = [(prefix, _at(document, prefix)) for prefix in CHAIN_SOURCES]
    for i, step in enumerate(document.get("steps", [])):
        shown |= {f"steps.{i}"} | {f"steps.{i}.{control}" for control in STEP_CONTROLS}
        lists += [
            (f"steps.{i}.approvers", step.get("approvers", [])),
            (f"steps.{i}.timeout.to", (step.get("timeout") or {}).get("to", [])),
        ]
    for outcome in OUTCOMES:
        shown |= {f"{outcome}.set.{name}" for name in (document.get(outcome) or {}).get("set") or {}}
    for prefix, entries in lists:
        for r, entry in enumerate(entries):
            shown |= {f"{prefix}.{r}", f"{prefix}.{r}.{source_kind(entry)}"}
    return shown


def _at(document: dict[str, Any], prefix: str) -> list[Any]:
    found: Any = document
    for key in prefix.split("."):
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, list) else []


def placed_errors(errors: list[DefinitionError], document: dict[str, Any]) -> dict[str, list[str]]:
    """Each error's message at the closest control the chain's page shows for its path ("" for the page itself)."""
    return errors_at(errors, shown_controls(document))


def errors_at(errors: list[DefinitionError], shown: set[str]) -> dict[str, list[str]]:
    """Each error's message at the closest of the `shown` controls to its path ("" for the page itself): the chain
    and automation editors name their controls after the document's paths."""
    placed = dict[str, list[str]]()
    for error in errors:
        control = control_of(error.path)
        while control and control not in shown:
            control = control.rpartition(".")[0]
        placed.setdefault(control, []).append(error.message)
    return placed


def with_builder_errors(builders: dict[str, Builder], placed: dict[str, list[str]]) -> dict[str, Builder]:
    """The builders with the checks' messages about their conditions (`when`, `steps.0.when`)."""
    return {
        prefix: builder.failed(placed[prefix[len("cond.") :]]) if prefix[len("cond.") :] in placed else builder
        for prefix, builder in builders.items()
    }
