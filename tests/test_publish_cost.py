"""What publishing a one-field change costs (issue 16: at most 2 s until every serving process shows it; measured by
bench/publish.py): a migration of a storage proven up to date looks for no platform table and reflects no table but
the definitions' own; every tenant app of a process renders from templates compiled once; compiled models of
definitions no longer used are let go; `formwork serve` keeps what it holds for good out of the collector's passes."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from jinja2 import Environment, FileSystemLoader

from conftest import Platform, catalog_with_pack
from formwork.cli import main
from formwork.compile import models
from formwork.tenancy.customizations import read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.registry import Tenant, find_tenant, platform_session
from formwork.tenancy.storage import tenant_engine
from formwork.tenancy.template_code import SharedTemplateCode

ONE_FIELD = """\
kind: EntityExtension
entity: crm.account
fields:
  - {name: x_badge, type: string, label: {en: Badge, zh: 徽章}}
"""
#: statements that read the database's catalog rather than records
CATALOG = re.compile(r"sqlite_master|PRAGMA|pg_catalog|information_schema", re.IGNORECASE)
NOT_THE_DEFINITIONS = ("formwork_", "ab_")


@contextmanager
def catalog_names(engine: sa.Engine) -> Iterator[set[str]]:
    """The names the catalog queries on `engine` ask about while the block runs (quoted in SQLite's pragmas, bound
    parameters elsewhere)."""
    names: set[str] = set()

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if CATALOG.search(statement):
            names.update(re.findall(r'"([^"]+)"', statement) if statement.startswith("PRAGMA") else [])
            names.update(_strings(parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield names
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def test_publishing_one_field_asks_the_catalog_only_about_the_definitions_tables(platform: Platform) -> None:
    tenant = platform.tenant("cost-co")
    engine = tenant_engine(platform.settings, tenant)
    with catalog_names(engine) as asked:
        changes = store_overlays(platform.settings, platform.catalog, tenant, read_overlays(ONE_FIELD, "badge.yaml"))
    assert changes == ["customization added: EntityExtension crm.account", "add column crm_account.x_badge"]
    assert "crm_account" in asked  # the changed table was compared
    assert not [name for name in asked if name.startswith(NOT_THE_DEFINITIONS)]
    assert "x_badge" in {c["name"] for c in sa.inspect(engine).get_columns("crm_account")}


def test_a_storage_without_that_proof_still_gets_its_platform_tables(platform: Platform) -> None:
    tenant = platform.tenant("lost-co")
    engine = tenant_engine(platform.settings, tenant)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE formwork_seed"))
    with platform_session(platform.settings.database_url) as session:  # its hash no longer proves anything
        session.get_one(Tenant, tenant.id).definitions_hash = "older"
        session.commit()
    tenant = find_tenant(platform.settings.database_url, "lost-co")
    store_overlays(platform.settings, platform.catalog, tenant, read_overlays(ONE_FIELD, "badge.yaml"))
    assert "formwork_seed" in sa.inspect(engine).get_table_names()


def test_tenant_apps_share_compiled_templates_and_an_edited_template_is_compiled_anew(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("Hello {{ name }}")
    shared = SharedTemplateCode()
    compiled: list[str] = []

    def environment() -> Environment:
        env = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=shared)
        compile_template = env.compile

        def counted(source: str, *args: Any, **kwargs: Any) -> Any:
            compiled.append(source)
            return compile_template(source, *args, **kwargs)

        env.compile = counted  # type: ignore[method-assign]
        return env

    assert environment().get_template("page.html").render(name="first") == "Hello first"
    assert environment().get_template("page.html").render(name="second") == "Hello second"
    assert compiled == ["Hello {{ name }}"]  # the second app's environment took the first one's code
    (tmp_path / "page.html").write_text("Welcome {{ name }}")
    assert environment().get_template("page.html").render(name="third") == "Welcome third"
    assert compiled == ["Hello {{ name }}", "Welcome {{ name }}"]


PACK = "kind: Pack\nname: costs\nversion: 1.0.0\nrequires: {{core: '>=0.1.0'}}\n---\nkind: Entity\nname: item\nfields:\n  - {{name: {field}, type: string}}\n"


def test_compiled_models_of_definitions_no_longer_used_are_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "CACHED_MODELS", 2)
    monkeypatch.setattr(models, "_cache", type(models._cache)())
    first, second, third = (
        catalog_with_pack(tmp_path / name, PACK.format(field=name)) for name in ("code", "title", "label")
    )
    kept = models.models_for(first)
    assert models.models_for(first) is kept
    models.models_for(second)
    models.models_for(third)
    assert models.models_for(third).model("costs.item") is not None
    assert models.models_for(first) is not kept  # compiled again: the first was dropped as the least recently used


def test_formwork_serve_keeps_what_it_holds_for_good_out_of_the_collectors_passes(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    import waitress

    frozen: list[int] = []
    monkeypatch.setenv("FORMWORK_INSTANCE", str(platform.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", platform.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", platform.settings.secret_key)
    monkeypatch.setattr(waitress, "serve", lambda app, **_options: frozen.append(gc.get_freeze_count()))
    try:
        result = CliRunner().invoke(main, ["serve", "--port", "0"], catch_exceptions=False)
    finally:
        gc.unfreeze()
    assert result.exit_code == 0 and "serving on" in result.output
    assert frozen and frozen[0] > 100_000
