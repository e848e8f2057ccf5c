"""The actor of a request: the one place that reads who signed in (Flask-Login's session or a verified JWT).

Views and APIs, the request boundary, ask `request_actor()` and pass the actor on (formwork/actor.py says why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app, has_request_context
from sqlalchemy.orm import Session

from ..actor import Actor, request_state
from ..i18n import current_locale
from .logic import employee_of, user_values

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime


def request_user() -> Any:
    """The user of an API call (JWT) or of a screen session (Flask-Login), or None (also outside a request).

    A verified JWT wins: the API authorizes by the token alone, so a browser that is also signed in
    with another user's cookie must not have its records, rules or history taken from the cookie.
    """
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


def request_actor() -> Actor:
    """The request's actor, built once per request: anonymous when no one signed in, and outside a request.

    Only a signed-in actor is kept: an API request verifies its JWT after the first code may have asked."""
    state = request_state()
    user = request_user()
    if state is None or user is None:
        return Actor.anonymous()
    if state.actor is None or state.actor.user_id != _user_id(user):
        state.actor = actor_of(user)
    return state.actor


def _user_id(user: Any) -> int:
    """The user's id without loading it again: after a commit its attributes are expired, and reading `user.id`
    would cost a query each time the actor is asked for; the identity key keeps the id."""
    identity = sa.inspect(user).identity
    return int(identity[0]) if identity else int(user.id)


def signed_in_actor() -> Actor:
    """The request's actor on a route FAB protects; 401 if no one signed in (has_access sends anonymous visitors to
    the login page before a view runs, so this only guards against a misconfigured route)."""
    from flask import abort

    actor = request_actor()
    if not actor.signed_in:
        abort(401)
    return actor


def actor_named(runtime: TenantRuntime, session: Session, username: str) -> Actor:
    """The tenant's user `username` as an actor, outside any request (the worker, an approval event's listener);
    anonymous if there is no such user."""
    from flask_appbuilder.security.sqla.models import User

    user = session.scalar(sa.select(User).where(User.username == username))
    return Actor.anonymous() if user is None else actor_of(user, session, runtime)


def actor_of(user: Any, session: Session | None = None, runtime: TenantRuntime | None = None) -> Actor:
    """`user` (a FAB user) as an actor: its employee (read through `session`, default the tenant's) and its `user`
    for expressions are loaded when first read. `runtime`: the tenant's, default the current app's."""
    runtime = runtime if runtime is not None else current_app.extensions["formwork"]
    username = user.username

    def employee() -> Any:
        return employee_of(session or runtime.session(), runtime.compiled, username)

    actor = Actor(
        username,
        int(user.id),
        frozenset(role.name for role in user.roles),
        locale=current_locale(),
        load_employee=employee,
        load_user=lambda: user_values(user, actor.employee),
    )
    return actor
