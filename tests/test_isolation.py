"""Tenants cannot reach each other's records: guessed ids, reused cookies and JWTs, shared pooled connections,
a tenant with a database of its own, and (FORMWORK_TENANT_DB_ROLES) a schema tenant's database role that PostgreSQL
itself keeps out of other schemas. (test_tenancy.py covers lists, plain JWT reads and forged cookie names.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login
from formwork import create_app
from formwork.cli import main
from formwork.config import Settings
from formwork.tenancy import storage
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.errors import TenantError
from formwork.tenancy.lifecycle import delete_tenant
from formwork.tenancy.migrate import plan_tenant
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import Tenant, find_tenant, list_tenants, platform_engine
from formwork.tenancy.storage import drop_storage, tenant_engine, tenant_role

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
        ids[slug] = [
            client.post(f"/t/{slug}/api/v1/crm_account/", json={"name": name}, headers=auth).json["id"]
            for name in names
        ]
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


def test_edits_and_deletes_aimed_at_another_tenants_id_change_nothing(
    platform: Platform, tenants: dict[str, list[int]]
) -> None:
    south_only = tenants["south"][-1]
    before = south_account_names(platform)
    client = platform.client()
    login(client, "north", "nina")
    token = csrf_token(client.get("/t/north/crm_account/list/").text)
    assert (
        client.post(
            f"/t/north/crm_account/edit/{south_only}", data={"name": "Taken Over", "csrf_token": token}
        ).status_code
        == 404
    )
    assert client.post(f"/t/north/crm_account/delete/{south_only}", data={"csrf_token": token}).status_code == 404
    auth = jwt(client, "north", "nina")
    assert (
        client.put(f"/t/north/api/v1/crm_account/{south_only}", json={"name": "Taken Over"}, headers=auth).status_code
        == 404
    )
    assert client.delete(f"/t/north/api/v1/crm_account/{south_only}", headers=auth).status_code == 404
    assert south_account_names(platform) == before
    assert "South Secret Account" in before


def test_a_session_cookie_sent_to_another_tenant_signs_nobody_in(
    platform: Platform, tenants: dict[str, list[int]]
) -> None:
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
    assert (
        client.put(f"/t/south/api/v1/crm_account/{south_id}", json={"name": "Renamed"}, headers=north).status_code
        in refused
    )
    assert client.delete(f"/t/south/api/v1/crm_account/{south_id}", headers=north).status_code in refused
    assert south_account_names(platform) == before


def test_bad_storage_is_refused_and_changes_nothing(platform: Platform) -> None:
    before = [t.slug for t in list_tenants(platform.settings.database_url)]
    with pytest.raises(TenantError, match="unknown storage 'floppy'"):
        create_tenant(
            platform.settings, platform.catalog, "west", "West", ["core"], "admin", PASSWORD, storage="floppy"
        )
    if platform.backend == "sqlite":
        for kind in ("postgres_schema", "postgres_database"):
            with pytest.raises(TenantError, match=f"storage '{kind}' needs a PostgreSQL platform database"):
                create_tenant(
                    platform.settings, platform.catalog, "west", "West", ["core"], "admin", PASSWORD, storage=kind
                )
    assert [t.slug for t in list_tenants(platform.settings.database_url)] == before
    assert not (platform.settings.instance / "tenants" / "west.sqlite").exists()


def test_tenant_create_command_refuses_postgres_storage_on_sqlite(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FORMWORK_DATABASE_URL", raising=False)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", "isolation-test-secret")
    result = CliRunner().invoke(
        main,
        [
            "tenant",
            "create",
            "west",
            "--name",
            "West",
            "--admin-user",
            "admin",
            "--admin-password",
            PASSWORD,
            "--storage",
            "postgres_database",
        ],
    )
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


def test_sessions_alternating_on_one_connection_see_only_their_tenant(
    platform: Platform, tenants, one_connection
) -> None:
    settings, url = platform.settings, platform.settings.database_url
    sessions = {
        slug: build_tenant_app(settings, find_tenant(url, slug), platform.catalog).extensions["formwork"].session
        for slug in ("north", "south")
    }
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


def test_requests_alternating_on_one_connection_see_only_their_tenant(
    platform: Platform, tenants, one_connection
) -> None:
    settings, url = platform.settings, platform.settings.database_url
    clients = {
        slug: Client(build_tenant_app(settings, find_tenant(url, slug), platform.catalog))
        for slug in ("north", "south")
    }
    users = {"north": "nina", "south": "sam"}
    tokens = {}
    for slug, client in clients.items():
        response = client.post(
            "/api/v1/security/login",
            json={"username": users[slug], "password": PASSWORD, "provider": "db", "refresh": False},
        )
        tokens[slug] = {"Authorization": f"Bearer {response.json['access_token']}"}
    for slug in ["north", "south", "north", "south", "north"]:
        rows = clients[slug].get("/api/v1/crm_account/", headers=tokens[slug]).json["result"]
        names = {row["name"] for row in rows}
        assert names == set(NORTH_NAMES if slug == "north" else SOUTH_NAMES)
        assert clients[slug].get(f"/api/v1/crm_account/{tenants['south'][-1]}", headers=tokens[slug]).status_code == (
            404 if slug == "north" else 200
        )
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
    north = find_tenant(platform.settings.database_url, "north")
    assert (
        plan_tenant(platform.settings, platform.catalog, north).describe() == []
    )  # a reflection that missed the schema would plan every table


# --- PostgreSQL: a tenant in a database of its own ------------------------------------------------------------------


def database_names(platform: Platform) -> set[str]:
    with platform_engine(platform.settings.database_url).connect() as conn:
        return set(conn.scalars(sa.text("SELECT datname FROM pg_database")))


def test_a_tenant_in_its_own_database_is_served_isolated_and_dropped(platform: Platform, tenants) -> None:
    if platform.backend != "postgres":
        pytest.skip("PostgreSQL only")
    settings = platform.settings
    vault = create_tenant(
        settings, platform.catalog, "vault", "Vault", ["crm"], "val", PASSWORD, storage="postgres_database"
    )
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
    assert client.get("/t/vault/api/v1/crm_account/", headers=jwt(client, "north", "nina")).status_code == 401
    assert plan_tenant(settings, platform.catalog, vault).describe() == []

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
            create_tenant(
                platform.settings,
                platform.catalog,
                "squatter",
                "Squatter",
                ["core"],
                "admin",
                PASSWORD,
                storage="postgres_database",
            )
        assert name in database_names(platform)
        assert find_tenant(platform.settings.database_url, "squatter") is None
    finally:
        with platform_engine(platform.settings.database_url).connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')


# --- PostgreSQL: a database role per schema tenant (FORMWORK_TENANT_DB_ROLES) --------------------------------------


@dataclasses.dataclass
class RolePlatform:
    """The test platform's database, served with tenant roles on."""

    settings: Settings
    client: Client


