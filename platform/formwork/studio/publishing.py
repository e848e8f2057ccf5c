"""A Studio draft checked, planned and published through the customization machinery of the CLI.

A draft is a set of overlay documents for one entity: its EntityExtension (for an entity of the tenant's own, its
Entity document) and the Form overlays placing its fields (studio/drafts.py, studio/placement.py). It is checked by `check_overlays` (the JSON Schema and the semantic checks
of `formwork validate`) against the tenant's installed releases and its other stored customizations; its plan is
`plan_tenant` to the stored customizations with the draft in place; publishing is `store_overlays`, which migrates
the tenant, stores the overlays with a history version each and moves the tenant's generation, so every serving
process rebuilds its app on its next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from flask import Flask, current_app, request
from flask_login import current_user
from sqlalchemy.orm import Session

from ..config import Settings
from ..definitions.checks import TENANT_PACK
from ..i18n import localized
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError, DefinitionsInvalid
from ..meta.yamlload import parse_documents
from ..tenancy.customizations import (
    Overlay,
    check_overlays,
    exported_overlays,
    merge_overlays,
    origin,
    overlays_from_sources,
    read_overlays,
    stored_sources,
)
from ..tenancy.customize import restore_revision, restored_sources, store_overlays
from ..tenancy.drafting import error_words
from ..tenancy.migrate import plan_tenant
from ..tenancy.registry import CustomizationVersion, Tenant, find_tenant
from ..tenancy.releases import release_catalog
from ..tenancy.revisions import (
    OverlayDifference,
    Revision,
    compare_sources,
    current_revision,
    published_since,
    revisions,
    sources_at,
)
from ..tenancy.state import desired_state
from .drafts import DraftChanged, draft_of, draft_state, save_draft

KIND = "EntityExtension"
#: the document of a draft that holds the entity's fields of the tenant: a pack entity's extension, or the entity
OWN_ENTITY_KIND = "Entity"
EXTENSION = "formwork.studio"


@dataclass(frozen=True)
class StudioPlace:
    """Where the Studio of one tenant app publishes: the platform's settings and the tenant's slug."""

    settings: Settings
    slug: str


def remember_place(app: Flask, settings: Settings, tenant: Tenant) -> None:
    """APP_SETUP: a tenant app knows its own runtime, not the platform's settings the customizations need."""
    app.extensions[EXTENSION] = StudioPlace(settings, tenant.slug)


def tenant_session() -> Any:
    """The tenant's storage session of this request (where drafts are kept)."""
    return current_app.extensions["formwork"].session()


def served_catalog() -> Catalog:
    """The tenant's definitions as its app serves them (published customizations in, drafts out)."""
    return current_app.extensions["formwork"].catalog


def shown_edits(entity: str) -> int:
    """The count of saves of the entity's draft (0: no draft) a page shows, or, on its own posts, the count it was
    first shown with: sent back on save, so that a save over a draft someone saved since is refused (DraftChanged)."""
    posted = request.form.get("edits", type=int)
    if posted is not None:
        return posted
    state = draft_state(tenant_session(), entity)
    return state.edits if state else 0


def _place() -> tuple[Settings, Tenant]:
    place: StudioPlace = current_app.extensions[EXTENSION]
    tenant = find_tenant(place.settings.database_url, place.slug)
    assert tenant is not None  # the app of a removed tenant is not served
    return place.settings, tenant


def _releases(settings: Settings, tenant: Tenant) -> Catalog:
    """The tenant's installed releases. A served tenant has every release recorded, so the pack catalog the
    customization functions fall back on for unrecorded ones is never read: these releases stand for it."""
    return release_catalog(settings.database_url, tuple((name, tenant.releases[name]) for name in tenant.packs))


def is_own_entity(entity: str) -> bool:
    """Whether `entity` (qualified) is one of the tenant's own, defined by an Entity overlay rather than a pack."""
    return entity.split(".")[0] == TENANT_PACK


def stored_extension(entity: str) -> dict[str, Any]:
    """The entity's published extension as data (an empty one when it has none); the Entity document of the
    tenant's own entity."""
    settings, tenant = _place()
    kind = OWN_ENTITY_KIND if is_own_entity(entity) else KIND
    source = stored_sources(settings, tenant.slug).get((kind, entity))
    return yaml.safe_load(source) if source else {"kind": KIND, "entity": entity, "fields": []}


