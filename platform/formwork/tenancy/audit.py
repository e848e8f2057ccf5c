"""Fill created_by / updated_by from the signed-in user on every flush."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


def current_user() -> Any:
    """The user of an API call (JWT) or of a screen session (Flask-Login), or None.

    A verified JWT wins: the API authorizes by the token alone, so a browser that is also signed in
    with another user's cookie must not have its records, rules or history taken from the cookie.
    """
    from flask import has_request_context

    if not has_request_context():
        return None
    from flask_jwt_extended import get_current_user
    from flask_login import current_user as session_user

    try:
        token_user = get_current_user()
    except RuntimeError:  # no JWT was verified in this request
        token_user = None
    if token_user is not None:
        return token_user
    if session_user and session_user.is_authenticated:
        return session_user
    return None


def signed_in_user() -> Any:
    """The current user of a route FAB protects; 401 if there is none (has_access sends anonymous
    visitors to the login page before a view runs, so this only guards against a misconfigured route)."""
    from flask import abort

    user = current_user()
    if user is None:
        abort(401)
    return user


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
