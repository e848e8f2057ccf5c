"""Where a tenant's records live, and the engine that reaches them.

Three kinds of storage, named in the registry as (storage_kind, storage_location):

- ``sqlite``: a database file per tenant under the instance folder, an engine per file.
- ``postgres_schema``: a schema per tenant in the platform database. Every such tenant
  shares the platform database's one engine and pool. A tenant's engine is that engine
  with the execution option ``formwork_schema``; each transaction begun through it starts
  with ``SET LOCAL search_path``, so the schema lasts exactly one transaction and a pooled
  connection never carries one tenant's schema into another tenant's request. A connection
  without the option has the server's default search_path and sees no tenant at all.
- ``postgres_database``: a database of its own on the platform's server, an engine per
  database (a PostgreSQL connection belongs to one database, so that is still a pool per
  database).

With ``FORMWORK_TENANT_DB_ROLES`` a schema tenant also has a database role of its own that
owns its schema and nothing else; each tenant transaction runs as that role (``SET LOCAL
ROLE``), so a statement that names another tenant's schema or a control-plane table is
refused by PostgreSQL itself, whatever the application got wrong.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from ..config import Settings
from .registry import Tenant, platform_engine

STORAGE_KINDS = ("sqlite", "postgres_schema", "postgres_database")
SCHEMA_OPTION = "formwork_schema"
ROLE_OPTION = "formwork_role"
#: PostgreSQL's limit on identifier length (NAMEDATALEN - 1): longer names are silently cut.
MAX_IDENTIFIER_BYTES = 63

_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def new_location(settings: Settings, slug: str, storage: str | None = None) -> tuple[str, str]:
    """(storage_kind, storage_location) for a tenant being created; `storage` None is the platform's default.

    Raises ValueError when the wanted storage cannot be had on this platform.
    """
    kind = storage or ("postgres_schema" if settings.is_postgres else "sqlite")
    if kind not in STORAGE_KINDS:
        raise ValueError(f"unknown storage '{kind}'; choose one of: {', '.join(STORAGE_KINDS)}")
    if kind == "sqlite":
        return kind, str(Path("tenants") / f"{slug}.sqlite")
    if not settings.is_postgres:
        raise ValueError(
            f"storage '{kind}' needs a PostgreSQL platform database (FORMWORK_DATABASE_URL); "
            "this platform runs on SQLite"
        )
    name = slug.replace("-", "_")
    if kind == "postgres_schema":
        location = f"tenant_{name}"
        role = _role_name(settings, location)
        if settings.tenant_db_roles and _role_exists(settings, role):
            raise ValueError(f"a database role named '{role}' already exists on the server; it is left alone")
        return kind, location
    # Database names are shared by the whole server: the platform database's name keeps two platforms apart.
    database = f"{sa.engine.make_url(settings.database_url).database}_{name}"
    if len(database.encode()) > MAX_IDENTIFIER_BYTES:
        raise ValueError(
            f"the database name '{database}' is longer than PostgreSQL's {MAX_IDENTIFIER_BYTES} bytes; "
            "choose a shorter tenant slug"
        )
    if _database_exists(settings, database):
        raise ValueError(f"a database named '{database}' already exists on the server; it is left alone")
    return kind, database


def tenant_engine(settings: Settings, tenant: Tenant) -> sa.Engine:
    """The engine of a tenant's storage, the only way Formwork reaches a tenant's tables; one per process."""
    key = _engine_key(settings, tenant)
    with _lock:
        if key not in _engines:
            _engines[key] = _create_engine(settings, tenant)
        return _engines[key]


def tenant_role(settings: Settings, tenant: Tenant) -> str | None:
    """The database role a tenant's transactions run as; None when they run as the platform's own user."""
    if not (settings.tenant_db_roles and tenant.storage_kind == "postgres_schema"):
        return None
    return _role_name(settings, tenant.storage_location)


def _role_name(settings: Settings, schema: str) -> str:
    """`<platform database>_<schema>`: roles are shared by the whole server, so the database name keeps platforms apart.

    A name longer than PostgreSQL's limit is shortened with a hash of the whole, never cut into another's name.
    """
    name = f"{sa.engine.make_url(settings.database_url).database}_{schema}"
    if len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    head = name.encode()[: MAX_IDENTIFIER_BYTES - len(digest) - 1].decode(errors="ignore")
    return f"{head}_{digest}"


def database_url(settings: Settings, database: str) -> str:
    """The platform's URL (same server, user and password) pointing at another database."""
    url = sa.engine.make_url(settings.database_url).set(database=database)
    return url.render_as_string(hide_password=False)


