"""The dashboard screens: the list, one page per dashboard, its chart data as JSON, and the tenant's home page.

One FAB right guards them all, `can_show` on `Dashboards`; a dashboard that
names roles is, for anyone holding none of them (Admin excepted), as missing
as one that does not exist (404). Numbers and lists are computed with the
page; charts are drawn in the browser by Chart.js (shipped in
static/vendor/chartjs, no CDN) from `/dashboards/<name>/data`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, jsonify, url_for
from flask_appbuilder import AppBuilder, BaseView, expose, has_access, permission_name
from flask_appbuilder.security.decorators import has_access_api

from ..compile.actors import request_actor
from ..meta.catalog import Catalog
from ..tenancy.home import TenantHome
from ..tenancy.menu import EndpointUrl, menu_label
from .compute import Dashboard, viewer_of
from .definition import DashboardDef
from .labels import TEXT
from .rights import CATEGORY, VIEW, menu_name

TEMPLATE = "formwork/dashboards/dashboard.html"


def _runtime() -> Any:
    return current_app.extensions["formwork"]


def visible_dashboards() -> list[DashboardDef]:
    """The dashboards the signed-in user may open, in pack order: those meant for their roles first."""
    actor = request_actor()
    if not actor.signed_in:
        return []
    roles = actor.roles
    admin = current_app.appbuilder.sm.auth_role_admin in roles
    found = [d for d in _runtime().catalog.dashboards.values() if admin or d.is_for(roles)]
    return sorted(found, key=lambda d: not d.roles)


def computed(definition: DashboardDef) -> Dashboard:
    runtime = _runtime()
    session = runtime.session()
    return Dashboard(
        definition,
        runtime.catalog,
        runtime.compiled,
        session,
        viewer_of(current_app.appbuilder.sm),
    )


def render_dashboard(view: BaseView, definition: DashboardDef) -> Any:
    return view.render_template(
        TEMPLATE,
        title=definition.label,
        dashboard=definition,
        rows=computed(definition).page(),
        data_url=url_for("DashboardsView.data", name=definition.qualified),
        T=TEXT,
        dashboards=visible_dashboards(),
    )


class DashboardsView(BaseView):
    """/dashboards/: the user's dashboards; /dashboards/<pack>.<name>/ one of them."""

    route_base = "/dashboards"
    default_view = "index"
    class_permission_name = VIEW
    base_permissions = ["can_show"]

    @expose("/")
    @has_access
    @permission_name("show")
    def index(self) -> Any:
        return self.render_template(
            "formwork/dashboards/index.html", title=TEXT["dashboards"], T=TEXT, dashboards=visible_dashboards()
        )

    @expose("/<name>/")
    @has_access
    @permission_name("show")
    def show(self, name: str) -> Any:
        return render_dashboard(self, self._dashboard(name))

    @expose("/<name>/data")
    @has_access_api
    @permission_name("show")
    def data(self, name: str) -> Any:
        """The charts' labels and values (and each one's error), for the page's script or any client with a session."""
        charts = [
            card.chart if card.error is None else {"key": card.widget.key, "error": card.error}
            for card in computed(self._dashboard(name)).charts()
        ]
        return jsonify(charts=charts)

    @staticmethod
    def _dashboard(name: str) -> DashboardDef:
        found = next((d for d in visible_dashboards() if d.qualified == name), None)
        return found or abort(404)


class HomeView(TenantHome):
    """A tenant's `/`: the first dashboard meant for the user's roles; the platform's home page (the sign-in form,
    or the user's menu) before sign-in or for a user without the Dashboards right or without a dashboard."""

    @expose("/")
    def index(self) -> Any:
        sm = self.appbuilder.sm
        first = next(iter(visible_dashboards()), None) if sm.has_access("can_show", VIEW) else None
        if first is None:
            return super().index()
        return render_dashboard(self, first)


def register_dashboards(appbuilder: AppBuilder, catalog: Catalog) -> None:
    """The screens, and a menu entry per dashboard under Dashboards (each its own `menu_access` right)."""
    if not catalog.dashboards:
        return
    appbuilder.add_view_no_menu(DashboardsView)
    for dashboard in catalog.dashboards.values():
        appbuilder.add_link(
            menu_name(dashboard.qualified),
            label=menu_label(dashboard.label),
            href=EndpointUrl("DashboardsView.show", name=dashboard.qualified),
            icon="fa-dashboard",
            category=CATEGORY,
            category_label=menu_label(TEXT["dashboards"]),
            category_icon="fa-dashboard",
        )
