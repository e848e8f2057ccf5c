"""Tenants cannot reach each other's records: guessed ids, reused cookies and JWTs, shared pooled connections,
and a tenant with a database of its own. (test_tenancy.py covers lists, plain JWT reads and forged cookie names.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import PASSWORD, Platform, csrf_token, jwt, login
from formwork.cli import main
from formwork.tenancy import storage
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import TenantError, create_tenant, planned_changes
from formwork.tenancy.registry import find_tenant, list_tenants, platform_engine
from formwork.tenancy.storage import drop_storage, tenant_engine
from werkzeug.test import Client

NORTH_NAMES = ["North Only Account"]
SOUTH_NAMES = ["South Account One", "South Account Two", "South Secret Account"]


@pytest.fixture(scope="module")
def tenants(platform: Platform) -> dict[str, list[int]]:
    """north has one account, south three: south's last id exists in south only."""
    platform.tenant("north", packs=["crm"], admin="nina")
    platform.tenant("south", packs=["crm"], admin="sam")
    client = platform.client()
    ids: dict[str, list[int]] = {}
    for slug, user, names in (("north", "nina", NORTH_NAMES), ("south", "sam", SOUTH_NAMES)):
        auth = jwt(client, slug, user)
        ids[slug] = [client.post(f"/t/{slug}/api/v1/crm_account/", json={"name": name}, headers=auth).json["id"]
                     for name in names]
    assert ids["south"][-1] not in ids["north"]
    return ids


def south_account_names(platform: Platform) -> list[str]:
    client = platform.client()
    rows = client.get("/t/south/api/v1/crm_account/", headers=jwt(client, "south", "sam")).json["result"]
    return sorted(row["name"] for row in rows)


