"""Who may submit a record: the people its chain's `submitters` name, or by default its creator and its employee.

Submitting locks the record and speaks for it, so not everyone who may edit it may submit it (docs/workflow.md,
"Submitters"). A chain names its submitters with sources, as it names approvers: `owner` (whoever created the
record), `field: <user field or employee reference, or a path to one>`, `role: <role>`. A chain that names none
keeps what every pack relied on before: the record's creator, or the user of its `employee` field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..i18n import LANGUAGES, CatalogText, Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..tenancy.directory import Directory
from .definition import ApproverSource, ChainDef
from .errors import NotAllowed
from .paths import EMPLOYEE, person_at

#: the field that names whose record it is, when it references core.employee (besides its creator)
OWNER_FIELD = "employee"
NOT_OWNER = CatalogText("only the person who created this {entity} record, or the employee it is for, may submit it")
NOT_SUBMITTER = CatalogText("only {who} may submit this {entity} record")
CREATOR = CatalogText("its creator")
ROLE_HOLDERS = CatalogText("holders of role {role}")
#: how the hops of a path are shown: Unit › Building › Building manager
HOP = " › "


def default_submitters(entity: EntityDef) -> tuple[ApproverSource, ...]:
    """The record's creator, and the user of its `employee` field when it references core.employee."""
    employee = entity.field(OWNER_FIELD)
    owns = employee is not None and employee.target == EMPLOYEE
    return (ApproverSource("owner", True, 0), *([ApproverSource("field", OWNER_FIELD, 1)] if owns else []))


@dataclass
class Candidate:
    """Someone who wants to submit `record`: which chains admit them is asked once per chain."""

    directory: Directory
    catalog: Catalog
    entity: EntityDef
    record: Any
    user: str
    _seen: dict[str, bool] = field(default_factory=dict)

    def admitted_by(self, chain: ChainDef) -> bool:
        if chain.qualified not in self._seen:
            sources = chain.submitters or default_submitters(self.entity)
            self._seen[chain.qualified] = any(ADMITS[source.kind](source, self) for source in sources)
        return self._seen[chain.qualified]

    def refusal(self, chains: Sequence[ChainDef]) -> NotAllowed:
        """The 403 for someone none of `chains` admits, naming who they do admit."""
        if not any(chain.submitters for chain in chains):
            return NotAllowed(NOT_OWNER, entity=self.entity.label)
        who: list[Label] = []
        for chain in chains:
            for source in chain.submitters or default_submitters(self.entity):
                described = describe(source, self.entity, self.catalog)
                if described not in who:
                    who.append(described)
        return NotAllowed(NOT_SUBMITTER, who=who, entity=self.entity.label)


def _owner(source: ApproverSource, candidate: Candidate) -> bool:
    created_by = getattr(candidate.record, "created_by", None)
    return created_by is not None and created_by == candidate.directory.user_id(candidate.user)


def _field(source: ApproverSource, candidate: Candidate) -> bool:
    person = person_at(candidate.directory, candidate.catalog, candidate.entity, candidate.record, source.value)
    return person is not None and person == candidate.user


def _role(source: ApproverSource, candidate: Candidate) -> bool:
    return source.value in candidate.directory.roles(candidate.user)


ADMITS: dict[str, Callable[[ApproverSource, Candidate], bool]] = {"owner": _owner, "field": _field, "role": _role}


def describe(source: ApproverSource, entity: EntityDef, catalog: Catalog) -> Label:
    """A submitter source as a refusal names it: its creator, the labels along a path, a role's holders."""
    if source.kind == "owner":
        return CREATOR
    if source.kind == "role":
        role = catalog.roles.get(source.value)
        name = role.label if role is not None else Label(source.value)
        return Label({language: ROLE_HOLDERS.get(language).format(role=name.get(language)) for language in LANGUAGES})
    labels, current = [], entity
    for part in source.value.split("."):
        f = current.field(part) if current is not None else None
        labels.append(f.label if f is not None else Label(part))
        current = catalog.entities.get(f.target or "") if f is not None else None
    return Label({language: HOP.join(label.get(language) for label in labels) for language in LANGUAGES})
