"""Field rights: the fields of an entity the signed-in user may not see, or may see but not change.

A role hides fields or makes them read-only per entity (`fields:` in its
definition). With several roles the user gets the most a role allows: a
field stays hidden (read-only) only when every role of theirs that has rights
on the entity hides it (makes it read-only). Admin, a tenant's own roles and
users without pack roles are not limited.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context

from ..fields import kind_of
from ..meta.model import EntityDef
from ..tenancy.audit import current_user
from .definition import FieldRights
from .records import user_roles


def hidden_fields(entity: EntityDef | str) -> set[str]:
    """Fields of `entity` the current user never sees: not in forms, show, lists, API reads or exports."""
    return set(_rights(entity).hidden)


def read_only_fields(entity: EntityDef | str) -> set[str]:
    """Fields of `entity` the current user sees but may not change (forms keep the stored value, the API says 400)."""
    return set(_rights(entity).read_only)


def _rights(entity: EntityDef | str) -> FieldRights:
    qualified = entity if isinstance(entity, str) else entity.qualified
    if not has_request_context():
        return FieldRights()
    user = current_user()
    if user is None:
        return FieldRights()
    cache = g.setdefault("formwork_field_rights", {})
    if qualified not in cache:
        cache[qualified] = _combined(user, qualified)
    return cache[qualified]


def _combined(user: object, qualified: str) -> FieldRights:
    roles, unlimited = user_roles(user)
    holding = [role for role in roles if role.rights_on(qualified)]
    if unlimited or not holding:
        return FieldRights()
    each = [role.fields.get(qualified, FieldRights()) for role in holding]
    hidden = frozenset.intersection(*(r.hidden for r in each))
    read_only = frozenset.intersection(*(r.read_only | r.hidden for r in each)) - hidden
    return FieldRights(hidden, read_only)


def unchangeable_fields(entity: EntityDef | str) -> set[str]:
    """Fields the current user may not set (read-only or hidden for them): forms drop them, the API refuses them."""
    found = _rights(entity)
    return set(found.hidden | found.read_only)


def without_hidden(entity: EntityDef | str, data: dict) -> dict:
    """An API record body without the fields hidden from the current user, in its child-table rows too (a row is
    a record of the child entity: its hidden fields must not leak through the parent)."""
    hidden = hidden_fields(entity)
    shown = {k: v for k, v in data.items() if k not in hidden} if hidden else data
    for table, child in child_tables(entity).items():
        keys = _row_keys(child, hidden_fields(child))
        if keys and isinstance(shown.get(table), list):
            shown = {
                **shown,
                table: [
                    {k: v for k, v in row.items() if k not in keys} if isinstance(row, dict) else row
                    for row in shown[table]
                ],
            }
    return shown


def child_tables(entity: EntityDef | str) -> dict[str, EntityDef]:
    """The entity's child-table fields and the child entity of each (whose field rights apply to the rows)."""
    if isinstance(entity, str) or not has_request_context():
        return {}
    entities = current_app.extensions["formwork"].catalog.entities
    return {f.name: entities[f.target] for f in entity.fields if kind_of(f).holds_rows and f.target in entities}


def unchangeable_row_fields(entity: EntityDef | str, data: dict) -> dict[str, list[tuple[int, str]]]:
    """(row number, field) per child table of `data` whose rows set a field the user's roles make read-only or
    hide on the child entity: the API refuses them as it refuses the parent's own."""
    found: dict[str, list[tuple[int, str]]] = {}
    for table, child in child_tables(entity).items():
        fixed = unchangeable_fields(child)
        rows = data.get(table) or []
        refused = [(number, name) for number, row in enumerate(rows, start=1) for name in sorted(fixed & set(row))]
        if refused:
            found[table] = refused
    return found


def _row_keys(child: EntityDef, hidden: set[str]) -> set[str]:
    """The keys of a dumped row that carry hidden fields: a reference is dumped as `<name>_id`."""
    return hidden | {
        f"{name}_id" for name in hidden if (f := child.field(name)) is not None and kind_of(f).refers_to_one
    }


def hidden_fields_for(entity: EntityDef | str, user: object) -> set[str]:
    """Fields of `entity` hidden from `user` (not the request's: a follower told of a change)."""
    return set(_combined(user, entity if isinstance(entity, str) else entity.qualified).hidden)
