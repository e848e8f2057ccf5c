"""The form designer (/studio/<entity>/forms/<form>/): a tenant's admins lay out one form of an entity (tabs,
sections, columns, the fields of each), build the conditions of its fields and try them in a live preview; saving
puts the Form overlay and the conditions in the entity's draft (published on the entity's page).

The page is one HTML form holding the whole layout and every condition builder, so each of its buttons (move a
field, add a section or a tab…) works without JavaScript: the page comes back with the change and nothing is stored
until "Save to the draft". static/studio/form_designer.js adds dragging (SortableJS) and the live preview;
static/studio/condition_builder.js the builder's rows. Like every Studio route, each one asks for `can_manage` on
`Studio` (the tenant's admins only) and every post carries the CSRF token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from werkzeug.wrappers import Response

from ..compile.actors import signed_in_actor
from ..compile.logic import CONDITIONS
from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef
from .condition_builder import Builder, posted_builder, stored_builder
from .conditions import OPERATOR_WORDS, Subject, read_condition, subjects
from .designer_labels import TEXT
from .form_designer import PlacedErrors, condition_prefix, place_errors, set_condition, with_layout
from .form_layout import EMPTY_SECTION, Layout, apply_step, empty_sections, layout_of, posted_layout
from .form_preview import preview_states, test_values, value_input
from .labels import MENU_NAME
from .publishing import (
    checked_overlays,
    draft_catalog,
    drafted_definitions,
    pack_catalog,
    save_shown_draft,
    served_catalog,
    shown_edits,
)

SAVE = "save"


def _with_draft(entity: str) -> tuple[list[dict[str, Any]], Catalog]:
    """The entity's draft documents (or its published extension) and the definitions with them in place."""
    if entity not in served_catalog().entities:
        abort(404)
    return drafted_definitions(entity)


@dataclass(frozen=True)
class Workspace:
    """One form of one entity as the designer starts from it: the entity's draft documents (or its published
    extension), the definitions with the draft in place, and the form's layout (the draft's or the served one)."""

    documents: list[dict[str, Any]]
    catalog: Catalog
    entity: EntityDef
    original: Layout

    @classmethod
    def open(cls, entity: str, form: str) -> Workspace:
        documents, catalog = _with_draft(entity)
        drafted = next(
            (
                doc
                for doc in documents
                if doc.get("kind") == "Form" and doc.get("entity") == entity and doc.get("name", "default") == form
            ),
            None,
        )
        served = next((f for f in catalog.forms.get(entity, []) if f.name == form), None)
        if drafted is not None:
            document = drafted
        elif served is not None:
            document = {**served.document.data, "entity": entity}
        else:
            abort(404)
        return cls(documents, catalog, catalog.entities[entity], layout_of(document))

    @property
    def subjects(self) -> dict[str, Subject]:
        return subjects(self.entity, self.catalog)

    def field_names(self, layout: Layout) -> list[str]:
        """The fields the page shows: those on the form, then the others (a field dragged onto the form has its
        conditions at hand)."""
        placed = layout.placed
        return placed + [f.name for f in self.entity.fields if f.name not in placed and not f.hidden]

    def builders(self, layout: Layout, posted: bool) -> dict[str, Builder]:
        """A builder for each condition of each field the page shows: as posted (when the page posted it), otherwise
        as the draft's definitions have it."""
        known, found = self.subjects, {}
        for name in self.field_names(layout):
            spec = self.entity.field(name)
            for which in CONDITIONS:
                prefix = condition_prefix(name, which)
                if posted and f"{prefix}.mode" in request.form:
                    found[prefix] = posted_builder(request.form, prefix, known)
                else:
                    found[prefix] = stored_builder(prefix, (spec.condition(which) if spec else None) or "", known)
        return found

    def drafted(self, layout: Layout, builders: dict[str, Builder]) -> list[dict[str, Any]]:
        """The draft's documents with `layout` and every builder that could be written."""
        documents = with_layout(self.documents, layout)
        pack_entity = pack_catalog().entities.get(self.entity.qualified)
        for name in self.field_names(layout):
            for which in CONDITIONS:
                builder = builders.get(condition_prefix(name, which))
                if builder is not None and not builder.error:
                    set_condition(documents, pack_entity, name, which, builder.text)
        return documents


def _shown(label: dict[str, str], fallback: str) -> str:
    """A section's or tab's label in the reader's language (`fallback` when it has none)."""
    return Label({language: text for language, text in label.items() if text}, fallback).localized()


def subjects_data(known: dict[str, Subject]) -> str:
    """The fields a builder row may test, for static/studio/condition_builder.js."""
    return json.dumps(
        {
            "fields": {
                name: {
                    "label": subject.label.localized(),
                    "kind": subject.kind,
                    "operators": list(subject.operators),
                    "choices": [[value, label.localized()] for value, label in subject.choices],
                }
                for name, subject in known.items()
            },
            "operators": {key: word.localized() for key, word in OPERATOR_WORDS.items()},
            "words": {key: TEXT[key].localized() for key in ("yes", "no", "has_value", "choose_field", "remove_row")},
        },
        ensure_ascii=False,
    )


