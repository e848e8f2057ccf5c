"""Fill created_by / updated_by from the signed-in user on every flush."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


def current_user() -> Any:
    """The user of a screen session (Flask-Login) or of an API call (JWT), or None."""
    from flask import has_request_context

    if not has_request_context():
        return None
    from flask_jwt_extended import get_current_user
    from flask_login import current_user as session_user

    if session_user and session_user.is_authenticated:
        return session_user
    try:
        return get_current_user()
    except RuntimeError:  # no JWT was verified in this request
        return None


def _current_user_id() -> int | None:
    user = current_user()
    return int(user.id) if user is not None else None


def _stamp(session: Session, _context: Any, _instances: Any) -> None:
    user_id = _current_user_id()
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
