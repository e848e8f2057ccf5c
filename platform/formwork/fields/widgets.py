"""Form widgets: FAB's Bootstrap look, but the placeholder comes from the definition and the user's language."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from wtforms import widgets

from ..i18n import Label


def _placeholder(field: Any, kwargs: dict[str, Any]) -> str:
    text = kwargs.get("placeholder") or field.label.text
    return text.localized() if isinstance(text, Label) else str(text)


class TextWidget(widgets.TextInput):
    def __init__(self, input_type: str = "text") -> None:
        super().__init__(input_type)

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs["class"] = "form-control"
        kwargs["placeholder"] = _placeholder(field, kwargs)
        return super().__call__(field, **kwargs)


class TextAreaWidget(widgets.TextArea):
    def __init__(self, rows: int = 4) -> None:
        self.rows = rows

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs["class"] = "form-control"
        kwargs["rows"] = self.rows
        kwargs["placeholder"] = _placeholder(field, kwargs)
        return super().__call__(field, **kwargs)
