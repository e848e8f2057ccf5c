"""The bounded cache of built tenant apps.

An app is keyed by tenant slug and remembered with the definitions hash it
was built from; when the tenant's effective definitions hash changes the app
is rebuilt. The least recently used apps are dropped past `capacity`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask

from ..compile.generated import storage_hash
from ..config import Settings
from ..meta.catalog import Catalog
from .apps import build_tenant_app
from .customizations import effective_definitions
from .permissions import sync_permissions
from .provision import sync_schema
from .registry import SLUG_PATTERN, Tenant, find_tenant

TENANT_LOOKUP_TTL = 2.0
log = logging.getLogger(__name__)


class TenantUnavailable(Exception):
    """The tenant exists but cannot be served right now (its packs are missing); its data is untouched."""

    def __init__(self, slug: str, reason: str) -> None:
        self.slug, self.reason = slug, reason
        super().__init__(f"tenant {slug} is unavailable: {reason}")


def require_packs(catalog: Catalog, tenant: Tenant) -> None:
    """A tenant is never served or migrated without all its packs: its data would look abandoned."""
    missing = sorted(set(tenant.packs) - set(catalog.packs))
    if missing:
        log.error("tenant %s needs packs this server does not have: %s", tenant.slug, ", ".join(missing))
        raise TenantUnavailable(tenant.slug, f"packs missing on this server: {', '.join(missing)}")


class TenantApps:
    def __init__(self, settings: Settings, catalog: Catalog,
                 build: Callable[[Settings, Tenant, Catalog], Flask] = build_tenant_app) -> None:
        self.settings = settings
        self.catalog = catalog
        self.capacity = settings.max_tenant_apps
        self._build = build
        self._apps: OrderedDict[str, tuple[str, Flask]] = OrderedDict()
        self._tenants: dict[str, tuple[float, Tenant | None]] = {}
        self._lock = threading.RLock()
        self._building: dict[str, threading.Lock] = {}
        self._hashes: dict[tuple[str, ...], str] = {}

    def tenant(self, slug: str) -> Tenant | None:
        """The registry row, looked up at most every couple of seconds per tenant."""
        if not SLUG_PATTERN.match(slug):
            return None
        now = time.monotonic()
        cached = self._tenants.get(slug)
        if cached and now - cached[0] < TENANT_LOOKUP_TTL:
            return cached[1]
        tenant = find_tenant(self.settings.database_url, slug)
        if tenant is not None:  # unknown slugs are not remembered: a scan of random slugs cannot grow memory
            self._tenants[slug] = (now, tenant)
        return tenant

    def definitions_hash(self, tenant: Tenant) -> str:
        """The hash of a tenant's effective definitions (packs + customizations); computed once per
        set of packs and customizations, not per request: the registry row carries the customizations' hash."""
        key = (*tenant.packs, tenant.customizations_hash)
        if key not in self._hashes:
            self._hashes[key] = storage_hash(effective_definitions(self.settings, self.catalog, tenant)[0].content_hash())
        return self._hashes[key]

    def get(self, tenant: Tenant) -> Flask:
        require_packs(self.catalog, tenant)
        wanted = self.definitions_hash(tenant)
        with self._lock:
            cached = self._apps.get(tenant.slug)
            if cached and cached[0] == wanted:
                self._apps.move_to_end(tenant.slug)
                return cached[1]
            build_lock = self._building.setdefault(tenant.slug, threading.Lock())
        with build_lock:  # one build per tenant at a time; other tenants are not held up
            with self._lock:
                cached = self._apps.get(tenant.slug)
                if cached and cached[0] == wanted:
                    return cached[1]
            app = self._build(self.settings, tenant, self.catalog)
            sync_schema(self.settings, tenant, app.extensions["formwork"])
            sync_permissions(app)
            with self._lock:
                self._apps[tenant.slug] = (wanted, app)
                self._apps.move_to_end(tenant.slug)
                while len(self._apps) > self.capacity:
                    self._apps.popitem(last=False)
            return app

    def __len__(self) -> int:
        return len(self._apps)

    def __contains__(self, slug: str) -> bool:
        return slug in self._apps
