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

from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef
from ..tenancy.errors import TenantError
from ..tenancy.menu import menu_label
from .add_field import add_field_form
from .automation_entries import entity_lists
from .automation_labels import TEXT as AUTOMATION_TEXT
from .chain_entries import chain_entries
from .chain_labels import TEXT as CHAIN_TEXT
from .designer_labels import TEXT as DESIGNER_TEXT
from .drafts import discard_draft, draft_of, draft_state, drafted_entities
from .field_form import EXPRESSION_CONTROLS, control_of, controls, posted_field
from .field_screen import FieldChangeScreen
from .formula_editor import check_answer
from .labels import MENU_NAME, TEXT
from .locks import retire_refusal
from .placement import place_field, remove_field, reshape_forms
from .publishing import (
    KIND,
    PublishConflict,
    checked_overlays,
    draft_catalog,
    plan_words,
    publish,
    save_documents,
    served_catalog,
    stored_extension,
    tenant_session,
)
from .versions import StudioVersions
from .view_labels import TEXT as VIEW_TEXT


def _extension(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The draft's EntityExtension (every draft holds one: it starts from the published or an empty one)."""
    return next(doc for doc in documents if doc.get("kind") == KIND)


class StudioScreen(BaseView):
    """/studio/: entities, their fields and the draft of each, for the tenant's admins."""

    route_base = "/studio"
    default_view = "entities"
    class_permission_name = MENU_NAME

    def _entity(self, name: str) -> EntityDef:
        found = served_catalog().entities.get(name)
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
        )

    @expose("/<name>/")
    @has_access
    @permission_name("manage")
    def entity(self, name: str) -> Any:
        return self._entity_page(self._entity(name), {}, MultiDict())

    def _entity_page(self, entity: EntityDef, errors: dict[str, list[str]], posted: MultiDict[str, str]) -> Any:
        draft = draft_of(tenant_session(), entity.qualified)
        drafted = _extension(list(yaml.safe_load_all(draft))) if draft else None
        changes, refusals = plan_words(draft, entity.qualified) if draft else ([], [])
        own = {f["name"] for f in stored_extension(entity.qualified).get("fields", [])}
        kept = {f["name"] for f in drafted.get("fields", [])} if drafted else own
        return self.render_template(
            "formwork/studio/entity.html",
            title=TEXT["fields_of"].localized().format(entity=entity.label.localized()),
            T=TEXT,
            entity=entity,
            pack=served_catalog().packs[entity.pack],
            own=own,
            drafted=[f for f in (drafted or {}).get("fields", []) if f["name"] not in own],
            retiring=own - kept,
            has_draft=draft is not None,
            draft=draft_state(tenant_session(), entity.qualified),
            changes=changes,
            refusals=refusals,
            errors=errors,
            add_form=add_field_form(*self._drafted(entity), posted),
            forms=served_catalog().forms.get(entity.qualified, []),
            FORM_TEXT=DESIGNER_TEXT,
            chains=chain_entries(served_catalog(), entity.qualified, draft),
            automations=entity_lists(served_catalog(), entity.qualified, draft),
            AUTOMATION_TEXT=AUTOMATION_TEXT,
            CHAIN_TEXT=CHAIN_TEXT,
            VIEW_TEXT=VIEW_TEXT,
        )

    def _drafted(self, entity: EntityDef) -> tuple[EntityDef, Catalog]:
        """`entity` as its draft makes it, and the tenant's definitions with the draft in place."""
        catalog = draft_catalog(self._draft_or_stored(entity.qualified), entity.qualified)
        return catalog.entities[entity.qualified], catalog

    def _draft_or_stored(self, entity: str) -> list[dict[str, Any]]:
        """The entity's draft documents, or (no draft yet) its published extension to start one from."""
        draft = draft_of(tenant_session(), entity)
        return list(yaml.safe_load_all(draft)) if draft else [stored_extension(entity)]

    def _save(self, entity: str, documents: list[dict[str, Any]]) -> None:
        session = tenant_session()
        save_documents(session, entity, documents, current_user.username)
        session.commit()

    @expose("/<name>/fields", methods=["POST"])
    @has_access
    @permission_name("manage")
    def add_field(self, name: str) -> Any:
        """Add the posted field to the entity's draft (and its forms), if the draft then passes `validate`'s checks."""
        entity = self._entity(name)
        documents = self._draft_or_stored(entity.qualified)
        field = posted_field(request.form, controls())
        extension = _extension(documents)
        extension.setdefault("fields", []).append(field)
        index = len(extension["fields"]) - 1
        documents = reshape_forms(documents, served_catalog(), entity.qualified, place_field(field["name"]))
        try:
            checked_overlays(documents, entity.qualified)
        except DefinitionsInvalid as invalid:
            errors: dict[str, list[str]] = {}
            for error in invalid.errors:
                errors.setdefault(control_of(error.path, index, error.message), []).append(error.message)
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
        documents = self._draft_or_stored(entity.qualified)
        extension = _extension(documents)
        kept = [f for f in extension.get("fields", []) if f["name"] != field]
        if len(kept) == len(extension.get("fields", [])):
            abort(404)
        refused = retire_refusal(served_catalog(), entity, field)
        if refused:
            flash(refused, "danger")
            return self._entity_page(entity, {}, MultiDict()), 400
        extension["fields"] = kept
        self._save(entity.qualified, reshape_forms(documents, served_catalog(), entity.qualified, remove_field(field)))
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
        session = tenant_session()
        draft, state = draft_of(session, entity.qualified), draft_state(session, entity.qualified)
        if draft is None or state is None:
            abort(404)
        session.commit()  # the migration takes the tenant's storage: this request holds no transaction on it
        if request.form.get("edits", type=int) not in (None, state.edits):
            flash(TEXT["draft_changed"].localized().format(author=state.author), "danger")
            return self._entity_page(entity, {}, MultiDict()), 409
        comment = request.form.get("comment", "").strip()
        try:
            changed = publish(draft, entity.qualified, current_user.username, comment, state.base_revision)
        except PublishConflict as conflict:
            flash(f"{TEXT['conflict'].localized()} {conflict}", "danger")
            return self._entity_page(entity, {}, MultiDict()), 409
        except (DefinitionsInvalid, TenantError) as refused:
            flash(f"{TEXT['not_published'].localized()} {refused}", "danger")
            return redirect(url_for(".entity", name=entity.qualified))
        discard_draft(session, entity.qualified)
        session.commit()
        flash(f"{TEXT['published'].localized()} {'; '.join(changed)}", "success")
        return redirect(url_for(".entity", name=entity.qualified))

    @expose("/<name>/discard", methods=["POST"])
    @has_access
    @permission_name("manage")
    def discard(self, name: str) -> Response:
        entity = self._entity(name)
        session = tenant_session()
        discard_draft(session, entity.qualified)
        session.commit()
        flash(TEXT["discarded"].localized(), "success")
        return redirect(url_for(".entity", name=entity.qualified))


def register_screens(appbuilder: AppBuilder, _catalog: Catalog) -> None:
    """The Studio's menu entry (shown only to those with its right: the admins)."""
    appbuilder.add_view(StudioScreen, MENU_NAME, label=menu_label(TEXT["menu"]), icon="fa-wand-magic-sparkles")
    appbuilder.add_view_no_menu(FieldChangeScreen)  # a pack field's page, reached from its entity's page
    appbuilder.add_view_no_menu(StudioVersions)