def draft_documents(entity: str) -> list[dict[str, Any]]:
    """The entity's draft documents, or (no draft yet) its published extension to start one from."""
    draft = draft_of(tenant_session(), entity)
    return list(yaml.safe_load_all(draft)) if draft else [stored_extension(entity)]


def drafted_definitions(entity: str) -> tuple[list[dict[str, Any]], Catalog]:
    """The entity's draft documents (or its published extension) and the tenant's definitions with them in place."""
    draft = draft_of(tenant_session(), entity)
    if draft is None:
        return [stored_extension(entity)], served_catalog()
    documents = list(yaml.safe_load_all(draft))
    return documents, draft_catalog(documents, entity)


def refusal_words(refused: Exception) -> str:
    """What a refused save, publish or restore says to an admin: each check's message in their words; another
    refusal (a plan the migration refuses) in their words too when it is a platform text, else as it is."""
    if not isinstance(refused, DefinitionsInvalid):
        message = refused.args[0] if len(refused.args) == 1 else None
        return localized(message) if isinstance(message, str) else str(refused)
    return " ".join(error_words(e) for e in refused.errors)


def document_errors(
    errors: list[DefinitionError], documents: list[dict[str, Any]], index: int
) -> tuple[list[DefinitionError], list[str]]:
    """(the errors about the document at `index` of the draft, the others in words): the draft's documents share
    one file, so an error is the document's when its line falls within it."""
    parsed, _ = parse_documents(draft_text(documents), "draft")
    first_lines = [min(doc.lines.values(), default=1) for doc in parsed]
    start = first_lines[index]
    end = first_lines[index + 1] if index + 1 < len(first_lines) else float("inf")
    mine = [e for e in errors if start <= e.line < end]
    return mine, [error_words(e) for e in errors if e not in mine]


