"""Record rules: which records of an entity the signed-in user may see, as one SQL condition.

Every path that reads records (lists, show/edit/delete, the API, counts,
totals, export, quick search, reference choices, approvals, file downloads)
asks `visible_condition(model)` and adds the answer to its query, so a rule
cannot be forgotten on one path and a hidden record is simply not found
(404, never 403: the user never learns it exists).

Who sees what:
- the system actor (seeds, the worker, the approval engine): no limit;
- an anonymous actor (no signed-in user): nothing;
- the Admin role, and users with FAB's Public role only: everything their FAB rights allow;
- a role no definition declares (made on the roles screen before roles were definitions) with rights on the
  entity: everything;
- a pack role with a record rule for the entity: the records of that rule;
- a pack role without a rule but with rights on the entity: everything;
- a pack role with neither: nothing (it does not widen what other roles see).
A user holding several roles sees the union, plus (for entities with an
approval chain) the records they have an approval task on.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..actor import Actor, request_state
from ..compile.models import class_name
from ..features import RECORD_GRANTS, load_features
from ..fields import kind_of
from ..filters import FilterContext, actor_context, compile_filter
from ..meta.model import EntityDef
from .definition import RecordRule, RoleDef
from .tailoring import tenant_roles

EMPLOYEE, DEPARTMENT = "core.employee", "core.department"
_UNLIMITED = object()


def visible_condition(model: type, actor: Actor) -> ColumnElement[bool] | None:
    """The SQL condition limiting `actor` to the records of `model` it may see; None: no limit."""
    if actor.is_system:
        return None
    if not actor.signed_in:
        return sa.false()
    state = request_state()
    cache = state.cache("visible") if state is not None else {}
    key = (actor.user_id, model)
    if key not in cache:
        cache[key] = _condition_for(model, actor)
    return cache[key]


def user_roles(actor: Actor, qualified: str) -> tuple[list[RoleDef], bool]:
    """The pack roles of `actor` (with the rights the tenant's admins gave them), and whether another role lifts
    every limit on entity `qualified`: Admin, or a tenant's own role with rights on it (one made for announcements
    must not open every account its holder's pack role keeps from them)."""
    roles = tenant_roles()
    security = current_app.appbuilder.sm
    declared, own, unlimited = [], [], False
    for name in sorted(actor.roles):
        found = roles.get(name)
        if name == security.auth_role_admin:
            unlimited = True
        elif found is None:
            own += [name] if name != security.auth_role_public else []
        else:
            declared.append(found)
    return declared, unlimited or (bool(own) and _own_roles_reach(own, qualified))


def _own_roles_reach(names: list[str], qualified: str) -> bool:
    """Whether a role of the tenant's own among `names` holds any permission on the entity's screens or API (the
    roles screen gives them as rights, access/grid.py); asked once per request."""
    state = request_state()
    cache = state.cache("own_role_rights") if state is not None else {}
    key = tuple(names)
    if key not in cache:
        security = current_app.appbuilder.sm
        ids = [found.id for found in (security.find_role(name) for name in names) if found is not None]
        cache[key] = {view for view, _permission in security.rights_of(ids)} if ids else set()
    entity = current_app.extensions["formwork"].catalog.entities.get(qualified)
    return entity is not None and bool({f"{class_name(entity)}View", f"{class_name(entity)}Api"} & cache[key])


def _condition_for(model: type, actor: Actor) -> ColumnElement[bool] | None:
    entity: EntityDef = model.__entity__
    roles, unlimited = user_roles(actor, entity.qualified)
    if unlimited or not roles:  # Admin, a tenant's own role with rights here, or no pack role
        return None
    context = actor_context(actor)
    conditions = []
    for role in roles:
        found = _role_condition(role, model, entity, context)
        if found is _UNLIMITED:
            return None
        if found is not None:
            conditions.append(found)
    conditions.extend(_granted(model, actor.username or ""))
    return sa.or_(*conditions) if conditions else sa.false()


def _granted(model: type, username: str) -> list[ColumnElement[bool]]:
    """The records features let the user see whatever their record rules say (RECORD_GRANTS: an approver sees what
    they are asked to decide)."""
    catalog = current_app.extensions["formwork"].catalog
    found = (grant(model, catalog, username) for grant in load_features().items(RECORD_GRANTS))
    return [condition for condition in found if condition is not None]


def _role_condition(role: RoleDef, model: type, entity: EntityDef, context: FilterContext) -> Any:
    """What one role sees: _UNLIMITED, a condition, or None (nothing). `context`: its actor's variables."""
    rules = role.records.get(entity.qualified)
    if rules is None:
        return _UNLIMITED if role.rights_on(entity.qualified) else None
    parts = []
    for rule in rules:
        part = rule_condition(rule, model, entity, context)
        if part is None:
            return _UNLIMITED
        parts.append(part)
    return sa.or_(*parts)


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
