"""The department tree page (core pack), linked from the pack's menu.

Its own right, `can_tree` on `DepartmentTreeView`: FAB gives it to Admin; a
tenant admin grants it to other roles. Links to departments and heads are
shown to users who may open those records.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name

from ..compile.actors import request_actor
from ..compile.models import class_name
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..rights import visible_condition
from ..tenancy.menu import menu_label
from .tree import DEPARTMENT, EMPLOYEE, as_tree, read_nodes

TEXT = {
    "title": CatalogText("Department tree"),
    "department": CatalogText("Department"),
    "code": CatalogText("Code"),
    "head": CatalogText("Head"),
    "employees": CatalogText("Employees"),
    "total": CatalogText("Including sub-departments"),
    "empty": CatalogText("No departments yet."),
}


class DepartmentTreeView(BaseView):
    route_base = "/organization"
    default_view = "department_tree"

    @expose("/departments/")
    @has_access
    @permission_name("tree")
    def department_tree(self) -> Any:
        runtime = current_app.extensions["formwork"]
        actor = request_actor()
        nodes = as_tree(read_nodes(runtime.session(), runtime.compiled, lambda model: visible_condition(model, actor)))
        catalog = runtime.catalog
        views = {name: f"{class_name(catalog.entities[name])}View" for name in (DEPARTMENT, EMPLOYEE)}
        links = {name: view for name, view in views.items() if self.appbuilder.sm.has_access("can_show", view)}
        return self.render_template(
            "formwork/organization/tree.html",
            nodes=nodes,
            T=TEXT,
            department_view=links.get(DEPARTMENT),
            employee_view=links.get(EMPLOYEE),
        )


def register_organization(appbuilder: AppBuilder, catalog: Catalog) -> None:
    """The tree page and its menu entry, for tenants with the core pack."""
    if DEPARTMENT not in catalog.entities or EMPLOYEE not in catalog.entities:
        return
    category = menu_label(catalog.packs[catalog.entities[DEPARTMENT].pack].label)
    appbuilder.add_view(
        DepartmentTreeView,
        menu_label(TEXT["title"]),
        category=category,
        icon="fa-sitemap",
        category_icon="fa-folder-open",
    )
