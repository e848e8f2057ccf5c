"""FAB's security manager for tenant apps.

- Rights: FAB asks the database once for every menu entry and button it may
  show; with dozens of entities that is dozens of queries on every page. The
  rights of the user's roles are loaded once per request and answered from memory.
- APIs: FAB's user, role and group APIs, taking JWTs only and answering a database refusal in words;
  its permission, resource and permission-view APIs are not served (see `register_views`).
- Screens: FAB's raw permission screens are refused to tenants (RAW_PERMISSION_SCREENS); its user and group
  screens stay.
- Sign-in: the login body and the answers to bad tokens (tenancy/tokens.py); failed sign-ins throttle further
  ones, by the login form and the API alike (tenancy/throttle.py).
"""

from __future__ import annotations

import sys
from typing import Any

from flask import Flask
from flask.wrappers import Response
from flask_appbuilder.api import BaseApi
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.security.sqla.apis import GroupApi, RoleApi, UserApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_jwt_extended import JWTManager
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from ..actor import request_state
from ..adapters.fab import check_rison_schemas_once
from ..i18n import CatalogText
from .people_screens import TenantGroupView, TenantRoleView, TenantUserStatsView, TenantUserView
from .security_apis import keeping_the_contract
from .throttle import ThrottledLogins
from .tokens import TenantSecurityApi, answer_token_problems

REFUSED_BY_DATABASE = CatalogText(
    "The database refused the change: a name that must be unique is taken, a value is too long, "
    "or the record is still in use."
)


class PlainDatabaseErrors:
    """FAB's user, role and group APIs answer a database error with its text, SQL included (a 422), or let it reach
    `safe` (a 500 for a duplicate name): both become a 422 that says what happened in words.

    FAB calls `response_422` / `response_500` inside the `except` block of the error, so the error is known there.
    """

    def response_422(self, message: Any = None) -> Response:
        if isinstance(_database_error(), SQLAlchemyError):
            message = REFUSED_BY_DATABASE.localized()
        return super().response_422(message=message)  # type: ignore[misc]  # a mixin over FAB's untyped APIs

    def response_500(self, message: Any = None) -> Response:
        if isinstance(_database_error(), (IntegrityError, DataError)):  # the request's data, not the server
            return self.response_422()
        return super().response_500(message=message)  # type: ignore[misc]  # a mixin over FAB's untyped APIs


def _database_error() -> BaseException | None:
    """The exception being handled, unwrapped from FAB's DatabaseException."""
    error = sys.exc_info()[1]
    return error.__cause__ if isinstance(error, DatabaseException) else error


def as_tenants_serve(api: type[BaseApi]) -> type[BaseApi]:
    """`api` with PlainDatabaseErrors and JWTs only, reading and answering as the entity API
    (`security_apis.keeping_the_contract`), under FAB's class name (its endpoint and OpenAPI names stay).

    FAB lets a session cookie authorize its user, role and group APIs (`allow_browser_login`) while exempting every
    API from CSRF checks, so a page of another site posting with a signed-in admin's cookie could create a user
    (only SameSite=Lax stood in the way). Like every Formwork API they take JWTs only; the screens are FAB's views.
    """
    return type(api.__name__, (PlainDatabaseErrors, api), {"allow_browser_login": False, **keeping_the_contract(api)})


#: FAB's raw permission screens (their views' and their menu entries' names): roles ticking "can put on
#: OaLeaveRequestApi", permissions, views/menus and their pairs. Tenants are refused them, admins included (403, no
#: menu entry): a tenant's admins give rights on the roles screen (access/screens.py), in business terms; the
#: operators' console is another app. The user and group screens stay.
RAW_PERMISSION_SCREENS = frozenset(
    {
        "RoleModelView",
        "PermissionModelView",
        "ViewMenuModelView",
        "PermissionViewModelView",
        "List Roles",
        "Base Permissions",
        "Views/Menus",
        "Permission on Views/Menus",
    }
)


class TenantSecurityManager(ThrottledLogins, SecurityManager):
    security_api = TenantSecurityApi
    userdbmodelview = TenantUserView
    rolemodelview = TenantRoleView
    groupmodelview = TenantGroupView
    userstatschartview = TenantUserStatsView
    user_api = as_tenants_serve(UserApi)
    role_api = as_tenants_serve(RoleApi)
    group_api = as_tenants_serve(GroupApi)

    def register_views(self) -> None:
        """FAB's screens and login API, and its user, role and group APIs (FAB_ADD_SECURITY_API is off in tenant apps).

        FAB's permission, resource and permission-view APIs are not served: Formwork keeps those rows in step
        with the definitions itself (access/grants.py, tenancy/permissions.py), and through FAB's API deleting one
        failed, a duplicate answered with SQL and a renamed resource lost its permissions. Roles get their rights
        on the roles screen (access/screens.py), or by id with the role API (`/api/v1/security/roles/<id>/permissions`).
        FAB's APIs check the schema of their `q` argument once, not on every request (`check_rison_schemas_once`).
        """
        check_rison_schemas_once()
        super().register_views()
        for api in (self.user_api, self.role_api, self.group_api):
            self.appbuilder.add_api(api)

    def create_jwt_manager(self, app: Flask) -> JWTManager:
        manager = super().create_jwt_manager(app)
        answer_token_problems(manager)
        return manager

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """FAB's answer, except on its raw permission screens, refused to everyone (RAW_PERMISSION_SCREENS)."""
        if view_name in RAW_PERMISSION_SCREENS:
            return False
        return bool(super().has_access(permission_name, view_name))

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids: list[int]) -> bool:
        state = request_state()
        if state is None:
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        cache = state.cache("role_rights")
        key = tuple(sorted(role_ids))
        if key not in cache:
            cache[key] = self.rights_of(role_ids)
        return (view_name, permission_name) in cache[key]

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        """What anonymous visitors may do, from the same per-request cache (FAB asks twice per API call)."""
        state = request_state()
        if state is None:
            return super().is_item_public(permission_name, view_name)
        if state.public_rights is None:
            public = self.get_public_role()
            state.public_rights = self.rights_of([public.id]) if public is not None else set()
        return (view_name, permission_name) in state.public_rights

    def rights_of(self, role_ids: list[int]) -> set[tuple[str, str]]:
        """(view, permission) pairs granted to any of `role_ids`, in one query."""
        grant = self.permissionview_model
        rows = (
            self.session.query(self.viewmenu_model.name, self.permission_model.name)
            .select_from(grant)
            .join(assoc_permissionview_role, grant.id == assoc_permissionview_role.c.permission_view_id)
            .join(self.permission_model, grant.permission_id == self.permission_model.id)
            .join(self.viewmenu_model, grant.view_menu_id == self.viewmenu_model.id)
            .filter(assoc_permissionview_role.c.role_id.in_(role_ids))
        )
        return {(view, permission) for view, permission in rows}
