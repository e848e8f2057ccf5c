"""A pack field's page in the Studio (/studio/<entity>/fields/<field>/): change what a tenant may change of it.

GET shows the field as the tenant has it (the pack's field with the published or drafted changes), the reasons it
is locked if other definitions depend on it (and beside each choice they rely on, why it is), and the form: labels
and help in English and Chinese, required, the default, and the choices of a choice field (value, labels, colour,
retired; added at the last row, reordered with Up and Down or by dragging). POST puts the field's `changes` entry
in the entity's draft (studio/field_changes.py), refused with a 400 at its control, nothing stored, when it blanks a
stored value, touches what a lock protects (studio/locks.py) or fails `formwork validate`'s checks. The draft is
published from the entity's page.

The route asks for `can_manage` on `Studio`, as every Studio route does: only the tenant's admins reach it.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access, permission_name
from werkzeug.datastructures import MultiDict

from ..definitions.jsonschemas import extension_schema
from ..fields import FieldType, kind_of
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef, FieldDef
from .change_labels import CHANGE_TEXT
from .field_changes import (
    OFFERED,
    RETIRED,
    SWITCHES,
    ChangedField,
    change_entry,
    control_of,
    posted_change,
    posted_rows,
    shows_placeholder,
    texts,
)
from .labels import TEXT
from .locks import FieldLock, choice_control, field_lock, refuse_locked
from .publishing import (
    checked_overlays,
    draft_documents,
    fields_document,
    pack_catalog,
    save_shown_draft,
    served_catalog,
    shown_edits,
)


def colours() -> list[str]:
    """The colours a choice may have (the definitions' `color`)."""
    return list(extension_schema()["$defs"]["color"]["enum"])


class FieldChangeScreen(BaseView):
    """/studio/<entity>/fields/<field>/: one pack field's labels, help, required, default and choices."""

    route_base = "/studio"
    class_permission_name = "Studio"

    def _pack_field(self, name: str, field: str) -> tuple[EntityDef, FieldDef, dict[str, Any]]:
        """The entity as served, its field, and the field as the pack defines it (404 for a tenant's own field)."""
        entity = served_catalog().entities.get(name)
        pack_entity = pack_catalog().entities.get(name)
        served = entity.field(field) if entity else None
        if entity is None or pack_entity is None or served is None or pack_entity.field(field) is None:
            abort(404)
        spec = next(f for f in pack_entity.document.data["fields"] if f["name"] == field)
        return entity, served, copy.deepcopy(spec)

    @expose("/<name>/fields/<field>/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def field(self, name: str, field: str) -> Any:
        """GET: the field's page. POST: its change in the draft (a row moved by Up or Down is saved the same way)."""
        entity, served, pack = self._pack_field(name, field)
        documents = draft_documents(entity.qualified)
        extension = fields_document(documents)
        current = {**pack, **extension.get("changes", {}).get(field, {})}
        if field in extension.get("labels", {}):
            current["label"] = extension["labels"][field]
        kind = kind_of(served)
        lock = field_lock(served_catalog(), entity, field)
        if request.method == "GET":
            return self._page(entity, served, kind, current, lock, ChangedField(current))
        changed = posted_change(current, kind, request.form)
        refuse_locked(changed, current, lock)
        if not changed.errors:
            self._draft_change(documents, entity, field, changed, pack, kind)
        if changed.errors:
            flash(CHANGE_TEXT["not_drafted"].localized(), "danger")
            return self._page(entity, served, kind, changed.spec, lock, changed, request.form), 400
        flash(CHANGE_TEXT["drafted"].localized().format(field=served.label.localized()), "success")
        return redirect(url_for(".field", name=entity.qualified, field=field))

    def _draft_change(
        self,
        documents: list[dict[str, Any]],
        entity: EntityDef,
        field: str,
        changed: ChangedField,
        pack: dict[str, Any],
        kind: FieldType,
    ) -> None:
        """Put the change in the draft if the draft then passes `validate`'s checks; else the errors at controls."""
        extension = fields_document(documents)
        changes = extension.setdefault("changes", {})
        entry = change_entry(changed.spec, pack, changes.get(field))
        if entry:
            changes[field] = entry
        else:
            changes.pop(field, None)
        if not changes:
            extension.pop("changes")
        extension.get("labels", {}).pop(field, None)  # the label is the change's now
        if "labels" in extension and not extension["labels"]:
            extension.pop("labels")
        try:
            checked_overlays(documents, entity.qualified)
        except DefinitionsInvalid as invalid:
            for error in invalid.errors:
                changed.refuse(control_of(error.path, field, kind), error.message)
            return
        if not save_shown_draft(entity.qualified, documents):
            changed.refuse("", CHANGE_TEXT["draft_changed"].localized())

    def _page(
        self,
        entity: EntityDef,
        served: FieldDef,
        kind: FieldType,
        spec: dict[str, Any],
        lock: FieldLock,
        changed: ChangedField,
        posted: MultiDict[str, str] | None = None,
    ) -> Any:
        default = spec.get("default")
        return self.render_template(
            "formwork/studio/field.html",
            title=CHANGE_TEXT["title"].localized().format(field=served.label.localized()),
            T=TEXT,
            C=CHANGE_TEXT,
            entity=entity,
            field=served,
            kind=kind,
            label=texts(spec.get("label")),
            help=texts(spec.get("help")),
            placeholder=texts(spec.get("placeholder")) if shows_placeholder(kind) else None,
            switches={key: bool(spec.get(key)) for key in SWITCHES},
            default=default,
            default_editable=not kind.holds_list and not kind.generated and not isinstance(default, dict),
            choices=[_locked_row(row, lock) for row in _rows(spec, posted)] if kind.has_choices else [],
            colours=colours(),
            retired=RETIRED,
            offered=OFFERED,
            reasons=lock.reasons(),
            edits=shown_edits(entity.qualified),
            errors=changed.errors,
            posted=posted,
        )


def _rows(spec: dict[str, Any], posted: MultiDict[str, str] | None) -> list[dict[str, Any]]:
    """The choices as the table shows them: as posted when a post is shown again (a renamed row keeps the value it
    had), else the field's, each row's `original` its value."""
    if posted is not None:
        rows = [row for row in posted_rows(posted) if row["original"] or row["value"]]
        return [{**row, "retired": row["state"] == RETIRED} for row in rows]
    return [_row(choice) for choice in spec.get("choices", [])]


def _locked_row(row: dict[str, Any], lock: FieldLock) -> dict[str, Any]:
    """A row of the choice table with its control and why the definitions relying on its choice lock it (none: a
    new row, or a choice no definition relies on)."""
    original = row["original"]
    return {**row, "control": choice_control(original), "locked_by": lock.choice_reasons(original) if original else []}


def _row(choice: dict[str, Any]) -> dict[str, Any]:
    value = str(choice["value"])
    label = texts(choice.get("label"))
    return {
        "original": value,
        "value": value,
        "label_en": label.get("en", value),
        "label_zh": label.get("zh", ""),
        "color": choice.get("color", ""),
        "retired": bool(choice.get("retired")),
    }
