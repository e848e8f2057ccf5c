"""One row per view kind: what the views feature registers for it (views/feature.py) and how its menu entries
link to it (views/menus.py). A new view kind is a subpackage that declares its row; nothing else changes."""

from __future__ import annotations

from dataclasses import dataclass

from ..meta.kinds import Kind
from .checks import Problems


@dataclass(frozen=True)
class ViewKind:
    """`kind`: the definition kind; `problems(view, catalog)`: its semantic checks; `screens`: the mixin of the
    entity ModelView with its routes; `endpoint`: the mixin's method that shows one view (its argument `name` is
    the view's `pack.name`); `icon`: the menu entry's Font Awesome icon; `menu_prefix`: the start of its menu
    entries' names (which are also their `menu_access` rights)."""

    kind: Kind
    problems: Problems
    screens: type
    endpoint: str
    icon: str
    menu_prefix: str

    @property
    def collection(self) -> str:
        return self.kind.collection or ""

    def menu_name(self, qualified: str) -> str:
        return f"{self.menu_prefix} {qualified}"