@pytest.fixture(scope="module")
def with_roles(platform: Platform, tenants) -> RolePlatform:
    """castle and tower created with roles on; north and south (from `tenants`) were created without them."""
    if platform.backend != "postgres":
        pytest.skip("PostgreSQL only: database roles")
    settings = dataclasses.replace(platform.settings, tenant_db_roles=True)
    for slug, admin in (("castle", "cleo"), ("tower", "theo")):
        create_tenant(settings, platform.catalog, slug, slug.title(), ["crm"], admin, PASSWORD)
    return RolePlatform(settings, Client(create_app(settings, platform.catalog)))


def run_as_tenant(settings: Settings, slug: str, statement: str) -> list[tuple]:
    """One statement in a transaction of the tenant's own (its schema, its role)."""
    with tenant_engine(settings, find_tenant(settings.database_url, slug)).begin() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(statement)]


def role_names(platform: Platform) -> set[str]:
    with platform_engine(platform.settings.database_url).connect() as conn:
        return set(conn.scalars(sa.text("SELECT rolname FROM pg_roles")))


def owners_in_schema(platform: Platform, schema: str) -> set[str]:
    with platform_engine(platform.settings.database_url).connect() as conn:
        query = sa.text(
            "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema"
        )
        return set(conn.scalars(query, {"schema": schema}))


def test_a_role_name_is_the_platform_database_and_schema_and_fits_postgresql() -> None:
    def role(database: str, slug: str) -> str:
        settings = Settings(
            instance=Path("."),
            database_url=f"postgresql+psycopg://db.invalid/{database}",
            secret_key="x",
            max_tenant_apps=1,
            tenant_db_roles=True,
        )
        tenant = Tenant(slug=slug, storage_kind="postgres_schema", storage_location=f"tenant_{slug.replace('-', '_')}")
        return tenant_role(settings, tenant)

    assert role("formwork", "acme-east") == "formwork_tenant_acme_east"
    assert role("formwork", "acme") != role("formwork_staging", "acme")
    long_database = "formwork_" + "x" * 40
    names = {role(long_database, f"branch-office-{n}") for n in range(3)}
    assert len(names) == 3 and all(len(name.encode()) <= 63 for name in names)
    sqlite = Settings(
        instance=Path("."), database_url="sqlite://", secret_key="x", max_tenant_apps=1, tenant_db_roles=True
    )
    assert (
        tenant_role(sqlite, Tenant(slug="lone", storage_kind="sqlite", storage_location="tenants/lone.sqlite")) is None
    )


