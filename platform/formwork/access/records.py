"""Record rules: which records of an entity the signed-in user may see, as one SQL condition.

Every path that reads records (lists, show/edit/delete, the API, counts,
totals, export, quick search, reference choices, approvals, file downloads)
asks `visible_condition(model)` and adds the answer to its query, so a rule
cannot be forgotten on one path and a hidden record is simply not found
(404, never 403: the user never learns it exists).

Who sees what:
- no request (CLI, worker, migrations) or no signed-in user: no limit here
  (FAB's rights decide whether an anonymous request gets this far);
- the Admin role, roles no pack declares (made by a tenant admin in FAB's
  screens), and users with FAB's Public role only: everything their FAB rights allow;
- a pack role with a record rule for the entity: the records of that rule;
- a pack role without a rule but with rights on the entity: everything;
- a pack role with neither: nothing (it does not widen what other roles see).
A user holding several roles sees the union, plus (for entities with an
approval chain) the records they have an approval task on.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..fields import kind_of
from ..filters import FilterContext, compile_filter
from ..meta.model import EntityDef
from ..tenancy.audit import current_user
from .definition import RecordRule, RoleDef

EMPLOYEE, DEPARTMENT = "core.employee", "core.department"
_UNLIMITED = object()


def visible_condition(model: type) -> ColumnElement[bool] | None:
    """The SQL condition limiting the current request's user to the records of `model` they may see; None: no limit."""
    if not has_request_context():
        return None
    user = current_user()
    if user is None:
        return None
    cache = g.setdefault("formwork_visible", {})
    key = (user.id, model)
    if key not in cache:
        cache[key] = _condition_for(model, user)
    return cache[key]


def user_roles(user: Any) -> tuple[list[RoleDef], bool]:
    """The pack roles of `user`, and whether another role (Admin, a tenant's own role) lifts every limit."""
    catalog = current_app.extensions["formwork"].catalog
    admin = current_app.appbuilder.sm.auth_role_admin
    declared, unlimited = [], False
    for role in user.roles:
        found = catalog.roles.get(role.name)
        if found is None or role.name == admin:
            unlimited = unlimited or role.name != "Public"
        else:
            declared.append(found)
    return declared, unlimited


def _condition_for(model: type, user: Any, context: FilterContext | None = None) -> ColumnElement[bool] | None:
    roles, unlimited = user_roles(user)
    if unlimited or not roles:  # Admin, a tenant's own role, or FAB's Public role only
        return None
    entity: EntityDef = model.__entity__
    conditions = []
    for role in roles:
        found = _role_condition(role, model, entity, context)
        if found is _UNLIMITED:
            return None
        if found is not None:
            conditions.append(found)
    if current_app.extensions["formwork"].catalog.chains_for(entity.qualified):
        conditions.append(_asked_to_decide(model, entity, user.username))
    return sa.or_(*conditions) if conditions else sa.false()


def _asked_to_decide(model: type, entity: EntityDef, username: str) -> ColumnElement[bool]:
    """Records with an approval task of the user (open or decided): an approver sees what they are asked to decide,
    whatever their record rules say (a manager approving a report's leave request)."""
    from ..workflow.tables import INSTANCES, TASKS

    return sa.exists().where(
        INSTANCES.c.entity == entity.qualified,
        INSTANCES.c.record_id == model.id,
        TASKS.c.instance_id == INSTANCES.c.id,
        TASKS.c.assignee == username,
    )


def _role_condition(role: RoleDef, model: type, entity: EntityDef, context: FilterContext | None = None) -> Any:
    """What one role sees: _UNLIMITED, a condition, or None (nothing). `context`: the user's, default the request's."""
    rules = role.records.get(entity.qualified)
    if rules is None:
        return _UNLIMITED if role.rights_on(entity.qualified) else None
    context = context or _context(model)
    parts = []
    for rule in rules:
        part = rule_condition(rule, model, entity, context)
        if part is None:
            return _UNLIMITED
        parts.append(part)
    return sa.or_(*parts)


def _context(model: type) -> FilterContext:
    from ..compile.logic import filter_context

    cache = g.setdefault("formwork_filter_context", {})
    if "context" not in cache:
        cache["context"] = filter_context(current_app.extensions["formwork"].session(), model.__models__)
    return cache["context"]


