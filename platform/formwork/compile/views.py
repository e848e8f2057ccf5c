"""Definitions -> Flask-AppBuilder ModelViews (the list, show, add and edit screens).

The Form definition gives the fieldsets; each ListView definition is a list
screen of the same ModelView (`/<table>/view/<name>/`), with its columns,
filter, sort, quick search, page size, group counts, totals and export. Each
field type gives its form field and list formatting. A record's page has a
header (its title, status badge, Edit for who may edit, the features' buttons),
the form's sections and tabs, the related lists as tabs (compile/record_page.py,
related_lists.py) and the activity beside them; an add form takes first values
from `?fill.<field>=`; a screen's add or edit that saved shows the saved
record; a 403, 404 or 500 on these screens is a page inside the layout
(`error_page`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_appbuilder import ModelView, expose, has_access, permission_name
from flask_appbuilder.widgets import FormWidget, SearchWidget, ShowWidget
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError, NotFound
from werkzeug.wrappers import Response as Redirect

from ..actor import Actor, request_state
from ..adapters.fab import base_filters
from ..features import ENTITY_SCREENS, PANEL_PLACES, RECORD_PANELS, load_features
from ..fields import field_type, is_fixed, kind_of
from ..fields.reference import choice_condition, option_texts
from ..i18n import CatalogText
from ..languages import localized
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FormDef, SectionDef
from ..rights import hidden_fields, read_only_fields, visible_condition
from .audience import default_first
from .child_rows import child_rows_field
from .child_tables import child_tables
from .forms import FormContext, RuleCheckedForms
from .interface import EntityInterface
from .list_screens import ListScreens
from .listing import (
    STANDARD_LABELS,
    STANDARD_TIMES,
    Listing,
    column_formatter,
)
from .models import CompiledModels, class_name
from .record_page import PAGE_TEXT, RecordHeader, record_tabs, status_badge, untabbed
from .related_lists import FILL_PREFIX, related_lists

RECORD_INFO = CatalogText("Record", context="record panel")
RECORD_SECTION = (RECORD_INFO, {"fields": ["created_at", "updated_at", "version"], "expanded": False})
CHOICES_PAGE = 20
#: what an error page says, by status: (title, text)
ERROR_TEXTS = {
    403: (CatalogText("Not allowed"), CatalogText("You do not have the right to see this page.")),
    404: (CatalogText("Not found"), CatalogText("This page does not exist, or you may not see it.")),
    500: (
        CatalogText("Something went wrong"),
        CatalogText(
            "The server could not answer this request. Try again; if it happens again, tell your administrator."
        ),
    ),
}
BACK_TO_LIST, BACK_HOME = CatalogText("Back to the list"), CatalogText("Back to the home page")
#: the request's cache holding the id of the record a screen's add or edit saved
SAVED = "saved record"


class FormLayoutWidget(FormWidget):
    """Sections, tabs and columns from the Form definition (FAB's own form shows accordions only)."""

    template = "formwork/form.html"


class RecordDetailsWidget(ShowWidget):
    """A record's fields in the form's sections, columns and tabs, then its related lists as tabs (FAB's own show
    widget stacks accordions)."""

    template = "formwork/record_details.html"


class LocalizedSearchWidget(SearchWidget):
    """FAB's search box with the fields' labels in the user's language (FAB's takes a label's English `str`)."""

    def __call__(self, **kwargs: Any) -> Any:
        form, columns, filters = self.template_args["form"], self.template_args["include_cols"], self.filters
        offered = filters.get_search_filters()
        kwargs.update(
            label_columns={c: localized(form[c].label.text) for c in columns},
            form_fields={c: form[c]() for c in columns},
            search_filters={c: [str(f.name) for f in offered[c]] for c in columns},
            active_filters=filters.get_filters_values_tojson(),
        )
        return super(SearchWidget, self).__call__(**kwargs)  # FAB's rendering, without its English labels


class EntityModelView(ListScreens, RuleCheckedForms, ModelView):
    """The screens of one entity; subclasses are generated per entity."""

    entity: EntityDef
    catalog: Catalog
    compiled: CompiledModels
    listings: dict[str, Listing]
    list_template = "formwork/list.html"
    show_template = "formwork/show.html"  # the fields, then the record's panels (approval, files, history…)
    edit_template = "formwork/edit.html"  # the form, then the panels that show on the edit page (approval)
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "can_export", "can_import"]
    add_widget = FormLayoutWidget
    search_widget = LocalizedSearchWidget
    edit_widget = FormLayoutWidget
    show_widget = RecordDetailsWidget

    # -- the form of the signed-in user's role ----------------------------------
    def chosen_form(self) -> FormDef | None:
        return self.catalog.form_for(self.entity.qualified, sorted(self.actor.roles))

    def shown_fields(self, editable: bool) -> set[str]:
        return {
            name
            for _, fieldset in _fieldsets(self.entity, self.chosen_form(), self.actor, editable)
            for name in fieldset["fields"]
        }

    def _get_add_widget(self, form: Any, exclude_cols: Any = None, widgets: Any = None) -> dict[str, Any]:
        if request.method == "GET":
            self.prefill_asked(form)
            self.prefill_defaults(form)
        widgets = widgets or {}
        widgets["add"] = self.add_widget(
            form=form,
            include_cols=self.add_columns,
            exclude_cols=exclude_cols or [],
            fieldsets=_fieldsets(self.entity, self.chosen_form(), self.actor, editable=True),
        )
        return widgets

    def prefill_asked(self, form: Any) -> None:
        """First values the link to an empty add form asks for (`?fill.account=7`: a related list's Add), read as
        if posted: a reference the user may not see or choose fills nothing, and only fields the user may set on
        this form are filled, one value each (a child table's rows are not one value). The save validates the
        posted form as any other, so a link grants nothing."""
        settable = {
            name
            for name in self.shown_fields(editable=True)
            if not kind_of(self.entity.declared_field(name)).holds_rows
        }
        for key, value in request.args.items():
            name = key.removeprefix(FILL_PREFIX)
            if not key.startswith(FILL_PREFIX) or name not in settable or name not in form:
                continue
            try:
                form[name].process_formdata([value])
            except ValueError:
                form[name].data = None
            else:
                form[name].raw_data = [value]

    def _get_edit_widget(self, form: Any, exclude_cols: Any = None, widgets: Any = None) -> dict[str, Any]:
        fixed = read_only_fields(self.entity, self.actor)
        for name in [n for n in fixed if n in form]:  # the user's roles may not change these
            form[name].render_kw = {**(form[name].render_kw or {}), "readonly": True}
        widgets = widgets or {}
        widgets["edit"] = self.edit_widget(
            form=form,
            include_cols=self.edit_columns,
            exclude_cols=exclude_cols or [],
            fieldsets=_fieldsets(self.entity, self.chosen_form(), self.actor),
        )
        return self._with_panels("edit", int((request.view_args or {})["pk"]), None, widgets)

    def _with_panels(self, page: str, pk: int, item: Any, widgets: dict[str, Any]) -> dict[str, Any]:
        """The registered record panels of `page`, in priority order: their values, and their templates as
        `widgets["panels"]` (edit.html includes them below the form) and by place, `widgets["header_panels"]` and
        `widgets["side_panels"]` (show.html puts them among the header's buttons and in the activity panel)."""
        panels = [
            panel
            for panel in load_features().items(RECORD_PANELS)
            if page in panel.pages and panel.applies(self.entity, self.catalog)
        ]
        for panel in panels:
            widgets.update(panel.widgets(self, pk, item))
        widgets["panels"] = [panel.template for panel in panels]
        for place in PANEL_PLACES:
            widgets[f"{place}_panels"] = [panel.template for panel in panels if panel.place == place]
        return widgets

    def _get_show_widget(
        self, pk: Any, item: Any, widgets: Any = None, actions: Any = None, show_fieldsets: Any = None
    ) -> Any:
        widgets = widgets or {}
        tables = child_tables(self.datamodel.session, self.catalog, self.compiled, item)  # their rows, not their count
        plain = [column for column in self.show_columns if column not in tables]
        read = dict(zip(plain, self.datamodel.get_values_item(item, plain), strict=True))
        values = [tables[column] if column in tables else read[column] for column in self.show_columns]
        formatters = {column: shown for column, shown in self.formatters_columns.items() if column not in tables}
        for column, currency_field in self._money_in_own_currency(self.show_columns):
            formatters.pop(column, None)
            position = self.show_columns.index(column)
            values[position] = field_type("money").format_value(  # type: ignore[call-arg]  # money's takes a currency
                self.entity.declared_field(column), values[position], getattr(item, currency_field)
            )
        fieldsets = show_fieldsets or [*_fieldsets(self.entity, self.chosen_form(), self.actor), RECORD_SECTION]
        related = related_lists(
            self.datamodel.session, self.catalog, self.compiled, item, self.actor, self.appbuilder.sm.has_access
        )
        widgets["show"] = self.show_widget(
            pk=pk,
            label_columns=self.label_columns,
            include_columns=self.show_columns,
            value_columns=values,
            formatters_columns=formatters,
            actions=actions or self.actions,
            modelview_name=self.__class__.__name__,
            fieldsets=fieldsets,
            sections=untabbed(fieldsets),
            tabs=record_tabs(fieldsets, related),
            wide_columns=set(tables),
            text=PAGE_TEXT,
        )
        status = status_badge(self.entity, item, hidden_fields(self.entity, self.actor))
        widgets["record"] = RecordHeader(str(item), self._edit_url(pk), status)
        return self._with_panels("show", int(pk), item, widgets)

    def _edit_url(self, pk: Any) -> str | None:
        if not self.appbuilder.sm.has_access("can_edit", self.class_permission_name):
            return None
        return url_for(f"{self.endpoint}.edit", pk=pk)

    # -- after a save: the saved record's page -----------------------------------
    def post_add(self, item: Any) -> None:
        super().post_add(item)
        _saved()[self.endpoint] = item.id

    def post_update(self, item: Any) -> None:
        super().post_update(item)
        _saved()[self.endpoint] = item.id

    def post_add_redirect(self) -> Redirect:
        return self._to_saved_record()

    def post_edit_redirect(self) -> Redirect:
        return self._to_saved_record()

    def _to_saved_record(self) -> Redirect:
        """The show page of the record just saved, when the user may see it (the right, and the record rules as
        the record now is); else FAB's previous page (a refused save, which stays on its form, never gets here)."""
        pk = _saved().get(self.endpoint)
        can_show = self.appbuilder.sm.has_access("can_show", self.class_permission_name)
        if pk is None or not can_show or self.datamodel.get(pk, base_filters(self)) is None:
            return redirect(self.get_redirect())
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    # -- errors on these screens: a page inside the layout ----------------------
    def create_blueprint(
        self, appbuilder: Any, endpoint: str | None = None, static_folder: str | None = None
    ) -> Blueprint:
        blueprint: Blueprint = super().create_blueprint(appbuilder, endpoint, static_folder)
        for error in (Forbidden, NotFound, InternalServerError):
            blueprint.register_error_handler(error, error_page)
        return blueprint

    @expose("/choices/<field>")
    @has_access
    @permission_name("list")
    def choices(self, field: str) -> Response:
        """Records a reference field may point at, matching what the user typed: twenty per page."""
        definition = self.entity.field(field)
        if definition is None or definition.target is None or not kind_of(definition).refers_to_record:
            abort(404)
        target = self.compiled.model(definition.target)
        page = max(1, min(request.args.get("page", 1, type=int), 10_000))
        query = self.datamodel.session.query(target)
        rules = visible_condition(target, self.actor)  # the target's record rules
        for allowed in (choice_condition(definition, target, self.reference_filters), rules):
            if allowed is not None:
                query = query.filter(allowed)
        text = request.args.get("q", "").strip()
        title = target.__entity__.title_field
        if text and title:
            query = query.filter(sa.func.lower(getattr(target, title)).contains(text.lower(), autoescape=True))
        order = getattr(target, title) if title else target.id
        rows = query.order_by(order, target.id).offset((page - 1) * CHOICES_PAGE).limit(CHOICES_PAGE + 1).all()
        texts = option_texts(rows[:CHOICES_PAGE], self.datamodel.session, self.actor)  # "Anna Zhao — Sales · …"
        return jsonify(
            results=[{"id": row.id, "text": texts[row.id]} for row in rows[:CHOICES_PAGE]],
            pagination={"more": len(rows) > CHOICES_PAGE},
        )


