"""Views meant for some roles (`roles:` on a list view or any other view kind, issue 16): who sees one, and the
order an entity's list views are offered in.

A view naming roles is for their holders and for the tenant's admins (whose role holds every right); a view naming
none is for everyone who may read its entity. Its menu entry is granted only to those roles (access/grants.py,
views/menus.py) and opening it by URL is refused to anyone else with a 403, so hiding an entry is never the only
guard. An entity's default list (its menu entry and `/<table>/list/`) is its first list view meant for everyone;
validation requires one whenever a list view names roles. Above a list, the switcher offers the views meant for one
of the user's roles first (their own view before the shared ones, as a role's form is chosen before everyone's),
then the others in the order the packs declare them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from flask import current_app

from ..actor import Actor
from ..meta.model import ListViewDef
from .listing import Listing


def meant_for(roles: Collection[str], actor: Actor) -> bool:
    """Whether a view for `roles` (none: everyone) is `actor`'s to see: one of its roles, or the tenant's admin
    role (read from the tenant app's security manager, as FAB names it)."""
    if not roles or actor.is_system:
        return True
    admin = current_app.appbuilder.sm.auth_role_admin  # type: ignore[attr-defined]  # FAB sets it on the app
    return bool(actor.roles & set(roles)) or admin in actor.roles


def default_first(views: list[ListViewDef]) -> list[ListViewDef]:
    """An entity's list views with the first one for everyone first (its default list and main menu entry), the
    others in the order the packs declare them."""
    default = next((view for view in views if not view.roles), None)
    return views if default is None else [default, *(view for view in views if view is not default)]


def offered(listings: Iterable[Listing], actor: Actor) -> list[Listing]:
    """The list views `actor` may open, those meant for one of its roles first."""
    shown = [listing for listing in listings if meant_for(listing.definition.roles, actor)]
    return sorted(shown, key=lambda listing: not set(listing.definition.roles) & actor.roles)