def _engine_key(settings: Settings, tenant: Tenant) -> str:
    if tenant.storage_kind == "sqlite":
        return f"sqlite:{settings.instance / tenant.storage_location}"
    if tenant.storage_kind == "postgres_database":
        return f"database:{database_url(settings, tenant.storage_location)}"
    if tenant.storage_kind == "postgres_schema":
        return f"schema:{settings.database_url}:{tenant.storage_location}:{tenant_role(settings, tenant) or ''}"
    raise ValueError(f"tenant '{tenant.slug}' has unknown storage '{tenant.storage_kind}'")


def _create_engine(settings: Settings, tenant: Tenant) -> sa.Engine:
    if tenant.storage_kind == "sqlite":
        path = settings.instance / tenant.storage_location
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if tenant.storage_kind == "postgres_database":
        return sa.create_engine(database_url(settings, tenant.storage_location), pool_pre_ping=True)
    role = tenant_role(settings, tenant)
    if role is not None:  # a tenant from before roles were turned on gets its role on first use
        with platform_engine(settings.database_url).begin() as conn:
            _hand_schema_to_role(conn, tenant.storage_location, role)
    return _schema_engine(settings.database_url, tenant.storage_location, role)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _schema_engine(url: str, schema: str, role: str | None) -> sa.Engine:
    """The platform engine, as seen by one schema tenant: the same pool, its schema (and role) set in every transaction."""
    shared = platform_engine(url)
    if not event.contains(shared, "begin", _set_tenant_schema):
        event.listen(shared, "begin", _set_tenant_schema)
    return shared.execution_options(**{SCHEMA_OPTION: schema, ROLE_OPTION: role})


def _set_tenant_schema(connection: sa.Connection) -> None:
    """At every transaction's start (explicit or autobegun): the tenant's schema and role, for this transaction only.

    set_config(..., true) is SET LOCAL with the value as a bound parameter (for `role` the
    value is the role's name itself, not an identifier to quote). It runs on the DBAPI cursor
    because the SQLAlchemy transaction is still being begun; psycopg opens the database
    transaction with this statement. The transaction's end resets both, so a pooled
    connection is back to the platform's user and search_path before anyone else gets it.
    """
    options = connection.get_execution_options()
    schema = options.get(SCHEMA_OPTION)
    if schema is None:
        return
    search_path = connection.dialect.identifier_preparer.quote_identifier(schema)
    role = options.get(ROLE_OPTION)
    cursor = connection.connection.cursor()
    try:
        if role is None:
            cursor.execute("SELECT set_config('search_path', %s, true)", (search_path,))
        else:
            cursor.execute(
                "SELECT set_config('search_path', %s, true), set_config('role', %s, true)", (search_path, role)
            )
    finally:
        cursor.close()


def _hand_schema_to_role(conn: sa.Connection, schema: str, role: str) -> None:
    """Make `role` (created if missing) own `schema` and everything in it, and let the platform's user act as it.

    The role gets nothing else: not the platform's tables, not another tenant's schema. A role
    that exists but does not own the schema is someone else's and is refused, never taken over.
    Idempotent: a tenant made before roles were turned on gets its role the same way.
    """
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(role))))  # two processes, one role
    owner = conn.scalar(
        sa.text("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
    )
    quoted_role, quoted_schema = (conn.dialect.identifier_preparer.quote_identifier(name) for name in (role, schema))
    if not conn.scalar(sa.text("SELECT count(*) FROM pg_roles WHERE rolname = :role"), {"role": role}):
        conn.exec_driver_sql(f"CREATE ROLE {quoted_role} NOLOGIN")
        conn.exec_driver_sql(f"GRANT {quoted_role} TO CURRENT_USER")
    elif owner != role:
        raise ValueError(
            f"a database role named '{role}' already exists on the server and does not own "
            f"schema '{schema}'; it is left alone"
        )
    if owner != role:
        # A schema's new owner needs CREATE on the database at that moment (unless we are superuser); only then.
        database = conn.dialect.identifier_preparer.quote_identifier(conn.scalar(sa.text("SELECT current_database()")))
        conn.exec_driver_sql(f"GRANT CREATE ON DATABASE {database} TO {quoted_role}")
        conn.exec_driver_sql(f"ALTER SCHEMA {quoted_schema} OWNER TO {quoted_role}")
        conn.exec_driver_sql(f"REVOKE CREATE ON DATABASE {database} FROM {quoted_role}")
    _give_relations_to_role(conn, schema, role)


def _give_relations_to_role(conn: sa.Connection, schema: str, role: str) -> None:
    """The role must own the tables to alter them when definitions change; ones made while roles were off (or copied
    from a template, tenancy/templates.py) are given."""
    quoted_role, quoted_schema = (conn.dialect.identifier_preparer.quote_identifier(name) for name in (role, schema))
    # Tables first: their owned sequences and indexes follow them; then the sequences that stand alone (FAB's).
    for kinds, statement in (("'r', 'p', 'v', 'm', 'f'", "ALTER TABLE"), ("'S'", "ALTER SEQUENCE")):
        names = conn.scalars(
            sa.text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                f"WHERE n.nspname = :schema AND c.relkind IN ({kinds}) AND pg_get_userbyid(c.relowner) <> :role"
            ),
            {"schema": schema, "role": role},
        ).all()
        for name in names:
            table = conn.dialect.identifier_preparer.quote_identifier(name)
            conn.exec_driver_sql(f"{statement} {quoted_schema}.{table} OWNER TO {quoted_role}")
    # Functions too (a trigger's): regprocedure prints each one's signature, schema-qualified and quoted.
    for signature in conn.scalars(
        sa.text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = :schema AND pg_get_userbyid(p.proowner) <> :role"
        ),
        {"schema": schema, "role": role},
    ).all():
        conn.exec_driver_sql(f"ALTER FUNCTION {signature} OWNER TO {quoted_role}")


