"""Reference paths in chains: `unit.building.manager` names a person on the record a ticket's unit's building is.

A chain names people with a field of its record (`field: assignee`) or with a path through references
(`field: unit.building.manager`, `department_head: unit.building.department`). A path means what it means in
filters (`filters.targets.resolve`): each part but the last is a reference, followed to its target. The checks
read it with the catalog (an error names the broken hop); the engine follows it on the record, one load per hop.
"""

from __future__ import annotations

from typing import Any

from ..fields import FIELD_TYPES
from ..filters.targets import Target, UnknownField, resolve
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..tenancy.directory import EMPLOYEE, Directory
from . import check_texts as says

DEPARTMENT = "core.department"
#: what the end of a path may name, for the sources that take one
PERSON, A_DEPARTMENT = "person", "department"
#: what a source calls the field it names, in a message
APPROVER, SUBMITTER = says.APPROVER_FIELD, says.SUBMITTER_FIELD


def what_it_names(target: Target) -> str | None:
    """What the field at the end of a path holds: a person (a user, or an employee: their user), a department."""
    if FIELD_TYPES[target.type].refers_to_user:  # asked by its value type: created_by is a column with no field
        return PERSON
    return (
        {EMPLOYEE: PERSON, DEPARTMENT: A_DEPARTMENT}.get(target.refers_to or "") if target.field is not None else None
    )


def path_problem(entity: EntityDef, path: str, catalog: Catalog, wanted: str, role: str = APPROVER) -> str | None:
    """Why `path` on `entity` does not lead to a `wanted` (PERSON or A_DEPARTMENT) field; None when it does.
    `role` is what the source calls the field in the message.

    A hop that is not a reference (or no field at all) is named as `filters` names it, with the closest name.
    """
    try:
        target = resolve(path, entity, catalog.entities)
    except UnknownField as unknown:
        return unknown.message
    if what_it_names(target) == wanted:
        return None
    kind = target.field.type if target.field is not None else target.type
    if wanted == PERSON:
        return say(says.NOT_A_PERSON, path=path, type=kind, role=role, employee=EMPLOYEE)
    return say(says.NOT_A_DEPARTMENT, entity=entity.qualified, department=DEPARTMENT, path=path)


def _holder(record: Any, path: str) -> Any:
    """The record the last part of `path` is read on: `record` followed through every hop (None when one is empty,
    or gone from the definitions since the request started on its chain)."""
    for part in path.split(".")[:-1]:
        if record is None:
            return None
        record = getattr(record, part, None)
    return record


def person_at(directory: Directory, catalog: Catalog, entity: EntityDef, record: Any, path: str) -> str | None:
    """The user name of the person a (checked) path names on `record`: the user of a user field (or `created_by`),
    the `login` of an employee; None when a hop or the field is empty, or no longer defined."""
    try:
        target = resolve(path, entity, catalog.entities)
    except UnknownField:  # a request finishes on the chain it started on, which may name a field removed since
        return None
    holder = _holder(record, path)
    value = getattr(holder, target.attribute) if holder is not None else None
    if value is None:
        return None
    if FIELD_TYPES[target.type].refers_to_user:  # by its value type, as in what_it_names
        return directory.username(value)
    employee = directory.employee_by_id(value)
    return employee.login if employee is not None and employee.login else None


def department_at(record: Any, path: str) -> Any:
    """The department a (checked) path names on `record`, or None when a hop or the field is empty."""
    holder = _holder(record, path)
    return getattr(holder, path.split(".")[-1], None) if holder is not None else None
