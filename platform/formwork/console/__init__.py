"""The operators' console, served at /: FAB on the control-plane database, operator login (throttled as tenants' is);
operators create, suspend and resume tenants here, invite their first admins, install and upgrade their packs and
see their usage and health; every such action is logged (console/log.py). With FORMWORK_SIGNUP, companies sign up
for a tenant of their own (console/signup.py)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, flash, redirect, request, url_for
from flask_appbuilder import AppBuilder, ModelView, expose, has_access
from flask_appbuilder.const import AUTH_DB
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup, escape
from sqlalchemy.orm import scoped_session, sessionmaker

from ..config import Settings
from ..definitions.loader import require_catalog
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..tenancy.apps import LANGUAGES
from ..tenancy.errors import TenantUnavailable
from ..tenancy.headers import install_security_headers
from ..tenancy.invitations import waiting_invitations
from ..tenancy.keys import derive_secret
from ..tenancy.packs import upgrades_available
from ..tenancy.registry import Customization, SchemaChange, Tenant, platform_engine
from ..tenancy.throttle import ThrottledLogins, install_login_throttle
from .log import ConsoleLogView, log_row
from .onboarding import NewTenantView, invite_admin
from .packs import TenantPacksView
from .signup import SignupView
from .usage import health_of, usage_of

#: where the console's user names are counted (tenancy/throttle.py); a reserved slug, so never a tenant's
CONSOLE_REALM = "console"


class ConsoleSecurityManager(ThrottledLogins, SecurityManager):
    """FAB's, with the login form and API throttled (tenancy/throttle.py)."""


def _open_link(slug: str) -> Markup:
    return Markup('<a href="/t/{0}/">/t/{0}/</a>').format(escape(slug))


def _overlay_text(source: str) -> Markup:
    return Markup("<pre>{}</pre>").format(source)


class CustomizationView(ModelView):
    """A tenant's customizations, shown on its page; they are changed with `formwork tenant customize` (read-only here)."""

    datamodel = SQLAInterface(Customization)
    route_base = "/customizations"
    base_permissions = ["can_list", "can_show"]
    list_title = CatalogText("Customizations")
    list_columns = ["kind", "target", "updated_at"]
    show_columns = ["tenant_slug", "kind", "target", "updated_at", "source"]
    base_order = ("target", "asc")
    formatters_columns = {"source": _overlay_text, "updated_at": lambda at: f"{at:%Y-%m-%d %H:%M}"}
    label_columns = {
        "tenant_slug": CatalogText("Tenant"),
        "kind": CatalogText("Kind"),
        "target": CatalogText("Customizes"),
        "updated_at": CatalogText("Updated"),
        "source": CatalogText("Definition"),
    }


def _lines(items: list[str]) -> Markup:
    return Markup("<br>").join(items)


class SchemaChangeView(ModelView):
    """A tenant's schema change log: every migration applied, refused or failed, with what it did or why not."""

    datamodel = SQLAInterface(SchemaChange)
    route_base = "/schema-changes"
    base_permissions = ["can_list", "can_show"]
    list_title = CatalogText("Schema changes")
    list_columns = ["applied_at", "outcome", "operations", "left_alone"]
    show_columns = ["tenant_slug", "applied_at", "outcome", "definitions_hash", "operations", "left_alone"]
    base_order = ("id", "desc")
    formatters_columns = {"operations": _lines, "left_alone": _lines, "applied_at": lambda at: f"{at:%Y-%m-%d %H:%M}"}
    label_columns = {
        "tenant_slug": CatalogText("Tenant"),
        "applied_at": CatalogText("When"),
        "outcome": CatalogText("Outcome"),
        "definitions_hash": CatalogText("Definitions"),
        "operations": CatalogText("Changes"),
        "left_alone": CatalogText("Refused or kept"),
    }


#: what suspending and resuming set the tenant's status to, and how the log names it
STATUS_CHANGES = {"suspend": ("suspended", "suspended"), "resume": ("active", "resumed")}
STATUS_QUESTIONS = {
    "suspend": CatalogText("Suspend tenant {slug}? Its pages answer 503 until it is resumed; its data is kept."),
    "resume": CatalogText("Resume tenant {slug}? Its pages are served again."),
}
STATUS_DONE = {
    "suspend": CatalogText("Tenant {slug} is suspended."),
    "resume": CatalogText("Tenant {slug} is served again."),
}
ALREADY = CatalogText("Tenant {slug} is already {status}.")


