"""The Studio screen (/studio/): a tenant's admins read the entities and their fields, add fields to a draft,
read its plan, publish or discard it, and retire the fields their company added.

Every route asks for `can_manage` on `Studio`, which no pack role is given: the tenant's admin role (which holds
every permission) uses it, anyone else gets 403. Every post carries the CSRF token (Flask-WTF checks it before the
view runs). A posted field with any error is shown again with each message at its control and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import yaml
from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..definitions.checks import TENANT_FIELD_PREFIX
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef
from ..tenancy.drafting import DRAFT_TEXT
from ..tenancy.menu import menu_label
from ..tenancy.spreadsheets import spreadsheets
from .add_field import add_field_form
from .automation_entries import entity_lists
from .automation_labels import TEXT as AUTOMATION_TEXT
from .chain_entries import chain_entries
from .chain_labels import TEXT as CHAIN_TEXT
from .dashboard_screen import DashboardStudio
from .designer_labels import TEXT as DESIGNER_TEXT
from .draft_publish import discard_posted_draft, publish_posted_draft
from .drafts import draft_of, draft_state, drafted_entities
from .field_form import EXPRESSION_CONTROLS, control_of, controls, posted_field
from .field_screen import FieldChangeScreen
from .formula_editor import check_answer
from .labels import MENU_NAME, TEXT
from .locks import retire_refusal
from .new_entity import NewEntityScreen, kept_import
from .new_entity_labels import TEXT as NEW_ENTITY_TEXT
from .placement import place_field, remove_field, reshape_forms
from .publishing import (
    checked_overlays,
    draft_catalog,
    draft_documents,
    drafted_definitions,
    fields_document,
    is_own_entity,
    plan_words,
    refusal_words,
    save_documents,
    served_catalog,
    stored_extension,
    tenant_session,
)
from .versions import StudioVersions
from .view_labels import TEXT as VIEW_TEXT


class StudioScreen(BaseView):
    """/studio/: entities, their fields and the draft of each, for the tenant's admins."""

    route_base = "/studio"
    default_view = "entities"
    class_permission_name = MENU_NAME

    def _entity(self, name: str) -> EntityDef:
        """The served entity `name`, or the tenant's own entity its draft creates (not published yet)."""
        found = served_catalog().entities.get(name)
        if found is None and is_own_entity(name) and draft_of(tenant_session(), name) is not None:
            found = drafted_definitions(name)[1].entities.get(name)
        if found is None:
            abort(404)
        return found

    @expose("/")
    @has_access
    @permission_name("manage")
    def entities(self) -> Any:
        catalog = served_catalog()
        return self.render_template(
            "formwork/studio/entities.html",
            title=TEXT["menu"],
            T=TEXT,
            entities=sorted(catalog.entities.values(), key=lambda e: (e.pack, e.name)),
            packs=catalog.packs,
            drafted=drafted_entities(tenant_session()),
            NEW_T=NEW_ENTITY_TEXT,
            spreadsheets=spreadsheets() is not None,  # the imports feature reads them
        )

    @expose("/<name>/")
    @has_access
    @permission_name("manage")
    def entity(self, name: str) -> Any:
        return self._entity_page(self._entity(name), {}, MultiDict())

    def _entity_page(self, entity: EntityDef, errors: dict[str, list[str]], posted: MultiDict[str, str]) -> Any:
        draft = draft_of(tenant_session(), entity.qualified)
        drafted = fields_document(list(yaml.safe_load_all(draft))) if draft else None
        changes, refusals = plan_words(draft, entity.qualified) if draft else ([], [])
        own = {f["name"] for f in stored_extension(entity.qualified).get("fields", [])}
        kept = {f["name"] for f in drafted.get("fields", [])} if drafted else own
        drafted_entity, catalog = self._drafted(entity)
        return self.render_template(
            "formwork/studio/entity.html",
            title=TEXT["fields_of"].localized().format(entity=entity.label.localized()),
            T=TEXT,
            D=DRAFT_TEXT,
            entity=entity,
            pack=catalog.packs[entity.pack],
            own=own,
            drafted=[f for f in (drafted or {}).get("fields", []) if f["name"] not in own],
            retiring=own - kept,
            has_draft=draft is not None,
            draft=draft_state(tenant_session(), entity.qualified),
            changes=changes,
            refusals=refusals,
            errors=errors,
            add_form=add_field_form(drafted_entity, catalog, posted),
            forms=served_catalog().forms.get(entity.qualified, []),
            FORM_TEXT=DESIGNER_TEXT,
            chains=chain_entries(served_catalog(), entity.qualified, draft),
            automations=entity_lists(served_catalog(), entity.qualified, draft),
            AUTOMATION_TEXT=AUTOMATION_TEXT,
            CHAIN_TEXT=CHAIN_TEXT,
            VIEW_TEXT=VIEW_TEXT,
            kept_import=kept_import(entity),
            NEW_ENTITY_TEXT=NEW_ENTITY_TEXT,
        )

    def _drafted(self, entity: EntityDef) -> tuple[EntityDef, Catalog]:
        """`entity` as its draft makes it, and the tenant's definitions with the draft in place."""
        catalog = draft_catalog(draft_documents(entity.qualified), entity.qualified)
        return catalog.entities[entity.qualified], catalog

    def _save(self, entity: str, documents: list[dict[str, Any]]) -> None:
        session = tenant_session()
        save_documents(session, entity, documents, current_user.username)
        session.commit()

    @expose("/<name>/fields", methods=["POST"])
    @has_access
    @permission_name("manage")
    def add_field(self, name: str) -> Any:
        """Add the posted field to the entity's draft (and its forms), if the draft then passes `validate`'s checks.
        "Refresh fields" (`refresh`) only shows the form again as posted, its filter's rows offering the fields of the
        entity now chosen (a reference's target, a rollup's source); nothing is stored."""
        entity = self._entity(name)
        if request.form.get("refresh"):
            return self._entity_page(entity, {}, request.form)
        documents = draft_documents(entity.qualified)
        prefix = "" if is_own_entity(entity.qualified) else TENANT_FIELD_PREFIX
        field = posted_field(request.form, controls(), self._drafted(entity)[1], prefix)
        extension = fields_document(documents)
        extension.setdefault("fields", []).append(field)
        index = len(extension["fields"]) - 1
        documents = reshape_forms(documents, served_catalog(), entity.qualified, place_field(field["name"]))
        try:
            checked_overlays(documents, entity.qualified)
        except DefinitionsInvalid as invalid:
            errors: dict[str, list[str]] = {}
            for error in invalid.errors:
                errors.setdefault(control_of(error.path, index, request.form, error.message), []).append(error.message)
            flash(TEXT["not_drafted"].localized(), "danger")
            return self._entity_page(entity, errors, request.form), 400
        self._save(entity.qualified, documents)
        flash(TEXT["drafted_field"].localized().format(field=field["name"]), "success")
        return redirect(url_for(".entity", name=entity.qualified))

    @expose("/<name>/check-expression", methods=["POST"])
    @has_access
    @permission_name("manage")
    def check_expression(self, name: str) -> Any:
        """The formula editor's check of the expression at the posted `control` of the add-field form, against the
        entity as its draft makes it: JSON {ok, type, errors}. Static checks only: nothing posted is run."""
        entity = self._entity(name)
        control = request.form.get("control", "")
        if control not in EXPRESSION_CONTROLS:
            abort(400)
        return jsonify(check_answer(control, request.form, controls(), *self._drafted(entity)))

    @expose("/<name>/fields/<field>/retire", methods=["POST"])
    @has_access
    @permission_name("manage")
    def retire_field(self, name: str, field: str) -> Any:
        """Leave a field the tenant added out of the draft and its forms: publishing retires it (its column and data
        stay, as for any field removed from definitions)."""
        entity = self._entity(name)
        documents = draft_documents(entity.qualified)
        extension = fields_document(documents)
        kept = [f for f in extension.get("fields", []) if f["name"] != field]
        if len(kept) == len(extension.get("fields", [])):
            abort(404)
        refused = retire_refusal(served_catalog(), entity, field)
        if refused:
            flash(refused, "danger")
            return self._entity_page(entity, {}, MultiDict()), 400
        extension["fields"] = kept
        documents = reshape_forms(documents, served_catalog(), entity.qualified, remove_field(field))
        try:
            checked_overlays(documents, entity.qualified)
        except DefinitionsInvalid as invalid:  # the own entity's last field, or its title field
            flash(f"{TEXT['not_drafted'].localized()} {refusal_words(invalid)}", "danger")
            return self._entity_page(entity, {}, MultiDict()), 400
        self._save(entity.qualified, documents)
        flash(TEXT["retired"].localized().format(field=field), "success")
        return redirect(url_for(".entity", name=entity.qualified))

    @expose("/<name>/publish", methods=["POST"])
    @has_access
    @permission_name("manage")
    def publish(self, name: str) -> Any:
        """Publish the draft through `formwork tenant customize`'s code, as one revision with the admin's comment; the
        draft goes once it is applied. A draft changed since its plan was shown, or whose overlays someone published
        since it started, is not published (409: publishing would apply what the admin did not read, or overwrite)."""
        entity = self._entity(name)
        outcome = publish_posted_draft(entity.qualified)
        if outcome is None:
            abort(404)
        flash(outcome.message, outcome.category)
        if outcome.status == 409:
            return self._entity_page(entity, {}, MultiDict()), 409
        return redirect(url_for(".entity", name=entity.qualified))

    @expose("/<name>/discard", methods=["POST"])
    @has_access
    @permission_name("manage")
    def discard(self, name: str) -> Response:
        """Drop the entity's draft; a new entity of the tenant's own that only its draft made goes with it."""
        entity = self._entity(name)
        flash(discard_posted_draft(entity.qualified), "success")
        if entity.qualified not in served_catalog().entities:
            return redirect(url_for(".entities"))
        return redirect(url_for(".entity", name=entity.qualified))


def register_screens(appbuilder: AppBuilder, _catalog: Catalog) -> None:
    """The Studio's menu entry (shown only to those with its right: the admins)."""
    appbuilder.add_view(StudioScreen, MENU_NAME, label=menu_label(TEXT["menu"]), icon="fa-wand-magic-sparkles")
    appbuilder.add_view_no_menu(FieldChangeScreen)  # a pack field's page, reached from its entity's page
    appbuilder.add_view_no_menu(StudioVersions)
    appbuilder.add_view_no_menu(NewEntityScreen)  # a new entity of the tenant's own, from its entities page
    appbuilder.add_view_no_menu(DashboardStudio)