def test_an_id_of_another_tenant_is_404_on_screens_and_api(platform: Platform, tenants: dict[str, list[int]]) -> None:
    south_only = tenants["south"][-1]
    client = platform.client()
    login(client, "north", "nina")
    auth = jwt(client, "north", "nina")
    for path in (f"/t/north/crm_account/show/{south_only}", f"/t/north/crm_account/edit/{south_only}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "South Secret Account" not in response.text
    response = client.get(f"/t/north/api/v1/crm_account/{south_only}", headers=auth)
    assert response.status_code == 404 and "South" not in response.text


def test_an_id_both_tenants_have_shows_the_own_record(platform: Platform, tenants: dict[str, list[int]]) -> None:
    shared = tenants["north"][0]
    assert shared in tenants["south"]
    client = platform.client()
    login(client, "north", "nina")
    page = client.get(f"/t/north/crm_account/show/{shared}")
    assert page.status_code == 200 and "North Only Account" in page.text and "South Account" not in page.text
    record = client.get(f"/t/north/api/v1/crm_account/{shared}", headers=jwt(client, "north", "nina"))
    assert record.json["result"]["name"] == "North Only Account"


def test_edits_and_deletes_aimed_at_another_tenants_id_change_nothing(platform: Platform,
                                                                       tenants: dict[str, list[int]]) -> None:
    south_only = tenants["south"][-1]
    before = south_account_names(platform)
    client = platform.client()
    login(client, "north", "nina")
    token = csrf_token(client.get("/t/north/crm_account/list/").text)
    assert client.post(f"/t/north/crm_account/edit/{south_only}",
                       data={"name": "Taken Over", "csrf_token": token}).status_code == 404
    assert client.post(f"/t/north/crm_account/delete/{south_only}", data={"csrf_token": token}).status_code == 404
    auth = jwt(client, "north", "nina")
    assert client.put(f"/t/north/api/v1/crm_account/{south_only}", json={"name": "Taken Over"}, headers=auth).status_code == 404
    assert client.delete(f"/t/north/api/v1/crm_account/{south_only}", headers=auth).status_code == 404
    assert south_account_names(platform) == before
    assert "South Secret Account" in before


def test_a_session_cookie_sent_to_another_tenant_signs_nobody_in(platform: Platform, tenants: dict[str, list[int]]) -> None:
    client = platform.client()
    login(client, "north", "nina")
    cookie = client.get_cookie("formwork_north_session", domain="localhost", path="/t/north/")
    assert cookie is not None
    reused = platform.client()
    for name in ("formwork_north_session", "formwork_south_session"):
        reused.set_cookie(name, cookie.value, domain="localhost", path="/")
    screen = reused.get("/t/south/crm_account/list/")
    assert screen.status_code == 302 and "/t/south/login/" in screen.headers["Location"]
    assert reused.get(f"/t/south/crm_account/show/{tenants['south'][0]}").status_code == 302
    api = reused.get(f"/t/south/api/v1/crm_account/{tenants['south'][0]}")
    assert api.status_code == 401 and "South" not in api.text


def test_a_jwt_of_another_tenant_cannot_read_or_write(platform: Platform, tenants: dict[str, list[int]]) -> None:
    south_id = tenants["south"][0]
    before = south_account_names(platform)
    client = platform.client()
    north = jwt(client, "north", "nina")
    refused = (401, 422)
    assert client.get(f"/t/south/api/v1/crm_account/{south_id}", headers=north).status_code in refused
    assert client.post("/t/south/api/v1/crm_account/", json={"name": "Planted"}, headers=north).status_code in refused
    assert client.put(f"/t/south/api/v1/crm_account/{south_id}", json={"name": "Renamed"}, headers=north).status_code in refused
    assert client.delete(f"/t/south/api/v1/crm_account/{south_id}", headers=north).status_code in refused
    assert south_account_names(platform) == before


def test_bad_storage_is_refused_and_changes_nothing(platform: Platform) -> None:
    before = [t.slug for t in list_tenants(platform.settings.database_url)]
    with pytest.raises(TenantError, match="unknown storage 'floppy'"):
        create_tenant(platform.settings, platform.catalog, "west", "West", ["core"], "admin", PASSWORD, storage="floppy")
    if platform.backend == "sqlite":
        for kind in ("postgres_schema", "postgres_database"):
            with pytest.raises(TenantError, match=f"storage '{kind}' needs a PostgreSQL platform database"):
                create_tenant(platform.settings, platform.catalog, "west", "West", ["core"], "admin", PASSWORD, storage=kind)
    assert [t.slug for t in list_tenants(platform.settings.database_url)] == before
    assert not (platform.settings.instance / "tenants" / "west.sqlite").exists()


def test_tenant_create_command_refuses_postgres_storage_on_sqlite(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FORMWORK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", "isolation-test-secret")
    result = CliRunner().invoke(main, ["tenant", "create", "west", "--name", "West", "--admin-user", "admin",
                                       "--admin-password", PASSWORD, "--storage", "postgres_database"])
    assert result.exit_code == 1
    assert "storage 'postgres_database' needs a PostgreSQL platform database" in result.output
    assert not (tmp_path / "instance" / "tenants").exists()


# --- PostgreSQL: one pool for every schema tenant, the schema set per transaction ---------------------------------


@pytest.fixture
def one_connection(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    """Schema tenants served through a pool holding one physical connection."""
    if platform.backend != "postgres":
        pytest.skip("a SQLite tenant is a file of its own: there is no shared connection")
    engine = sa.create_engine(platform.settings.database_url, pool_size=1, max_overflow=0, pool_timeout=5)
    monkeypatch.setattr(storage, "platform_engine", lambda _url: engine)
    storage.dispose_engines()  # forget the tenants' engines on the real pool
    yield engine
    storage.dispose_engines()
    engine.dispose()


def backend_pid(connection: sa.Connection) -> int:
    return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def test_sessions_alternating_on_one_connection_see_only_their_tenant(platform: Platform, tenants, one_connection) -> None:
    settings, url = platform.settings, platform.settings.database_url
    sessions = {slug: build_tenant_app(settings, find_tenant(url, slug), platform.catalog).extensions["formwork"].session
                for slug in ("north", "south")}
    expected = {"north": NORTH_NAMES, "south": sorted(SOUTH_NAMES)}
    pids = set()
    for slug in ["north", "south", "north", "south", "north", "south", "north"] * 2:  # past psycopg's prepare threshold
        session = sessions[slug]
        assert sorted(session.scalars(sa.text("SELECT name FROM crm_account"))) == expected[slug]
        session.commit()  # SET LOCAL ends here; the next statement autobegins and must set the schema again
        assert sorted(session.scalars(sa.text("SELECT name FROM crm_account"))) == expected[slug]
        pids.add(backend_pid(session.connection()))
        sessions[slug].remove()
    assert len(pids) == 1  # truly one physical connection, handed from tenant to tenant
    with one_connection.connect() as bare:
        assert backend_pid(bare) in pids
        assert bare.exec_driver_sql("SELECT to_regclass('crm_account')").scalar() is None
        assert "tenant_" not in bare.exec_driver_sql("SHOW search_path").scalar_one()


def test_requests_alternating_on_one_connection_see_only_their_tenant(platform: Platform, tenants, one_connection) -> None:
    settings, url = platform.settings, platform.settings.database_url
    clients = {slug: Client(build_tenant_app(settings, find_tenant(url, slug), platform.catalog)) for slug in ("north", "south")}
    users = {"north": "nina", "south": "sam"}
    tokens = {}
    for slug, client in clients.items():
        response = client.post("/api/v1/security/login",
                               json={"username": users[slug], "password": PASSWORD, "provider": "db", "refresh": False})
        tokens[slug] = {"Authorization": f"Bearer {response.json['access_token']}"}
    for slug in ["north", "south", "north", "south", "north"]:
        rows = clients[slug].get("/api/v1/crm_account/", headers=tokens[slug]).json["result"]
        names = {row["name"] for row in rows}
        assert names == set(NORTH_NAMES if slug == "north" else SOUTH_NAMES)
        assert clients[slug].get(f"/api/v1/crm_account/{tenants['south'][-1]}",
                                 headers=tokens[slug]).status_code == (404 if slug == "north" else 200)
    assert one_connection.pool.checkedout() == 0


def test_a_connection_without_a_tenant_sees_no_tenant_tables(platform: Platform, tenants) -> None:
    if platform.backend != "postgres":
        pytest.skip("PostgreSQL only: on SQLite each tenant is its own file")
    url = platform.settings.database_url
    with tenant_engine(platform.settings, find_tenant(url, "north")).begin() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM crm_account").scalar_one() == 1
    with platform_engine(url).connect() as bare:
        assert bare.exec_driver_sql("SELECT to_regclass('crm_account')").scalar() is None
        assert bare.exec_driver_sql("SELECT to_regclass('ab_user')").scalar() is not None  # the console's, in public


def test_a_schema_tenant_has_nothing_left_to_plan(platform: Platform, tenants) -> None:
    """Alembic's reflection, through the per-transaction search_path, finds the tables the tenant has."""
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, "north"), platform.catalog)
    assert planned_changes(app).describe() == []  # a reflection that missed the schema would plan every table


# --- PostgreSQL: a tenant in a database of its own ------------------------------------------------------------------


def database_names(platform: Platform) -> set[str]:
    with platform_engine(platform.settings.database_url).connect() as conn:
        return set(conn.scalars(sa.text("SELECT datname FROM pg_database")))


def test_a_tenant_in_its_own_database_is_served_isolated_and_dropped(platform: Platform, tenants) -> None:
    if platform.backend != "postgres":
        pytest.skip("PostgreSQL only")
    settings = platform.settings
    vault = create_tenant(settings, platform.catalog, "vault", "Vault", ["crm"], "val", PASSWORD, storage="postgres_database")
    platform_database = sa.engine.make_url(settings.database_url).database
    assert (vault.storage_kind, vault.storage_location) == ("postgres_database", f"{platform_database}_vault")
    assert vault.storage_location in database_names(platform)
    with platform_engine(settings.database_url).connect() as conn:
        assert conn.exec_driver_sql("SELECT to_regnamespace('tenant_vault')").scalar() is None

    client = platform.client()
    auth = jwt(client, "vault", "val")
    created = client.post("/t/vault/api/v1/crm_account/", json={"name": "Vault Account"}, headers=auth)
    assert created.status_code == 201
    names = [row["name"] for row in client.get("/t/vault/api/v1/crm_account/", headers=auth).json["result"]]
    assert names == ["Vault Account"]
    assert "Vault Account" not in south_account_names(platform)
    assert client.get("/t/vault/api/v1/crm_account/", headers=jwt(client, "north", "nina")).status_code in (401, 422)
    assert planned_changes(build_tenant_app(settings, vault, platform.catalog)).describe() == []

    drop_storage(settings, vault)
    assert vault.storage_location not in database_names(platform)


def test_an_existing_database_is_never_taken_over(platform: Platform) -> None:
    if platform.backend != "postgres":
        pytest.skip("PostgreSQL only")
    name = f"{sa.engine.make_url(platform.settings.database_url).database}_squatter"
    with platform_engine(platform.settings.database_url).connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        with pytest.raises(TenantError, match=f"a database named '{name}' already exists"):
            create_tenant(platform.settings, platform.catalog, "squatter", "Squatter", ["core"], "admin", PASSWORD,
                          storage="postgres_database")
        assert name in database_names(platform)
        assert find_tenant(platform.settings.database_url, "squatter") is None
    finally:
        with platform_engine(platform.settings.database_url).connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
