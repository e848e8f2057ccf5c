"""The Automation and Action kinds: what a pack declares a record does by itself, or at a button's press.

An automation is a trigger, an optional condition and steps; an action is a button (on a record, or on a list's
selected records) with the same steps, run by the people its roles name. Both are typed here from their validated
YAML documents; their steps are kept as written (kind and options) and prepared by the step kinds
(automation/steps/), so that a new step kind needs no change here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..i18n import Label, humanize
from ..meta.model import FieldDef, qualify
from ..meta.yamlload import Document

#: record triggers run inside the save that fires them; the others run from the worker's tick
CREATED, UPDATED, DELETED, CHANGED, APPROVAL, DATE, SCHEDULE = (
    "created",
    "updated",
    "deleted",
    "changed",
    "approval",
    "date",
    "schedule",
)
RECORD_TRIGGERS = (CREATED, UPDATED, DELETED, CHANGED)
TIMED_TRIGGERS = (DATE, SCHEDULE)
#: the approval events an automation may wait for (announced by the approvals feature as `approval.<event>`)
APPROVAL_EVENTS = ("submitted", "approved", "rejected", "returned", "withdrawn")


@dataclass(frozen=True)
class StepDef:
    """One step as written: its kind (`set`, `create`…), its options, and where it is in its document."""

    kind: str
    options: Any
    path: tuple[Any, ...]


@dataclass(frozen=True)
class TriggerDef:
    """When an automation runs. `fields`: a `changed` trigger's fields; `events`: an `approval` trigger's;
    `field`, `days` and `at`: a `date` trigger's date field, its offset in days (negative: before) and the time of
    day in the tenant's time zone; `cron` and `filter`: a `schedule`'s slots and the records it runs for."""

    on: str
    fields: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    field: str | None = None
    days: int = 0
    at: str = "09:00"
    cron: str | None = None
    filter: Any = None


@dataclass(frozen=True)
class AutomationDef:
    pack: str
    name: str
    entity: str
    label: Label
    trigger: TriggerDef
    condition: str | None
    steps: tuple[StepDef, ...]
    document: Document | None = None
    enabled: bool = True

    @property
    def qualified(self) -> str:
        return f"{self.pack}.{self.name}"


@dataclass(frozen=True)
class InputDef:
    """One field of an action's small form: what the person running it types or picks (`input.<name>` in CEL).
    Its type is a field type's (string, text, choice, integer, decimal, date, boolean), which validates it, types
    it in expressions and tells the form how to read it, as for an entity's field (`as_field`)."""

    name: str
    type: str
    label: Label
    required: bool = False
    choices: tuple[tuple[str, Label], ...] = ()

    @property
    def as_field(self) -> FieldDef:
        choices = [{"value": value, "label": dict(label.translations)} for value, label in self.choices]
        return FieldDef(self.name, self.type, self.label, required=self.required, options={"choices": choices})


@dataclass(frozen=True)
class ActionDef:
    pack: str
    name: str
    entity: str
    label: Label
    steps: tuple[StepDef, ...]
    roles: tuple[str, ...] = ()
    icon: str = "fa-bolt"
    visible_when: str | None = None
    confirm: Label | None = None
    inputs: tuple[InputDef, ...] = ()
    #: where the button is: on the record's page, on the list (for the selected records), or both
    places: tuple[str, ...] = ("record",)
    document: Document | None = None
    success: Label | None = field(default=None)

    @property
    def qualified(self) -> str:
        return f"{self.pack}.{self.name}"


def build_steps(data: list[Any]) -> tuple[StepDef, ...]:
    """Each step is a mapping of one key, its kind, to its options (`- set: {stage: "'won'"}`)."""
    steps = []
    for index, step in enumerate(data):
        kind, options = next(iter(step.items()))
        steps.append(StepDef(kind, options, ("steps", index, kind)))
    return tuple(steps)


def build_trigger(data: dict[str, Any]) -> TriggerDef:
    return TriggerDef(
        on=data["type"],
        fields=tuple(data.get("fields", ())),
        events=tuple(data.get("events", ())),
        field=data.get("field"),
        days=int(data.get("days", 0)),
        at=str(data.get("at", "09:00")),
        cron=data.get("cron"),
        filter=data.get("filter"),
    )


def build_automation(doc: Document) -> AutomationDef:
    data = doc.data
    return AutomationDef(
        pack=doc.pack,
        name=data["name"],
        entity=qualify(data["entity"], doc.pack),
        label=Label(data.get("label"), humanize(data["name"])),
        trigger=build_trigger(data["trigger"]),
        condition=data.get("condition"),
        steps=build_steps(data.get("steps", [])),
        document=doc,
        enabled=bool(data.get("enabled", True)),
    )


def build_input(data: dict[str, Any]) -> InputDef:
    return InputDef(
        name=data["name"],
        type=data.get("type", "string"),
        label=Label(data.get("label"), humanize(data["name"])),
        required=bool(data.get("required", False)),
        choices=tuple(
            (str(c["value"]), Label(c.get("label"), humanize(str(c["value"])))) for c in data.get("choices", [])
        ),
    )


def build_action(doc: Document) -> ActionDef:
    data = doc.data
    return ActionDef(
        pack=doc.pack,
        name=data["name"],
        entity=qualify(data["entity"], doc.pack),
        label=Label(data.get("label"), humanize(data["name"])),
        steps=build_steps(data.get("steps", [])),
        roles=tuple(data.get("roles", ())),
        icon=data.get("icon", "fa-bolt"),
        visible_when=data.get("visible_when"),
        confirm=Label(data["confirm"]) if data.get("confirm") else None,
        inputs=tuple(build_input(item) for item in data.get("inputs", [])),
        places=tuple(data.get("show_on", ("record",))),
        document=doc,
        success=Label(data["success"]) if data.get("success") else None,
    )