def _saved() -> dict[Any, Any]:
    state = request_state()
    assert state is not None, "a screen saves in its request"
    return state.cache(SAVED)


def error_page(error: HTTPException) -> tuple[str, int]:
    """A 403, 404 or 500 as a page inside the app's layout, in the reader's language, with a way back: the list
    of the screen it happened on (when the user may open it), else the home page. Screens only: the API answers
    JSON (tenancy/openapi.json_http_errors)."""
    status = error.code or InternalServerError.code
    appbuilder = current_app.appbuilder  # type: ignore[attr-defined]  # FAB sets it on the app
    if status >= InternalServerError.code:
        appbuilder.session.rollback()  # the failed request's transaction: the layout reads the menu's rights
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[InternalServerError.code])
    back, label = appbuilder.get_url_for_index, BACK_HOME
    screen = request.blueprint
    if screen and status < InternalServerError.code and appbuilder.sm.has_access("can_list", screen):
        back, label = url_for(f"{screen}.list"), BACK_TO_LIST
    page = render_template(
        "formwork/error.html",
        base_template=appbuilder.base_template,
        appbuilder=appbuilder,
        title=title,
        status=status,
        text=text,
        back=back,
        back_label=label,
    )
    return page, status


def _fieldsets(
    entity: EntityDef, form: FormDef | None, actor: Actor, editable: bool = False
) -> list[tuple[Any, dict[str, Any]]]:
    """Form sections as FAB fieldsets, without hidden fields (and, on the add screen, read-only ones): by definition
    and for `actor`'s roles (the system's, when the view class is built, has none)."""
    sections = form.sections if form else [SectionDef(entity.label, entity.field_names())]
    hidden, fixed = hidden_fields(entity, actor), read_only_fields(entity, actor)

    def shown(name: str) -> bool:
        field = entity.declared_field(name)
        return not field.hidden and name not in hidden and not (editable and (is_fixed(field) or name in fixed))

    fieldsets = [
        (s.label or entity.label, {"fields": [n for n in s.fields if shown(n)], "tab": s.tab, "columns": s.columns})
        for s in sections
    ]
    return [fieldset for fieldset in fieldsets if fieldset[1]["fields"]]


