"""Who acts, and the state of the request they act in.

An `Actor` is the one explicit context every decision about a user takes: record rules and field rights
(formwork/rights.py), the record lifecycle, expressions' `user`, the audit columns. The request boundary (a view,
an API endpoint, an import) asks `formwork.compile.actors.request_actor()` once and passes the actor on; code
that runs without a request (seeds, the worker, the approval engine's outcomes) passes `Actor.system()`. Nothing
below the boundary reads the signed-in user by itself, so a call that forgets the actor cannot see more than an
anonymous visitor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from flask import g, has_request_context


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _nothing() -> Any:
    return None


@dataclass(frozen=True)
class Actor:
    """A signed-in user, the system (seeds, the worker, the approval engine: sees and sets everything), or an
    anonymous visitor (no signed-in user: sees nothing a role could hide).

    `user` is what expressions read as `user` and `employee` the employee who signs in as this user: both cost a
    query, so they are loaded the first time they are read. `clock` lets tests and the worker pin the time."""

    username: str | None
    user_id: int | None = None
    roles: frozenset[str] = frozenset()
    is_system: bool = False
    locale: str | None = None
    clock: Callable[[], datetime] = field(default=_utc_now, compare=False, repr=False)
    load_user: Callable[[], dict[str, Any] | None] = field(default=_nothing, compare=False, repr=False)
    load_employee: Callable[[], Any] = field(default=_nothing, compare=False, repr=False)

    @cached_property
    def user(self) -> dict[str, Any] | None:
        return self.load_user()

    @cached_property
    def employee(self) -> Any:
        return self.load_employee()

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None and not self.is_system

    def now(self) -> datetime:
        return self.clock()

    @classmethod
    def system(cls, clock: Callable[[], datetime] = _utc_now) -> Actor:
        return cls(None, is_system=True, clock=clock)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(None)


@dataclass
class RequestState:
    """What one request remembers between the places that handle it, in one typed object on `flask.g` (not ad-hoc
    `g` attributes): the actor, built once; the version of the record a form edits, from its validation to its
    save; the list view a list screen shows and the SQL condition (on which model) its filter and quick search make
    (compile/list_screens.py, read by FAB's list machinery); whether the database failed or a commit happened
    (tenancy/freshness.py); the public role's rights (tenancy/security.py); and per-request caches (the rights the
    access feature computes, per actor)."""

    actor: Actor | None = None
    edited_version: Any = None
    listing: Any = None
    list_where: tuple[type, Any] | None = None
    database_error: bool = False
    committed: bool = False
    public_rights: set[tuple[str, str]] | None = None
    caches: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def cache(self, name: str) -> dict[Any, Any]:
        """A per-request cache, by the name of what it keeps (keys include the actor where the answer depends on it)."""
        return self.caches.setdefault(name, {})


def request_state() -> RequestState | None:
    """This request's state; None outside a request."""
    if not has_request_context():
        return None
    if "request_state" not in g:
        g.request_state = RequestState()
    state: RequestState = g.request_state
    return state
