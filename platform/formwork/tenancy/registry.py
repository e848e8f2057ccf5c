"""The control plane: the registry of tenants, managed by Alembic (see migrations/)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)

from ..compile.models import utcnow

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
#: slugs that would be confusing or collide with platform paths and names
RESERVED_SLUGS = frozenset({"console", "admin", "api", "static", "platform", "login", "logout", "formwork", "www"})


class PlatformBase(DeclarativeBase):
    metadata = sa.MetaData()


class Tenant(PlatformBase):
    __tablename__ = "formwork_tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    packs_json: Mapped[str] = mapped_column(sa.Text, default="[]")
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    currency: Mapped[str] = mapped_column(sa.String(3), default="CNY", server_default="CNY")
    storage_kind: Mapped[str] = mapped_column(sa.String(20))
    storage_location: Mapped[str] = mapped_column(sa.String(500))
    definitions_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    #: the tenant's logo, a PNG or JPEG `data:` URI (tenancy/logos.py), shown on its print formats and its pages; None: no logo
    logo: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    #: the tenant's main colour, #rrggbb (tenancy/branding.py), on its top bar and buttons; None: the platform's
    brand_color: Mapped[str | None] = mapped_column(sa.String(7), nullable=True)
    #: {pack: digest of its release} for the installed packs (`PackRelease`), in install order
    releases_json: Mapped[str] = mapped_column(sa.Text, default="{}", server_default="{}")
    #: the releases and customizations the tenant's storage was last migrated to (`state.TenantState`); the tenant
    #: is served from exactly this. None until first recorded (tenants created before it was kept).
    applied_json: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    #: raised by every change of this row (see `_raise_generation`): serving processes compare it before each request
    generation: Mapped[int] = mapped_column(default=1, server_default="1")

    @property
    def releases(self) -> dict[str, str]:
        """{pack: release digest} of the installed packs; empty for packs installed before releases were kept."""
        return dict(json.loads(self.releases_json or "{}"))

    @releases.setter
    def releases(self, value: dict[str, str]) -> None:
        self.releases_json = json.dumps(dict(value))

    @property
    def packs(self) -> list[str]:
        """The installed packs, in the order they were installed (dependencies first)."""
        return list(self.pack_versions)

    @packs.setter
    def packs(self, value: list[str]) -> None:
        """Installed packs by name; versions already recorded are kept, new names have none yet."""
        recorded = self.pack_versions
        self.pack_versions = {name: recorded.get(name) for name in value}

    @property
    def pack_versions(self) -> dict[str, str | None]:
        """{pack: installed version}; None for packs recorded before versions were (a plain list of names)."""
        stored = json.loads(self.packs_json or "{}")
        return dict(stored) if isinstance(stored, dict) else dict.fromkeys(stored)

    @pack_versions.setter
    def pack_versions(self, value: dict[str, str | None]) -> None:
        self.packs_json = json.dumps(dict(value))

    def __str__(self) -> str:
        return self.slug


@sa.event.listens_for(Tenant, "before_update")
def _raise_generation(_mapper: object, _connection: object, tenant: Tenant) -> None:
    """Any change of a tenant's row (what it runs on, its status, locale…) is a new generation, raised in SQL so
    that concurrent changes never lose an increment; serving processes rebuild or re-read on a new one."""
    tenant.generation = Tenant.generation + 1


class PackRelease(PlatformBase):
    """The exact YAML of one release of a pack, as a tenant installed it; shared by every tenant on it.

    A tenant is served, planned and migrated from its installed releases, never from whatever the pack folder
    holds now, so deploying a new pack folder changes nothing until a tenant is upgraded. A release is named by
    the digest of its files: the same version with other contents is another release.
    """

    __tablename__ = "formwork_pack_release"
    __table_args__ = (sa.UniqueConstraint("name", "digest", name="uq_formwork_pack_release"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[str] = mapped_column(sa.String(40))
    digest: Mapped[str] = mapped_column(sa.String(64))
    #: {path inside the pack folder: the file's text}
    sources_json: Mapped[str] = mapped_column(sa.Text)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class Customization(PlatformBase):
    """A tenant's overlay document (EntityExtension, Form or ListView), kept apart from packs so upgrades keep it."""

    __tablename__ = "formwork_customization"
    __table_args__ = (sa.UniqueConstraint("tenant_slug", "kind", "target", name="uq_formwork_customization_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_slug: Mapped[str] = mapped_column(sa.String(40), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: what it customizes: `crm.account` (an extension) or `crm.account/default` (a form or list view)
    target: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: read-only, by slug (no foreign key: the rows are removed with the tenant by `delete_tenant`); the console lists
    #: a tenant's customizations on its page through it
    tenant: Mapped[Tenant] = relationship(
        primaryjoin="foreign(Customization.tenant_slug) == Tenant.slug", viewonly=True
    )


class CustomizationVersion(PlatformBase):
    """One state of a tenant's customization, kept for good: its text after an addition, change, revert or removal."""

    __tablename__ = "formwork_customization_version"
    __table_args__ = (
        sa.UniqueConstraint("tenant_slug", "kind", "target", "version", name="uq_formwork_customization_version"),
        sa.Index("ix_formwork_customization_version_revision", "tenant_slug", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_slug: Mapped[str] = mapped_column(sa.String(40), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    target: Mapped[str] = mapped_column(sa.String(200))
    #: 1, 2, … per customization (tenant, kind, target)
    version: Mapped[int] = mapped_column()
    #: 1, 2, … per tenant: the change of its customizations this version belongs to (a publish changes several)
    revision: Mapped[int] = mapped_column()
    #: why the change was made, as its author wrote it (the Studio asks when publishing)
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: added, changed, removed, or reverted to version N
    change: Mapped[str] = mapped_column(sa.String(40))
    #: the overlay's text after the change; None once it was removed
    source: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    #: who or what changed it: cli, manifest, or a user's name
    actor: Mapped[str] = mapped_column(sa.String(100))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the tenant's effective definitions hash after the change (None for versions recorded before history was kept)
    definitions_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)


class SchemaChange(PlatformBase):
    """One application of schema changes to a tenant: when, for which definitions, what was done."""

    __tablename__ = "formwork_schema_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_slug: Mapped[str] = mapped_column(sa.String(40), index=True)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    definitions_hash: Mapped[str] = mapped_column(sa.String(64))
    operations_json: Mapped[str] = mapped_column(sa.Text, default="[]")
    left_alone_json: Mapped[str] = mapped_column(sa.Text, default="[]")
    #: applied, refused (nothing was changed: see left_alone) or failed (nothing was changed: the error is in left_alone)
    outcome: Mapped[str] = mapped_column(sa.String(20), default="applied", server_default="applied")
    #: read-only, by slug, like `Customization.tenant`: the console lists a tenant's log on its page
    tenant: Mapped[Tenant] = relationship(primaryjoin="foreign(SchemaChange.tenant_slug) == Tenant.slug", viewonly=True)

    @classmethod
    def of(
        cls, slug: str, definitions_hash: str, operations: list[str], left_alone: list[str], outcome: str
    ) -> SchemaChange:
        return cls(
            tenant_slug=slug,
            definitions_hash=definitions_hash,
            operations_json=json.dumps(operations),
            left_alone_json=json.dumps(left_alone),
            outcome=outcome,
        )

    @property
    def operations(self) -> list[str]:
        return list(json.loads(self.operations_json))

    @property
    def left_alone(self) -> list[str]:
        return list(json.loads(self.left_alone_json))


class LoginFailure(PlatformBase):
    """Failed sign-ins of one user name of a tenant (or the console), or from one address: what throttles the next
    (tenancy/throttle.py). Kept in the platform database, so every serving process counts the same failures."""

    __tablename__ = "formwork_login_failure"
    __table_args__ = (sa.UniqueConstraint("kind", "realm", "name", name="uq_formwork_login_failure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: `user` (a user name as typed, lower case) or `address` (the client's address)
    kind: Mapped[str] = mapped_column(sa.String(10))
    #: for a user name, the tenant's slug or `console`; empty for an address, counted across the platform
    realm: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(200))
    failures: Mapped[int] = mapped_column()
    #: a row is forgotten once both are older than the window
    last_failed_at: Mapped[datetime] = mapped_column(index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(nullable=True)


class ConsoleAction(PlatformBase):
    """One thing an operator did in the console (created, suspended or resumed a tenant), kept for good: who did
    what to which tenant, when. The console lists them; nothing changes or removes a row."""

    __tablename__ = "formwork_console_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: the operator's user name in the console
    operator: Mapped[str] = mapped_column(sa.String(100))
    #: created, suspended, resumed
    action: Mapped[str] = mapped_column(sa.String(40))
    #: by slug, no foreign key: the log outlives a deleted tenant
    tenant_slug: Mapped[str] = mapped_column(sa.String(40), index=True)
    #: what else is worth knowing (the packs installed, the admin created)
    detail: Mapped[str] = mapped_column(sa.Text, default="", server_default="")


class PlatformMail(PlatformBase):
    """An e-mail of the platform itself, to someone of no tenant yet (a sign-up's address to verify): queued in the
    transaction that decides it and sent by the worker, as a tenant's outbox is (tenancy/platform_mail.py)."""

    __tablename__ = "formwork_platform_mail"
    __table_args__ = (sa.Index("ix_formwork_platform_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    #: pending, sending (inside a worker's claim), sent, failed
    status: Mapped[str] = mapped_column(sa.String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)


def schema_changes(url: str, slug: str) -> list[SchemaChange]:
    with platform_session(url) as session:
        return list(
            session.scalars(sa.select(SchemaChange).where(SchemaChange.tenant_slug == slug).order_by(SchemaChange.id))
        )


def migrations_folder() -> Path:
    return Path(__file__).resolve().parents[3] / "migrations"


def upgrade_platform_db(url: str) -> None:
    """Bring the control-plane database to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


@cache
def platform_engine(url: str) -> sa.Engine:
    """One engine per platform database; on SQLite a writer waits up to 30 s for another (the driver's default is 5)."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})
    sa.event.listen(engine, "connect", _write_ahead_log)
    return engine


def _write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    """Every request reads the tenant's generation: readers must not wait for a migration recording its outcome."""
    dbapi_connection.execute("PRAGMA journal_mode=WAL")


def platform_session(url: str) -> Session:
    return sessionmaker(bind=platform_engine(url), expire_on_commit=False)()


def find_tenant(url: str, slug: str) -> Tenant | None:
    with platform_session(url) as session:
        return session.scalar(sa.select(Tenant).where(Tenant.slug == slug))


def generation_of(url: str, slug: str) -> int | None:
    """The tenant's generation (None: no such tenant): the one query a serving process makes before each request."""
    with platform_engine(url).connect() as connection:
        return connection.scalar(sa.select(Tenant.generation).where(Tenant.slug == slug))


def list_tenants(url: str) -> list[Tenant]:
    with platform_session(url) as session:
        return list(session.scalars(sa.select(Tenant).order_by(Tenant.slug)))


def set_status(url: str, slug: str, status: str) -> bool:
    """Suspend or resume a tenant; False if there is no such tenant."""
    with platform_session(url) as session:
        tenant = session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            return False
        tenant.status = status
        session.commit()
        return True
