"""A Studio draft checked, planned and published through the customization machinery of the CLI.

A draft is a set of overlay documents for one entity: its EntityExtension and the Form overlays placing its fields
(studio/drafts.py, studio/placement.py). It is checked by `check_overlays` (the JSON Schema and the semantic checks
of `formwork validate`) against the tenant's installed releases and its other stored customizations; its plan is
`plan_tenant` to the stored customizations with the draft in place; publishing is `store_overlays`, which migrates
the tenant, stores the overlays with a history version each and moves the tenant's generation, so every serving
process rebuilds its app on its next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from flask import Flask, current_app

from ..config import Settings
from ..meta.catalog import Catalog
from ..tenancy.customizations import Overlay, check_overlays, origin, read_overlays, stored_sources
from ..tenancy.customize import store_overlays
from ..tenancy.migrate import plan_tenant
from ..tenancy.registry import Tenant, find_tenant
from ..tenancy.releases import release_catalog
from ..tenancy.state import desired_state

KIND = "EntityExtension"
EXTENSION = "formwork.studio"


@dataclass(frozen=True)
class StudioPlace:
    """Where the Studio of one tenant app publishes: the platform's settings and the tenant's slug."""

    settings: Settings
    slug: str


def remember_place(app: Flask, settings: Settings, tenant: Tenant) -> None:
    """APP_SETUP: a tenant app knows its own runtime, not the platform's settings the customizations need."""
    app.extensions[EXTENSION] = StudioPlace(settings, tenant.slug)


def _place() -> tuple[Settings, Tenant]:
    place: StudioPlace = current_app.extensions[EXTENSION]
    tenant = find_tenant(place.settings.database_url, place.slug)
    assert tenant is not None  # the app of a removed tenant is not served
    return place.settings, tenant


def _releases(settings: Settings, tenant: Tenant) -> Catalog:
    """The tenant's installed releases. A served tenant has every release recorded, so the pack catalog the
    customization functions fall back on for unrecorded ones is never read: these releases stand for it."""
    return release_catalog(settings.database_url, tuple((name, tenant.releases[name]) for name in tenant.packs))


def stored_extension(entity: str) -> dict[str, Any]:
    """The entity's published extension as data (an empty one when it has none)."""
    settings, tenant = _place()
    source = stored_sources(settings, tenant.slug).get((KIND, entity))
    return yaml.safe_load(source) if source else {"kind": KIND, "entity": entity, "fields": []}


def draft_text(documents: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True)


def _overlays(source: str, entity: str) -> list[Overlay]:
    _, tenant = _place()
    return read_overlays(source, origin(tenant.slug, KIND, entity))


def checked_overlays(documents: list[dict[str, Any]], entity: str) -> list[Overlay]:
    """The draft's overlays, checked as `formwork validate` checks them (DefinitionsInvalid otherwise)."""
    settings, tenant = _place()
    overlays = _overlays(draft_text(documents), entity)
    check_overlays(_releases(settings, tenant), tenant.slug, stored_sources(settings, tenant.slug), overlays)
    return overlays


def plan_words(draft: str, entity: str) -> tuple[list[str], list[str]]:
    """(the changes, the refusals) publishing `draft` would make to the tenant's tables, in words."""
    settings, tenant = _place()
    wanted = stored_sources(settings, tenant.slug) | {(o.kind, o.target): o.source for o in _overlays(draft, entity)}
    base = _releases(settings, tenant)
    plan = plan_tenant(settings, base, tenant, target=desired_state(settings, base, tenant).with_overlays(wanted))
    return plan.describe() + plan.left_alone, list(plan.refused)


def publish(draft: str, entity: str, actor: str) -> list[str]:
    """Apply the draft as `formwork tenant customize` does; what changed, in words (MigrationRefused when the plan
    refuses a change, DefinitionsInvalid when the draft no longer fits what was published since)."""
    settings, tenant = _place()
    return store_overlays(settings, _releases(settings, tenant), tenant, _overlays(draft, entity), actor=actor)
