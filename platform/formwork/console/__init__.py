"""The operators' console, served at /: FAB on the control-plane database, operator login (throttled as tenants' is)."""

from __future__ import annotations

from flask import Flask
from flask_appbuilder import AppBuilder, ModelView
from flask_appbuilder.const import AUTH_DB
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup, escape
from sqlalchemy.orm import scoped_session, sessionmaker

from ..config import Settings
from ..i18n import CatalogText
from ..tenancy.apps import LANGUAGES
from ..tenancy.headers import install_security_headers
from ..tenancy.keys import derive_secret
from ..tenancy.registry import Customization, SchemaChange, Tenant, platform_engine
from ..tenancy.throttle import ThrottledLogins, install_login_throttle

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


class TenantView(ModelView):
    """Tenants are created and changed with the CLI (config as code); the console shows them."""

    datamodel = SQLAInterface(Tenant)
    route_base = "/tenants"
    base_permissions = ["can_list", "can_show"]
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


def build_console_app(settings: Settings) -> Flask:
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
        appbuilder.add_view(TenantView, CatalogText("Tenants"), icon="fa-building")
        appbuilder.add_view_no_menu(CustomizationView)
        appbuilder.add_view_no_menu(SchemaChangeView)
    return app


def add_operator(app: Flask, username: str, password: str) -> bool:
    """Create an operator (console admin); False if the name is taken."""
    with app.app_context():
        sm = app.appbuilder.sm
        if sm.find_user(username=username):
            return False
        role = sm.find_role(sm.auth_role_admin)
        return bool(sm.add_user(username, username, "Operator", f"{username}@example.invalid", role, password=password))
