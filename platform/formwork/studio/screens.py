"""The Studio screen (/studio/): a tenant's admins read the entities and their fields, add fields to a draft,
read its plan, publish or discard it, and retire the fields their company added.

Every route asks for `can_manage` on `Studio`, which no pack role is given: the tenant's admin role (which holds
every permission) uses it, anyone else gets 403. Every post carries the CSRF token (Flask-WTF checks it before the
view runs). A posted field with any error is shown again with each message at its control and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import yaml
from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from flask_login import current_user
from werkzeug.wrappers import Response

from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef
from ..tenancy.errors import TenantError
from ..tenancy.menu import menu_label
from .drafts import discard_draft, draft_of, drafted_entities, save_draft
from .field_form import CONTROLS, SIMPLE_TYPES, control_of, posted_field
from .labels import TEXT
from .placement import place_field, remove_field, reshape_forms
from .publishing import KIND, checked_overlays, draft_text, plan_words, publish, stored_extension

MENU_NAME = "Studio"  # the menu entry's permission name; its label is TEXT["menu"]


def _catalog() -> Catalog:
    return current_app.extensions["formwork"].catalog


def _session() -> Any:
    return current_app.extensions["formwork"].session()


def _extension(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The draft's EntityExtension (every draft holds one: it starts from the published or an empty one)."""
    return next(doc for doc in documents if doc.get("kind") == KIND)


class StudioScreen(BaseView):
    """/studio/: entities, their fields and the draft of each, for the tenant's admins."""

    route_base = "/studio"
    default_view = "entities"
    class_permission_name = MENU_NAME

    def _entity(self, name: str) -> EntityDef:
        found = _catalog().entities.get(name)
        if found is None:
            abort(404)
        return found

    @expose("/")
    @has_access
    @permission_name("manage")
    def entities(self) -> Any:
        catalog = _catalog()
        return self.render_template(
            "formwork/studio/entities.html",
            title=TEXT["menu"],
            T=TEXT,
            entities=sorted(catalog.entities.values(), key=lambda e: (e.pack, e.name)),
            packs=catalog.packs,
            drafted=drafted_entities(_session()),
        )

    @expose("/<name>/")
    @has_access
    @permission_name("manage")
    def entity(self, name: str) -> Any:
        return self._entity_page(self._entity(name), {}, {})

    def _entity_page(self, entity: EntityDef, errors: dict[str, list[str]], posted: dict[str, str]) -> Any:
        draft = draft_of(_session(), entity.qualified)
        drafted = _extension(list(yaml.safe_load_all(draft))) if draft else None
        changes, refusals = plan_words(draft, entity.qualified) if draft else ([], [])
        own = {f["name"] for f in stored_extension(entity.qualified).get("fields", [])}
        kept = {f["name"] for f in drafted.get("fields", [])} if drafted else own
        return self.render_template(
            "formwork/studio/entity.html",
            title=TEXT["fields_of"].localized().format(entity=entity.label.localized()),
            T=TEXT,
            entity=entity,
            pack=_catalog().packs[entity.pack],
            own=own,
            drafted=[f for f in (drafted or {}).get("fields", []) if f["name"] not in own],
            retiring=own - kept,
            has_draft=draft is not None,
            changes=changes,
            refusals=refusals,
            types=SIMPLE_TYPES,
            errors=errors,
            posted=posted,
        )

    def _draft_or_stored(self, entity: str) -> list[dict[str, Any]]:
        """The entity's draft documents, or (no draft yet) its published extension to start one from."""
        draft = draft_of(_session(), entity)
        return list(yaml.safe_load_all(draft)) if draft else [stored_extension(entity)]

    def _save(self, entity: str, documents: list[dict[str, Any]]) -> None:
        session = _session()
        save_draft(session, entity, draft_text(documents), current_user.username)
        session.commit()

    @expose("/<name>/fields", methods=["POST"])
    @has_access
    @permission_name("manage")
    def add_field(self, name: str) -> Any:
        """Add the posted field to the entity's draft (and its forms), if the draft then passes `validate`'s checks."""
        entity = self._entity(name)
        documents = self._draft_or_stored(entity.qualified)
        field = posted_field(request.form)
        extension = _extension(documents)
        extension.setdefault("fields", []).append(field)
        index = len(extension["fields"]) - 1
        documents = reshape_forms(documents, _catalog(), entity.qualified, place_field(field["name"]))
        try:
            checked_overlays(documents, entity.qualified)
        except DefinitionsInvalid as invalid:
            errors: dict[str, list[str]] = {}
            for error in invalid.errors:
                errors.setdefault(control_of(error.path, index), []).append(error.message)
            flash(TEXT["not_drafted"].localized(), "danger")
            posted = {key: request.form.get(key, "") for key in (*CONTROLS, "label_en", "label_zh")}
            return self._entity_page(entity, errors, posted), 400
        self._save(entity.qualified, documents)
        flash(TEXT["drafted_field"].localized().format(field=field["name"]), "success")
        return redirect(url_for(".entity", name=entity.qualified))

    @expose("/<name>/fields/<field>/retire", methods=["POST"])
    @has_access
    @permission_name("manage")
    def retire_field(self, name: str, field: str) -> Response:
        """Leave a field the tenant added out of the draft and its forms: publishing retires it (its column and data
        stay, as for any field removed from definitions)."""
        entity = self._entity(name)
        documents = self._draft_or_stored(entity.qualified)
        extension = _extension(documents)
        kept = [f for f in extension.get("fields", []) if f["name"] != field]
        if len(kept) == len(extension.get("fields", [])):
            abort(404)
        extension["fields"] = kept
        self._save(entity.qualified, reshape_forms(documents, _catalog(), entity.qualified, remove_field(field)))
        flash(TEXT["retired"].localized().format(field=field), "success")
        return redirect(url_for(".entity", name=entity.qualified))

    @expose("/<name>/publish", methods=["POST"])
    @has_access
    @permission_name("manage")
    def publish(self, name: str) -> Response:
        """Publish the draft through `formwork tenant customize`'s code; the draft goes once it is applied."""
        entity = self._entity(name)
        session = _session()
        draft = draft_of(session, entity.qualified)
        if draft is None:
            abort(404)
        session.commit()  # the migration takes the tenant's storage: this request holds no transaction on it
        try:
            changed = publish(draft, entity.qualified, current_user.username)
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
        session = _session()
        discard_draft(session, entity.qualified)
        session.commit()
        flash(TEXT["discarded"].localized(), "success")
        return redirect(url_for(".entity", name=entity.qualified))


def register_screens(appbuilder: AppBuilder, _catalog: Catalog) -> None:
    """The Studio's menu entry (shown only to those with its right: the admins)."""
    appbuilder.add_view(StudioScreen, MENU_NAME, label=menu_label(TEXT["menu"]), icon="fa-wand-magic-sparkles")
