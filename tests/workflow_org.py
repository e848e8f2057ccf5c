"""A small company for the approval tests: users, their roles, employees with managers and a department head."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from conftest import PASSWORD, Platform
from formwork.meta.catalog import Catalog
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant
from formwork.workflow.engine import Approvals

#: user name -> (FAB roles, manager's user name)
PEOPLE = {
    "dora": ([], None),  # head of Sales
    "mike": ([], "dora"),
    "erin": ([], "mike"),
    "sam": ([], "mike"),
    "fiona": (["finance"], None),
    "fred": (["finance"], None),
    "carl": (["cfo"], None),
    "gone": ([], None),
}


def company(platform: Platform, catalog: Catalog, slug: str, packs: list[str]) -> Any:
    """A tenant with PEOPLE as users and employees of one department (Sales, headed by dora); returns its runtime."""
    templates = platform.templates if catalog is platform.catalog else None  # a template holds the platform's packs
    tenant = create_tenant(platform.settings, catalog, slug, slug, packs, "admin", PASSWORD, templates=templates)
    app = build_tenant_app(platform.settings, tenant, catalog)
    runtime = app.extensions["formwork"]
    with app.app_context():
        sm = app.appbuilder.sm
        for name, (roles, _) in PEOPLE.items():
            found = [sm.find_role(r) for r in roles] or [sm.find_role("Public")]
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", found, password=PASSWORD)
    session = runtime.session()
    employee, department = runtime.compiled.model("core.employee"), runtime.compiled.model("core.department")
    sales = department(name="Sales", code="S")
    session.add(sales)
    staff = {name: employee(name=name.title(), login=name, department=sales) for name in PEOPLE}
    session.add_all(staff.values())
    session.commit()
    for name, (_, manager) in PEOPLE.items():
        staff[name].manager_id = staff[manager].id if manager else None
    sales.head_id = staff["dora"].id
    session.commit()
    runtime.session.remove()
    return runtime


def employee_id(runtime: Any, login: str) -> int:
    model = runtime.compiled.model("core.employee")
    session = runtime.session()
    try:
        return session.query(model).filter_by(login=login).one().id
    finally:
        session.rollback()


def user_id(runtime: Any, username: str) -> int:
    session = runtime.session()
    try:
        return session.execute(
            sa.text("SELECT id FROM ab_user WHERE username = :name"), {"name": username}
        ).scalar_one()
    finally:
        session.rollback()


def new_record(runtime: Any, entity: str, owner: str | None = None, **values: Any) -> int:
    """A record of `entity`; `owner` is who created it (`created_by`), who may then submit it."""
    if owner is not None:
        values["created_by"] = user_id(runtime, owner)
    session = runtime.session()
    record = runtime.compiled.model(entity)(**values)
    session.add(record)
    session.commit()
    record_id = record.id
    runtime.session.remove()
    return record_id


def leave(runtime: Any, who: str = "erin", days: float = 2) -> int:
    return new_record(
        runtime,
        "oa.leave_request",
        employee_id=employee_id(runtime, who),
        leave_type="annual",
        start_date=date(2030, 5, 1),
        end_date=date(2030, 5, 10),
        days=days,
        reason="holiday",
    )


def open_task(approvals: Approvals, instance_id: int, user: str) -> int:
    """The id of `user`'s open task on the request (fails the test when there is none)."""
    found = [t.id for t in approvals.tasks(instance_id) if t.assignee == user and t.status == "pending"]
    assert found, f"{user} has no open task: {[(t.assignee, t.status) for t in approvals.tasks(instance_id)]}"
    return found[0]


def actions(approvals: Approvals, instance_id: int) -> list[str]:
    return [e.action for e in approvals.history(instance_id)]
