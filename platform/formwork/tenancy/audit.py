"""Fill created_by / updated_by from the request's actor on every flush."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


def _stamp(session: Session, _context: Any, _instances: Any) -> None:
    """The request's actor is who writes: a screen's or the API's user, the user an import runs as (the CLI signs
    it in); the worker and seeds act as the system, which stamps nothing."""
    from ..compile.actors import request_actor

    user_id = request_actor().user_id
    if user_id is None:
        return
    for item in session.new:
        if hasattr(item, "__entity__"):
            item.created_by = item.created_by or user_id
            item.updated_by = user_id
    for item in session.dirty:
        if hasattr(item, "__entity__") and session.is_modified(item):
            item.updated_by = user_id


def install_audit(session_factory: Any) -> None:
    event.listen(session_factory, "before_flush", _stamp)
