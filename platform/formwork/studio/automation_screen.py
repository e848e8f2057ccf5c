"""The automation and action editor (/studio/<entity>/automations/<name>/, /studio/<entity>/actions/<name>/, and
/studio/<entity>/new-automation/ and new-action/ for a new one): a tenant's admins change an automation's label,
trigger, condition and steps, or an action's label, inputs, roles, condition and steps, and save it to the entity's
draft as an Automation or Action overlay, which replaces the pack's of the same name (or adds one) once published on
the entity's page. Beside the editor, the automation's last runs, as the features that log runs give them
(AUTOMATION_RUNS: the scheduled and date runs, and the runs a record's save, delete or approval triggered), each
with a link to its record.

The page is one HTML form (studio/automation_form.py): each button posts it and gets the page back with its change,
and "Save to the draft" checks the whole draft as `formwork validate` does (`checked_overlays`: the JSON Schema and
the semantic checks, the steps' own among them); an error is shown at its control with a 400 and nothing is stored.
Like every Studio route, each one asks for `can_manage` on `Studio` (the tenant's admins only) and every post
carries the CSRF token.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name

from ..compile.models import class_name
from ..features import AUTOMATION_RUNS, AutomationRun, load_features
from ..formatting import local_time
from ..i18n import humanize
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef
from .automation_entries import drafted_of, editable_kinds, served_of
from .automation_form import (
    ACTION,
    AUTOMATION,
    CONDITION,
    SAVE,
    Posted,
    document_controls,
    label_text,
    new_document,
    placed_errors,
    posted_document,
    row_text,
    shown_text,
    step_control,
    step_kind,
    step_kinds,
    stored_condition,
    value_at,
)
from .automation_labels import STEP_WORDS, TEXT, VALUE_WORDS, WORDS
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
    tenant_session,
)

#: how many runs the log beside the editor shows
RUNS_SHOWN = 20
#: each kind's routes: the editor's and the new one's endpoint
ENDPOINTS = {AUTOMATION: ("automation", "new_automation"), ACTION: ("action", "new_action")}


@dataclass(frozen=True)
class Workspace:
    """One automation or action of one entity as the editor starts from it: the entity's draft documents (or its
    published extension), the definitions with the draft in place, and the document (the draft's, else the served
    one; a new one's skeleton when `new`), and the qualified name its runs are logged under."""

    kind: str
    documents: list[dict[str, Any]]
    catalog: Catalog
    entity: EntityDef
    original: dict[str, Any]
    new: bool
    qualified: str

    @classmethod
    def open(cls, kind: str, entity: str, name: str | None) -> Workspace:
        if entity not in served_catalog().entities or kind not in editable_kinds():
            abort(404)
        documents, catalog = drafted_definitions(entity)
        found = catalog.entities[entity]
        if name is None:
            return cls(kind, documents, catalog, found, new_document(kind, entity), True, "")
        drafted = drafted_of(documents, kind, entity).get(name)
        served = served_of(catalog, kind, entity).get(name)
        if drafted is None:
            if served is None:
                abort(404)
            drafted = {**served.document.data, "entity": entity}
        qualified = served.qualified if served is not None else f"{found.pack}.{name}"
        return cls(kind, documents, catalog, found, copy.deepcopy(drafted), False, qualified)

    def taken(self, name: str) -> bool:
        """A definition of the kind on the entity (served or drafted) already has this name."""
        return name in served_of(self.catalog, self.kind, self.entity.qualified) or name in drafted_of(
            self.documents, self.kind, self.entity.qualified
        )

    def with_document(self, document: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        """The draft's documents with `document` in place of the one of its kind and name (or added), and its index."""
        others = [
            doc
            for doc in self.documents
            if not (
                doc.get("kind") == self.kind
                and doc.get("entity") == self.entity.qualified
                and doc.get("name") == document.get("name")
            )
        ]
        return [*others, document], len(others)

    def runs(self) -> list[AutomationRun] | None:
        """The automation's last runs, newest first (none yet for a new one); None for an action, whose runs are not
        logged."""
        if self.kind != AUTOMATION:
            return None
        if self.new:
            return []
        session = tenant_session()
        sources = load_features().items(AUTOMATION_RUNS)
        found = [run for source in sources for run in source(session, self.qualified, RUNS_SHOWN)]
        session.rollback()  # a read: end the transaction before the page renders
        return sorted(found, key=lambda run: run.started, reverse=True)[:RUNS_SHOWN]


def _word(words: dict[str, Any], value: str) -> str:
    """What the page calls a property or value (humanized when it has no words)."""
    word = words.get(value)
    return word.localized() if word is not None else humanize(value)


class AutomationEditor(BaseView):
    """The automation and action editor, for the tenant's admins."""

    route_base = "/studio"
    default_view = "automation"
    class_permission_name = MENU_NAME

    @expose("/<name>/automations/<item>/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def automation(self, name: str, item: str) -> Any:
        """GET shows the automation; a post applies its button (`action`) and shows the page again, or saves it."""
        return self._editor_page(Workspace.open(AUTOMATION, name, item))

    @expose("/<name>/new-automation/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def new_automation(self, name: str) -> Any:
        return self._editor_page(Workspace.open(AUTOMATION, name, None))

    @expose("/<name>/actions/<item>/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def action(self, name: str, item: str) -> Any:
        return self._editor_page(Workspace.open(ACTION, name, item))

    @expose("/<name>/new-action/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def new_action(self, name: str) -> Any:
        return self._editor_page(Workspace.open(ACTION, name, None))

    def _editor_page(self, workspace: Workspace) -> Any:
        known = subjects(workspace.entity, workspace.catalog)
        if request.method == "GET":
            return self._page(
                workspace, workspace.original, stored_condition(workspace.kind, workspace.original, known), {}
            )
        posted = posted_document(request.form, workspace.kind, workspace.original, known)
        posted.document["entity"] = workspace.entity.qualified
        if not workspace.new:
            posted.document["name"] = workspace.original["name"]  # it keeps its name: another is another one
        if request.form.get("action", SAVE) != SAVE:
            return self._page(workspace, posted.document, posted.builder, {})
        return self._save(workspace, posted)

    def _save(self, workspace: Workspace, posted: Posted) -> Any:
        document, errors = posted.document, dict[str, list[str]]()
        if workspace.new and workspace.taken(str(document.get("name"))):
            message = TEXT["exists"].localized().format(entity=workspace.entity.label, name=document["name"])
            errors["name"] = [message]
        documents, index = workspace.with_document(document)
        if not errors and not posted.unwritten:
            try:
                checked_overlays(documents, workspace.entity.qualified)
            except DefinitionsInvalid as invalid:
                mine, others = document_errors(invalid.errors, documents, index)
                errors = placed_errors(workspace.kind, mine, document)
                errors.setdefault("", []).extend(others)
        builder = posted.builder
        condition = CONDITION[workspace.kind]
        if condition in errors and not builder.error:
            builder = builder.failed(errors[condition])
        if errors or posted.unwritten:
            flash(TEXT["not_saved"].localized(), "danger")
            return self._page(workspace, document, builder, errors), 400
        if not save_shown_draft(workspace.entity.qualified, documents):
            flash(TEXT["draft_changed"].localized(), "danger")
            return self._page(workspace, document, builder, {}), 409
        flash(TEXT["saved"].localized(), "success")
        endpoint = ENDPOINTS[workspace.kind][0]
        return redirect(url_for(f".{endpoint}", name=workspace.entity.qualified, item=document["name"]))

    def _page(
        self, workspace: Workspace, document: dict[str, Any], builder: Builder, errors: dict[str, list[str]]
    ) -> Any:
        entity, kind = workspace.entity, workspace.kind
        edit, create = ENDPOINTS[kind]
        if workspace.new:
            title = TEXT[f"new_{edit}_of"].localized().format(entity=entity.label.localized())
            action_url = url_for(f".{create}", name=entity.qualified)
        else:
            title = TEXT[f"{edit}_of"].localized().format(name=document["name"], entity=entity.label.localized())
            action_url = url_for(f".{edit}", name=entity.qualified, item=document["name"])
        known = subjects(entity, workspace.catalog)
        return self.render_template(
            "formwork/studio/automation.html",
            title=title,
            T={**BUILDER_TEXT, **TEXT},
            entity=entity,
            kind=kind,
            document=document,
            new=workspace.new,
            action_url=action_url,
            builder=builder,
            condition_label=TEXT[CONDITION[kind]],
            errors=errors,
            controls=document_controls(kind),
            step_kinds=step_kinds(kind),
            step_control=lambda index, step: step_control(kind, index, step_kind(step)),
            step_kind=step_kind,
            value_at=value_at,
            shown_text=shown_text,
            row_text=row_text,
            label_text=label_text,
            word=lambda value: _word(WORDS, value),
            value_word=lambda value: _word(VALUE_WORDS, value),
            step_word=lambda value: _word(STEP_WORDS, value),
            fields=[(f.name, f.label.localized()) for f in entity.fields],
            subjects=known,
            subjects_data=subjects_data(known),
            operator_words=OPERATOR_WORDS,
            edits=shown_edits(entity.qualified),
            runs=workspace.runs(),
            record_url=_record_url(entity, document),
            time=local_time,
        )


def _record_url(entity: EntityDef, document: dict[str, Any]) -> Callable[[int], str] | None:
    """The link to a run's record: its page, unless the entity has none or the runs are of its deleted records."""
    endpoint = f"{class_name(entity)}View.show"
    if endpoint not in current_app.view_functions or (document.get("trigger") or {}).get("type") == "deleted":
        return None
    return lambda record_id: url_for(endpoint, pk=record_id)


def register_automation_editor(appbuilder: AppBuilder, _catalog: Catalog) -> None:
    appbuilder.add_view_no_menu(AutomationEditor)
