"""The approval chains of an entity as its Studio page lists them: the served ones, with the draft's in their place,
and the chains the draft adds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from ..i18n import Label, humanize
from ..meta.catalog import Catalog
from ..tenancy.customizations import overlay_kinds
from .chain_form import CHAIN_KIND


@dataclass(frozen=True)
class ChainEntry:
    """One chain of the list: its name, label, number of steps, and whether the draft changes or adds it."""

    name: str
    label: Label
    steps: int
    drafted: bool


def drafted_chains(documents: list[dict[str, Any]], entity: str) -> dict[str, dict[str, Any]]:
    """The draft's ApprovalChain documents of `entity`, by chain name."""
    return {
        str(doc.get("name")): doc for doc in documents if doc.get("kind") == CHAIN_KIND and doc.get("entity") == entity
    }


def chain_entries(catalog: Catalog, entity: str, draft: str | None) -> list[ChainEntry] | None:
    """The entity's chains as the draft (YAML text, None for none) makes them; None when the tenant's platform
    has no approval chains to customize (the page then shows no section for them)."""
    if CHAIN_KIND not in overlay_kinds():
        return None
    drafted = drafted_chains(list(yaml.safe_load_all(draft)) if draft else [], entity)
    chains = catalog.chains_for(entity)
    entries = [
        _drafted(c.name, drafted[c.name]) if c.name in drafted else ChainEntry(c.name, c.label, len(c.steps), False)
        for c in chains
    ]
    served = {c.name for c in chains}
    return entries + [_drafted(name, doc) for name, doc in drafted.items() if name not in served]


def _drafted(name: str, document: dict[str, Any]) -> ChainEntry:
    return ChainEntry(name, Label(document.get("label"), humanize(name)), len(document.get("steps", [])), True)