#: the texts of a tenant's page beyond FAB's
TENANT_PAGE = {
    "invitations": CatalogText("Invitations waiting"),
    "resend": CatalogText("Send again"),
    "usage": CatalogText("Usage"),
    "records": CatalogText("Records"),
    "entity": CatalogText("Entity"),
    "total": CatalogText("Total"),
    "users": CatalogText("Users"),
    "users_count": CatalogText("{count} ({active} active)"),
    "files": CatalogText("Files"),
    "files_count": CatalogText("{count} files, {size}"),
    "files_unknown": CatalogText("not measured for this file store"),
    "health": CatalogText("Health"),
    "schema": CatalogText("Schema"),
    "up_to_date": CatalogText("up to date"),
    "not_applied": CatalogText("behind: packs or customizations stored are not applied yet (formwork migrate)"),
    "platform_changed": CatalogText(
        "behind: this Formwork's own tables changed; the next request or migrate adds them"
    ),
    "unavailable": CatalogText("unavailable: {reason}"),
    "conflicts": CatalogText("Customizations that no longer fit"),
    "none": CatalogText("none"),
    "last_problem": CatalogText("Last refused or failed migration"),
    "failed_mails": CatalogText("E-mails given up"),
    "packs": CatalogText("Packs"),
    "upgrade": CatalogText("Upgrade to {version}…"),
    "install": CatalogText("Install…"),
    "choose_pack": CatalogText("Pack to install"),
}


class TenantView(ModelView):
    """Tenants are created in the console (NewTenantView) or with the CLI; suspended and resumed here, each change
    confirmed on a page of its own, posted with CSRF and logged with the operator's name. A tenant's page also
    shows its usage and health, the invitations waiting (sent again from here) and its packs, with the links to
    install and upgrade them (console/packs.py)."""

    datamodel = SQLAInterface(Tenant)
    route_base = "/tenants"
    base_permissions = ["can_list", "can_show", "can_suspend", "can_resume", "can_invite"]
    show_template = "console/tenant_show.html"
    #: texts of the console's own templates (the console has no catalog of its own for `_()`)
    extra_args = {
        "suspend_text": CatalogText("Suspend…"),
        "resume_text": CatalogText("Resume…"),
        "confirm_text": CatalogText("Confirm"),
        "cancel_text": CatalogText("Cancel"),
        "P": TENANT_PAGE,
    }
    list_title = CatalogText("Tenants")
    list_columns = ["slug", "name", "packs", "status", "definitions_hash", "created_at"]
    show_columns = [
        "slug",
        "name",
        "packs",
        "locale",
        "status",
        "storage_kind",
        "storage_location",
        "definitions_hash",
        "created_at",
    ]
    search_columns = ["slug", "name", "status"]
    base_order = ("slug", "asc")
    related_views = [CustomizationView, SchemaChangeView]
    formatters_columns = {"slug": _open_link, "packs": lambda packs: ", ".join(packs)}
    label_columns = {
        "slug": CatalogText("Address"),
        "name": CatalogText("Name"),
        "packs": CatalogText("Packs"),
        "status": CatalogText("Status"),
        "definitions_hash": CatalogText("Definitions"),
        "created_at": CatalogText("Created", context="date column"),
    }

    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self.settings, self.catalog = settings, catalog
        super().__init__()

    def render_template(self, template: str, **kwargs: Any) -> str:
        """FAB's, with the tenant's usage, health, packs and invitations on its show page."""
        if template == self.show_template:
            tenant = self.datamodel.session.get(Tenant, int(kwargs["pk"]))
            if tenant is not None:
                kwargs |= self._tenant_page(tenant)
        return str(super().render_template(template, **kwargs))

    def _tenant_page(self, tenant: Tenant) -> dict[str, Any]:
        absent = sorted(self.catalog.packs.keys() - set(tenant.packs))
        try:
            usage = usage_of(self.settings, self.catalog, tenant)
        except TenantUnavailable:  # its definitions cannot be built here: the health says why
            usage = None
        return {
            "usage": usage,
            "health": health_of(self.settings, self.catalog, tenant),
            "invitations": waiting_invitations(self.settings, tenant),
            "pack_versions": tenant.pack_versions,
            "upgrades": upgrades_available(self.catalog, tenant),
            "installable": [(name, self.catalog.packs[name].version) for name in absent],
        }

    @expose("/invite/<int:pk>/<username>", methods=["POST"])
    @has_access
    def invite(self, pk: int, username: str) -> Response:
        """Send a waiting invitation again: a new link, the earlier ones no longer work."""
        tenant = self.datamodel.session.get(Tenant, pk)
        if tenant is None:
            abort(404)
        invite_admin(self.settings, tenant, username)
        return redirect(url_for("TenantView.show", pk=pk))

    @expose("/suspend/<int:pk>", methods=["GET", "POST"])
    @has_access
    def suspend(self, pk: int) -> Response | str:
        """Stop serving a tenant (its data is kept): the question on GET, the change on POST."""
        return self._change_status(pk, "suspend")

    @expose("/resume/<int:pk>", methods=["GET", "POST"])
    @has_access
    def resume(self, pk: int) -> Response | str:
        """Serve a suspended tenant again: the question on GET, the change on POST."""
        return self._change_status(pk, "resume")

    def _change_status(self, pk: int, change: str) -> Response | str:
        session = self.datamodel.session
        tenant = session.get(Tenant, pk)
        if tenant is None:
            abort(404)
        status, logged = STATUS_CHANGES[change]
        if tenant.status == status:
            flash(ALREADY.localized().format(slug=tenant.slug, status=tenant.status), "info")
            return redirect(url_for("TenantView.show", pk=pk))
        if request.method == "GET":
            question = STATUS_QUESTIONS[change].localized().format(slug=tenant.slug)
            return self.render_template("console/confirm.html", title=question, question=question, pk=pk)
        tenant.status = status
        session.add(log_row(logged, tenant.slug))
        session.commit()  # the status and its log row together, or neither
        flash(STATUS_DONE[change].localized().format(slug=tenant.slug), "success")
        return redirect(url_for("TenantView.show", pk=pk))