def test_a_tenant_role_cannot_read_another_tenants_schema_or_the_control_plane(
    platform: Platform, with_roles: RolePlatform
) -> None:
    settings = with_roles.settings
    castle_role = tenant_role(settings, find_tenant(settings.database_url, "castle"))
    assert run_as_tenant(settings, "castle", "SELECT current_user, count(*) FROM crm_account")[0][0] == castle_role
    for other in ("tenant_tower.crm_account", "tenant_tower.ab_user", "tenant_south.crm_account"):
        with pytest.raises(sa.exc.ProgrammingError, match=r"permission denied for schema tenant_(tower|south)"):
            run_as_tenant(settings, "castle", f"SELECT * FROM {other}")
    for control_plane in ("formwork_tenant", "formwork_schema_change", "ab_user"):
        with pytest.raises(sa.exc.ProgrammingError, match=f"permission denied for table {control_plane}"):
            run_as_tenant(settings, "castle", f"SELECT * FROM public.{control_plane}")
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied for schema tenant_tower"):
        run_as_tenant(settings, "castle", "DELETE FROM tenant_tower.crm_account")


def test_requests_work_under_the_tenant_role(platform: Platform, with_roles: RolePlatform) -> None:
    client = with_roles.client
    auth = jwt(client, "castle", "cleo")
    created = client.post("/t/castle/api/v1/crm_account/", json={"name": "Castle Account"}, headers=auth)
    assert created.status_code == 201, created.text
    rows = client.get("/t/castle/api/v1/crm_account/", headers=auth).json["result"]
    assert [row["name"] for row in rows] == ["Castle Account"]
    login(client, "castle", "cleo")
    assert "Castle Account" in client.get("/t/castle/crm_account/list/").text
    role = tenant_role(with_roles.settings, find_tenant(with_roles.settings.database_url, "castle"))
    assert owners_in_schema(platform, "tenant_castle") == {
        role
    }  # so the role can alter its tables when definitions change
    castle = find_tenant(with_roles.settings.database_url, "castle")
    assert plan_tenant(with_roles.settings, platform.catalog, castle).describe() == []


def test_a_tenant_made_before_roles_gets_its_role_on_first_use(platform: Platform, with_roles: RolePlatform) -> None:
    settings = with_roles.settings
    south_role = tenant_role(settings, find_tenant(settings.database_url, "south"))
    client = with_roles.client
    rows = client.get("/t/south/api/v1/crm_account/", headers=jwt(client, "south", "sam")).json["result"]
    assert sorted(row["name"] for row in rows) == sorted(SOUTH_NAMES)
    assert south_role in role_names(platform)
    assert owners_in_schema(platform, "tenant_south") == {south_role}
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied for schema tenant_castle"):
        run_as_tenant(settings, "south", "SELECT * FROM tenant_castle.crm_account")


def test_a_pooled_connection_is_back_to_the_platform_user_after_a_tenant_transaction(
    platform: Platform, with_roles: RolePlatform, one_connection: sa.Engine
) -> None:
    with one_connection.connect() as bare:
        platform_user, pid = bare.exec_driver_sql("SELECT current_user, pg_backend_pid()").one()
    castle = find_tenant(with_roles.settings.database_url, "castle")
    with tenant_engine(with_roles.settings, castle).connect() as conn:
        assert conn.exec_driver_sql("SELECT current_user").scalar_one() == tenant_role(with_roles.settings, castle)
        conn.commit()  # SET LOCAL ends here; the next statement autobegins and must take the role again
        assert conn.exec_driver_sql("SELECT current_user").scalar_one() == tenant_role(with_roles.settings, castle)
    with one_connection.connect() as bare:
        assert bare.exec_driver_sql("SELECT current_user, pg_backend_pid()").one() == (platform_user, pid)
        assert bare.exec_driver_sql("SELECT count(*) FROM formwork_tenant").scalar_one() >= 4


def test_a_role_of_the_same_name_is_never_taken_over(platform: Platform, with_roles: RolePlatform) -> None:
    database = sa.engine.make_url(platform.settings.database_url).database
    squatter = f"{database}_tenant_squatter"
    with platform_engine(platform.settings.database_url).begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{squatter}" NOLOGIN')
    with pytest.raises(TenantError, match=f"a database role named '{squatter}' already exists"):
        create_tenant(with_roles.settings, platform.catalog, "squatter", "Squatter", ["core"], "admin", PASSWORD)
    assert find_tenant(platform.settings.database_url, "squatter") is None
    assert squatter in role_names(platform)
    with platform_engine(platform.settings.database_url).connect() as conn:
        assert conn.exec_driver_sql("SELECT to_regnamespace('tenant_squatter')").scalar() is None


def test_deleting_a_tenant_drops_its_role(platform: Platform, with_roles: RolePlatform, tmp_path: Path) -> None:
    settings = with_roles.settings
    tower_role = tenant_role(settings, find_tenant(settings.database_url, "tower"))
    assert tower_role in role_names(platform)
    archive = delete_tenant(settings, "tower", tmp_path)
    assert (archive / "data" / "crm_account.jsonl").exists()  # the export ran under the role, before the drop
    assert tower_role not in role_names(platform)
    with platform_engine(settings.database_url).connect() as conn:
        assert conn.exec_driver_sql("SELECT to_regnamespace('tenant_tower')").scalar() is None