def _role_exists(settings: Settings, role: str) -> bool:
    with platform_engine(settings.database_url).connect() as conn:
        return conn.scalar(sa.text("SELECT count(*) FROM pg_roles WHERE rolname = :role"), {"role": role}) > 0


def _database_exists(settings: Settings, database: str) -> bool:
    with platform_engine(settings.database_url).connect() as conn:
        query = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
        return conn.execute(query, {"name": database}).first() is not None


def _quoted(settings: Settings, identifier: str) -> str:
    return platform_engine(settings.database_url).dialect.identifier_preparer.quote_identifier(identifier)


def create_storage(settings: Settings, tenant: Tenant) -> None:
    """Make the tenant's empty storage (the SQLite file appears on first connect)."""
    if tenant.storage_kind == "postgres_schema":
        role = tenant_role(settings, tenant)
        with platform_engine(settings.database_url).begin() as conn:
            conn.execute(sa.schema.CreateSchema(tenant.storage_location, if_not_exists=True))
            if role is not None:
                _hand_schema_to_role(conn, tenant.storage_location, role)
    elif tenant.storage_kind == "postgres_database":
        with platform_engine(settings.database_url).connect() as conn:
            # CREATE DATABASE cannot run inside a transaction.
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f"CREATE DATABASE {_quoted(settings, tenant.storage_location)}")


def drop_storage(settings: Settings, tenant: Tenant) -> None:
    """Remove a tenant's data entirely (deleting a tenant, or creating one failed half-way).

    A schema tenant's role goes with its schema, whether roles are on now or were when it was made.
    """
    key = _engine_key(settings, tenant)
    with _lock:
        engine = _engines.pop(key, None)
        for stale in [
            k for k in _engines if k.startswith(f"schema:{settings.database_url}:{tenant.storage_location}:")
        ]:
            _engines.pop(stale)
    if engine is not None and tenant.storage_kind != "postgres_schema":  # a schema tenant's pool is the platform's
        engine.dispose()
    if tenant.storage_kind == "sqlite":
        base = settings.instance / tenant.storage_location
        for suffix in ("", "-wal", "-shm"):
            Path(f"{base}{suffix}").unlink(missing_ok=True)
    elif tenant.storage_kind == "postgres_schema":
        with platform_engine(settings.database_url).begin() as conn:
            _drop_schema_and_role(conn, tenant.storage_location, _role_name(settings, tenant.storage_location))
    elif tenant.storage_kind == "postgres_database":
        with platform_engine(settings.database_url).connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(settings, tenant.storage_location)} WITH (FORCE)")


def _drop_schema_and_role(conn: sa.Connection, schema: str, role: str) -> None:
    """The schema, and its role if the role owns it (a same-named role that does not is someone else's)."""
    owner = conn.scalar(
        sa.text("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
    )
    conn.execute(sa.schema.DropSchema(schema, cascade=True, if_exists=True))
    if owner == role:
        quoted_role = conn.dialect.identifier_preparer.quote_identifier(role)
        conn.exec_driver_sql(f"DROP OWNED BY {quoted_role}")  # what is left: privileges granted to it
        conn.exec_driver_sql(f"DROP ROLE {quoted_role}")


def dispose_engines() -> None:
    """Close the pools of tenant files and tenant databases (tests, and a process that is shutting down).

    Schema tenants use the platform engine, whose pool the registry owns.
    """
    with _lock:
        for key, engine in _engines.items():
            if not key.startswith("schema:"):
                engine.dispose()
        _engines.clear()
