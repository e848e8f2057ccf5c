"""Demo sign-ins for the packs' roles, so a visitor can see record rules, field rights and every approval flow at work.

They are FAB users for sample employees (the employee's `login` names them, and the user carries the employee's
name), so their rules have a department, a manager and records of their own, and each approval chain of the packs
finds a person at every step: the manager, the department head and the holders of the finance, cfo, purchasing,
legal and sales_director roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask


@dataclass(frozen=True)
class DemoUser:
    does: str
    job_title: str
    roles: tuple[str, ...]


#: user name → who they are; sample employee userN is the (N-1)th, in department (N-1) % 8 (demo/sample.py)
DEMO_USERS = {
    "user2": DemoUser("sales director, head of Sales", "Sales Director", ("sales_director", "employee")),
    "user4": DemoUser("engineering manager, head of Engineering", "Engineering Manager", ("employee",)),
    "user5": DemoUser("CFO, head of Finance", "Chief Financial Officer", ("cfo", "employee")),
    "user9": DemoUser("legal counsel at head office", "Legal Counsel", ("legal", "employee")),
    "user10": DemoUser("sales rep in Sales", "Sales Representative", ("sales_rep", "employee")),
    "user12": DemoUser("engineer in Engineering", "Engineer", ("employee",)),
    "user13": DemoUser("accountant in Finance", "Accountant", ("finance", "employee")),
    "user16": DemoUser("purchasing officer in Operations", "Purchasing Officer", ("purchasing", "employee")),
}
#: the demo's admin is the first sample employee, head of the head office
ADMIN_JOB_TITLE = "Managing Director"


def add_demo_users(app: Flask, password: str, progress: Callable[[str], None]) -> None:
    """Create the demo users the tenant of `app` lacks (kept as they are when the demo runs again), named as their
    employees."""
    runtime = app.extensions["formwork"]
    with app.app_context():
        sm = app.appbuilder.sm
        names = _employee_names(runtime, ["admin", *DEMO_USERS])
        _name_user(sm, sm.find_user(username="admin"), names.get("admin"))
        for username, user in DEMO_USERS.items():
            if sm.find_user(username=username) is not None:
                continue
            roles = [role for name in user.roles if (role := sm.find_role(name)) is not None]
            first, last = _split(names.get(username, username))
            sm.add_user(username, first, last, f"{username}@demo.example", roles, password=password)
            progress(
                f"user '{username}' created: {names.get(username, username)}, {user.does} ({', '.join(user.roles)})"
            )


def _employee_names(runtime: object, logins: list[str]) -> dict[str, str]:
    employee = runtime.compiled.model("core.employee")  # type: ignore[attr-defined]
    session = runtime.session()  # type: ignore[attr-defined]
    try:
        rows = session.execute(sa.select(employee.login, employee.name).where(employee.login.in_(logins)))
        return dict(rows.tuples().all())
    finally:
        runtime.session.remove()  # type: ignore[attr-defined]


def _name_user(sm: object, user: object, name: str | None) -> None:
    """The admin was created before the sample employees existed: give it its employee's name."""
    if user is None or name is None:
        return
    user.first_name, user.last_name = _split(name)  # type: ignore[attr-defined]
    sm.update_user(user)  # type: ignore[attr-defined]


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last or first
