"""Translatable labels: `label: Customer` or `label: {en: Customer, zh: 客户}`.

A `Label` is a `str` (its English text) so that Flask-AppBuilder can use it
wherever it expects a string, while rendering in the user's language: Jinja
and WTForms call `__html__`, which looks up the current request's locale.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"


def current_locale() -> str:
    """The request's language; English outside a request."""
    try:
        from flask import has_request_context
        from flask_babel import get_locale

        if has_request_context():
            locale = get_locale()
            if locale is not None and locale.language in LANGUAGES:
                return locale.language
    except (ImportError, RuntimeError, KeyError, AttributeError):
        pass
    return DEFAULT_LANGUAGE


class Label(str):
    """A label with one text per language; `str(label)` is English."""

    translations: dict[str, str]

    def __new__(cls, value: Any, fallback: str = "") -> Label:
        if isinstance(value, Label):
            return value
        if isinstance(value, dict):
            texts = {k: str(v) for k, v in value.items() if v is not None}
        elif value:
            texts = {DEFAULT_LANGUAGE: str(value)}
        else:
            texts = {DEFAULT_LANGUAGE: fallback}
        english = texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), fallback)
        label = super().__new__(cls, english)
        label.translations = texts
        return label

    def get(self, language: str | None = None) -> str:
        language = language or current_locale()
        return self.translations.get(language) or str.__str__(self)

    def localized(self) -> str:
        return self.get(current_locale())

    def __html__(self) -> str:
        return str(escape(self.localized()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Label, (self.translations,))


def humanize(name: str) -> str:
    """`close_date` -> `Close date`: the label when a definition gives none."""
    return name.replace("_", " ").strip().capitalize()


def label_table(pairs: dict[str, tuple[str, str]]) -> dict[str, Label]:
    """`{"draft": ("Draft", "草稿")}` -> `{"draft": Label(...)}`: the platform's word lists, written compactly."""
    return {key: Label({"en": en, "zh": zh}) for key, (en, zh) in pairs.items()}
