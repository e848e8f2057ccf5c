"""Fixtures: a platform per test module on SQLite, and on PostgreSQL when FORMWORK_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import html
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from formwork import create_app
from formwork.config import Settings
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.meta.catalog import Catalog
from formwork.schema.changes import SchemaPlan
from formwork.tenancy.dispatch import TenantDispatcher
from formwork.tenancy.migrate import migrate_tenant, plan_tenant
from formwork.tenancy.packs import plan_upgrade, upgrade_pack, upgrades_available
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import Tenant, find_tenant, platform_engine
from formwork.tenancy.state import desired_state
from formwork.tenancy.storage import dispose_engines
from formwork.tenancy.templates import TenantTemplates

#: what the suite hashes passwords with: one round of PBKDF2 instead of FAB's scrypt (about 0.1 s a hash here, at
#: every user made and every sign-in). The tests are about who may sign in, not about how slow a hash is; Django's
#: testing documentation advises the same. Production keeps FAB's method.
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"


def _hash_passwords_cheaply() -> None:
    """Every module that took werkzeug's `generate_password_hash` hashes with TEST_PASSWORD_HASH from now on (a
    stored hash names its method, so checking it is as cheap)."""
    import flask_appbuilder.security.manager
    import flask_appbuilder.security.sqla.apis.user.api
    import flask_appbuilder.security.sqla.manager
    import flask_appbuilder.security.views
    from werkzeug import security

    import formwork.tenancy.templates

    def cheap(password: str, method: str = "", salt_length: int = 16) -> str:
        return security.generate_password_hash(password, method=TEST_PASSWORD_HASH, salt_length=salt_length)

    for module in (
        flask_appbuilder.security.manager,
        flask_appbuilder.security.sqla.manager,
        flask_appbuilder.security.sqla.apis.user.api,
        flask_appbuilder.security.views,
        formwork.tenancy.templates,
    ):
        module.generate_password_hash = cheap  # type: ignore[attr-defined]


_hash_passwords_cheaply()
POSTGRES_URL = os.environ.get("FORMWORK_TEST_POSTGRES_URL", "")
#: FORMWORK_TENANT_DB_ROLES=1 runs every PostgreSQL test with a database role per schema tenant
TENANT_DB_ROLES = os.environ.get("FORMWORK_TENANT_DB_ROLES", "").lower() in ("1", "true", "yes", "on")
BACKENDS = ["sqlite", *(["postgres"] if POSTGRES_URL else [])]
PASSWORD = "correct-horse-1"


def _psycopg_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


TEST_PACKS = Path(__file__).parent / "packs"


#: test modules that take far longer than the rest: collected first, so that with `--dist loadfile` a worker starts
#: on them at once instead of finishing the run alone on one of them while the other workers idle
LONGEST_FIRST = ("test_openapi_contract.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The built-in packs plus the test packs (lab: one field of every type)."""
    return require_catalog([builtin_definitions(), TEST_PACKS])


def _postgres_database() -> Iterator[str]:
    """A fresh database per platform, dropped afterwards, so tests never see each other's schemas."""
    admin = sa.create_engine(_psycopg_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"formwork_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = sa.engine.make_url(_psycopg_url(POSTGRES_URL))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            # Roles belong to the server, not the database: the tenants' roles (named after it) go too.
            for role in conn.scalars(
                sa.text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :prefix)"), {"prefix": f"{name}_"}
            ).all():
                conn.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()


@dataclass
class Platform:
    """One running Formwork: settings, the WSGI app and helpers to talk to it."""

    settings: Settings
    catalog: Catalog
    app: TenantDispatcher
    backend: str
    #: the session's tenant templates: the first tenant of some packs is built, later ones are copies of it
    templates: TenantTemplates | None = None

    def tenant(self, slug: str, packs: list[str] | None = None, admin: str = "admin") -> Tenant:
        return create_tenant(
            self.settings,
            self.catalog,
            slug,
            f"{slug.title()} Inc",
            packs or ["core", "crm", "oa"],
            admin,
            PASSWORD,
            templates=self.templates,
        )

    def client(self) -> Client:
        return Client(self.app)


@pytest.fixture(scope="session")
def tenant_templates(tmp_path_factory: pytest.TempPathFactory) -> TenantTemplates:
    """Kept for the whole session, shared by its xdist workers (each has its basetemp in the session's): a template
    is taken right after its tenant was built, before the test that asked for it got it, so no test's changes reach
    another's tenants."""
    session = tmp_path_factory.getbasetemp()
    return TenantTemplates((session.parent if os.environ.get("PYTEST_XDIST_WORKER") else session) / "templates")


