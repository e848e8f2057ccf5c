"""The Studio's views of an entity (/studio/<entity>/views/): its list views, boards, calendars, timelines and
pivots, each with its editor, and a new view of each kind.

The kinds are those whose `Kind` carries a `ViewEditing` (meta/editing.py): the core's ListView and every view kind
a feature registers, so the Studio imports no feature and a new view kind brings its editor with its declaration.
Saving puts the view's overlay document (the kind the CLI's `formwork tenant customize` takes: it replaces the
pack's view of the same entity and name, or adds one) in the entity's draft, if the draft then passes
`formwork validate`'s checks; any error is shown at its control with a 400 and nothing stored. The draft is
published from the entity's page. Like every Studio route, each asks for `can_manage` on `Studio` (the tenant's
admins only) and every post carries the CSRF token.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from werkzeug.datastructures import MultiDict

from ..meta import editing
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.kinds import KINDS, Kind
from ..meta.model import EntityDef
from ..tenancy.customizations import target_of
from .filter_row_labels import MATCHES
from .filter_row_labels import TEXT as FILTER_TEXT
from .labels import MENU_NAME
from .publishing import (
    checked_overlays,
    draft_catalog,
    draft_documents,
    pack_catalog,
    save_shown_draft,
    served_catalog,
    shown_edits,
)
from .view_form import Control, Option, control_of, controls, posted_controls, posted_document
from .view_labels import TEXT

#: the value kinds of meta/editing.py, by name, for the template
VALUE_KINDS = {
    "FIELD": editing.FIELD,
    "FIELDS": editing.FIELDS,
    "ORDER": editing.ORDER,
    "CHOICE": editing.CHOICE,
    "DIMENSIONS": editing.DIMENSIONS,
    "MEASURES": editing.MEASURES,
    "TOTALS": editing.TOTALS,
    "FILTER": editing.FILTER,
    "ROLES": editing.ROLES,
}


def editable_kinds() -> list[Kind]:
    """The kinds of views the Studio edits, in the order kinds are registered (the core's list views first)."""
    return [kind for kind in KINDS.values() if kind.editing is not None]


def kind_views(catalog: Catalog, kind: Kind, entity: str) -> list[Any]:
    """The entity's views of `kind`: list views are kept per entity, the features' views in their collection."""
    if kind.collection is None:
        return catalog.list_views_for(entity)
    return [view for view in getattr(catalog, kind.collection).values() if view.entity == entity]


def _drafted(documents: list[dict[str, Any]], kind: str) -> set[str]:
    """The targets (`crm.opportunity/pipeline`) of the draft's documents of `kind`."""
    return {target_of(kind, doc) for doc in documents if doc.get("kind") == kind}


def role_options(catalog: Catalog) -> list[Option]:
    """The roles a view may be for: the tenant's packs' roles, as the packs declare them (the tenant's admins see
    every view whatever it names)."""
    return [Option(role.name, f"{role.label.localized()} ({role.name})") for role in catalog.roles.values()]


def _editing(kind: Kind) -> editing.ViewEditing:
    assert kind.editing is not None  # `_kind` finds only the kinds that have one
    return kind.editing


class ViewEditorScreen(BaseView):
    """/studio/<entity>/views/: the entity's views of every kind, and the editor of one."""

    route_base = "/studio"
    class_permission_name = MENU_NAME

    def _entity(self, name: str) -> EntityDef:
        return served_catalog().entities.get(name) or abort(404)

    def _kind(self, kind: str) -> Kind:
        return next((k for k in editable_kinds() if k.name == kind), None) or abort(404)

    @expose("/<name>/views/")
    @has_access
    @permission_name("manage")
    def views(self, name: str) -> Any:
        entity = self._entity(name)
        documents = draft_documents(entity.qualified)
        catalog, packs = draft_catalog(documents, entity.qualified), pack_catalog()
        sections = [
            {
                "kind": kind,
                "views": kind_views(catalog, kind, entity.qualified),
                "in_pack": {v.name for v in kind_views(packs, kind, entity.qualified)},
                "drafted": _drafted(documents, kind.name),
            }
            for kind in editable_kinds()
        ]
        return self.render_template(
            "formwork/studio/views.html",
            title=TEXT["views_of"].localized().format(entity=entity.label.localized()),
            T=TEXT,
            entity=entity,
            sections=sections,
        )

    @expose("/<name>/views/<kind>/new", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def new_view(self, name: str, kind: str) -> Any:
        entity, found = self._entity(name), self._kind(kind)
        return self._editor_page(entity, found, {"kind": found.name, "entity": entity.qualified}, new=True)

    @expose("/<name>/views/<kind>/edit/<view>", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def edit_view(self, name: str, kind: str, view: str) -> Any:
        entity, found = self._entity(name), self._kind(kind)
        catalog = draft_catalog(draft_documents(entity.qualified), entity.qualified)
        definition = next((v for v in kind_views(catalog, found, entity.qualified) if v.name == view), None)
        if definition is None:
            abort(404)
        document = copy.deepcopy(definition.document.data)
        return self._editor_page(entity, found, {**document, "entity": entity.qualified, "name": view}, new=False)

    def _editor_page(self, entity: EntityDef, kind: Kind, document: dict[str, Any], new: bool) -> Any:
        """The editor (GET), or the posted view put in the draft; its controls offer the entity's fields as the
        draft makes them (a field added in the draft is a column before it is published)."""
        drafted = draft_catalog(draft_documents(entity.qualified), entity.qualified).entities[entity.qualified]
        roles = role_options(served_catalog())
        if request.method == "GET":
            return self._page(entity, kind, document, controls(_editing(kind), drafted, document, roles), {}, new)
        posted, errors = posted_document(_editing(kind), document, request.form, drafted)
        if new:
            posted["name"] = request.form.get("name", "").strip()
            errors = self._name_errors(entity, kind, posted["name"]) | errors
        if not errors:
            errors = self._draft(entity, kind, posted)
        if errors:
            flash(TEXT["not_saved"].localized(), "danger")
            shown = posted_controls(_editing(kind), drafted, request.form, roles)
            return self._page(entity, kind, posted, shown, errors, new, request.form), 400
        flash(TEXT["saved"].localized().format(view=posted["name"]), "success")
        return redirect(url_for(".views", name=entity.qualified))

    def _name_errors(self, entity: EntityDef, kind: Kind, name: str) -> dict[str, list[str]]:
        """A new view's name must not be one the entity's views of the kind have (saving would replace that one)."""
        catalog = draft_catalog(draft_documents(entity.qualified), entity.qualified)
        if any(v.name == name for v in kind_views(catalog, kind, entity.qualified)):
            return {"name": [TEXT["taken"].localized().format(name=name)]}
        return {}

    def _draft(self, entity: EntityDef, kind: Kind, posted: dict[str, Any]) -> dict[str, list[str]]:
        """Put the view's document in the draft (in place of the draft's one of that view) if the draft then passes
        `validate`'s checks; else the errors, by control."""
        documents = draft_documents(entity.qualified)
        target = target_of(kind.name, posted)
        documents = [d for d in documents if d.get("kind") != kind.name or target_of(kind.name, d) != target]
        documents.append(posted)
        try:
            checked_overlays(documents, entity.qualified)
        except DefinitionsInvalid as invalid:
            errors: dict[str, list[str]] = {}
            for error in invalid.errors:
                errors.setdefault(control_of(error.path, _editing(kind), request.form), []).append(error.message)
            return errors
        if not save_shown_draft(entity.qualified, documents):
            return {"": [TEXT["draft_changed"].localized()]}
        return {}

    def _page(
        self,
        entity: EntityDef,
        kind: Kind,
        document: dict[str, Any],
        shown: list[Control],
        errors: dict[str, list[str]],
        new: bool,
        posted: MultiDict[str, str] | None = None,
    ) -> Any:
        label = document.get("label")
        texts = label if isinstance(label, dict) else {"en": label} if label else {}
        title = TEXT["new_title"] if new else TEXT["edit_title"]
        return self.render_template(
            "formwork/studio/view_editor.html",
            title=title.localized().format(
                kind=_editing(kind).title.localized(), view=document.get("name", ""), entity=entity.label.localized()
            ),
            T=TEXT,
            K=VALUE_KINDS,
            FILTER_TEXT=FILTER_TEXT,
            MATCHES=MATCHES,
            entity=entity,
            kind=kind,
            new=new,
            name=posted.get("name", "") if posted is not None and new else document.get("name", ""),
            label_en=posted.get("label_en", "") if posted is not None else texts.get("en", ""),
            label_zh=posted.get("label_zh", "") if posted is not None else texts.get("zh", ""),
            controls=shown,
            errors=errors,
            edits=shown_edits(entity.qualified),
        )


def register_view_editor(appbuilder: AppBuilder, _catalog: Catalog) -> None:
    appbuilder.add_view_no_menu(ViewEditorScreen)
