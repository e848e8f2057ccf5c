"""What one person may be told about a record: the same as they may see of it, for people other than the signed-in one.

Followers are told of changes, and people @mentioned in a comment are sent to
the record, long after (or regardless of) the moment they could see it. Each
is judged by their own roles: the right to read the entity and their record
rules decide whether they see the record at all, their field rights and the definitions' `hidden: true` which of
its fields. An inactive or unknown user sees nothing. Outside a tenant app
(no roles can be read) nobody is told anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from ..actor import Actor
from ..adapters.fab import may_use_view
from ..compile.actors import actor_of
from ..compile.models import class_name
from ..compile.records import may_see_record
from ..meta.model import EntityDef
from ..rights import hidden_fields


def person(session: Session, username: str) -> Any:
    """The active user called `username`, or None."""
    from flask_appbuilder.security.sqla.models import User

    return session.scalar(sa.select(User).where(User.username == username, User.active.is_(True)))


def may_see(session: Session, username: str, model: type, record_id: int) -> bool:
    """Whether the active user `username` may see record `record_id` of `model`."""
    user = person(session, username) if has_app_context() else None
    return user is not None and _sees(session, user, actor_of(user, session), model, record_id)


def _sees(session: Session, user: Any, actor: Actor, model: type, record_id: int) -> bool:
    """The right to read the entity (`can_get` on its API, as FAB checks it for the request's user), then record
    rules (`actor` is `user`'s)."""
    readable = may_use_view(current_app.appbuilder.sm, user, "can_get", f"{class_name(model.__entity__)}Api")
    return readable and may_see_record(session, model, record_id, actor)


def changes_shown(session: Session, item: Any, changes: Mapping[str, Any]) -> Callable[[str], dict[str, Any]]:
    """For `record_changed`: per follower, the changes of `item` (field name -> change) they may see, by field label."""
    entity: EntityDef = item.__entity__
    by_definition = {f.name for f in entity.fields if f.hidden}

    def shown_to(username: str) -> dict[str, Any]:
        user = person(session, username) if has_app_context() else None
        if user is None:
            return {}
        actor = actor_of(user, session)
        if not _sees(session, user, actor, type(item), item.id):
            return {}
        hidden = by_definition | hidden_fields(entity, actor)
        return {str(entity.field(name).label): change for name, change in changes.items() if name not in hidden}

    return shown_to