@pytest.fixture(scope="module", params=BACKENDS)
def platform(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    catalog: Catalog,
    tenant_templates: TenantTemplates,
) -> Iterator[Platform]:
    instance: Path = tmp_path_factory.mktemp("instance")
    if request.param == "postgres":
        database = _postgres_database()
        url = next(database)
    else:
        database, url = None, f"sqlite:///{instance / 'platform.sqlite'}"
    settings = Settings(
        instance=instance,
        database_url=url,
        secret_key="test-platform-secret",
        max_tenant_apps=8,
        tenant_db_roles=TENANT_DB_ROLES and request.param == "postgres",
    )
    yield Platform(settings, catalog, create_app(settings, catalog), request.param, tenant_templates)
    platform_engine(url).dispose()
    dispose_engines()
    if database is not None:
        next(database, None)


def catalog_with_pack(folder: Path, text: str, *also: Path) -> Catalog:
    """The built-in packs (and the packs in `also`, e.g. TEST_PACKS) plus one written from `text` (its pack.yaml,
    every document in one file) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(text)
    return require_catalog([builtin_definitions(), *also, folder])


def post_record(client: Client, headers: dict[str, str], slug: str, table: str, **values: Any) -> int:
    """A record created through the tenant's REST API (201, or the test fails with the answer); its id."""
    response = client.post(f"/t/{slug}/api/v1/{table}/", json=values, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json["id"])


def migrate_to(platform: Platform, slug: str, catalog: Catalog, drop_retired: bool = False) -> SchemaPlan | None:
    """Move tenant `slug` to the packs of `catalog` as `formwork tenant upgrade-pack` does (a new release of them on
    this server), then, with `drop_retired`, drop what is retired (`formwork migrate --drop-retired`).

    Returns the plan applied last; None when there was nothing to do. A refused plan raises MigrationRefused and
    changes nothing.
    """
    settings = platform.settings
    tenant = find_tenant(settings.database_url, slug)
    applied = None
    for name in upgrades_available(catalog, tenant):
        upgrade = plan_upgrade(settings, catalog, tenant, name)
        upgrade_pack(settings, catalog, tenant, upgrade)
        applied = upgrade.schema
        tenant = find_tenant(settings.database_url, slug)
    if drop_retired:
        applied = migrate_tenant(settings, catalog, tenant, drop_retired=True)
    return applied


def plan_to(platform: Platform, slug: str, catalog: Catalog, drop_retired: bool = False) -> SchemaPlan:
    """What `migrate_to` would do, changing nothing."""
    settings = platform.settings
    tenant = find_tenant(settings.database_url, slug)
    target = desired_state(settings, catalog, tenant)
    for name in upgrades_available(catalog, tenant):
        target = target.with_releases(dict(plan_upgrade(settings, catalog, tenant, name).target.releases))
    return plan_tenant(settings, catalog, tenant, drop_retired, target=target)


def page_text(page: Any) -> str:
    """A page's text as a reader sees it: tags gone, entities read, runs of spaces one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def control_errors(page: Any, control: str) -> list[str]:
    """The error messages a Studio page shows at one control (templates/formwork/studio/_errors.html)."""
    pattern = rf'<span class="help-block fw-field-error" data-control="{re.escape(control)}">(.*?)</span>'
    return [html.unescape(found) for found in re.findall(pattern, page.text)]


def publish_draft(client: Client, page_url: str, publish_url: str) -> Any:
    """Press Publish on the page at `page_url` showing a draft (its CSRF token and the draft's edits posted, as the
    page's form does); the answer."""
    page = client.get(page_url).text
    edits = re.search(r'name="edits" value="(\d+)"', page)
    assert edits, "the page shows no draft to publish"
    return client.post(publish_url, data={"csrf_token": csrf_token(page), "edits": edits.group(1), "comment": "test"})


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client: Client, slug: str, username: str = "admin", password: str = PASSWORD) -> Any:
    page = client.get(f"/t/{slug}/login/")
    return client.post(
        f"/t/{slug}/login/", data={"username": username, "password": password, "csrf_token": csrf_token(page.text)}
    )


def jwt(client: Client, slug: str, username: str = "admin", password: str = PASSWORD) -> dict[str, str]:
    response = client.post(
        f"/t/{slug}/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": False},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` while the block runs: how tests see that a page's queries do not grow."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
