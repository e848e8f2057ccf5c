"""The actor of a request: the signed-in user as the record lifecycle sees it (compile/lifecycle.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..meta.model import EntityDef
from ..rights import unchangeable_fields
from ..tenancy.audit import current_user
from .lifecycle import Actor
from .logic import current_user_values
from .models import CompiledModels


def request_actor(session: Session, compiled: CompiledModels, entity: EntityDef | None = None) -> Actor:
    """The request's user: its name, its `user` for expressions (loaded when needed) and, for `entity`, the fields
    its roles keep it from setting. Outside a request, or signed out, it is the system."""
    user = current_user()
    if user is None:
        return Actor.system()
    refused = frozenset(unchangeable_fields(entity)) if entity is not None else frozenset()
    return Actor(user.username, lambda: current_user_values(session, compiled), refused)
