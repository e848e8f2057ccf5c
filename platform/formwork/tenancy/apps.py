"""Build one tenant's Flask + Flask-AppBuilder app from its effective definitions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, jsonify, request
from flask_appbuilder import AppBuilder
from flask_appbuilder.const import AUTH_DB
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.routing import IntegerConverter

from ..adapters.sqlalchemy import commits_as_flushes, drop_unused_aggregates_listener
from ..adapters.werkzeug import ReusedBuilderRule
from ..compile.apis import build_api
from ..compile.generated import install_generated_values, storage_hash
from ..compile.lifecycle import install_after_commit
from ..compile.models import CompiledModels, models_for
from ..compile.rollups import install_rollups
from ..compile.views import build_view
from ..config import Settings
from ..features import APP_SETUP, HOME_VIEW, SCREENS, SESSION_SETUP, FeatureRegistry, load_features
from ..fields.base import INTEGER_LIMIT
from ..languages import babel_config, install_languages, language_menu
from ..meta.catalog import Catalog
from .audit import install_audit
from .bad_input import install_bad_input
from .branding import install_branding
from .error_pages import error_page
from .file_store import install_file_store
from .freshness import install_storage_watch, storage_watch
from .headers import install_security_headers
from .home import TenantHome
from .invitations import InvitationView
from .keys import derive_secret
from .layout import install_layout
from .menu import EndpointUrl, menu_label
from .openapi import add_openapi, json_http_errors
from .registry import Tenant
from .runtime import TenantRuntime
from .security import TenantSecurityManager
from .state import TenantState, effective_definitions, serving_state
from .storage import tenant_engine
from .template_code import share_template_code
from .throttle import install_login_throttle

T = TypeVar("T")
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
#: Werkzeug compiles each URL rule from Python `ast` objects, and CPython 3.11's AST conversion keeps its
#: recursion count per interpreter, not per thread (gh-106905): two tenant apps registering their views at once
#: fail now and then with "AST constructor recursion depth mismatch". Builds are CPU-bound under the GIL, so
#: taking turns costs next to nothing.
_ROUTES_LOCK = threading.Lock()
#: Python 3.11's traceback module parses source with `ast` too (to place its ^^^ markers), so an exception logged by
#: another thread (a request that raced a migration) can still collide with a build; a build failing so is tried again.
AST_COLLISION = "AST constructor recursion depth mismatch"
BUILD_ATTEMPTS = 3
LANGUAGES = language_menu()


def tenant_config(settings: Settings, tenant: Tenant, provisioning: bool) -> dict[str, Any]:
    """Flask and FAB settings of one tenant: its own keys, cookie names and cookie path."""
    cookie_path = f"/t/{tenant.slug}/"
    return {
        "SECRET_KEY": derive_secret(settings.secret_key, f"tenant:{tenant.slug}", "session"),
        "JWT_SECRET_KEY": derive_secret(settings.secret_key, f"tenant:{tenant.slug}", "jwt"),
        "SESSION_COOKIE_NAME": f"formwork_{tenant.slug}_session",
        "SESSION_COOKIE_PATH": cookie_path,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.secure_cookies,
        "REMEMBER_COOKIE_SECURE": settings.secure_cookies,
        "REMEMBER_COOKIE_NAME": f"formwork_{tenant.slug}_remember",
        "REMEMBER_COOKIE_PATH": cookie_path,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "APP_NAME": tenant.name,
        "FAB_BASE_TEMPLATE": "formwork/base.html",
        "AUTH_TYPE": AUTH_DB,
        "FAB_ADD_SECURITY_API": False,  # TenantSecurityManager adds the user, role and group APIs, not the rest
        "FAB_API_SWAGGER_UI": True,
        "FAB_ADD_OPENAPI_VIEWS": False,  # tenancy/openapi.py serves the document, corrected to what the APIs answer
        "FAB_UPDATE_PERMS": provisioning,
        "FAB_CREATE_DB": provisioning,
        "LANGUAGES": LANGUAGES,
        **babel_config(tenant.locale, tenant.timezone),
        "FORMWORK_CURRENCY": tenant.currency or "CNY",
        "FORMWORK_TIMEZONE": tenant.timezone or "UTC",
        "FORMWORK_LOGO": tenant.logo,
        "FORMWORK_BRAND_COLOR": tenant.brand_color,
        "WTF_CSRF_ENABLED": True,
        "FAB_API_MAX_PAGE_SIZE": 500,
        "FAB_OPENAPI_SERVERS": [{"url": f"/t/{tenant.slug}"}],
    }


class StorableInt(IntegerConverter):
    """`<int:…>` in a tenant app's routes (Formwork's and FAB's): a number too large for any key names no record,
    so the route is a 404 instead of an overflow in the database driver."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INTEGER_LIMIT)
        super().__init__(url_map, *args, **kwargs)


def register_entities(appbuilder: AppBuilder, catalog: Catalog, compiled: CompiledModels) -> None:
    """Screens and a REST API per entity; each list view is a menu entry, grouped by pack."""
    for pack in catalog.packs.values():
        for entity in catalog.entities_of(pack.name):
            view = build_view(entity, catalog, compiled)
            listings = list(view.listings.values())
            name = menu_label(listings[0].title if listings else entity.plural)
            category = menu_label(pack.label)
            appbuilder.add_view(
                view,
                name,
                category=category,
                icon=entity.icon or "fa-table",
                category_icon=pack.icon or "fa-folder-open",
            )
            for listing in listings[1:]:
                appbuilder.add_link(
                    menu_label(listing.title),
                    href=EndpointUrl(f"{view.__name__}.list_view", name=listing.name),
                    category=category,
                    icon="fa-filter",
                )
            appbuilder.add_api(build_api(entity, catalog, compiled))