def rule_condition(
    rule: RecordRule, model: type, entity: EntityDef, context: FilterContext
) -> ColumnElement[bool] | None:
    """One rule as a WHERE clause on `model` for the user of `context`; None for `all`."""
    if rule.kind == "all":
        return None
    if rule.kind == "own":
        return model.created_by == context.user_id if context.user_id is not None else sa.false()
    if rule.kind == "user_field":
        return compile_filter(user_field_filter(entity, rule.field), model, entity, context)
    if rule.kind in ("department", "department_tree"):
        return _department_condition(model, entity, rule.field, rule.kind == "department_tree", context)
    return compile_filter(rule.filter, model, entity, context)


def user_field_filter(entity: EntityDef, name: str | None) -> dict[str, Any]:
    """`I am in this field`: a user field holds me, an employee reference or link holds my employee record."""
    field = entity.field(name or "")
    assert field is not None, f"checked: {name} is a field of {entity.qualified}"
    if kind_of(field).refers_to_user:
        return {"field": name, "op": "=", "value": "$user"}
    if kind_of(field).refers_to_many:
        return {"field": name, "op": "contains", "value": "$employee"}
    return {"field": name, "op": "=", "value": "$employee"}


def department_field(entity: EntityDef, name: str | None) -> str | None:
    """The field that places a record in a department: the named one, else the first reference to a department,
    else the first reference to an employee (the record is in that employee's department). `id` for departments."""
    if name:
        return name
    if entity.qualified == DEPARTMENT:
        return "id"
    for target in (DEPARTMENT, EMPLOYEE):
        found = next((f.name for f in entity.fields if kind_of(f).refers_to_record and f.target == target), None)
        if found:
            return found
    return None


def _department_condition(
    model: type, entity: EntityDef, name: str | None, tree: bool, context: FilterContext
) -> ColumnElement[bool]:
    if context.department_id is None:
        return sa.false()
    models = model.__models__
    department = models.model(DEPARTMENT)
    wanted = department_ids(department, context.department_id) if tree else sa.select(sa.literal(context.department_id))
    field_name = department_field(entity, name)
    if field_name == "id":
        return model.id.in_(wanted)
    field = entity.field(field_name or "")
    assert field is not None, f"checked: {entity.qualified} has a department field"
    column = getattr(model, f"{field.name}_id")
    if field.target == DEPARTMENT:
        return column.in_(wanted)
    employee = aliased(models.model(EMPLOYEE))
    return sa.exists().where(employee.id == column, employee.department_id.in_(wanted))


def department_ids(department: type, root: int) -> sa.Select:
    """The ids of department `root` and every department below it: one recursive CTE (UNION stops on a cycle)."""
    tree = (
        sa.select(department.id.label("id"))
        .where(department.id == root)
        .cte("formwork_department_tree", recursive=True)
    )
    child = aliased(department)
    tree = tree.union(sa.select(child.id).where(child.parent_id == tree.c.id))
    return sa.select(tree.c.id)


def may_see(model: type, record_id: int) -> bool:
    """Whether the current user's record rules let them see record `record_id` of `model` (true when unlimited;
    a record that does not exist is not seen)."""
    condition = visible_condition(model)
    if condition is None:
        return True
    session = current_app.extensions["formwork"].session()
    return session.scalar(sa.select(model.id).where(model.id == record_id, condition)) is not None


def may_see_as(session: Any, user: Any, model: type, record_id: int) -> bool:
    """Whether `user` (not the request's: a follower told of a change, a person mentioned) may see record
    `record_id` of `model` under their own record rules; ids that cannot be stored are never seen."""
    from ..compile.logic import current_employee
    from ..fields.base import INTEGER_LIMIT

    if not 0 < record_id <= INTEGER_LIMIT:
        return False
    employee = current_employee(session, model.__models__, user)
    context = FilterContext.now(
        user_id=user.id,
        employee_id=getattr(employee, "id", None),
        department_id=getattr(employee, "department_id", None),
    )
    condition = _condition_for(model, user, context)
    query = sa.select(model.id).where(model.id == record_id)
    return session.scalar(query.where(condition) if condition is not None else query) is not None
