"""Definitions -> Flask-AppBuilder ModelViews (the list, show, add and edit screens).

The Form definition gives the fieldsets, the ListView definition the columns,
sort, quick search and page size; each field type gives its form field and
list formatting.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask_appbuilder import ModelView
from wtforms import HiddenField

from ..fields import field_type, is_fixed
from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, ListViewDef
from .interface import EntityInterface
from .models import CompiledModels, class_name
from .records import check_deletable, check_version

RECORD_INFO = Label({"en": "Record", "zh": "记录信息"})
STANDARD_LABELS = {
    "id": Label({"en": "ID", "zh": "编号"}),
    "created_at": Label({"en": "Created at", "zh": "创建时间"}),
    "created_by": Label({"en": "Created by", "zh": "创建人"}),
    "updated_at": Label({"en": "Updated at", "zh": "更新时间"}),
    "updated_by": Label({"en": "Updated by", "zh": "更新人"}),
    "version": Label({"en": "Version", "zh": "版本"}),
}


class EntityModelView(ModelView):
    """The screens of one entity; subclasses are generated per entity."""

    entity: EntityDef
    catalog: Catalog
    compiled: CompiledModels

    def _init_forms(self) -> None:
        super()._init_forms()
        # The version read travels with the edit form so a stale save is refused.
        self.edit_form = type(f"{self.edit_form.__name__}Versioned", (self.edit_form,), {"record_version": HiddenField()})

    def prefill_form(self, form: Any, pk: Any) -> None:
        item = self.datamodel.get(pk)
        form.record_version.data = item.version if item else ""

    def process_form(self, form: Any, is_created: bool) -> None:
        if not is_created and "record_version" in form:
            g.formwork_edited_version = form.record_version.data
            del form["record_version"]
        for field in self.entity.fields:
            if is_fixed(field) and field.name in form:
                del form[field.name]  # whatever was posted, a read-only field keeps its value

    def pre_update(self, item: Any) -> None:
        check_version(item, g.pop("formwork_edited_version", None))

    def pre_delete(self, item: Any) -> None:
        check_deletable(self.datamodel.session, self.catalog, self.compiled, self.entity, item)


def _fieldsets(entity: EntityDef, catalog: Catalog, editable: bool = False) -> list[tuple[Any, dict[str, Any]]]:
    """Form sections as FAB fieldsets, without hidden fields (and, on the add screen, read-only ones)."""
    form = catalog.form_for(entity.qualified)
    sections = [(s.label or entity.label, s.fields) for s in form.sections] if form else [(entity.label, entity.field_names())]

    def shown(name: str) -> bool:
        field = entity.field(name)
        return not field.hidden and not (editable and is_fixed(field))

    fieldsets = [(label, {"fields": [n for n in names if shown(n)]}) for label, names in sections]
    return [fieldset for fieldset in fieldsets if fieldset[1]["fields"]]


def _list_view(entity: EntityDef, catalog: Catalog) -> ListViewDef | None:
    views = catalog.list_views_for(entity.qualified)
    return views[0] if views else None


def _formatters(entity: EntityDef) -> dict[str, Any]:
    formatters = {}
    for field in entity.fields:
        if field.type in ("reference", "string", "text"):
            continue
        ftype = field_type(field.type)
        formatters[field.name] = lambda value, _f=field, _t=ftype: _t.format_value(_f, value)
    return formatters


def view_attributes(entity: EntityDef, catalog: Catalog, compiled: CompiledModels) -> dict[str, Any]:
    """The class attributes of one entity's ModelView."""
    fieldsets = _fieldsets(entity, catalog)
    listing = _list_view(entity, catalog)
    columns = [c for c in (listing.columns if listing else entity.field_names()[:6])
               if (f := entity.field(c)) is None or not f.hidden]
    references = [c for c in columns if (f := entity.field(c)) is not None and f.type == "reference"]
    datamodel = EntityInterface(compiled.model(entity.qualified), shown_references=references)
    ctx = _FormContext(datamodel)
    extra = {f.name: form for f in entity.fields if (form := field_type(f.type).form_field(f, ctx)) is not None}
    labels = {**STANDARD_LABELS, **{f.name: f.label for f in entity.fields}}
    return {
        "entity": entity,
        "catalog": catalog,
        "compiled": compiled,
        "datamodel": datamodel,
        "route_base": f"/{entity.table}",
        "list_title": listing.label if listing and listing.label else entity.plural,
        "show_title": entity.label,
        "add_title": entity.label,
        "edit_title": entity.label,
        "list_columns": columns,
        "label_columns": labels,
        "description_columns": {f.name: f.help for f in entity.fields if f.help},
        "add_fieldsets": _fieldsets(entity, catalog, editable=True),
        "edit_fieldsets": fieldsets,
        "show_fieldsets": [*fieldsets, (RECORD_INFO, {"fields": ["created_at", "updated_at", "version"], "expanded": False})],
        "add_form_extra_fields": extra,
        "edit_form_extra_fields": extra,
        "search_columns": listing.search if listing and listing.search else [
            f.name for f in entity.fields if f.type in ("string", "email", "text")],
        "order_columns": [c for c in columns if c not in references],
        "base_order": (listing.sort_field, "desc" if listing.sort_descending else "asc") if listing else ("id", "desc"),
        "page_size": listing.page_size if listing else 25,
        "formatters_columns": _formatters(entity),
    }


class _FormContext:
    def __init__(self, datamodel: EntityInterface) -> None:
        self.datamodel = datamodel


def build_view(entity: EntityDef, catalog: Catalog, compiled: CompiledModels) -> type[EntityModelView]:
    return type(f"{class_name(entity)}View", (EntityModelView,), view_attributes(entity, catalog, compiled))
