"""What a tenant runs on: one release per installed pack plus its customizations, desired and applied.

Two states matter for every tenant:

- the *desired* state: the releases it installed (`Tenant.releases`) and the customizations stored now;
- the *applied* state: what its storage was last migrated to (`Tenant.applied_json`).

A tenant is always served from its applied state, so a change that was refused
or has not been migrated yet never meets tables that do not fit it. Install,
upgrade and customize move both together: they plan the new state, apply it
all or nothing, and record it (tenancy/migrate.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from ..compile.generated import storage_hash
from ..config import Settings
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError, DefinitionsInvalid
from .customizations import (
    describe_conflict,
    list_customizations,
    merge_overlays,
    overlays_from_sources,
)
from .errors import TenantUnavailable
from .registry import Tenant, platform_session
from .releases import release_catalog, server_release, store_releases
from .seeds import SEEDS_LOADED  # noqa: F401 - the seed log is in every tenant's storage: its shape is in the hash

log = logging.getLogger(__name__)
_merged: OrderedDict[tuple[str, str, str], tuple[Catalog, list[DefinitionError]]] = OrderedDict()
_lock = threading.Lock()
CACHED_DEFINITIONS = 256

Overlay = tuple[str, str, str]  # (kind, target, source)


@dataclass(frozen=True)
class TenantState:
    """The releases ((pack, digest), in install order) and customizations ((kind, target, source), sorted) of a tenant."""

    releases: tuple[tuple[str, str], ...]
    overlays: tuple[Overlay, ...] = ()

    @property
    def key(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps(
            {"releases": [list(r) for r in self.releases], "overlays": [list(o) for o in self.overlays]},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> TenantState:
        data = json.loads(text)
        return cls(
            tuple((str(n), str(d)) for n, d in data["releases"]),
            tuple(sorted((str(k), str(t), str(s)) for k, t, s in data["overlays"])),
        )

    def with_releases(self, releases: dict[str, str]) -> TenantState:
        """This state with other releases of some packs, and packs added after the others."""
        current = dict(self.releases)
        ordered = [(name, releases.get(name, digest)) for name, digest in self.releases]
        ordered += [(name, digest) for name, digest in releases.items() if name not in current]
        return replace(self, releases=tuple(ordered))

    def with_overlays(self, overlays: dict[tuple[str, str], str]) -> TenantState:
        return replace(
            self, overlays=tuple(sorted((kind, target, source) for (kind, target), source in overlays.items()))
        )

    @property
    def overlay_sources(self) -> dict[tuple[str, str], str]:
        return {(kind, target): source for kind, target, source in self.overlays}


def desired_state(settings: Settings, catalog: Catalog, tenant: Tenant) -> TenantState:
    """The tenant's installed releases and its customizations as stored now."""
    releases = installed_releases(settings, catalog, tenant)
    rows = list_customizations(settings, tenant.slug)
    return TenantState(tuple(releases.items())).with_overlays({(r.kind, r.target): r.source for r in rows})


def applied_state(tenant: Tenant) -> TenantState | None:
    """What the tenant's storage was last migrated to; None for a tenant from before this was recorded."""
    return TenantState.from_json(tenant.applied_json) if tenant.applied_json else None


def serving_state(settings: Settings, catalog: Catalog, tenant: Tenant) -> TenantState:
    """What a tenant is served from: its applied state (the desired one until an applied state is recorded)."""
    return applied_state(tenant) or desired_state(settings, catalog, tenant)


def installed_releases(settings: Settings, catalog: Catalog, tenant: Tenant) -> dict[str, str]:
    """{pack: digest} of the tenant's packs, in install order.

    A pack installed before releases were kept gets this server's release, recorded once (the best that is known
    of it); a tenant whose pack is neither recorded nor on this server cannot be served.
    """
    recorded = tenant.releases
    missing = [name for name in tenant.packs if name not in recorded]
    if not missing:
        return {name: recorded[name] for name in tenant.packs}
    absent = [name for name in missing if name not in catalog.sources]
    if absent:
        log.error("tenant %s needs packs this server does not have: %s", tenant.slug, ", ".join(absent))
        raise TenantUnavailable(tenant.slug, f"packs missing on this server: {', '.join(absent)}")
    releases = [server_release(catalog, name) for name in missing]
    with platform_session(settings.database_url) as session:
        store_releases(session, releases)
        stored = session.get_one(Tenant, tenant.id)
        stored.releases = {**stored.releases, **{r.name: r.digest for r in releases}}
        session.commit()
        tenant.releases_json = stored.releases_json
    log.info("tenant %s: recorded the release of %s it runs on", tenant.slug, ", ".join(r.describe() for r in releases))
    return {name: tenant.releases[name] for name in tenant.packs}


def effective_definitions(settings: Settings, slug: str, state: TenantState) -> tuple[Catalog, list[DefinitionError]]:
    """The state's releases with its customizations merged; the errors of customizations left out.

    Built once per process for a state (customizations name the tenant in their errors, so per tenant too).
    """
    key = (settings.database_url, slug if state.overlays else "", state.key)
    with _lock:
        if key in _merged:
            _merged.move_to_end(key)
            return _merged[key]
    try:
        base = release_catalog(settings.database_url, state.releases)
    except (DefinitionsInvalid, LookupError) as exc:
        reason = str(exc.errors[0]) if isinstance(exc, DefinitionsInvalid) else str(exc)
        raise TenantUnavailable(slug, f"its installed definitions do not load with this Formwork: {reason}") from None
    found: tuple[Catalog, list[DefinitionError]] = (base, [])
    if state.overlays:
        overlays, unreadable = overlays_from_sources(slug, state.overlay_sources)
        merged, left_out = merge_overlays(base, overlays)
        found = (merged, sorted(unreadable + left_out))
    for error in found[1]:
        log.warning("tenant %s: customization left out: %s", slug, error)
    with _lock:
        _merged[key] = found
        while len(_merged) > CACHED_DEFINITIONS:
            _merged.popitem(last=False)
    return found


def conflicts_of(settings: Settings, slug: str, state: TenantState) -> list[str]:
    """The customizations of `state` that do not fit its releases, in words (they are left out when serving)."""
    return [describe_conflict(error) for error in effective_definitions(settings, slug, state)[1]]


def definitions_hash(settings: Settings, slug: str, state: TenantState) -> str:
    """The storage hash of a state: what a tenant's `definitions_hash` says once its storage has that state."""
    return storage_hash(effective_definitions(settings, slug, state)[0].content_hash())


def record_applied(tenant: Tenant, state: TenantState, hash_: str) -> None:
    """Note on the tenant's row (saved by the caller's platform transaction) that its storage now has `state`."""
    tenant.applied_json = state.to_json()
    tenant.definitions_hash = hash_
