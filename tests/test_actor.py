"""The actor: record rules and field rights are asked for an explicit actor; the request's fails closed without a user.

A small sales tenant (the roles of the core, crm and oa packs): rita is a sales rep who owns Alpha Foods, hank is in
HR and may see employees' phone numbers, eve is an employee who may not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask_login import login_user

from conftest import PASSWORD, Platform
from formwork.actor import Actor
from formwork.compile.actors import actor_of, request_actor
from formwork.filters import actor_context
from formwork.rights import hidden_fields, read_only_fields, unchangeable_fields, visible_condition
from formwork.tenancy.apps import build_tenant_app

SLUG = "actor-co"
PEOPLE = {"rita": "sales_rep", "rob": "sales_rep", "hank": "hr", "eve": "employee"}


@pytest.fixture(scope="module")
def app(platform: Platform) -> Any:
    """The tenant app, with an employee record per person and an account owned by each sales rep."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG, ["core", "crm", "oa"]), platform.catalog)
    runtime = app.extensions["formwork"]
    with app.app_context():
        sm = app.appbuilder.sm
        for name, role in PEOPLE.items():
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [sm.find_role(role)], password=PASSWORD)
    model = runtime.compiled.model
    session = runtime.session()
    sales = model("core.department")(name="Sales", code="S")
    staff = {name: model("core.employee")(name=name.title(), login=name, department=sales) for name in PEOPLE}
    accounts = [model("crm.account")(name=f"{owner.title()} Foods", owner=staff[owner]) for owner in ("rita", "rob")]
    session.add_all([sales, *staff.values(), *accounts])
    session.commit()
    runtime.session.remove()
    return app


def account_names(app: Any, actor: Actor) -> set[str]:
    runtime = app.extensions["formwork"]
    account = runtime.compiled.model("crm.account")
    query = sa.select(account.name)
    condition = visible_condition(account, actor)
    session = runtime.session()
    try:
        return set(session.scalars(query.where(condition) if condition is not None else query))
    finally:
        runtime.session.remove()


def user(app: Any, username: str) -> Any:
    return app.appbuilder.sm.find_user(username=username)


def test_outside_a_request_without_an_actor_the_rights_fail_closed(app: Any) -> None:
    with app.app_context():
        assert request_actor() == Actor.anonymous()
        assert account_names(app, request_actor()) == set()
        assert "phone" in hidden_fields("core.employee", request_actor())  # a field hr may see and others not
        assert "discount_percent" in unchangeable_fields("crm.opportunity", request_actor())  # read-only to reps
        assert account_names(app, Actor.anonymous()) == set()


def test_the_system_actor_sees_and_sets_everything(app: Any) -> None:
    with app.app_context():
        system = Actor.system()
        assert account_names(app, system) == {"Rita Foods", "Rob Foods"}
        assert hidden_fields("core.employee", system) == set()
        assert unchangeable_fields("crm.opportunity", system) == set()


def test_a_signed_in_user_sees_what_their_roles_allow(app: Any) -> None:
    with app.app_context():
        rita, hank, eve = (actor_of(user(app, name)) for name in ("rita", "hank", "eve"))
        assert rita.user is not None and rita.user["department"] == "Sales"
        assert account_names(app, rita) == {"Rita Foods"}
        assert "phone" in hidden_fields("core.employee", eve) and "phone" not in hidden_fields("core.employee", hank)
        assert read_only_fields("crm.opportunity", rita) == {"discount_percent"}


def test_the_request_actor_is_the_signed_in_user_built_once(app: Any) -> None:
    with app.test_request_context("/"):
        assert not request_actor().signed_in
        login_user(user(app, "rita"))
        actor = request_actor()
        assert (actor.username, actor.roles, actor.signed_in) == ("rita", frozenset({"sales_rep"}), True)
        assert request_actor() is actor
        assert account_names(app, request_actor()) == {"Rita Foods"}


def test_a_pinned_clock_decides_today() -> None:
    pinned = Actor.system(clock=lambda: datetime(2031, 2, 3, 10, tzinfo=UTC))
    assert actor_context(pinned).today == date(2031, 2, 3)
