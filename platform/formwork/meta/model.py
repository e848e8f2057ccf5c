"""Typed definitions: what the YAML documents mean once they are validated.

Every definition keeps the `Document` it came from so that later checks can
point at the file and line of a mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property
from typing import Any

from ..i18n import Label
from .yamlload import Document

STANDARD_COLUMNS = ("id", "created_at", "created_by", "updated_at", "updated_by", "version")


@dataclass(frozen=True)
class Choice:
    value: str
    label: Label
    color: str | None = None
    retired: bool = False  # kept for the records that hold it, never offered as a new value


@dataclass
class FieldDef:
    """One field of an entity. Type-specific properties stay in `options`."""

    name: str
    type: str
    label: Label
    help: Label | None = None
    required: bool = False
    unique: bool = False
    default: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    index: int = 0
    renamed_from: str | None = None  # the field's former name: its column is renamed, its data kept
    backfill: Any = None  # written into stored records that have no value, or one a narrowed type cannot hold

    @property
    def placeholder(self) -> Label | None:
        return Label(self.options["placeholder"]) if self.options.get("placeholder") else None

    @property
    def read_only(self) -> bool:
        return bool(self.options.get("read_only", False))

    @property
    def hidden(self) -> bool:
        return bool(self.options.get("hidden", False))

    @property
    def indexed(self) -> bool:
        return bool(self.options.get("indexed", False))

    def condition(self, name: str) -> str | None:
        """visible_when, required_when or read_only_when, if the field has it."""
        return self.options.get(name)

    @property
    def value_type(self) -> str:
        """The type of the stored value: a formula's result type, otherwise the field's type."""
        if self.type == "formula":  # meta sits below fields/ (which imports it), so it cannot ask the field type
            return str(self.options.get("result", self.type))
        if self.type == "rollup":  # as above
            return "integer" if self.options.get("aggregate") == "count" else "decimal"
        return self.type

    @property
    def default_expression(self) -> str | None:
        return self.default.get("expr") if isinstance(self.default, dict) else None

    @cached_property
    def choices(self) -> list[Choice]:
        """Every choice, retired ones included: stored records hold them, and they are shown by their labels."""
        return [
            Choice(str(c["value"]), Label(c.get("label"), str(c["value"])), c.get("color"), bool(c.get("retired")))
            for c in self.options.get("choices", [])
        ]

    @property
    def offered_choices(self) -> list[Choice]:
        """The choices a record may newly take: all but the retired ones."""
        return [c for c in self.choices if not c.retired]

    @property
    def map_choices(self) -> dict[str, str]:
        """Former choice values and the current ones the schema plan rewrites them to (`map_choices:`)."""
        return {str(old): str(new) for old, new in (self.options.get("map_choices") or {}).items()}

    @property
    def target(self) -> str | None:
        return self.options.get("target")


@dataclass(frozen=True)
class RuleDef:
    """A validation rule: `check` must hold for a record to be saved."""

    name: str
    check: str
    message: Label
    field: str | None
    index: int


@dataclass(frozen=True)
class IndexDef:
    fields: tuple[str, ...]
    unique: bool
    message: Label | None
    index: int


@dataclass
class EntityDef:
    pack: str
    name: str
    label: Label
    plural: Label
    fields: list[FieldDef]
    title_field: str | None
    document: Document
    rules: list[RuleDef] = field(default_factory=list)
    locked_when: str | None = None
    indexes: list[IndexDef] = field(default_factory=list)
    #: the entity's former name: its table is renamed, its records kept; `x.project` names an entity of another pack
    #: (a tenant's own entity a pack version takes over)
    renamed_from: str | None = None
    #: fields shown after the title where a record is picked, so two records of one title differ ("Anna Zhao — Sales")
    describe: tuple[str, ...] = ()
    icon: str | None = None  # the Font Awesome icon of the entity's menu entry

    @property
    def qualified(self) -> str:
        return f"{self.pack}.{self.name}"

    @property
    def table(self) -> str:
        return f"{self.pack}_{self.name}"

    @property
    def former_qualified(self) -> str | None:
        """The qualified name `renamed_from` means: `crm.old_name` in its own pack, or the other pack's it names."""
        if not self.renamed_from:
            return None
        return self.renamed_from if "." in self.renamed_from else f"{self.pack}.{self.renamed_from}"

    @property
    def former_table(self) -> str | None:
        return self.former_qualified.replace(".", "_", 1) if self.former_qualified else None

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    def declared_field(self, name: str) -> FieldDef:
        """The field `name`, which the caller knows the entity has (validation guaranteed it): KeyError if not."""
        found = self.field(name)
        if found is None:
            raise KeyError(f"{self.qualified} has no field '{name}'")
        return found

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass
class SectionDef:
    label: Label | None
    fields: list[str]
    description: Label | None = None
    tab: Label | None = None
    columns: int = 1


@dataclass
class FormDef:
    pack: str
    entity: str
    name: str
    sections: list[SectionDef]
    document: Document
    roles: tuple[str, ...] = ()

    @property
    def field_names(self) -> set[str]:
        return {name for section in self.sections for name in section.fields}


@dataclass
class ListViewDef:
    pack: str
    entity: str
    name: str
    label: Label | None
    columns: list[str]
    sort_field: str
    sort_descending: bool
    search: list[str]
    page_size: int
    document: Document
    formats: dict[str, str] = field(default_factory=dict)  # column -> "relative" (dates)
    group_by: str | None = None
    totals: dict[str, str] = field(default_factory=dict)  # column -> sum | avg
    filter: Any = None  # a structured filter (formwork.filters)
    roles: tuple[str, ...] = ()  # the roles it is for (and the admins); none: everyone who may read the entity


@dataclass
class SeedDef:
    """Records a pack loads into a tenant once, when the tenant installs (or upgrades to) the pack."""

    pack: str
    name: str
    entity: str
    label: Label
    key: str | None
    records: list[dict[str, Any]]
    document: Document

    @property
    def qualified(self) -> str:
        return f"{self.pack}.{self.name}"

    def record_input(self, record: dict[str, Any], entity: EntityDef, locale: str) -> dict[str, Any]:
        """A record as the API would receive it: labels in the tenant's language, dates as ISO text."""
        data = {}
        for name, value in record.items():
            f = entity.field(name)
            if isinstance(value, dict) and f is not None and f.type in SEED_LABEL_TYPES:
                value = value.get(locale) or value.get("en")
            elif isinstance(value, (date, time)):  # YAML reads 2026-01-01 as a date; the API takes ISO text
                value = value.isoformat()
            data[name] = value
        return data


#: text types whose seeded value may be a label {en: …, zh: …}, written in the tenant's language; type names, as
#: fields/ imports this module (meta/checks.py checks seeds against this same set, so the two cannot disagree)
SEED_LABEL_TYPES = ("string", "text", "rich_text")


@dataclass
class PackDef:
    name: str
    version: str
    label: Label
    requires: dict[str, str]
    path: str
    document: Document
    icon: str | None = None  # the Font Awesome icon of the pack's group in the menu


def qualify(name: str, pack: str) -> str:
    """`account` in pack crm -> `crm.account`; `core.employee` stays as it is."""
    return name if "." in name else f"{pack}.{name}"
