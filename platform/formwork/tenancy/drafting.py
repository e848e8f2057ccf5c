"""Drafts of customizations: the port through which a feature's screen drafts, plans and publishes overlays.

Every change a tenant admin makes is a draft first, published with its plan as one version of the tenant's
customizations. The Studio keeps drafts and publishes them (studio/drafts.py, studio/publishing.py); another feature
whose screen changes definitions (the roles screen drafts Role overlays) does not import the Studio: it calls
`drafting()`, answered by the feature in the DRAFTING slot. With none loaded the answer is None and such a screen
changes nothing.

A draft is known by a key (`Role crm.sales_rep`: the kind and the target of what it customizes) and holds the whole
overlay documents as they would be published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..features import DRAFTING, load_features
from ..i18n import CatalogText, localized
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError

#: what a draft's panel says (templates/formwork/_draft_panel.html); the Studio's editors say the same (its TEXT
#: takes these, studio/labels.py)
DRAFT_TEXT = {
    "plan": CatalogText("What publishing changes"),
    "no_changes": CatalogText("No table changes."),
    "refusals": CatalogText("Refused"),
    "publish": CatalogText("Publish"),
    "discard": CatalogText("Discard the draft"),
    "comment": CatalogText("Comment (what and why)"),
    "draft_by": CatalogText("Draft last saved by {author} at {at} UTC."),
}


@dataclass(frozen=True)
class DraftState:
    """Who saved the draft last and when, how many saves it has had, and the revision it started from."""

    author: str
    saved_at: datetime
    edits: int
    base_revision: int | None


@dataclass(frozen=True)
class Outcome:
    """What a publish did: `status` 200 (published), 400 (refused by the checks or the plan), 409 (a conflict)."""

    status: int
    message: str

    @property
    def category(self) -> str:
        return "success" if self.status == 200 else "danger"


def error_words(error: DefinitionError) -> str:
    """A check's message in the reader's language, with the place it is about (the file and line are the CLI's)."""
    message = localized(error.message)
    return f"{error.path}: {message}" if error.path else message


def draft_key(kind: str, target: str) -> str:
    """The key of the draft of one overlay that names no entity: `Role crm.sales_rep`, `Dashboard x.sales`."""
    return f"{kind} {target}"


class Drafting(Protocol):
    """What the Studio answers (studio/drafting.py), for the tenant of the current request and its signed-in admin.

    `documents` is the draft (None: there is none); `drafted_targets` the targets of the drafts of one overlay of
    `kind` (new definitions among them); `state` who saved it; `save` replaces it with `documents`
    unless it changed since the posting page showed it (the page posts the `edits` it showed: False, nothing saved);
    `errors` what the checks of `formwork validate` say of `documents` in place of the stored overlays they replace;
    `pack_catalog` the tenant's releases alone, without any customization; `plan` (the changes, the refusals) publishing would make to the tables, in words; `publish` and
    `discard` what the page's buttons do, with the posted comment and `edits`."""

    def documents(self, key: str) -> list[dict[str, Any]] | None: ...

    def drafted_targets(self, kind: str) -> list[str]: ...

    def state(self, key: str) -> DraftState | None: ...

    def save(self, key: str, documents: list[dict[str, Any]]) -> bool: ...

    def errors(self, key: str, documents: list[dict[str, Any]]) -> list[DefinitionError]: ...

    def pack_catalog(self) -> Catalog: ...

    def plan(self, key: str) -> tuple[list[str], list[str]]: ...

    def publish(self, key: str) -> Outcome | None: ...

    def discard(self, key: str) -> str: ...


def drafting() -> Drafting | None:
    """Whoever keeps drafts: the feature in the DRAFTING slot with the lowest priority, or None."""
    answering = load_features().items(DRAFTING)
    return answering[0] if answering else None
