"""A new entity of the tenant's own, started in the Studio: from a blank form, or from an uploaded spreadsheet.

Either way the admin's post becomes the first draft of the entity `x.<name>` (studio/drafts.py): its Entity document,
a default Form and a ListView showing its fields, checked by `formwork validate`'s checks (studio/publishing.py) with
each error at its control; the entity's own Studio page then adds fields, shows the plan and publishes, which creates
the table. From a spreadsheet, the fields are guessed from the columns (studio/spreadsheet_fields.py) and reviewed
first, and the file is kept for the import of the entity's table exactly as its import screens keep an upload
(the spreadsheets port, tenancy/spreadsheets.py): once the entity is published, its import preview finds the file and
goes on with the mapping and the dry run.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access, permission_name
from flask_login import current_user
from werkzeug.datastructures import FileStorage, MultiDict

from ..compile.models import class_name
from ..definitions.checks import TENANT_PACK
from ..fields import FIELD_TYPES
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef
from ..tenancy.spreadsheets import Spreadsheets, spreadsheets
from .drafts import drafted_entities
from .field_form import addable_types, label_value
from .labels import MENU_NAME
from .labels import TEXT as STUDIO_TEXT
from .new_entity_labels import TEXT
from .publishing import checked_overlays, is_own_entity, save_documents, served_catalog, tenant_session
from .spreadsheet_fields import InferredField, field_document, infer_fields

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: the types offered for a new entity's fields: those that need nothing but a name (a choice: its values, guessed)
SIMPLE_TYPES = ("string", "text", "integer", "decimal", "boolean", "date", "datetime", "email", "phone", "url")
LIST_COLUMNS = 6
#: the controls of an entity's own keys, by the path of an error in its document
ENTITY_CONTROLS = {"name": "name", "label": "label_en", "plural": "plural_en", "icon": "icon"}
Errors = dict[str, list[str]]


def offered_types(*more: str) -> list[str]:
    return [name for name in (*SIMPLE_TYPES, *more) if name in addable_types()]


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a new entity of the tenant: not an identifier, or an entity (published or drafted) has it."""
    if NAME.fullmatch(name) is None:
        return TEXT["bad_name"].localized()
    qualified = f"{TENANT_PACK}.{name}"
    if qualified in served_catalog().entities or qualified in drafted_entities(tenant_session()):
        return TEXT["name_taken"].localized().format(name=name)
    return None


def entity_documents(
    form: MultiDict[str, str], name: str, fields: list[dict[str, Any]], title: str | None
) -> list[Any]:
    """The first draft: the Entity, a default form with every field in one section, and a list of the first fields."""
    entity: dict[str, Any] = {"kind": "Entity", "name": name}
    for key in ("label", "plural"):
        if (text := label_value(form, key)) is not None:
            entity[key] = text
    if icon := form.get("icon", "").strip():
        entity["icon"] = icon
    if title:
        entity["title_field"] = title
    entity["fields"] = fields
    qualified, names = f"{TENANT_PACK}.{name}", [f["name"] for f in fields]
    form_document = {"kind": "Form", "entity": qualified, "name": "default", "sections": [{"fields": names}]}
    return [entity, form_document, {"kind": "ListView", "entity": qualified, "columns": names[:LIST_COLUMNS]}]


def entity_control(path: str) -> tuple[int | None, str]:
    """(the field's position, its key) for an error at `fields[2].type`; (None, the entity's control) otherwise; "" for
    what no control holds (the form and list documents, which the page makes)."""
    found = re.match(r"fields\[(\d+)\]\.?([a-z_]*)", path)
    if found:
        return int(found.group(1)), found.group(2) or "type"
    key = path.split(".")[0].split("[")[0]
    suffix = "_zh" if path.endswith(".zh") and key in ("label", "plural") else ""
    control = ENTITY_CONTROLS.get(key, "")
    return None, control.replace("_en", suffix) if suffix else control


def drafted_errors(documents: list[Any], name: str, field_control: Any) -> Errors:
    """Each message of the checks at its control (`field_control(position, key)` for a field's); none: it passes."""
    try:
        checked_overlays(documents, f"{TENANT_PACK}.{name}")
    except DefinitionsInvalid as invalid:
        errors: Errors = {}
        for error in invalid.errors:
            position, key = entity_control(error.path)
            control = key if position is None else field_control(position, key)
            errors.setdefault(control, []).append(error.message)
        return errors
    return {}


