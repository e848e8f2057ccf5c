"""The Studio's answer to the DRAFTING port (tenancy/drafting.py): its drafts, checks, plan and publish, for screens
of other features that change definitions (the roles screen), keyed as the Studio keys a draft."""

from __future__ import annotations

from typing import Any

import yaml

from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError, DefinitionsInvalid
from ..tenancy.drafting import DraftState, Outcome, draft_key
from .draft_publish import discard_posted_draft, publish_posted_draft
from .drafts import draft_of, draft_state, drafted_entities
from .publishing import (
    checked_overlays,
    pack_catalog,
    plan_words,
    save_shown_draft,
    tenant_session,
)


class StudioDrafting:
    """Drafts kept by the Studio, for the tenant of the current request and its signed-in admin."""

    def documents(self, key: str) -> list[dict[str, Any]] | None:
        draft = draft_of(tenant_session(), key)
        return list(yaml.safe_load_all(draft)) if draft else None

    def drafted_targets(self, kind: str) -> list[str]:
        prefix = draft_key(kind, "")
        return sorted(key[len(prefix) :] for key in drafted_entities(tenant_session()) if key.startswith(prefix))

    def state(self, key: str) -> DraftState | None:
        return draft_state(tenant_session(), key)

    def save(self, key: str, documents: list[dict[str, Any]]) -> bool:
        return save_shown_draft(key, documents)

    def errors(self, key: str, documents: list[dict[str, Any]]) -> list[DefinitionError]:
        try:
            checked_overlays(documents, key)
        except DefinitionsInvalid as invalid:
            return list(invalid.errors)
        return []

    def pack_catalog(self) -> Catalog:
        return pack_catalog()

    def plan(self, key: str) -> tuple[list[str], list[str]]:
        draft = draft_of(tenant_session(), key)
        return plan_words(draft, key) if draft else ([], [])

    def publish(self, key: str) -> Outcome | None:
        return publish_posted_draft(key)

    def discard(self, key: str) -> str:
        return discard_posted_draft(key)
