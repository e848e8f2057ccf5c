"""The Role kind: a role a pack declares, with its rights per entity, record rules and field rights.

A role becomes a FAB role in every tenant that installs its pack
(`access.grants`). Its definition is kept typed here, in one place, because
three parts of the platform read it: the FAB permissions it is given, the
records its holders may see (`access.records`) and the fields they may see
and change (`access.fields`). Approval chains name roles too (`role:`
approvers, `submitter_roles`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..i18n import Label, humanize
from ..meta.model import qualify
from ..meta.yamlload import Document

#: what a role may be given on an entity, in the order screens list them
RIGHTS = ("read", "create", "edit", "delete", "approve", "export", "import")
#: `rights: {"*": [...]}` gives those rights on every entity of the tenant's packs that `rights` does not name
EVERY_ENTITY = "*"
#: record rules that take no field
PLAIN_RULES = ("all", "own", "department", "department_tree")
#: record rules written as a one-key mapping, and what the key names
FIELD_RULES = ("user_field", "department", "department_tree")


@dataclass(frozen=True)
class RecordRule:
    """One way a record may be visible: `all`, `own` (created by me), `user_field` (I am in that field),
    `department` / `department_tree` (the record's department is mine / mine or below), `filter` (structured)."""

    kind: str
    field: str | None = None
    filter: Any = None


@dataclass(frozen=True)
class FieldRights:
    hidden: frozenset[str] = frozenset()
    read_only: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RoleDef:
    pack: str
    name: str
    label: Label
    description: Label | None
    document: Document
    #: qualified entity (or "*") -> rights
    rights: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: qualified entity -> the rules whose union the role sees
    records: dict[str, tuple[RecordRule, ...]] = field(default_factory=dict)
    fields: dict[str, FieldRights] = field(default_factory=dict)

    def rights_on(self, entity: str) -> tuple[str, ...]:
        """The rights on `entity`: its own entry's, else the `*` entry's."""
        return rights_given(self.rights, entity)


def rights_given(rights: Mapping[str, Iterable[str]], entity: str) -> tuple[str, ...]:
    """What `rights` (a Role's, entity or `*` -> rights) gives on `entity`: exactly its own entry when it has one, so
    an entity can be kept from a right `*` gives (the roles screen takes one so), else the `*` entry's."""
    found = set(rights[entity] if entity in rights else rights.get(EVERY_ENTITY, ()))
    return tuple(r for r in RIGHTS if r in found)


def parse_rule(raw: Any) -> RecordRule:
    """A rule as written in YAML (already checked by `access.checks`) -> RecordRule."""
    if isinstance(raw, str):
        return RecordRule(raw)
    if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in FIELD_RULES:
        kind, value = next(iter(raw.items()))
        return RecordRule(kind, field=value)
    if isinstance(raw, dict) and set(raw) == {"filter"}:
        return RecordRule("filter", filter=raw["filter"])
    return RecordRule("filter", filter=raw)


def rules_of(raw: Any) -> list[Any]:
    """One rule or a list of them (their union), as written."""
    return list(raw) if isinstance(raw, list) else [raw]


def build_role(doc: Document) -> RoleDef:
    data = doc.data
    pack = doc.pack
    rights = {
        _entity(name, pack): tuple(r for r in RIGHTS if r in granted)
        for name, granted in (data.get("rights") or {}).items()
    }
    records = {
        _entity(name, pack): tuple(parse_rule(r) for r in rules_of(raw))
        for name, raw in (data.get("records") or {}).items()
    }
    fields = {
        _entity(name, pack): FieldRights(frozenset(spec.get("hidden", ())), frozenset(spec.get("read_only", ())))
        for name, spec in (data.get("fields") or {}).items()
    }
    return RoleDef(
        pack,
        data["name"],
        Label(data.get("label"), humanize(data["name"])),
        Label(data["description"]) if data.get("description") else None,
        doc,
        rights,
        records,
        fields,
    )


def _entity(name: str, pack: str) -> str:
    return name if name == EVERY_ENTITY else qualify(name, pack)
