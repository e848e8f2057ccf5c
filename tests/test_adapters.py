"""The upgrade canary: every private library name formwork.adapters relies on is still there, as the adapter expects.

Formwork reads a few private names of Flask-AppBuilder, SQLAlchemy, Alembic,
apispec and marshmallow, and overrides a few private FAB hooks, all in
formwork/adapters/. After an upgrade of one of those libraries, a failure here
names the private name that moved and the adapter function (or hook) to fix.
The last tests keep the rule: no private library name outside the adapters.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from apispec import APISpec
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.api.manager import OpenApi
from flask_appbuilder.baseviews import BaseCRUDView, BaseModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla import manager as fab_sqla_security
from marshmallow import Schema, fields
from sqlalchemy.orm import scoped_session, sessionmaker

import formwork
from formwork.adapters import alembic as alembic_adapter
from formwork.adapters import apispec as apispec_adapter
from formwork.adapters import fab
from formwork.adapters import marshmallow as marshmallow_adapter
from formwork.adapters import sqlalchemy as sqlalchemy_adapter

ADAPTERS = Path(fab.__file__).parent
#: The libraries whose private names belong in formwork/adapters/.
LIBRARIES = ("flask_appbuilder", "sqlalchemy", "alembic", "apispec", "marshmallow", "flask", "werkzeug")
#: Underscore methods a library documents as the way to extend it: marshmallow's custom fields.
DOCUMENTED_HOOKS = {"_serialize", "_deserialize"}


def fix(adapter: Callable[..., Any]) -> str:
    return f"fix {adapter.__module__}.{adapter.__qualname__}"


@dataclass(frozen=True)
class PrivateMethod:
    """A private library method an adapter function calls, with the parameters the adapter passes."""

    adapter: Callable[..., Any]
    owner: type
    name: str
    parameters: tuple[str, ...]


CALLED = (
    PrivateMethod(
        fab.may_use_view, BaseSecurityManager, "_has_view_access", ("self", "user", "permission_name", "view_name")
    ),
    PrivateMethod(
        fab.filtered_query,
        SQLAInterface,
        "_apply_inner_all",
        (
            "self",
            "query",
            "filters",
            "order_column",
            "order_direction",
            "page",
            "page_size",
            "select_columns",
            "aliases_mapping",
        ),
    ),
    PrivateMethod(fab.new_api_spec, OpenApi, "_create_api_spec", ("version",)),
    PrivateMethod(sqlalchemy_adapter.copied_column, sa.Column, "_copy", ("self", "kw")),
)


@pytest.mark.parametrize("private", CALLED, ids=lambda p: f"{p.owner.__name__}.{p.name}")
def test_private_methods_the_adapters_call_keep_their_parameters(private: PrivateMethod) -> None:
    where = f"{private.owner.__module__}.{private.owner.__qualname__}.{private.name}"
    assert hasattr(private.owner, private.name), f"{where} is gone; {fix(private.adapter)}"
    found = tuple(inspect.signature(getattr(private.owner, private.name)).parameters)
    assert found == private.parameters, f"{where} now takes {found}, not {private.parameters}; {fix(private.adapter)}"


@pytest.mark.parametrize("hook", fab.OVERRIDDEN_HOOKS, ids=lambda h: h.name)
def test_fab_still_defines_and_calls_the_hooks_we_override(hook: fab.Hook) -> None:
    where = f"{hook.owner.__module__}.{hook.owner.__qualname__}.{hook.name}"
    advice = f"fix formwork.adapters.fab.OVERRIDDEN_HOOKS and the overrides of {hook.name} ({hook.why})"
    assert hasattr(hook.owner, hook.name), f"{where} is gone: our override is never called; {advice}"
    found = tuple(inspect.signature(getattr(hook.owner, hook.name)).parameters)
    assert found == hook.parameters, f"{where} now takes {found}, not {hook.parameters}; {advice}"
    calling = inspect.getsource(inspect.getmodule(hook.owner))
    assert f"self.{hook.name}(" in calling, f"{hook.owner.__module__} no longer calls {hook.name}; {advice}"


@pytest.mark.parametrize("view", [BaseModelView, ModelRestApi], ids=lambda v: v.__name__)
def test_fab_keeps_a_views_compiled_base_filters_in_base_filters(view: type) -> None:
    assert "self._base_filters = self.datamodel.get_filters()" in inspect.getsource(view), (
        f"{view.__qualname__} no longer compiles base_filters into _base_filters; {fix(fab.base_filters)}"
    )
    assert "self.datamodel.get(pk, self._base_filters)" in inspect.getsource(inspect.getmodule(view)), (
        f"{view.__qualname__} no longer reads its records through _base_filters; {fix(fab.base_filters)}"
    )


def test_fab_tells_process_form_the_edited_record_in_form_id() -> None:
    edit = inspect.getsource(BaseCRUDView._edit)
    assert "form._id = pk" in edit and "self.process_form(form, False)" in edit, (
        f"BaseCRUDView._edit no longer sets form._id before process_form; {fix(fab.edited_pk)}"
    )


def test_fab_security_manager_commits_through_the_session() -> None:
    assert "self.session.commit()" in inspect.getsource(fab_sqla_security), (
        f"FAB's security manager no longer commits with self.session.commit(); {fix(sqlalchemy_adapter.commits_as_flushes)}"
    )


def test_commits_become_flushes_inside_and_commit_again_after() -> None:
    engine = sa.create_engine("sqlite://")
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    table.create(engine)
    scoped = scoped_session(sessionmaker(bind=engine))
    with sqlalchemy_adapter.commits_as_flushes(scoped()):
        scoped.execute(table.insert().values(id=1))
        scoped.commit()  # as FAB calls it: through the scoped session
        assert scoped().in_transaction(), f"session.commit() committed; {fix(sqlalchemy_adapter.commits_as_flushes)}"
    scoped.commit()
    assert not scoped().in_transaction(), f"commit() did not come back; {fix(sqlalchemy_adapter.commits_as_flushes)}"
    scoped.remove()


def test_sqlalchemy_utils_flush_listener_is_gone_once_dropped() -> None:
    from sqlalchemy_utils import aggregates

    listener = aggregates.manager.construct_aggregate_queries
    sqlalchemy_adapter.drop_unused_aggregates_listener()
    assert not sa.event.contains(sa.orm.Session, "after_flush", listener), fix(
        sqlalchemy_adapter.drop_unused_aggregates_listener
    )
    sqlalchemy_adapter.drop_unused_aggregates_listener()  # a second call finds nothing to drop, and is fine


def test_copied_column_is_a_detached_copy() -> None:
    column = sa.Column("amount", sa.Numeric(10, 2), nullable=False, index=True)
    sa.Table("t", sa.MetaData(), column)
    copied = sqlalchemy_adapter.copied_column(column)
    assert copied is not column and copied.table is None, fix(sqlalchemy_adapter.copied_column)
    assert (copied.name, str(copied.type), copied.nullable) == ("amount", "NUMERIC(10, 2)", False)


def test_reverse_of_a_dropped_foreign_key_gives_its_columns() -> None:
    metadata = sa.MetaData()
    sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True))
    child = sa.Table(
        "child",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", name="fk_parent")),
    )
    dropped = ops.DropConstraintOp.from_constraint(next(iter(child.foreign_key_constraints)))
    assert "_reverse" in inspect.signature(ops.DropConstraintOp).parameters, (
        f"alembic's DropConstraintOp no longer takes _reverse; {fix(alembic_adapter.reverse_of)}"
    )
    assert alembic_adapter.reverse_of(dropped).local_cols == ["parent_id"], fix(alembic_adapter.reverse_of)
    by_name = ops.DropConstraintOp("fk_parent", "child", type_="foreignkey")
    assert alembic_adapter.reverse_of(by_name) is None, fix(alembic_adapter.reverse_of)


def test_spec_paths_are_the_paths_the_document_prints() -> None:
    spec = APISpec("t", "1", "3.0.2")
    spec.path("/things/{pk}", operations={"get": {"responses": {"200": {"description": "ok"}}}})
    apispec_adapter.spec_paths(spec)["/things/{pk}"]["get"]["parameters"] = [{"name": "If-None-Match", "in": "header"}]
    printed = spec.to_dict()["paths"]["/things/{pk}"]["get"]
    assert printed.get("parameters") == [{"name": "If-None-Match", "in": "header"}], fix(apispec_adapter.spec_paths)


def test_declared_fields_of_a_schema_class() -> None:
    class Base(Schema):
        id = fields.Integer()

    class Thing(Base):
        name = fields.String()

    found = marshmallow_adapter.declared_fields(Thing)
    assert sorted(found) == ["id", "name"], fix(marshmallow_adapter.declared_fields)
    assert isinstance(found["id"], fields.Integer), fix(marshmallow_adapter.declared_fields)


def formwork_classes() -> list[type]:
    modules = [importlib.import_module(info.name) for info in pkgutil.walk_packages(formwork.__path__, "formwork.")]
    return [
        value
        for module in modules
        if not module.__name__.startswith("formwork.adapters")
        for value in vars(module).values()
        if inspect.isclass(value) and value.__module__ == module.__name__
    ]


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_every_private_library_name_a_class_overrides_is_a_listed_hook() -> None:
    """Mixins count: they are mixed into FAB views at build time, so their names are checked against every
    library class that some Formwork class derives from."""
    classes = formwork_classes()
    library_bases = {base for cls in classes for base in cls.__mro__ if base.__module__.split(".")[0] in LIBRARIES}
    library_names = {name for base in library_bases for name in vars(base) if is_private(name)}
    hooks = {hook.name: hook for hook in fab.OVERRIDDEN_HOOKS}
    for cls in classes:
        for name, value in vars(cls).items():
            if not inspect.isfunction(value) or name not in library_names or name in DOCUMENTED_HOOKS:
                continue
            where = f"{cls.__module__}.{cls.__qualname__}.{name}"
            assert name in hooks, f"{where} overrides a private library name: add it to fab.OVERRIDDEN_HOOKS"
            assert tuple(inspect.signature(value).parameters) == hooks[name].parameters, (
                f"{where} does not take the parameters of {hooks[name].owner.__qualname__}.{name}"
            )


def test_no_private_library_name_is_used_outside_the_adapters() -> None:
    """A name `x._name` outside formwork/adapters/ must be one Formwork defines itself (the test can only tell by
    name), or `Row._mapping`, which SQLAlchemy documents as public."""
    sources = {
        path: path.read_text() for path in Path(formwork.__file__).parent.rglob("*.py") if ADAPTERS not in path.parents
    }
    own = {"_mapping"}
    for text in sources.values():
        own |= set(re.findall(r"\bdef (_[a-z]\w*)", text))
        own |= set(re.findall(r"^\s*(?:self\.)?(_[a-z]\w*)\s*(?::[^=\n]*)?=(?!=)", text, re.MULTILINE))
    used = re.compile(r"\.(_[a-z]\w*)\b|(?:getattr|hasattr|setattr)\([^,()]+,\s*[\"'](_[a-z]\w*)")
    found = {
        f"{path.relative_to(ADAPTERS.parent)}: {a or b}"
        for path, text in sources.items()
        for a, b in used.findall(text)
        if (a or b) not in own
    }
    assert not found, f"private library names outside formwork/adapters/ (add an adapter function): {sorted(found)}"


def test_fabs_rison_decorator_uses_only_validate_and_validation_error_of_its_jsonschema() -> None:
    """`adapters.fab.check_rison_schemas_once` stands in for the `jsonschema` module of flask_appbuilder.api: if an
    upgrade calls anything else of it, or stops calling it, the stand-in no longer fits."""
    import flask_appbuilder.api as fab_api

    used = set(re.findall(r"\bjsonschema\.(\w+)", inspect.getsource(fab_api)))
    assert used == {"validate", "ValidationError"}


def test_werkzeug_rules_still_compile_builders_that_a_rule_of_the_same_text_can_reuse() -> None:
    from flask import Flask
    from werkzeug.routing import Rule

    from formwork.adapters import werkzeug as werkzeug_adapter

    advice = fix(werkzeug_adapter.ReusedBuilderRule._compile_builder)
    assert tuple(inspect.signature(Rule._compile_builder).parameters) == ("self", "append_unknown"), advice
    apps = []
    for _ in range(2):
        app = Flask(__name__)
        app.url_rule_class = werkzeug_adapter.ReusedBuilderRule
        app.add_url_rule("/records/<int:pk>/edit", "edit", lambda pk: str(pk))
        app.add_url_rule("/records/", "records", lambda: "", defaults={"page": 1})
        apps.append(app)
    first, second = (next(r for r in app.url_map.iter_rules() if r.endpoint == "edit") for app in apps)
    assert first._build.__func__ is second._build.__func__, advice  # compiled once, used by both
    for app in apps:
        with app.test_request_context():
            from flask import url_for

            assert url_for("edit", pk=7) == "/records/7/edit", advice
            assert url_for("edit", pk=7, tab="notes") == "/records/7/edit?tab=notes", advice
            assert url_for("records") == "/records/", advice


def test_a_withdrawn_flash_is_not_shown_and_the_earlier_ones_are() -> None:
    from flask import Flask, flash, get_flashed_messages

    from formwork.adapters import flask as flask_adapter

    app = Flask(__name__)
    app.secret_key = "test"
    with app.test_request_context():
        flash("Saved before.", "success")
        flash("Database Error", "danger")
        flask_adapter.withdraw_last_flash()
        assert get_flashed_messages(with_categories=True) == [("success", "Saved before.")], fix(
            flask_adapter.withdraw_last_flash
        )
