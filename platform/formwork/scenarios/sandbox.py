"""A throw-away platform for scenario runs: an instance folder in the system's temporary directory, a platform
database there (SQLite) or of its own on a PostgreSQL server (postgres.py), and a tenant per scenario, created as
`formwork tenant create` would and dropped when the scenario is done. Tenants with the same packs are copies of
the first one's template (tenancy/templates.py), so only the first of them pays for building. Nothing is left once
the sandbox is closed."""

from __future__ import annotations

import itertools
import secrets
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from werkzeug.test import Client

from .. import create_app
from ..config import Settings
from ..tenancy.provision import create_tenant
from ..tenancy.registry import Tenant, platform_engine
from ..tenancy.storage import drop_storage
from ..tenancy.templates import TenantTemplates
from .api import TenantApi
from .model import ADMIN
from .postgres import fresh_database

if TYPE_CHECKING:
    from ..meta.catalog import Catalog
    from ..tenancy.runtime import TenantRuntime

#: a scenario's tenant app is used by one scenario at a time: few are kept built
KEPT_APPS = 2


@dataclass(frozen=True)
class SandboxTenant:
    """A scenario's tenant: its registry row and its REST API (which keeps the passwords its users sign in with)."""

    record: Tenant
    api: TenantApi
    sandbox: Sandbox

    def runtime(self) -> TenantRuntime:
        """The tenant's runtime in the sandbox's server (what the worker's jobs run on)."""
        apps = self.sandbox.dispatcher.tenant_apps
        current = apps.tenant(self.record.slug)  # the registry row as it is now (its generation moves)
        assert current is not None  # the scenario's tenant is dropped only after its last step
        runtime: TenantRuntime = apps.get(current).extensions["formwork"]
        return runtime


class Sandbox:
    """The platform scenarios run on; a context manager (or `close()`) removes all of it."""

    def __init__(self, catalog: Catalog, postgres: str | None = None) -> None:
        self.catalog = catalog
        self._cleanup = ExitStack()
        try:
            instance = Path(self._cleanup.enter_context(_temporary_folder()))
            url = (
                self._cleanup.enter_context(fresh_database(postgres))
                if postgres
                else f"sqlite:///{instance / 'platform.sqlite'}"
            )
            self.settings = Settings(instance, url, secrets.token_hex(32), max_tenant_apps=KEPT_APPS)
            self._cleanup.callback(lambda: platform_engine(url).dispose())  # before its database goes
            self.dispatcher = create_app(self.settings, catalog)
        except BaseException:
            self._cleanup.close()
            raise
        self.templates = TenantTemplates(instance / "templates")
        self._numbers = itertools.count(1)

    def tenant(self, packs: list[str]) -> SandboxTenant:
        """A new tenant with `packs` (and what they require); its admin is `admin`."""
        password = secrets.token_urlsafe(16)
        slug = f"scenario-{next(self._numbers)}"
        record = create_tenant(
            self.settings, self.catalog, slug, slug, packs, ADMIN, password, templates=self.templates
        )
        return SandboxTenant(record, TenantApi(Client(self.dispatcher), slug, {ADMIN: password}), self)

    def drop(self, tenant: SandboxTenant) -> None:
        """Remove a tenant's storage once its scenario is done (the sandbox's registry goes with the sandbox)."""
        drop_storage(self.settings, tenant.record)

    def close(self) -> None:
        self._cleanup.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="formwork-scenarios-", ignore_cleanup_errors=True)