def save_first_draft(name: str, documents: list[Any]) -> None:
    session = tenant_session()
    save_documents(session, f"{TENANT_PACK}.{name}", documents, current_user.username)
    session.commit()


def kept_import(entity: EntityDef) -> tuple[str, str] | None:
    """(the file's name, the import preview's address) of a spreadsheet kept for the import of a published entity of
    the tenant's own, made from it in the Studio; None when there is none."""
    port = spreadsheets()
    if port is None or not is_own_entity(entity.qualified) or entity.qualified not in served_catalog().entities:
        return None
    kept = port.kept_for_import(entity.table)
    return None if kept is None else (kept[0], url_for(f"{class_name(entity)}View.import_preview"))


class NewEntityScreen(BaseView):
    """/studio/new-entity/: the blank form, the spreadsheet upload and the review of the fields it gives."""

    route_base = "/studio/new-entity"
    default_view = "blank"
    class_permission_name = MENU_NAME

    def _page(self, template: str, errors: Errors, posted: MultiDict[str, str], **values: Any) -> Any:
        return self.render_template(
            f"formwork/studio/{template}.html",
            title=TEXT["new_entity"],
            T=TEXT,
            STUDIO_T=STUDIO_TEXT,
            errors=errors,
            p=posted,
            has_spreadsheets=spreadsheets() is not None,
            **values,
        )

    def _refused(self, template: str, errors: Errors, **values: Any) -> Any:
        """The posted page again with each error at its control (400): nothing was drafted."""
        flash(TEXT["not_created"].localized(), "danger")
        return self._page(template, errors, request.form, **values), 400

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def blank(self) -> Any:
        """The new-entity form; a post with a good name and title field becomes the entity's first draft."""
        types = offered_types()
        if request.method == "GET":
            defaults = MultiDict({"field_name": "name", "field_type": "string", "required": "on"})
            return self._page("new_entity", {}, defaults, types=types)
        form = request.form
        name = form.get("name", "").strip()
        refused = name_problem(name)
        if refused:
            return self._refused("new_entity", {"name": [refused]}, types=types)
        documents = entity_documents(form, name, [self._title_field(form)], form.get("field_name", "").strip())
        errors = drafted_errors(documents, name, lambda _position, key: _FIELD_CONTROLS.get(key, "field_type"))
        if errors:
            return self._refused("new_entity", errors, types=types)
        save_first_draft(name, documents)
        flash(TEXT["drafted"].localized().format(entity=name), "success")
        return redirect(url_for("StudioScreen.entity", name=f"{TENANT_PACK}.{name}"))

    @staticmethod
    def _title_field(form: MultiDict[str, str]) -> dict[str, Any]:
        field: dict[str, Any] = {"name": form.get("field_name", "").strip(), "type": form.get("field_type", "")}
        if (label := label_value(form, "field_label")) is not None:
            field["label"] = label
        if form.get("required") == "on":
            field["required"] = True
        return field

    @expose("/spreadsheet", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def spreadsheet(self) -> Any:
        """The upload form; a posted file that can be read is kept for the entity's import and its columns reviewed."""
        port = spreadsheets()
        if port is None:
            abort(404)
        if request.method == "GET":
            return self._page("new_entity_upload", {}, MultiDict())
        name = request.form.get("name", "").strip()
        errors = self._upload_errors(port, name)
        if errors:
            return self._refused("new_entity_upload", errors)
        return redirect(url_for(".review", name=name))

    @staticmethod
    def _upload_errors(port: Spreadsheets, name: str) -> Errors:
        """What is wrong with the posted name and file, at their controls; nothing when the file is kept."""
        chosen = request.files.get("file")
        refused = name_problem(name)
        if not isinstance(chosen, FileStorage) or not chosen.filename:
            return {"file": [TEXT["no_file"].localized()], **({"name": [refused]} if refused else {})}
        data = chosen.read(port.max_bytes + 1)
        try:
            port.read(chosen.filename, data)
        except ValueError as unreadable:
            return {"file": [str(unreadable)], **({"name": [refused]} if refused else {})}
        if refused:
            return {"name": [refused]}
        port.keep_for_import(f"{TENANT_PACK}_{name}", chosen.filename, data)
        return {}

    def _kept_columns(self, name: str) -> tuple[str, int, list[InferredField]] | None:
        """(the file's name, its rows, the fields its columns give) of the file kept for the entity `name`."""
        port = spreadsheets()
        if port is None or name_problem(name) is not None:
            abort(404)
        kept = port.kept_for_import(f"{TENANT_PACK}_{name}")
        if kept is None:
            return None
        try:
            headers, rows = port.read(*kept)
        except ValueError:
            return None
        return kept[0], len(rows), infer_fields(headers, rows)

    @expose("/spreadsheet/<name>/", methods=["GET", "POST"])
    @has_access
    @permission_name("manage")
    def review(self, name: str) -> Any:
        """The fields the kept file's columns give, to correct; a post becomes the entity's first draft."""
        kept = self._kept_columns(name)
        if kept is None:
            flash(TEXT["expired"].localized(), "warning")
            return redirect(url_for(".spreadsheet"))
        filename, rows, inferred = kept
        page = {
            "name": name,
            "filename": filename,
            "rows": rows,
            "inferred": inferred,
            "types": offered_types("choice"),
        }
        if request.method == "GET":
            return self._page("new_entity_review", {}, _review_defaults(name, inferred), **page)
        chosen = [_posted_column(request.form, f) for f in inferred if request.form.get(f"include-{f.column}") == "on"]
        if not chosen:
            return self._refused("new_entity_review", {"": [TEXT["no_columns"].localized()]}, **page)
        fields = [field_document(f) for f in chosen]
        documents = entity_documents(request.form, name, fields, _title(request.form, chosen))
        errors = drafted_errors(documents, name, lambda i, key: f"{_ROW_CONTROLS.get(key, 'type')}-{chosen[i].column}")
        if errors:
            return self._refused("new_entity_review", errors, **page)
        save_first_draft(name, documents)
        flash(TEXT["drafted_rows"].localized().format(entity=name, rows=rows, file=filename), "success")
        return redirect(url_for("StudioScreen.entity", name=f"{TENANT_PACK}.{name}"))


#: an error at a key of the blank form's field, or of a reviewed column's, and the control it is shown at
_FIELD_CONTROLS = {"name": "field_name", "label": "field_label_en", "type": "field_type"}
_ROW_CONTROLS = {"name": "name", "label": "label", "type": "type", "required": "required"}


def _review_defaults(name: str, inferred: list[InferredField]) -> MultiDict[str, str]:
    """The review form as first shown: every column included, as guessed; the entity labelled after its name."""
    label = name.replace("_", " ").capitalize()
    values: list[tuple[str, str]] = [("label_en", label), ("plural_en", f"{label}s")]
    title = next((f for f in inferred if FIELD_TYPES[f.type].names_records), None)
    if title is not None:
        values.append(("title", str(title.column)))
    for f in inferred:
        c = f.column
        values += [(f"include-{c}", "on"), (f"name-{c}", f.name), (f"type-{c}", f.type)]
        values += [(f"label-{c}_en", f.label_en), (f"label-{c}_zh", f.label_zh)]
        if f.required:
            values.append((f"required-{c}", "on"))
    return MultiDict(values)


def _posted_column(form: MultiDict[str, str], guessed: InferredField) -> InferredField:
    """The column's field as the admin corrected it; its values (a choice's) and precision stay as guessed."""
    c = guessed.column
    return InferredField(
        column=c,
        header=guessed.header,
        name=form.get(f"name-{c}", "").strip(),
        label_en=form.get(f"label-{c}_en", "").strip(),
        label_zh=form.get(f"label-{c}_zh", "").strip(),
        type=form.get(f"type-{c}", ""),
        required=form.get(f"required-{c}") == "on",
        values=guessed.values,
        precision=guessed.precision,
    )


def _title(form: MultiDict[str, str], chosen: list[InferredField]) -> str | None:
    """The chosen title column's field, if it is included."""
    return next((f.name for f in chosen if str(f.column) == form.get("title")), None)
