"""FAB's user, role and group screens as a tenant's admin reads them: yes or no, not `True`; roles joined, not
`[Admin]`; an empty value empty, not `None`; column and search labels in the reader's language. Only how values
are shown changes: the screens, their rights and their forms stay FAB's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_appbuilder.security.views import RoleModelView, UserDBModelView, UserGroupModelView, UserStatsChartView

from ..compile.views import LocalizedSearchWidget
from ..i18n import CatalogText

YES, NO = CatalogText("yes"), CatalogText("no")


def _yes_no(value: Any) -> str:
    return "" if value is None else (YES if value else NO).localized()


def _joined(values: Any) -> str:
    return ", ".join(str(value) for value in values or [])


def _as_is(value: Any) -> Any:
    return "" if value is None else value


#: how the people screens show each column FAB lists or shows
PEOPLE_FORMATTERS: dict[str, Callable[[Any], Any]] = {
    "active": _yes_no,
    **dict.fromkeys(("roles", "groups", "permissions", "users", "user"), _joined),
    **dict.fromkeys(
        ("last_login", "login_count", "fail_login_count", "created_by", "changed_by", "email", "label", "description"),
        _as_is,
    ),
}

#: the group screen's columns: FAB names them from the column names ("Description"), which no catalog translates
GROUP_LABELS = {
    "name": CatalogText("Name"),
    "label": CatalogText("Label"),
    "description": CatalogText("Description"),
    "users": CatalogText("Users"),
    "roles": CatalogText("Roles"),
}


# Each keeps its FAB class's permission name: the rights roles hold on these screens are named after FAB's classes.
class TenantUserView(UserDBModelView):
    class_permission_name = "UserDBModelView"
    formatters_columns = PEOPLE_FORMATTERS
    search_widget = LocalizedSearchWidget


class TenantRoleView(RoleModelView):
    class_permission_name = "RoleModelView"
    formatters_columns = PEOPLE_FORMATTERS
    search_widget = LocalizedSearchWidget


class TenantGroupView(UserGroupModelView):
    class_permission_name = "UserGroupModelView"
    formatters_columns = PEOPLE_FORMATTERS
    label_columns = GROUP_LABELS
    search_widget = LocalizedSearchWidget


class TenantUserStatsView(UserStatsChartView):
    """FAB's user statistics, searching users by the user screen's labels (FAB's chart names its search fields from
    the column names, in English whatever the reader's language)."""

    class_permission_name = "UserStatsChartView"
    route_base = "/userstatschartview"
    label_columns = {**UserDBModelView.label_columns, **GROUP_LABELS, **UserStatsChartView.label_columns}
    search_widget = LocalizedSearchWidget
