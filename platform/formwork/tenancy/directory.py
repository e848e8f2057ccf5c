"""Who people are, for the engine: FAB users and roles, and the employees they are (`employee.login`).

Approvers are FAB user names. An employee maps to a user by `login`; a user
is active when FAB says so and their employee (if any) is not marked inactive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_appbuilder.models.sqla import Model
from sqlalchemy.orm import Session

EMPLOYEE = "core.employee"
USER_NAME = 256  # FAB's ab_user.username is at most 64; room for what other sign-in providers give
ADMIN_ROLE = "Admin"  # FAB's AUTH_ROLE_ADMIN: the tenant's admins
#: FAB's built-in roles: chains, dashboards and the like may name them without a pack declaring them
BUILTIN_ROLES = (ADMIN_ROLE, "Public")


def _table(name: str) -> sa.Table:
    return Model.metadata.tables[name]


@dataclass
class Directory:
    """Look-ups on one tenant session; `models` are the tenant's compiled models."""

    session: Session
    models: Any

    def user_id(self, username: str) -> int | None:
        users = _table("ab_user")
        return self.session.execute(sa.select(users.c.id).where(users.c.username == username)).scalar()

    def username(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        users = _table("ab_user")
        return self.session.execute(sa.select(users.c.username).where(users.c.id == user_id)).scalar()

    def roles(self, username: str) -> list[str]:
        users, links, roles = _table("ab_user"), _table("ab_user_role"), _table("ab_role")
        query = (
            sa.select(roles.c.name)
            .join(links, links.c.role_id == roles.c.id)
            .join(users, users.c.id == links.c.user_id)
            .where(users.c.username == username)
            .order_by(roles.c.name)
        )
        return list(self.session.execute(query).scalars())

    def role_holders(self, role: str) -> list[str]:
        """Active holders of `role`, by user name."""
        users, links, roles = _table("ab_user"), _table("ab_user_role"), _table("ab_role")
        query = (
            sa.select(users.c.username)
            .join(links, links.c.user_id == users.c.id)
            .join(roles, roles.c.id == links.c.role_id)
            .where(roles.c.name == role)
            .order_by(users.c.username)
        )
        return [name for name in self.session.execute(query).scalars() if self.is_active(name)]

    def is_active(self, username: str) -> bool:
        users = _table("ab_user")
        active = self.session.execute(sa.select(users.c.active).where(users.c.username == username)).scalar()
        if not active:
            return False
        employee = self.employee(username)
        return employee is None or getattr(employee, "active", True) is not False

    def employee(self, username: str | None) -> Any:
        if not username or EMPLOYEE not in self.models.models:
            return None
        model = self.models.model(EMPLOYEE)
        return self.session.execute(sa.select(model).where(model.login == username)).scalar()

    def employee_by_id(self, employee_id: int | None) -> Any:
        return None if employee_id is None else self.session.get(self.models.model(EMPLOYEE), employee_id)

    def expression_user(self, username: str) -> dict[str, Any]:
        """The `user` variable of an expression, for `username`."""
        employee = self.employee(username)
        department = getattr(employee, "department", None) if employee is not None else None
        return {
            "id": self.user_id(username),
            "name": username,
            "roles": self.roles(username),
            "department": getattr(department, "name", None),
            "employee": getattr(employee, "id", None),
        }


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """{user name: "First Last"} of the people a page shows, in one query: people read names, not `user10`.

    A user without a name (or not found) keeps their user name.
    """
    wanted = sorted({name for name in usernames if name})
    if not wanted:
        return {}
    users = _table("ab_user")
    rows = session.execute(
        sa.select(users.c.username, users.c.first_name, users.c.last_name).where(users.c.username.in_(wanted))
    )
    found = {username: f"{first or ''} {last or ''}".strip() for username, first, last in rows}
    return {name: found.get(name) or name for name in wanted}