def _defined_columns(listing: Listing) -> list[str]:
    """The columns of `listing` by definition: what the view class is built with (each request shows its actor's
    `listing.columns`)."""
    return [c for c in listing.definition.columns if (f := listing.entity.field(c)) is None or not f.hidden]


def listings_of(entity: EntityDef, catalog: Catalog) -> dict[str, Listing]:
    """The entity's list views by name, its default list (the first for everyone, compile/audience.py) first."""
    return {view.name: Listing(view, entity) for view in default_first(catalog.list_views_for(entity.qualified))}


def _every_field(entity: EntityDef, catalog: Catalog) -> FormDef:
    """A form with the fields of all the entity's forms: FAB builds one form class from it, each request shows its own."""
    names = set().union(*(form.field_names for form in catalog.forms.get(entity.qualified, []))) or set(
        entity.field_names()
    )
    return FormDef(
        entity.pack,
        entity.qualified,
        "all",
        [SectionDef(entity.label, [f.name for f in entity.fields if f.name in names])],
        entity.document,
    )


def view_attributes(entity: EntityDef, catalog: Catalog, compiled: CompiledModels) -> dict[str, Any]:
    """The class attributes of one entity's ModelView."""
    every = _every_field(entity, catalog)
    fieldsets = _fieldsets(entity, every, Actor.system())
    listings = listings_of(entity, catalog)
    shown = {c for listing in listings.values() for c in _defined_columns(listing)} or set(entity.field_names()[:6])
    references = [c for c in shown if (f := entity.field(c)) is not None and kind_of(f).refers_to_one]
    datamodel = EntityInterface(compiled.model(entity.qualified), shown_references=sorted(references))
    ctx = FormContext(datamodel, f"{class_name(entity)}View")
    extra = {f.name: form for f in entity.fields if (form := field_type(f.type).form_field(f, ctx)) is not None}
    extra.update(
        {f.name: child_rows_field(entity, f, catalog, compiled) for f in entity.fields if kind_of(f).holds_rows}
    )
    first = next(iter(listings.values()), None)
    searchable = (
        first.definition.search
        if first and first.definition.search
        else [f.name for f in entity.fields if kind_of(f).filtered_by_default]
    )
    return {
        "entity": entity,
        "catalog": catalog,
        "compiled": compiled,
        "listings": listings,
        "datamodel": datamodel,
        "route_base": f"/{entity.table}",
        "list_title": first.title if first else entity.plural,
        "show_title": entity.label,
        "add_title": entity.label,
        "edit_title": entity.label,
        "list_columns": _defined_columns(first) if first else entity.field_names()[:6],
        "label_columns": {**STANDARD_LABELS, **{f.name: f.label for f in entity.fields}},
        "description_columns": {f.name: f.help for f in entity.fields if f.help},
        "add_fieldsets": _fieldsets(entity, every, Actor.system(), editable=True),
        "edit_fieldsets": fieldsets,
        "show_fieldsets": [*fieldsets, RECORD_SECTION],
        "formatters_columns": {
            name: formatter
            for name in [*entity.field_names(), *STANDARD_TIMES]
            if (formatter := column_formatter(entity, name, None))
        },
        "add_form_extra_fields": extra,
        "edit_form_extra_fields": extra,
        "search_columns": searchable,
        "order_columns": [c for c in shown if c not in references],
        "page_size": first.definition.page_size if first else 25,
    }


def build_view(entity: EntityDef, catalog: Catalog, compiled: CompiledModels) -> type[EntityModelView]:
    """The entity's ModelView, with the routes of the features that apply to it (approvals for an entity with a
    chain, files, following, history, import…: the registry's ENTITY_SCREENS, in priority order)."""
    mixins = tuple(
        screens.mixin for screens in load_features().items(ENTITY_SCREENS) if screens.applies(entity, catalog)
    )
    return type(f"{class_name(entity)}View", (*mixins, EntityModelView), view_attributes(entity, catalog, compiled))