def fields_document(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The draft's document holding the tenant's fields: the EntityExtension (every draft of a pack entity holds one:
    it starts from the published or an empty one), or the tenant's own Entity."""
    return next(doc for doc in documents if doc.get("kind") in (KIND, OWN_ENTITY_KIND))


def draft_text(documents: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True)


def _overlays(source: str, entity: str) -> list[Overlay]:
    """The draft's overlays, less an extension that changes nothing where none is published: every draft starts from
    the entity's extension, so a draft of only a view or a chain would otherwise publish an empty one."""
    settings, tenant = _place()
    published = stored_sources(settings, tenant.slug)
    return [
        overlay
        for overlay in read_overlays(source, origin(tenant.slug, KIND, entity))
        if overlay.kind != KIND or _changes_something(overlay.document.data) or (KIND, overlay.target) in published
    ]


def _changes_something(extension: dict[str, Any]) -> bool:
    return any(value for key, value in extension.items() if key not in ("kind", "entity"))


def checked_overlays(documents: list[dict[str, Any]], entity: str) -> list[Overlay]:
    """The draft's overlays, checked as `formwork validate` checks them (DefinitionsInvalid otherwise)."""
    settings, tenant = _place()
    overlays = _overlays(draft_text(documents), entity)
    check_overlays(_releases(settings, tenant), tenant.slug, stored_sources(settings, tenant.slug), overlays)
    return overlays


def pack_catalog() -> Catalog:
    """The tenant's installed releases, without its customizations: what a pack's own field says."""
    return _releases(*_place())


def draft_catalog(documents: list[dict[str, Any]], entity: str) -> Catalog:
    """The tenant's definitions with the draft in place of its stored overlays (those the draft's documents fit:
    a preview shows what fits and the draft's checks say what does not)."""
    settings, tenant = _place()
    overlays = _overlays(draft_text(documents), entity)
    new = {(o.kind, o.target) for o in overlays}
    others = {key: source for key, source in stored_sources(settings, tenant.slug).items() if key not in new}
    kept, _ = overlays_from_sources(tenant.slug, others)
    merged, _ = merge_overlays(_releases(settings, tenant), kept + overlays)
    return merged


def plan_words(draft: str, entity: str) -> tuple[list[str], list[str]]:
    """(the changes, the refusals) publishing `draft` would make to the tenant's tables, in words."""
    settings, tenant = _place()
    wanted = stored_sources(settings, tenant.slug) | {(o.kind, o.target): o.source for o in _overlays(draft, entity)}
    return _plan_words(settings, tenant, wanted)


def _plan_words(settings: Settings, tenant: Tenant, wanted: dict[tuple[str, str], str]) -> tuple[list[str], list[str]]:
    base = _releases(settings, tenant)
    plan = plan_tenant(settings, base, tenant, target=desired_state(settings, base, tenant).with_overlays(wanted))
    return plan.describe() + plan.left_alone, list(plan.refused)


def restore_plan_words(number: int) -> tuple[list[str], list[str]]:
    """(the changes, the refusals) restoring revision `number` would make to the tenant's tables, in words."""
    settings, tenant = _place()
    return _plan_words(settings, tenant, restored_sources(settings, _releases(settings, tenant), tenant, number))


def restore(number: int, actor: str, comment: str) -> list[str]:
    """Restore revision `number` as `formwork tenant customization-restore` does (tenancy/customize.py)."""
    settings, tenant = _place()
    return restore_revision(settings, _releases(settings, tenant), tenant, number, actor, comment)


def tenant_revisions() -> list[Revision]:
    settings, tenant = _place()
    return revisions(settings, tenant.slug)


def compare_revisions(older: int, newer: int) -> list[OverlayDifference]:
    settings, tenant = _place()
    return compare_sources(
        sources_at(settings, tenant.slug, older),
        sources_at(settings, tenant.slug, newer),
        f"revision {older}",
        f"revision {newer}",
    )


def exported_text() -> str:
    """The tenant's customizations as overlay documents, what `formwork tenant customize` takes back."""
    settings, tenant = _place()
    return yaml.safe_dump_all(exported_overlays(settings, tenant.slug), sort_keys=False, allow_unicode=True)


class PublishConflict(Exception):
    """Someone published overlays the draft changes after the draft was started: publishing it would overwrite their
    work, so nothing is published. `versions` are what they published."""

    def __init__(self, versions: list[CustomizationVersion]) -> None:
        super().__init__(
            "; ".join(
                f"{v.actor} published {v.kind} {v.target} at {v.changed_at:%Y-%m-%d %H:%M} UTC (revision {v.revision})"
                for v in versions
            )
        )
        self.versions = versions


def save_documents(
    session: Session, entity: str, documents: list[dict[str, Any]], author: str, shown: int | None = None
) -> None:
    """Save the entity's draft documents (the caller commits); a new draft remembers the revision it starts from.
    `shown`: the draft's edits the saving page was shown (DraftChanged if it has had others since)."""
    settings, tenant = _place()
    save_draft(session, entity, draft_text(documents), author, shown, current_revision(settings, tenant.slug))


def save_shown_draft(entity: str, documents: list[dict[str, Any]]) -> bool:
    """Save the entity's draft documents posted by a page, as the signed-in admin, and commit; False (nothing saved)
    when the draft was saved, published or discarded since the page was shown."""
    session = tenant_session()
    try:
        save_documents(session, entity, documents, current_user.username, shown_edits(entity))
    except DraftChanged:
        session.rollback()
        return False
    session.commit()
    return True


def publish(draft: str, entity: str, actor: str, comment: str = "", base_revision: int | None = None) -> list[str]:
    """Apply the draft as `formwork tenant customize` does, as one revision with the admin's comment; what changed,
    in words. Refused: PublishConflict when its overlays were published since revision `base_revision` (the draft's
    start), MigrationRefused when the plan refuses a change, DefinitionsInvalid when the draft no longer fits."""
    settings, tenant = _place()
    overlays = _overlays(draft, entity)
    if base_revision is not None:
        since = published_since(settings, tenant.slug, base_revision, {(o.kind, o.target) for o in overlays})
        if since:
            raise PublishConflict(since)
    return store_overlays(settings, _releases(settings, tenant), tenant, overlays, actor=actor, comment=comment)
