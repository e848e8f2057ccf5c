"""A tenant app's menu entries: labels FAB can format and links resolved when the menu is shown."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..i18n import Label


class EndpointUrl:
    """A menu link to an endpoint with arguments, resolved when the menu renders (so it carries /t/<slug>).

    FAB hands it on as the entry's `href`: its templates write `str()` of it, and the menu API (`/api/v1/menu/`)
    writes it through the tenant app's JSON provider (tenancy/bad_input.py), which resolves it the same way.
    """

    def __init__(self, endpoint: str, **values: Any) -> None:
        self.endpoint, self.values = endpoint, values

    def __str__(self) -> str:
        return url_for(self.endpoint, **self.values)


def menu_label(label: Label) -> Label:
    """FAB's menu passes labels through `%` formatting; a literal % must be written %%."""
    return Label({language: text.replace("%", "%%") for language, text in label.translations.items()})


def menu_text(label: Any) -> Any:
    """What a menu label reads where no `%` formatting follows (the sidebar): `menu_label`'s %% back to %."""
    if isinstance(label, Label) and any("%%" in text for text in label.translations.values()):
        return Label({language: text.replace("%%", "%") for language, text in label.translations.items()})
    return label