class FormDesigner(BaseView):
    """/studio/<entity>/forms/<form>/: the designer, its preview and its condition builder."""

    route_base = "/studio"
    default_view = "design"
    class_permission_name = MENU_NAME

    @expose("/<name>/forms/<form>/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def design(self, name: str, form: str) -> Any:
        """GET shows the form; a post applies its button (`step`) and shows the page again, or saves the draft."""
        workspace = Workspace.open(name, form)
        if request.method == "GET":
            layout = workspace.original
            return self._page(workspace, layout, workspace.builders(layout, posted=False), PlacedErrors())
        layout = posted_layout(request.form, workspace.original)
        step = request.form.get("step", "")
        if step != SAVE:
            apply_step(layout, step, request.form)
            return self._page(workspace, layout, workspace.builders(layout, posted=True), PlacedErrors())
        return self._save(workspace, layout, workspace.builders(layout, posted=True))

    def _save(self, workspace: Workspace, layout: Layout, builders: dict[str, Builder]) -> Any:
        errors = PlacedErrors(sections={key: [EMPTY_SECTION.localized()] for key in empty_sections(layout)})
        documents = workspace.drafted(layout, builders)
        if not errors and not any(b.error for b in builders.values()):
            try:
                checked_overlays(documents, workspace.entity.qualified)
            except DefinitionsInvalid as invalid:
                errors = place_errors(invalid.errors, documents, layout)
        if errors or any(b.error for b in builders.values()):
            for prefix, messages in errors.conditions.items():
                if prefix in builders:
                    builders[prefix] = builders[prefix].failed(messages)
            flash(TEXT["not_saved"].localized(), "danger")
            return self._page(workspace, layout, builders, errors), 400
        if not save_shown_draft(workspace.entity.qualified, documents):
            flash(TEXT["draft_changed"].localized(), "danger")
            return self._page(workspace, layout, builders, PlacedErrors()), 409
        flash(TEXT["saved"].localized(), "success")
        return redirect(url_for(".design", name=workspace.entity.qualified, form=layout.name))

    def _page(self, workspace: Workspace, layout: Layout, builders: dict[str, Builder], errors: PlacedErrors) -> Any:
        entity = workspace.entity
        placed = set(layout.placed)
        return self.render_template(
            "formwork/studio/form_designer.html",
            title=TEXT["designer"].localized().format(form=layout.name, entity=entity.label.localized()),
            T=TEXT,
            entity=entity,
            layout=layout,
            palette=[f for f in entity.fields if f.name not in placed and not f.hidden],
            field_names=workspace.field_names(layout),
            builders=builders,
            conditions=CONDITIONS,
            subjects=workspace.subjects,
            subjects_data=subjects_data(workspace.subjects),
            operator_words=OPERATOR_WORDS,
            errors=errors,
            value_input=value_input,
            condition_prefix=condition_prefix,
            section_names={
                s.key: _shown(s.label, TEXT["section_label"].localized().format(number=i))
                for i, s in enumerate(layout.ordered_sections(), start=1)
            },
            tab_names={t.key: _shown(t.label, TEXT["tab"].localized()) for t in layout.tabs},
            edits=shown_edits(workspace.entity.qualified),
        )

    @expose("/<name>/forms/<form>/preview", methods=["POST"])
    @has_access
    @permission_name("manage")
    def preview(self, name: str, form: str) -> Response:
        """The states of the posted form's fields for the posted test values, under the posted conditions."""
        workspace = Workspace.open(name, form)
        layout = posted_layout(request.form, workspace.original)
        documents = workspace.drafted(layout, workspace.builders(layout, posted=True))
        catalog = draft_catalog(documents, workspace.entity.qualified)
        entity = catalog.entities[workspace.entity.qualified]
        values = test_values(request.form, subjects(entity, catalog))
        return jsonify(preview_states(entity, catalog, layout.placed, values, signed_in_actor().user))

    @expose("/<name>/condition", methods=["POST"])
    @has_access
    @permission_name("manage")
    def condition(self, name: str) -> Response | tuple[Response, int]:
        """A builder switching mode (`to`: text or rows): its rows as CEL, or its CEL as rows; 400 when it cannot."""
        _, catalog = _with_draft(name)
        known = subjects(catalog.entities[name], catalog)
        prefix = request.form.get("prefix", "")
        if request.form.get("to") == "text":
            form = request.form.copy()
            form[f"{prefix}.mode"] = "rows"  # the page has ticked text mode already: its rows are what to write
            builder = posted_builder(form, prefix, known)
            if builder.error:
                return jsonify({"error": builder.error, "row": builder.error_row}), 400
            return jsonify({"text": builder.text})
        read = read_condition(request.form.get(f"{prefix}.text", "").strip(), known)
        if read is None:
            return jsonify({"error": TEXT["not_rows"].localized()}), 400
        return jsonify(
            {"match": read.match, "rows": [{"field": r.field, "op": r.operator, "value": r.value} for r in read.rows]}
        )


def register_form_designer(appbuilder: AppBuilder, _catalog: Catalog) -> None:
    appbuilder.add_view_no_menu(FormDesigner)
