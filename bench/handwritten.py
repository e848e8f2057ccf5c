"""The baseline Formwork is measured against: crm_account written by hand in plain Flask-AppBuilder.

This is what a developer would write without Formwork: a SQLAlchemy class
mapped to the same table (same columns, its own declarative base), a stock
`ModelView` and `ModelRestApi` on `SQLAInterface`, and a Flask app with the
same session handling, auth type and SQLite pragmas as a tenant app. Nothing
is generated from the definitions, so the difference to a tenant app is
Formwork's own cost (dispatcher, compiled views/APIs, audit hook, write rules).

It keeps the definition's rules a developer would also have to keep (only
active employees as owner; the rollup columns are stored and read, and would
be maintained by the opportunity code, which the bench does not exercise). It
is deliberately *not* tuned (no eager loading of `owner`, no custom
formatters): Formwork's views are compared with what plain FAB gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_appbuilder import AppBuilder, ModelRestApi, ModelView
from flask_appbuilder.const import AUTH_DB
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import ValidationError
from sqlalchemy import event
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    declared_attr,
    mapped_column,
    relationship,
    scoped_session,
    sessionmaker,
)

#: The fields a client writes; the rollups after them are read-only.
ACCOUNT_FIELDS = [
    "name",
    "industry",
    "website",
    "phone",
    "email",
    "annual_revenue",
    "employees",
    "rating",
    "city",
    "address",
    "owner",
]
ROLLUP_FIELDS = ["open_pipeline", "opportunity_count"]
#: What both APIs return for a record: every field, the owner as id + name, and the standard columns.
API_COLUMNS = [
    "id",
    *ACCOUNT_FIELDS[:-1],
    "owner.id",
    "owner.name",
    *ROLLUP_FIELDS,
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
]
#: crm.account's owner may only be an active employee (the field's `filter` in the definitions).
OWNER_FILTER = [{"field": "active", "op": "=", "value": True}]


LANGUAGES = {"en": {"flag": "gb", "name": "English"}, "zh": {"flag": "cn", "name": "中文"}}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class HandBase(DeclarativeBase):
    """A base of its own, so nothing is shared with Formwork's compiled models or FAB's `Model`."""

    metadata = sa.MetaData()


class Standard:
    """id, audit columns and an optimistic-locking version: the columns every Formwork table has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None]
    version: Mapped[int]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}

    def __str__(self) -> str:
        return str(getattr(self, "name", self.id))


class Department(Standard, HandBase):
    """core_department, mapped whole (it is only here because core_employee refers to it)."""

    __tablename__ = "core_department"

    name: Mapped[str] = mapped_column(sa.String(100))
    code: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_department.id", ondelete="RESTRICT"), index=True)
    head_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_employee.id", ondelete="RESTRICT"), index=True)


class Employee(Standard, HandBase):
    """core_employee, mapped whole: the account list joins it for the owner's name.

    Mapping only id and name would make that join cheaper than Formwork's
    (SQLAlchemy aliases every mapped column), which is not a fair baseline.
    """

    __tablename__ = "core_employee"

    name: Mapped[str] = mapped_column(sa.String(100))
    login: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("core_department.id", ondelete="RESTRICT"), index=True
    )
    manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_employee.id", ondelete="RESTRICT"), index=True)
    job_title: Mapped[str | None] = mapped_column(sa.String(100))
    hire_date: Mapped[date | None]
    active: Mapped[bool | None]
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    manager: Mapped["Employee | None"] = relationship(remote_side="Employee.id", foreign_keys=[manager_id])


class Account(Standard, HandBase):
    """crm_account, column for column as Formwork creates it (see definitions/crm/account.yaml)."""

    __tablename__ = "crm_account"

    name: Mapped[str] = mapped_column(sa.String(150), unique=True)
    industry: Mapped[str | None] = mapped_column(sa.String(64))
    website: Mapped[str | None] = mapped_column(sa.String(2048))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    annual_revenue: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    employees: Mapped[int | None]
    rating: Mapped[int | None]
    city: Mapped[str | None] = mapped_column(sa.String(80))
    address: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_employee.id", ondelete="RESTRICT"), index=True)
    owner: Mapped[Employee | None] = relationship(foreign_keys=[owner_id])
    open_pipeline: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2), default=0)
    opportunity_count: Mapped[int | None] = mapped_column(default=0)


def active_owner(owner: Employee | None) -> None:
    """The API's check of the owner rule; the owner is loaded by the schema already, so it costs no query."""
    if owner is not None and not owner.active:
        raise ValidationError("Only an active employee can own an account.")


class HandAccountView(ModelView):
    """The list/show/add/edit screens, configured like the crm.account ListView and Form."""

    datamodel = SQLAInterface(Account)
    route_base = "/crm_account"
    list_columns = ["name", "industry", "city", "annual_revenue", *ROLLUP_FIELDS, "owner"]
    search_columns = ["name", "city", "email"]
    order_columns = ["name", "industry", "city", "annual_revenue", *ROLLUP_FIELDS]
    base_order = ("name", "asc")
    page_size = 25
    add_columns = edit_columns = ACCOUNT_FIELDS
    add_query_rel_fields = edit_query_rel_fields = {"owner": [["active", FilterEqual, True]]}


class HandAccountApi(ModelRestApi):
    """The REST API at /api/v1/crm_account/, returning the same columns as Formwork's."""

    datamodel = SQLAInterface(Account)
    resource_name = "crm_account"
    allow_browser_login = True
    list_columns = show_columns = API_COLUMNS
    add_columns = edit_columns = ACCOUNT_FIELDS
    add_query_rel_fields = edit_query_rel_fields = {"owner": [["active", FilterEqual, True]]}
    validators_columns = {"owner": active_owner}
    order_columns = [c for c in API_COLUMNS if "." not in c]
    search_columns = ACCOUNT_FIELDS[:-1]


def sqlite_engine(path: Path) -> sa.Engine:
    """The same connect arguments and pragmas as a Formwork tenant engine, so SQLite costs match."""
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def build_hand_app(
    engine: sa.Engine, secret: str, update_perms: bool = False, extra_menu: Sequence[tuple[str, str]] = ()
) -> Flask:
    """A plain FAB app over `engine`; `update_perms` once, to give Admin the views' permissions.

    FAB checks a permission for every menu entry on every HTML page, so a
    tenant with several entity screens pays for a bigger menu than a one-view
    app. `extra_menu` adds (category, name) links, e.g. the tenant's other
    screens, to tell that cost apart from Formwork's own.
    """
    app = Flask("handwritten")
    app.config.update(
        {
            "SECRET_KEY": secret,
            "JWT_SECRET_KEY": secret + "-jwt",
            "AUTH_TYPE": AUTH_DB,
            "FAB_ADD_SECURITY_API": True,
            "FAB_UPDATE_PERMS": update_perms,
            "WTF_CSRF_ENABLED": True,
            "FAB_API_MAX_PAGE_SIZE": 500,
            "APP_NAME": "Bench Co",
            "LANGUAGES": LANGUAGES,  # the same language menu a tenant shows
        }
    )
    session = scoped_session(sessionmaker(bind=engine))

    @app.teardown_appcontext
    def remove_session(_exc: BaseException | None) -> None:
        session.remove()

    with app.app_context():
        appbuilder = AppBuilder(app, session, update_perms=update_perms)
        appbuilder.add_view(HandAccountView, "Accounts", category="CRM")
        appbuilder.add_api(HandAccountApi)
        for category, name in extra_menu:
            appbuilder.add_link(name, href="#", category=category)
    return app
