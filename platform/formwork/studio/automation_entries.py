"""The automations and actions of an entity as its Studio page and editor find them: the served ones, with the
draft's in their place, and those the draft adds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from ..i18n import Label, humanize
from ..meta.catalog import Catalog
from ..meta.kinds import KINDS
from ..tenancy.customizations import overlay_kinds
from .automation_form import ACTION, AUTOMATION
from .automation_labels import TEXT


@dataclass(frozen=True)
class AutomationEntry:
    """One automation or action of the list: its name, label, number of steps, and whether the draft changes or
    adds it."""

    name: str
    label: Label
    steps: int
    drafted: bool


def editable_kinds() -> tuple[str, ...]:
    """The kinds of the two the tenant's platform lets a tenant customize (none without the automation feature)."""
    return tuple(kind for kind in (AUTOMATION, ACTION) if kind in overlay_kinds())


def served_of(catalog: Catalog, kind: str, entity: str) -> dict[str, Any]:
    """The served definitions of `kind` on `entity`, by name."""
    collection = catalog.collections.get(KINDS[kind].collection or "", {})
    return {item.name: item for item in collection.values() if item.entity == entity}


def drafted_of(documents: list[dict[str, Any]], kind: str, entity: str) -> dict[str, dict[str, Any]]:
    """The draft's documents of `kind` on `entity`, by name."""
    return {str(doc.get("name")): doc for doc in documents if doc.get("kind") == kind and doc.get("entity") == entity}


def entries(catalog: Catalog, documents: list[dict[str, Any]], kind: str, entity: str) -> list[AutomationEntry]:
    """The entity's definitions of `kind` as the draft (its documents) makes them."""
    drafted, served = drafted_of(documents, kind, entity), served_of(catalog, kind, entity)
    listed = [
        _drafted(name, drafted[name]) if name in drafted else AutomationEntry(name, item.label, len(item.steps), False)
        for name, item in served.items()
    ]
    return listed + [_drafted(name, doc) for name, doc in drafted.items() if name not in served]


def _drafted(name: str, document: dict[str, Any]) -> AutomationEntry:
    return AutomationEntry(name, Label(document.get("label"), humanize(name)), len(document.get("steps") or []), True)


@dataclass(frozen=True)
class KindList:
    """One list of the entity page's section: a kind's entries, the words around them, and the editor's endpoints
    (of studio/automation_screen.AutomationEditor) for an entry and for a new one."""

    heading: Any
    empty: Any
    new: Any
    endpoint: str
    new_endpoint: str
    items: list[AutomationEntry]


#: each kind's list: its heading, what an empty list says, the "new" button's text, and the editor's endpoints
LISTS = {
    AUTOMATION: ("automations", "no_automations", "new_automation", "automation", "new_automation"),
    ACTION: ("actions", "no_actions", "new_action", "action", "new_action"),
}


def entity_lists(catalog: Catalog, entity: str, draft: str | None) -> list[KindList] | None:
    """The section's lists as the draft (YAML text, None for none) makes them; None when the tenant's platform lets
    neither kind be customized (the page then shows no section)."""
    kinds = editable_kinds()
    if not kinds:
        return None
    documents = list(yaml.safe_load_all(draft)) if draft else []
    found = []
    for kind in kinds:
        heading, empty, new, endpoint, new_endpoint = LISTS[kind]
        items = entries(catalog, documents, kind, entity)
        found.append(KindList(TEXT[heading], TEXT[empty], TEXT[new], endpoint, new_endpoint, items))
    return found
