"""Tenant templates: a tenant copied from the template of its packs is the tenant create_tenant would have built."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

from conftest import PASSWORD, Platform, jwt
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import SchemaChange, Tenant, find_tenant, platform_engine, platform_session
from formwork.tenancy.storage import tenant_engine, tenant_role
from formwork.tenancy.templates import TenantTemplates, template_key

PACKS = ["core", "crm", "oa"]
#: the admin user's own columns (what a copy sets anew), and when it last signed in
ADMIN_COLUMNS = {"username", "first_name", "email", "password", "created_on", "changed_on", "last_login"}


def make(platform: Platform, templates: TenantTemplates, slug: str, admin: str = "admin", **options: Any) -> Tenant:
    return create_tenant(
        platform.settings, platform.catalog, slug, slug.title(), PACKS, admin, PASSWORD, templates=templates, **options
    )


def storage_rows(platform: Platform, tenant: Tenant) -> dict[str, list[tuple]]:
    """Every table of the tenant's storage with its rows, in id order, but for the admin user's own columns."""
    engine = tenant_engine(platform.settings, tenant)
    with engine.connect() as connection:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        found = {}
        for name, table in metadata.tables.items():
            columns = [c for c in table.columns if not (name == User.__tablename__ and c.name in ADMIN_COLUMNS)]
            ordered = sa.select(*columns).order_by(*(table.primary_key.columns or columns))
            found[name] = [tuple(row) for row in connection.execute(ordered)]
        return found


def recorded(platform: Platform, slug: str) -> tuple[Any, ...]:
    tenant = find_tenant(platform.settings.database_url, slug)
    with platform_session(platform.settings.database_url) as session:
        changes = session.scalars(sa.select(SchemaChange).where(SchemaChange.tenant_slug == slug)).all()
    return (
        tenant.packs_json,
        tenant.releases_json,
        tenant.applied_json,
        tenant.definitions_hash,
        tenant.generation,
        tenant.status,
        [(c.definitions_hash, c.operations, c.left_alone, c.outcome) for c in changes],
    )


@pytest.fixture(scope="module")
def templates(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> TenantTemplates:
    """Built first: `tpl-built` (kept as the template), then `tpl-copied`, a copy with another admin."""
    kept = TenantTemplates(tmp_path_factory.mktemp("templates"))
    make(platform, kept, "tpl-built")
    assert kept.find(platform.settings, find_tenant(platform.settings.database_url, "tpl-built")) is not None
    make(platform, kept, "tpl-copied", admin="boss")
    return kept


def test_a_copy_holds_what_the_built_tenant_holds_and_records_the_same(
    platform: Platform, templates: TenantTemplates
) -> None:
    built, copied = (find_tenant(platform.settings.database_url, slug) for slug in ("tpl-built", "tpl-copied"))
    assert copied.storage_location != built.storage_location
    rows = storage_rows(platform, copied)
    assert rows == storage_rows(platform, built)
    assert len(rows) > 20 and rows["ab_permission_view_role"]
    assert recorded(platform, "tpl-copied") == recorded(platform, "tpl-built")


def test_the_copys_admin_is_its_own_and_signs_in_with_its_password(
    platform: Platform, templates: TenantTemplates
) -> None:
    client = platform.client()
    auth = jwt(client, "tpl-copied", "boss")
    assert client.get("/t/tpl-copied/api/v1/crm_account/", headers=auth).status_code == 200
    refused = client.post(
        "/t/tpl-copied/api/v1/security/login", json={"username": "admin", "password": PASSWORD, "provider": "db"}
    )
    assert refused.status_code == 401
    copied = find_tenant(platform.settings.database_url, "tpl-copied")
    with tenant_engine(platform.settings, copied).connect() as connection:
        admin = connection.execute(sa.select(User.__table__)).mappings().one()
    assert (admin["username"], admin["first_name"], admin["last_name"], admin["email"]) == (
        "boss",
        "boss",
        "Admin",
        "boss@example.invalid",
    )


def test_what_a_tenant_does_after_it_was_built_never_reaches_later_copies(
    platform: Platform, templates: TenantTemplates
) -> None:
    client = platform.client()
    created = client.post(
        "/t/tpl-built/api/v1/crm_account/", json={"name": "Only In The Built One"}, headers=jwt(client, "tpl-built")
    )
    assert created.status_code == 201
    make(platform, templates, "tpl-later", admin="carol")
    later = jwt(client, "tpl-later", "carol")
    listed = client.get("/t/tpl-later/api/v1/crm_account/", headers=later).json
    assert "Only In The Built One" not in str(listed)
    assert storage_rows(platform, find_tenant(platform.settings.database_url, "tpl-later")) == storage_rows(
        platform, find_tenant(platform.settings.database_url, "tpl-copied")
    )


def test_another_locale_or_currency_is_another_template(platform: Platform, templates: TenantTemplates) -> None:
    built = find_tenant(platform.settings.database_url, "tpl-built")
    assert templates.find(platform.settings, Tenant(**{**_columns(built), "locale": "zh"})) is None
    assert templates.find(platform.settings, Tenant(**{**_columns(built), "currency": "EUR"})) is None
    zh = make(platform, templates, "tpl-zh", locale="zh", currency="eur")
    assert template_key(zh) != template_key(built)
    assert (templates.folder / f"{template_key(zh)}.json").exists()


def test_a_failed_copy_leaves_nothing_behind(
    platform: Platform, templates: TenantTemplates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> None:
        raise RuntimeError("the copy broke")

    monkeypatch.setattr("formwork.tenancy.templates._rename_admin", broken)
    with pytest.raises(RuntimeError, match="the copy broke"):
        make(platform, templates, "tpl-broken")
    assert find_tenant(platform.settings.database_url, "tpl-broken") is None
    assert not (platform.settings.instance / "tenants" / "tpl-broken.sqlite").exists()
    if platform.backend == "postgres":
        with tenant_engine(platform.settings, find_tenant(platform.settings.database_url, "tpl-built")).connect() as c:
            assert not c.scalar(sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_tpl_broken'"))


def test_a_copy_with_a_database_role_of_its_own_owns_its_tables_and_functions(
    platform: Platform, templates: TenantTemplates
) -> None:
    if platform.backend != "postgres":
        pytest.skip("database roles are PostgreSQL's")
    settings = dataclasses.replace(platform.settings, tenant_db_roles=True)
    tenant = create_tenant(
        settings, platform.catalog, "tpl-role", "Role", PACKS, "admin", PASSWORD, templates=templates
    )
    owned = (
        "SELECT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema UNION SELECT pg_get_userbyid(p.proowner) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :schema"
    )
    with platform_engine(settings.database_url).connect() as connection:
        owners = connection.scalars(sa.text(owned), {"schema": tenant.storage_location}).all()
    assert owners == [tenant_role(settings, tenant)]


def _columns(tenant: Tenant) -> dict[str, Any]:
    return {column.key: getattr(tenant, column.key) for column in sa.inspect(Tenant).column_attrs}