def build_console_app(settings: Settings, catalog: Catalog | None = None) -> Flask:
    """The console on the platform database of `settings`; `catalog` offers its packs to new tenants (None: the
    packs in definitions/ and FORMWORK_PACK_PATH, as `create_app` loads them)."""

    app = Flask("formwork.console")
    app.config.update(
        SECRET_KEY=derive_secret(settings.secret_key, "platform:console", "session"),
        JWT_SECRET_KEY=derive_secret(settings.secret_key, "platform:console", "jwt"),
        # A dot cannot appear in a tenant slug, so no tenant cookie can ever carry these names.
        SESSION_COOKIE_NAME="formwork.console.session",
        REMEMBER_COOKIE_NAME="formwork.console.remember",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        APP_NAME="Formwork console",
        AUTH_TYPE=AUTH_DB,
        LANGUAGES=LANGUAGES,
        WTF_CSRF_ENABLED=True,
    )
    CSRFProtect(app)
    install_security_headers(app)
    install_login_throttle(app, settings, CONSOLE_REALM)
    session = scoped_session(sessionmaker(bind=platform_engine(settings.database_url)))

    @app.teardown_appcontext
    def remove_session(_exc: BaseException | None) -> None:
        session.remove()

    with app.app_context():
        appbuilder = AppBuilder(app, session, security_manager_class=ConsoleSecurityManager)
        catalog = catalog or require_catalog()
        appbuilder.add_view(TenantView(settings, catalog), CatalogText("Tenants"), icon="fa-building")
        appbuilder.add_view_no_menu(TenantPacksView(settings, catalog))
        appbuilder.add_view_no_menu(CustomizationView)
        appbuilder.add_view_no_menu(SchemaChangeView)
        appbuilder.add_view(
            NewTenantView(settings, catalog),
            CatalogText("New tenant"),
            href="/tenants/new/form",
            icon="fa-plus",
        )
        appbuilder.add_view(ConsoleLogView, CatalogText("Console log"), icon="fa-list")
        if settings.signup:
            appbuilder.add_view_no_menu(SignupView(settings, catalog))
    return app


def add_operator(app: Flask, username: str, password: str) -> bool:
    """Create an operator (console admin); False if the name is taken."""
    with app.app_context():
        sm = app.appbuilder.sm
        if sm.find_user(username=username):
            return False
        role = sm.find_role(sm.auth_role_admin)
        return bool(sm.add_user(username, username, "Operator", f"{username}@example.invalid", role, password=password))
