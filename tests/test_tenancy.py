"""Dispatch, the app cache and isolation between tenants."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, Platform, jwt, login
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.errors import TenantError
from formwork.tenancy.registry import (
    Tenant,
    find_tenant,
    list_tenants,
    platform_session,
)


@pytest.fixture(scope="module")
def two_tenants(platform: Platform) -> Platform:
    platform.tenant("acme", admin="alice")
    platform.tenant("globex", packs=["crm"], admin="bob")
    return platform


def test_unknown_tenant_gets_a_404_page(two_tenants: Platform) -> None:
    response = two_tenants.client().get("/t/initech/crm_account/list/")
    assert response.status_code == 404
    assert "No such workspace" in response.text


def test_tenant_root_without_slash_redirects(two_tenants: Platform) -> None:
    response = two_tenants.client().get("/t/acme")
    assert response.status_code == 308
    assert response.headers["Location"] == "/t/acme/"


def test_packs_are_installed_with_their_requirements(two_tenants: Platform) -> None:
    globex = find_tenant(two_tenants.settings.database_url, "globex")
    assert globex.packs == ["core", "crm"]
    client = two_tenants.client()
    auth = jwt(client, "globex", "bob")
    assert client.get("/t/globex/api/v1/crm_account/", headers=auth).status_code == 200
    assert client.get("/t/globex/api/v1/oa_leave_request/", headers=auth).status_code == 404


def test_users_belong_to_one_tenant(two_tenants: Platform) -> None:
    client = two_tenants.client()
    login(client, "globex", "alice")
    assert client.get("/t/globex/crm_account/list/").status_code == 302
    response = client.post(
        "/t/globex/api/v1/security/login", json={"username": "alice", "password": PASSWORD, "provider": "db"}
    )
    assert response.status_code == 401


def test_records_of_one_tenant_are_invisible_to_another(two_tenants: Platform) -> None:
    client = two_tenants.client()
    acme, globex = jwt(client, "acme", "alice"), jwt(client, "globex", "bob")
    created = client.post("/t/acme/api/v1/crm_account/", json={"name": "Acme Secret Customer"}, headers=acme)
    assert created.status_code == 201
    names = [row["name"] for row in client.get("/t/globex/api/v1/crm_account/", headers=globex).json["result"]]
    assert "Acme Secret Customer" not in names
    assert client.get(f"/t/globex/api/v1/crm_account/{created.json['id']}", headers=globex).status_code == 404


def test_a_jwt_from_one_tenant_is_refused_by_another(two_tenants: Platform) -> None:
    client = two_tenants.client()
    acme = jwt(client, "acme", "alice")
    assert client.get("/t/acme/api/v1/crm_account/", headers=acme).status_code == 200
    assert client.get("/t/globex/api/v1/crm_account/", headers=acme).status_code == 401


def test_session_cookies_are_named_scoped_and_signed_per_tenant(two_tenants: Platform) -> None:
    client = two_tenants.client()
    response = login(client, "acme", "alice")
    cookie = client.get_cookie("formwork_acme_session", domain="localhost", path="/t/acme/")
    assert cookie is not None, response.headers.getlist("Set-Cookie")
    assert "Path=/t/acme/" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert client.get("/t/acme/crm_account/list/").status_code == 200

    forged = two_tenants.client()
    forged.set_cookie("formwork_globex_session", cookie.value, domain="localhost", path="/t/globex/")
    assert forged.get("/t/globex/crm_account/list/").status_code == 302  # not signed in: sent to the login page


def test_each_tenant_has_its_own_keys(two_tenants: Platform) -> None:
    apps = TenantApps(two_tenants.settings, two_tenants.catalog)
    acme = apps.get(find_tenant(two_tenants.settings.database_url, "acme"))
    globex = apps.get(find_tenant(two_tenants.settings.database_url, "globex"))
    assert acme.config["SECRET_KEY"] != globex.config["SECRET_KEY"]
    assert acme.config["JWT_SECRET_KEY"] != globex.config["JWT_SECRET_KEY"]
    assert acme.config["SECRET_KEY"] != two_tenants.settings.secret_key


def test_each_tenant_has_its_own_storage(two_tenants: Platform) -> None:
    acme = find_tenant(two_tenants.settings.database_url, "acme")
    globex = find_tenant(two_tenants.settings.database_url, "globex")
    assert acme.storage_location != globex.storage_location
    if two_tenants.backend == "sqlite":
        assert (two_tenants.settings.instance / acme.storage_location).is_file()


def test_app_cache_is_bounded_and_rebuilds_on_a_new_generation(two_tenants: Platform) -> None:
    builds: list[str] = []

    def counting_build(settings, tenant, catalog, state):
        builds.append(tenant.slug)
        return build_tenant_app(settings, tenant, catalog, state=state)

    settings = two_tenants.settings
    apps = TenantApps(settings, two_tenants.catalog, build=counting_build)
    apps.capacity = 1
    acme, globex = apps.tenant("acme"), apps.tenant("globex")
    first = apps.get(acme)
    assert apps.get(acme) is first
    apps.get(globex)
    assert "acme" not in apps and len(apps) == 1
    apps.get(acme)
    assert builds == ["acme", "globex", "acme"]

    with platform_session(settings.database_url) as session:  # any change of the row, by any process
        session.get(Tenant, acme.id).name = "Acme Renamed"
        session.commit()
    assert apps.tenant("acme").generation == acme.generation + 1
    rebuilt = apps.get(apps.tenant("acme"))
    assert builds[-1] == "acme" and len(builds) == 4 and rebuilt.config["APP_NAME"] == "Acme Renamed"


def test_creating_a_tenant_fails_cleanly(two_tenants: Platform) -> None:
    before = [t.slug for t in list_tenants(two_tenants.settings.database_url)]
    with pytest.raises(TenantError, match="already exists"):
        two_tenants.tenant("acme")
    with pytest.raises(TenantError, match="unknown pack"):
        two_tenants.tenant("initech", packs=["crm", "hr"])
    with pytest.raises(TenantError, match="not a valid tenant slug"):
        two_tenants.tenant("Bad Slug!")
    assert [t.slug for t in list_tenants(two_tenants.settings.database_url)] == before
    assert not (two_tenants.settings.instance / "tenants" / "initech.sqlite").exists()


def test_tables_are_named_pack_entity_with_standard_columns(two_tenants: Platform) -> None:
    tenant = find_tenant(two_tenants.settings.database_url, "acme")
    runtime = build_tenant_app(two_tenants.settings, tenant, two_tenants.catalog).extensions["formwork"]
    inspector = sa.inspect(runtime.session.get_bind())
    tables = set(inspector.get_table_names())
    assert {
        "core_department",
        "core_employee",
        "crm_account",
        "crm_contact",
        "crm_opportunity",
        "oa_leave_request",
        "oa_announcement",
        "ab_user",
        "ab_role",
    } <= tables
    assert "ix_crm_opportunity_stage" in {i["name"] for i in inspector.get_indexes("crm_opportunity")}  # a list filter
    columns = {c["name"] for c in inspector.get_columns("crm_opportunity")}
    assert {"id", "created_at", "created_by", "updated_at", "updated_by", "version", "account_id", "amount"} <= columns


def test_console_needs_an_operator_login(two_tenants: Platform) -> None:
    from formwork.console import add_operator, build_console_app

    add_operator(build_console_app(two_tenants.settings), "op", "op-password-1")
    client = two_tenants.client()
    assert client.get("/tenants/list/").status_code == 302
    page = client.get("/login/")
    from conftest import csrf_token

    client.post("/login/", data={"username": "op", "password": "op-password-1", "csrf_token": csrf_token(page.text)})
    listing = client.get("/tenants/list/")
    assert listing.status_code == 200
    assert 'href="/t/acme/"' in listing.text and "globex" in listing.text


def test_a_suspended_tenant_answers_503_and_keeps_its_data(two_tenants: Platform, monkeypatch) -> None:
    from formwork.tenancy.registry import set_status

    url = two_tenants.settings.database_url
    client = two_tenants.client()
    auth = jwt(client, "globex", "bob")
    pk = client.post("/t/globex/api/v1/crm_account/", json={"name": "Kept While Suspended"}, headers=auth).json["id"]
    assert set_status(url, "globex", "suspended")
    paused = client.get(f"/t/globex/api/v1/crm_account/{pk}", headers=auth)
    assert paused.status_code == 503 and "suspended" in paused.text
    assert set_status(url, "globex", "active")
    assert (
        client.get(f"/t/globex/api/v1/crm_account/{pk}", headers=auth).json["result"]["name"] == "Kept While Suspended"
    )
