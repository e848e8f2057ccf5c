"""What every page of a tenant app shows around its content (templates/formwork/base.html): the sidebar of menu
entries grouped by pack, and the top bar with the tenant's name and logo, the parts features add (TOP_BAR: the
search box, the notifications' count), the user's name, the language menu and sign out.

The sidebar is drawn from Flask-AppBuilder's menu, so it lists exactly the entries the user's rights open. The
layout's texts are here so both languages have them; the templates call the globals `install_layout` adds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request

from ..compile.actors import request_actor
from ..features import TOP_BAR, load_features
from ..i18n import CatalogText
from ..languages import template_gettext
from .directory import display_names
from .menu import menu_text

TEXT = {
    "menu": CatalogText("Menu"),
    "open_menu": CatalogText("Open the menu"),
    "close_menu": CatalogText("Close the menu"),
    "collapse": CatalogText("Collapse or expand the menu"),
    "home": CatalogText("Home"),
    "language": CatalogText("Language"),
    "profile": CatalogText("Profile"),
    "sign_in": CatalogText("Sign in"),
    "sign_out": CatalogText("Sign out"),
    "back": CatalogText("Back"),
}


@dataclass(frozen=True)
class MenuEntry:
    """A link of the sidebar; `current` when it is the page shown (or the screen the page belongs to)."""

    label: Any
    url: str
    icon: str
    current: bool = False


@dataclass(frozen=True)
class MenuGroup:
    """A pack's (or a module's) entries under its label; `current` when one of them is."""

    label: Any
    icon: str
    entries: list[MenuEntry]

    @property
    def current(self) -> bool:
        return any(entry.current for entry in self.entries)


#: FAB's category of the people and roles screens: registered first, shown last (people come for their work)
ADMIN_CATEGORY = "Security"


def sidebar() -> list[MenuGroup | MenuEntry]:
    """Flask-AppBuilder's menu as the user's rights show it: its categories as groups, its other entries alone;
    the administration's group last."""
    appbuilder = current_app.appbuilder  # type: ignore[attr-defined]  # FAB sets it on the app
    allowed = appbuilder.sm.has_access
    here = _screen(request.path)
    shown: list[MenuGroup | MenuEntry] = []
    for item in sorted(appbuilder.menu.get_list(), key=lambda item: item.name == ADMIN_CATEGORY):
        if not allowed("menu_access", item.name):
            continue
        if not item.childs:
            shown.append(_entry(item, here))
            continue
        entries = [
            _entry(child, here) for child in item.childs if child.name != "-" and allowed("menu_access", child.name)
        ]
        if entries:
            shown.append(
                MenuGroup(menu_text(template_gettext(item.label)), item.icon or "fa-folder-open", _one_current(entries))
            )
    return shown


def _entry(item: Any, here: str) -> MenuEntry:
    url = str(item.get_url())
    return MenuEntry(
        menu_text(template_gettext(item.label)), url, item.icon or "fa-circle-o", bool(here) and _screen(url) == here
    )


def _one_current(entries: list[MenuEntry]) -> list[MenuEntry]:
    """The page's own entry is current; failing that, the first entry of the screen it belongs to (a record's page
    belongs to its entity's list)."""
    shown = request.script_root + request.path
    exact = [e for e in entries if e.url.split("?", 1)[0] == shown]
    first = next((e for e in entries if e.current), None)
    keep = exact[0] if exact else first
    return [MenuEntry(e.label, e.url, e.icon, e is keep) for e in entries]


def _screen(path: str) -> str:
    """The first segment of a path inside the app (`crm_account` of /t/acme/crm_account/show/3)."""
    inside = path.split("?", 1)[0].removeprefix(request.script_root).strip("/")
    return inside.split("/", 1)[0]


@dataclass(frozen=True)
class ShownPart:
    """A top bar part for this request: its template and the values `part` holds there."""

    template: str
    values: dict[str, Any]


def top_bar_parts() -> list[ShownPart]:
    """The parts features add to the top bar that have something to show to the request's user."""
    shown = []
    for part in load_features().items(TOP_BAR):
        values = part.values()
        if values is not None:
            shown.append(ShownPart(part.template, values))
    return shown


def user_name() -> str:
    """The signed-in user as people read them: their name ("Anna Zhao"), their user name only when they have none."""
    actor = request_actor()
    if not actor.signed_in or not actor.username:
        return ""
    session = current_app.extensions["formwork"].session()
    return display_names(session, [actor.username])[actor.username]


def install_layout(app: Flask) -> None:
    app.jinja_env.globals.update(
        fw_top_bar=top_bar_parts, fw_sidebar=sidebar, fw_user_name=user_name, fw_layout_text=TEXT
    )
