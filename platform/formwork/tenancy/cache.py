"""The bounded cache of built tenant apps, in step with every other process.

Before each request the dispatcher reads the tenant's generation, one small
query on the platform database (`registry.generation_of`). Every change of the
tenant's row raises it (a migration, an upgrade, a customization, a status or
locale change, in any process on any machine), so a process notices a change
before its next request and rebuilds the app from the tenant's applied state.
Requests already running finish on the app they started with. The least
recently used apps are dropped past `capacity`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask

from ..config import Settings
from ..meta.catalog import Catalog
from .apps import build_tenant_app
from .migrate import bring_up_to_date
from .permissions import sync_permissions
from .registry import SLUG_PATTERN, Tenant, find_tenant, generation_of

Build = Callable[..., Flask]


class TenantApps:
    def __init__(self, settings: Settings, catalog: Catalog, build: Build = build_tenant_app) -> None:
        self.settings = settings
        #: this server's packs: only for tenants from before releases were recorded (tenancy/state.py)
        self.catalog = catalog
        self.capacity = settings.max_tenant_apps
        self._build = build
        self._apps: OrderedDict[str, tuple[int, Flask]] = OrderedDict()
        self._tenants: dict[str, Tenant] = {}
        self._lock = threading.RLock()
        self._building: dict[str, threading.Lock] = {}

    def tenant(self, slug: str) -> Tenant | None:
        """The registry row as it is now: its generation is read every time, the row only when that changed."""
        if not SLUG_PATTERN.match(slug):
            return None
        generation = generation_of(self.settings.database_url, slug)
        if generation is None:  # unknown slugs are not remembered: a scan of random slugs cannot grow memory
            self._tenants.pop(slug, None)
            return None
        cached = self._tenants.get(slug)
        if cached is not None and cached.generation == generation:
            return cached
        tenant = find_tenant(self.settings.database_url, slug)
        if tenant is not None:
            self._tenants[slug] = tenant
        return tenant

    def get(self, tenant: Tenant) -> Flask:
        """The tenant's app for the generation of `tenant`, built from what its storage has."""
        with self._lock:
            cached = self._apps.get(tenant.slug)
            if cached and cached[0] == tenant.generation:
                self._apps.move_to_end(tenant.slug)
                return cached[1]
            build_lock = self._building.setdefault(tenant.slug, threading.Lock())
        with build_lock:  # one build per tenant at a time; other tenants are not held up
            with self._lock:
                cached = self._apps.get(tenant.slug)
                if cached and cached[0] == tenant.generation:
                    return cached[1]
            state, tenant = bring_up_to_date(self.settings, self.catalog, tenant)
            app = self._build(self.settings, tenant, self.catalog, state=state)
            sync_permissions(app)
            with self._lock:
                self._apps[tenant.slug] = (tenant.generation, app)
                self._apps.move_to_end(tenant.slug)
                while len(self._apps) > self.capacity:
                    self._apps.popitem(last=False)
            return app

    def __len__(self) -> int:
        return len(self._apps)

    def __contains__(self, slug: str) -> bool:
        return slug in self._apps
