"""Tenant templates: a new tenant copied from a pristine one with the same packs instead of built step by step.

Building a tenant (its app, tables, FAB's roles and permissions, seeds) takes a second or more, and every tenant
created with the same packs, locale and currency ends up with the same storage but for its admin user. So the first
tenant created with a given `template_key` is built; its storage is kept as a template right after, before anyone
used it; later ones get a copy, then what is their own: the admin user's name, e-mail and password (here), the
registry row and the recorded schema change (create_tenant, as for a built tenant), a schema tenant's database role
(tenant_engine, on first use).

- ``sqlite``: the template is a copy of the tenant's file (SQLite's backup API: consistent while in WAL mode).
- ``postgres_schema``: PostgreSQL cannot copy a schema in SQL, nor anything from one database into another, so the
  template is a ``pg_dump`` script of the tenant's schema (no owners, no grants), renamed to `TEMPLATE_SCHEMA` once
  in a scratch database. A copy runs the script with ``psql`` in one transaction and renames the schema to the
  tenant's; PostgreSQL refers to sequences, keys and indexes by oid, so the rename is exact.

Other storage (``postgres_database``), or no ``pg_dump``/``psql`` on the PATH: no template, tenants are built.
A template belongs to one Formwork version and the exact pack releases (their digests) in its key.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from werkzeug.security import generate_password_hash

from ..config import Settings
from .first_admin import FirstAdmin
from .registry import Tenant, platform_engine
from .storage import tenant_engine

#: the schema name a PostgreSQL template's script creates (a tenant's schema is always `tenant_…`)
TEMPLATE_SCHEMA = "formwork_template"
#: FAB's defaults for a password hash (FAB_PASSWORD_HASH_METHOD, FAB_PASSWORD_HASH_SALT_LENGTH; tenants set neither)
PASSWORD_HASH_METHOD, PASSWORD_SALT_LENGTH = "scrypt", 16


@dataclass(frozen=True)
class Template:
    """A kept tenant storage and what create_tenant records about it."""

    storage: Path
    definitions_hash: str
    #: the schema changes the template's tenant was built with, recorded as a copy's first schema change
    plan: list[str]


class TenantTemplates:
    """The templates kept in one folder (`<instance>/templates`, or a test session's); safe to share between
    processes: a template appears whole (written aside, then renamed) or not at all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find(self, settings: Settings, tenant: Tenant) -> Template | None:
        """The template a tenant about to be created can be copied from; None when it must be built."""
        if not _can_copy(settings, tenant):
            return None
        meta = self.folder / f"{template_key(tenant)}.json"
        if not meta.exists():
            return None
        recorded = json.loads(meta.read_text())
        return Template(self.folder / recorded["storage"], recorded["definitions_hash"], recorded["plan"])

    def keep(self, settings: Settings, tenant: Tenant, plan: list[str]) -> None:
        """Keep the storage of `tenant`, built a moment ago and not used yet, as the template of its key."""
        if not _can_copy(settings, tenant):
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        key = template_key(tenant)
        suffix = ".sqlite" if tenant.storage_kind == "sqlite" else ".sql"
        aside = self.folder / f"{key}.{uuid.uuid4().hex}.partial"
        if tenant.storage_kind == "sqlite":
            _backup_sqlite(settings.instance / tenant.storage_location, aside)
        else:
            aside.write_text(_schema_script(settings, tenant.storage_location))
        os.replace(aside, self.folder / f"{key}{suffix}")
        meta = {"storage": f"{key}{suffix}", "definitions_hash": tenant.definitions_hash, "plan": plan}
        aside.write_text(json.dumps(meta))
        os.replace(aside, self.folder / f"{key}.json")


def template_key(tenant: Tenant) -> str:
    """What makes two new tenants' storage the same: the Formwork version, the storage kind, the exact pack
    releases, and the locale, currency and time zone seeds are loaded in."""
    wanted = {
        "formwork": importlib.metadata.version("formwork"),
        "storage": tenant.storage_kind,
        "releases": sorted(tenant.releases.items()),
        "locale": tenant.locale,
        "currency": tenant.currency,
        "timezone": tenant.timezone,
    }
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()[:24]


def copy_template(settings: Settings, tenant: Tenant, template: Template, admin: FirstAdmin) -> None:
    """Make the storage of `tenant` (its registry row stored, its storage not made yet) a copy of `template`, with
    `admin` as its admin, as create_tenant's add_admin would have made it."""
    if tenant.storage_kind == "sqlite":
        target = settings.instance / tenant.storage_location
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template.storage, target)
    else:
        rename = f'ALTER SCHEMA {TEMPLATE_SCHEMA} RENAME TO "{tenant.storage_location}";\n'
        # Two copies into one database at once would both create TEMPLATE_SCHEMA: they wait for each other.
        lock = f"SELECT pg_advisory_xact_lock(hashtext('{TEMPLATE_SCHEMA}'));\n"
        _psql(settings.database_url, lock + template.storage.read_text() + rename)
    _rename_admin(tenant_engine(settings, tenant), admin)


def _rename_admin(engine: sa.Engine, admin: FirstAdmin) -> None:
    """The template's one user, its admin, becomes `admin` (as add_admin names it) with its own password hash."""
    users = User.__table__
    now = datetime.now()  # FAB's own created_on and changed_on are local time
    with engine.begin() as connection:
        changed = connection.execute(
            users.update().values(
                username=admin.username,
                first_name=admin.first_name,
                last_name=admin.last_name,
                email=admin.email_address,
                password=generate_password_hash(
                    admin.password, method=PASSWORD_HASH_METHOD, salt_length=PASSWORD_SALT_LENGTH
                ),
                created_on=now,
                changed_on=now,
            )
        )
        if changed.rowcount != 1:
            raise RuntimeError(f"a tenant template must hold exactly one user, its admin; it holds {changed.rowcount}")


def _can_copy(settings: Settings, tenant: Tenant) -> bool:
    if tenant.storage_kind == "sqlite":
        return True
    return tenant.storage_kind == "postgres_schema" and all(shutil.which(tool) for tool in ("pg_dump", "psql"))


def _backup_sqlite(source: Path, target: Path) -> None:
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        reading.close()
        writing.close()


def _schema_script(settings: Settings, schema: str) -> str:
    """A pg_dump script of `schema` that creates it as TEMPLATE_SCHEMA: dumped, restored in a scratch database,
    renamed there and dumped again (pg_dump cannot rename, and the name must not be rewritten in the text)."""
    dump = _pg_dump(settings.database_url, schema)
    scratch = f"formwork_template_{uuid.uuid4().hex[:16]}"
    admin = platform_engine(settings.database_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
    scratch_url = sa.engine.make_url(settings.database_url).set(database=scratch).render_as_string(hide_password=False)
    try:
        _psql(scratch_url, dump + f'ALTER SCHEMA "{schema}" RENAME TO {TEMPLATE_SCHEMA};\n')
        return _pg_dump(scratch_url, TEMPLATE_SCHEMA)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def _pg_dump(url: str, schema: str) -> str:
    return _run(["pg_dump", "--schema", schema, "--no-owner", "--no-privileges"], url)


def _psql(url: str, script: str) -> None:
    _run(["psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1"], url, script)


def _run(command: list[str], url: str, stdin: str | None = None) -> str:
    """Run a PostgreSQL client on the database of `url`; its password goes in the environment, not the arguments."""
    parsed = sa.engine.make_url(url)
    environment = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    target = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run([*command, "--dbname", target], input=stdin, capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()}")
    return done.stdout
