"""Field rights: the fields of an entity an actor may not see, or may see but not change.

A role hides fields or makes them read-only per entity (`fields:` in its
definition). With several roles the user gets the most a role allows: a
field stays hidden (read-only) only when every role of theirs that has rights
on the entity hides it (makes it read-only). Admin, a tenant's own roles (on the entities they have rights on)
and users without pack roles are not limited, nor is the system actor. An anonymous actor (no signed-in user) sees no
field any role hides or makes read-only.
"""

from __future__ import annotations

from flask import current_app, has_app_context

from ..actor import Actor, request_state
from ..fields import kind_of
from ..meta.model import EntityDef
from .definition import FieldRights
from .records import user_roles
from .tailoring import tenant_roles


def hidden_fields(entity: EntityDef | str, actor: Actor) -> set[str]:
    """Fields of `entity` `actor` never sees: not in forms, show, lists, API reads or exports."""
    return set(_rights(entity, actor).hidden)


def read_only_fields(entity: EntityDef | str, actor: Actor) -> set[str]:
    """Fields of `entity` `actor` sees but may not change (forms keep the stored value, the API says 400)."""
    return set(_rights(entity, actor).read_only)


def _rights(entity: EntityDef | str, actor: Actor) -> FieldRights:
    qualified = entity if isinstance(entity, str) else entity.qualified
    if actor.is_system:
        return FieldRights()
    state = request_state()
    cache = state.cache("field_rights") if state is not None else {}
    key = (actor.user_id, actor.roles, qualified)
    if key not in cache:
        cache[key] = _combined(actor, qualified) if actor.signed_in else _restricted(qualified)
    return cache[key]


def _restricted(qualified: str) -> FieldRights:
    """What an anonymous actor gets: every field a role hides or makes read-only, hidden."""
    each = [role.fields[qualified] for role in tenant_roles().values() if qualified in role.fields]
    return FieldRights(frozenset().union(*(r.hidden | r.read_only for r in each)))


def _combined(actor: Actor, qualified: str) -> FieldRights:
    roles, unlimited = user_roles(actor, qualified)
    holding = [role for role in roles if role.rights_on(qualified)]
    if unlimited or not holding:
        return FieldRights()
    each = [role.fields.get(qualified, FieldRights()) for role in holding]
    hidden = frozenset.intersection(*(r.hidden for r in each))
    read_only = frozenset.intersection(*(r.read_only | r.hidden for r in each)) - hidden
    return FieldRights(hidden, read_only)


def unchangeable_fields(entity: EntityDef | str, actor: Actor) -> set[str]:
    """Fields `actor` may not set (read-only or hidden for it): forms drop them, the API refuses them."""
    found = _rights(entity, actor)
    return set(found.hidden | found.read_only)


def without_hidden(entity: EntityDef | str, data: dict, actor: Actor) -> dict:
    """An API record body without the fields hidden from `actor`, in its child-table rows too (a row is a record
    of the child entity: its hidden fields must not leak through the parent)."""
    hidden = hidden_fields(entity, actor)
    shown = {k: v for k, v in data.items() if k not in hidden} if hidden else data
    for table, child in child_tables(entity).items():
        keys = _row_keys(child, hidden_fields(child, actor))
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
    if isinstance(entity, str) or not has_app_context():
        return {}
    entities = current_app.extensions["formwork"].catalog.entities
    return {f.name: entities[f.target] for f in entity.fields if kind_of(f).holds_rows and f.target in entities}


def unchangeable_row_fields(entity: EntityDef | str, data: dict, actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """(row number, field) per child table of `data` whose rows set a field `actor`'s roles make read-only or hide
    on the child entity: the API refuses them as it refuses the parent's own."""
    found: dict[str, list[tuple[int, str]]] = {}
    for table, child in child_tables(entity).items():
        fixed = unchangeable_fields(child, actor)
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
