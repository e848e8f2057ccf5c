"""The approval chain editor (/studio/<entity>/chains/<chain>/, and /studio/<entity>/new-chain/ for a new one): a
tenant's admins change a chain's steps (approvers, how they decide, conditions, timeouts, what they may change), its
own settings (condition, self-approval, no approver, copied people, what a decision locks, who is notified) and save
it to the entity's draft as an ApprovalChain overlay, which replaces the pack's chain of the same name once published
on the entity's page.

The page is one HTML form (studio/chain_form.py): each button posts it and gets the page back with its change, and
"Save to the draft" checks the whole draft as `formwork validate` does (`checked_overlays`: the JSON Schema and the
semantic checks, the workflow's own chain checks among them); an error is shown at its step's control with a 400
and nothing is stored. A request submitted before the publish keeps the chain it started on (the engine runs it on
its snapshot of the chain); only submissions after it use the new one. Like every Studio route, each one asks for
`can_manage` on `Studio` (the tenant's admins only) and every post carries the CSRF token.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name

from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef
from ..tenancy.customizations import overlay_kinds
from .chain_entries import drafted_chains
from .chain_form import (
    CHAIN_KIND,
    SAVE,
    SUBMITTER,
    PostedChain,
    chain_options,
    constant_text,
    entity_choices,
    label_text,
    lock_scope,
    new_chain,
    placed_errors,
    posted_chain,
    source_kind,
    source_text,
    stored_builders,
    with_builder_errors,
)
from .chain_labels import TEXT, WORDS
from .condition_builder import Builder
from .conditions import OPERATOR_WORDS, subjects
from .designer_labels import TEXT as BUILDER_TEXT
from .designer_screen import subjects_data
from .labels import MENU_NAME
from .publishing import (
    checked_overlays,
    document_errors,
    drafted_definitions,
    save_shown_draft,
    served_catalog,
    shown_edits,
)


@dataclass(frozen=True)
class ChainWorkspace:
    """One chain of one entity as the editor starts from it: the entity's draft documents (or its published
    extension), the definitions with the draft in place, and the chain's document (the draft's, else the served
    one; a new chain's skeleton when `new`)."""

    documents: list[dict[str, Any]]
    catalog: Catalog
    entity: EntityDef
    original: dict[str, Any]
    new: bool

    @classmethod
    def open(cls, entity: str, chain: str | None) -> ChainWorkspace:
        if entity not in served_catalog().entities or CHAIN_KIND not in overlay_kinds():
            abort(404)
        documents, catalog = drafted_definitions(entity)
        if chain is None:
            return cls(documents, catalog, catalog.entities[entity], new_chain(entity), True)
        drafted = drafted_chains(documents, entity).get(chain)
        served = next((c for c in catalog.chains_for(entity) if c.name == chain), None)
        if drafted is None and served is None:
            abort(404)
        original = drafted if drafted is not None else {**served.document.data, "entity": entity}  # type: ignore[union-attr]
        return cls(documents, catalog, catalog.entities[entity], copy.deepcopy(original), False)

    def taken(self, name: str) -> bool:
        """A chain of the entity (served or drafted) already has this name: a new chain would replace it."""
        served = {c.name for c in self.catalog.chains_for(self.entity.qualified)}
        return name in served or name in drafted_chains(self.documents, self.entity.qualified)

    def with_chain(self, document: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        """The draft's documents with `document` in place of the chain of its name (or added), and its index."""
        others = [
            doc
            for doc in self.documents
            if not (
                doc.get("kind") == CHAIN_KIND
                and doc.get("entity") == self.entity.qualified
                and doc.get("name") == document.get("name")
            )
        ]
        return [*others, document], len(others)

    def roles(self) -> list[tuple[str, str]]:
        """The roles a role source may name, as (name, label): the packs' roles. (The schema's identifier pattern
        refuses FAB's capitalized `Admin`, so it is not offered.)"""
        return sorted((r.name, r.label.localized()) for r in self.catalog.roles.values())


def _word(control: str, value: str) -> str:
    """What the page calls a value of a choosing control (the value itself when it has no words)."""
    word = WORDS.get(control, {}).get(value)
    return word.localized() if word is not None else value


class ChainEditor(BaseView):
    """/studio/<entity>/chains/<chain>/ and /studio/<entity>/new-chain/: the approval chain editor."""

    route_base = "/studio"
    default_view = "chain"
    class_permission_name = MENU_NAME

    @expose("/<name>/chains/<chain>/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def chain(self, name: str, chain: str) -> Any:
        """GET shows the chain; a post applies its button (`action`) and shows the page again, or saves the draft."""
        return self._editor_page(ChainWorkspace.open(name, chain))

    @expose("/<name>/new-chain/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def new_chain(self, name: str) -> Any:
        return self._editor_page(ChainWorkspace.open(name, None))

    def _editor_page(self, workspace: ChainWorkspace) -> Any:
        known = subjects(workspace.entity, workspace.catalog)
        if request.method == "GET":
            return self._page(workspace, workspace.original, stored_builders(workspace.original, known), {})
        posted = posted_chain(request.form, workspace.original, known)
        posted.document["entity"] = workspace.entity.qualified
        if not workspace.new:
            posted.document["name"] = workspace.original["name"]  # a chain keeps its name: another is another chain
        if request.form.get("action", SAVE) != SAVE:
            return self._page(workspace, posted.document, posted.builders, {})
        return self._save(workspace, posted)

    def _save(self, workspace: ChainWorkspace, posted: PostedChain) -> Any:
        document, errors = posted.document, {}
        if workspace.new and workspace.taken(str(document.get("name"))):
            message = TEXT["chain_exists"].localized().format(entity=workspace.entity.label, name=document["name"])
            errors["name"] = [message]
        documents, index = workspace.with_chain(document)
        if not errors and not posted.unwritten:
            try:
                checked_overlays(documents, workspace.entity.qualified)
            except DefinitionsInvalid as invalid:
                mine, others = document_errors(invalid.errors, documents, index)
                errors = placed_errors(mine, document)
                errors.setdefault("", []).extend(others)
        if errors or posted.unwritten:
            flash(TEXT["not_saved"].localized(), "danger")
            return self._page(workspace, document, with_builder_errors(posted.builders, errors), errors), 400
        if not save_shown_draft(workspace.entity.qualified, documents):
            flash(TEXT["draft_changed"].localized(), "danger")
            return self._page(workspace, document, posted.builders, {}), 409
        flash(TEXT["saved"].localized(), "success")
        return redirect(url_for(".chain", name=workspace.entity.qualified, chain=document["name"]))

    def _page(
        self,
        workspace: ChainWorkspace,
        document: dict[str, Any],
        builders: dict[str, Builder],
        errors: dict[str, list[str]],
    ) -> Any:
        entity = workspace.entity
        title = (
            TEXT["new_chain_of"].localized().format(entity=entity.label.localized())
            if workspace.new
            else TEXT["chain_of"].localized().format(chain=document["name"], entity=entity.label.localized())
        )
        known = subjects(entity, workspace.catalog)
        return self.render_template(
            "formwork/studio/chain.html",
            title=title,
            T={**BUILDER_TEXT, **TEXT},
            entity=entity,
            chain=document,
            new=workspace.new,
            action_url=url_for(".new_chain", name=entity.qualified)
            if workspace.new
            else url_for(".chain", name=entity.qualified, chain=document["name"]),
            builders=builders,
            errors=errors,
            options=chain_options(),
            choices=entity_choices(entity, workspace.roles()),
            subjects=known,
            subjects_data=subjects_data(known),
            operator_words=OPERATOR_WORDS,
            word=_word,
            source_kind=source_kind,
            source_text=source_text,
            label_text=label_text,
            lock_scope=lock_scope,
            constant_text=constant_text,
            submitter=SUBMITTER,
            edits=shown_edits(workspace.entity.qualified),
        )


def register_chain_editor(appbuilder: AppBuilder, _catalog: Catalog) -> None:
    appbuilder.add_view_no_menu(ChainEditor)