@contextmanager
def one_commit(session: scoped_session, enabled: bool) -> Iterator[None]:
    """Run FAB's role and permission sync as one transaction instead of one commit per permission.

    FAB commits after every permission it adds (hundreds when a tenant is
    created, each an fsync on SQLite); flushing instead and committing once
    makes provisioning several times faster.
    """
    if not enabled:
        yield
        return
    current = session()
    with commits_as_flushes(current):
        yield
    current.commit()


def number_out_of_range(_error: OverflowError) -> Any:
    """A number in the URL or a filter too large for the database: the request is wrong, not the server."""
    message = "A number in the request is out of range."
    if "/api/" in request.path:
        return jsonify(message=message), 400
    return message, 400


def frozen_features() -> FeatureRegistry:
    """The features, loaded and frozen: from the first runtime on, every tenant is built with the same ones."""
    features = load_features()
    features.freeze()
    return features


def home_view(features: FeatureRegistry) -> type:
    """The home page a feature declared (the dashboards'), or the platform's (tenancy/home.py)."""
    declared = features.items(HOME_VIEW)
    return declared[0]() if declared else TenantHome


def tenant_runtime(
    settings: Settings, tenant: Tenant, catalog: Catalog, state: TenantState | None = None
) -> TenantRuntime:
    """A tenant's definitions, models and database session without its screens and APIs.

    Enough to migrate, seed or run background jobs, at a fraction of the cost of an app: most of an
    app's build is FAB registering views and werkzeug compiling their routes. `state` is what the
    definitions are made of (default: what the tenant is served from, tenancy/state.py).
    """
    features = frozen_features()
    drop_unused_aggregates_listener()
    state = state or serving_state(settings, catalog, tenant)
    effective, _left_out = effective_definitions(settings, tenant.slug, state)
    session_factory = sessionmaker(bind=tenant_engine(settings, tenant))
    install_audit(session_factory)
    install_generated_values(session_factory)
    install_rollups(session_factory)
    install_after_commit(session_factory)
    for setup in features.items(SESSION_SETUP):  # after the core's, so what they fill in on flush is seen
        setup(session_factory)
    return TenantRuntime(
        tenant.slug,
        storage_hash(effective.content_hash()),
        effective,
        models_for(effective),
        scoped_session(session_factory),
        storage_watch(settings, tenant),
        timezone=tenant.timezone or "UTC",
    )


def build_tenant_app(
    settings: Settings, tenant: Tenant, catalog: Catalog, provisioning: bool = False, state: TenantState | None = None
) -> Flask:
    """The app of one tenant, from `state` (default: what it is served from). `provisioning` also creates FAB's
    tables, roles and permissions."""
    for attempt in range(1, BUILD_ATTEMPTS + 1):
        try:
            return _build_app(settings, tenant, catalog, provisioning, state)
        except SystemError as exc:
            if AST_COLLISION not in str(exc) or attempt == BUILD_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _build_app(
    settings: Settings, tenant: Tenant, catalog: Catalog, provisioning: bool, state: TenantState | None
) -> Flask:
    runtime = tenant_runtime(settings, tenant, catalog, state)
    effective, compiled, session = runtime.catalog, runtime.compiled, runtime.session
    app = Flask(f"formwork.tenant.{tenant.slug}", root_path=str(PACKAGE_ROOT), static_url_path="/formwork-static")
    app.url_map.converters["int"] = StorableInt  # before any route is added: rules bind their converter then
    app.url_rule_class = ReusedBuilderRule
    share_template_code(app)
    app.config.update(tenant_config(settings, tenant, provisioning))
    install_bad_input(app)  # first: its guard runs before every other hook
    CSRFProtect(app)  # before FAB registers its APIs, which exempt themselves (they use JWTs)
    install_file_store(app, settings, tenant.slug)
    features = frozen_features()
    for setup in features.items(APP_SETUP):
        setup(app, settings, tenant)
    install_security_headers(app)
    install_login_throttle(app, settings, tenant.slug)

    @app.teardown_appcontext
    def remove_session(_exc: BaseException | None) -> None:
        session.remove()

    app.register_error_handler(OverflowError, number_out_of_range)
    json_http_errors(app, error_page)
    install_branding(app)
    install_layout(app)
    install_storage_watch(app, session, runtime.storage_moved)

    with _ROUTES_LOCK, app.app_context(), one_commit(session, enabled=provisioning):
        appbuilder = AppBuilder(
            app,
            session,
            update_perms=provisioning,
            security_manager_class=TenantSecurityManager,
            indexview=home_view(features),
        )
        install_languages(app)
        register_entities(appbuilder, effective, compiled)
        appbuilder.add_view_no_menu(InvitationView(settings))
        for register in features.items(SCREENS):
            register(appbuilder, effective)
        add_openapi(appbuilder)
    app.extensions["formwork"] = runtime
    return app
