"""The console's log: every operator action (a tenant created, suspended, resumed, an admin invited, a pack installed
or upgraded) with the operator's name; a self-service sign-up is logged under the person's e-mail address."""

from __future__ import annotations

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_login import current_user

from ..config import Settings
from ..i18n import CatalogText
from ..tenancy.registry import ConsoleAction, platform_session

#: the actions as operators read them; the rows keep the English word
ACTION_TEXTS = {
    "created": CatalogText("created", context="console action"),
    "suspended": CatalogText("suspended", context="console action"),
    "resumed": CatalogText("resumed", context="console action"),
    "invited": CatalogText("invited", context="console action"),
    "installed": CatalogText("installed", context="console action"),
    "upgraded": CatalogText("upgraded", context="console action"),
    "signed up": CatalogText("signed up", context="console action"),
}


def log_row(action: str, slug: str, detail: str = "") -> ConsoleAction:
    """The log row of `action` by the signed-in operator, for the caller to add to the transaction that does it."""
    return ConsoleAction(operator=current_user.username, action=action, tenant_slug=slug, detail=detail)


def record_action(settings: Settings, action: str, slug: str, detail: str = "") -> None:
    """Log an action already committed by its own transaction (`create_tenant` commits its steps itself)."""
    with platform_session(settings.database_url) as session:
        session.add(log_row(action, slug, detail))
        session.commit()


class ConsoleLogView(ModelView):
    """What operators did, newest first; read-only (the log is only ever added to)."""

    datamodel = SQLAInterface(ConsoleAction)
    route_base = "/console-log"
    base_permissions = ["can_list", "can_show"]
    list_title = CatalogText("Console log")
    show_title = CatalogText("Console log")
    list_columns = ["at", "operator", "action", "tenant_slug", "detail"]
    show_columns = ["at", "operator", "action", "tenant_slug", "detail"]
    search_columns = ["operator", "action", "tenant_slug"]
    base_order = ("id", "desc")
    formatters_columns = {
        "at": lambda at: f"{at:%Y-%m-%d %H:%M:%S}",
        "action": lambda action: ACTION_TEXTS[action].localized() if action in ACTION_TEXTS else action,
    }
    label_columns = {
        "at": CatalogText("When"),
        "operator": CatalogText("Operator"),
        "action": CatalogText("Action"),
        "tenant_slug": CatalogText("Tenant"),
        "detail": CatalogText("Detail"),
    }
