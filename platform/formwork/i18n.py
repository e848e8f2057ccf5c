"""Translatable texts: a pack's labels (`label: {en: Customer, zh: 客户}`) and the platform's own (`CatalogText`).

A `Label` is a `str` (its English text) so that Flask-AppBuilder can use it
wherever it expects a string, while rendering in the user's language: Jinja
and WTForms call `__html__`, which looks up the current request's locale.
A pack's label carries its texts with it; the platform's own texts are
`CatalogText`s, whose translations live in the gettext catalogs under
`translations/`. The languages are English plus every language with a compiled
catalog there, so adding a language is adding its catalog (and pack labels).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, reduce
from pathlib import Path
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations
from markupsafe import escape

DEFAULT_LANGUAGE = "en"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def catalog_languages(directory: Path = TRANSLATIONS) -> tuple[str, ...]:
    """English (the language the texts are written in) first, then each language with a compiled catalog."""
    found = sorted(mo.parents[1].name for mo in directory.glob("*/LC_MESSAGES/messages.mo"))
    return (DEFAULT_LANGUAGE, *(language for language in found if language != DEFAULT_LANGUAGE))


LANGUAGES = catalog_languages()


@cache
def catalog(language: str, directory: Path = TRANSLATIONS) -> NullTranslations:
    """The compiled catalog of `language` (one that translates nothing for English or a language without one)."""
    return Translations.load(str(directory), [language])


def language_name(language: str, reader: str) -> str:
    """`zh` as `reader` calls it (`Chinese`, `中文`), from CLDR, so a language added as a catalog has a name too."""
    return Locale.parse(language).get_display_name(Locale.parse(reader)) or language


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


class CatalogText(Label):
    """One of the platform's own texts, written in English; its other languages come from the catalogs when it is
    shown, so a constant made at import still follows each reader's language (`localized()` the request's,
    `get(language)` a given one, as for an e-mail), and `str()` stays English for logs.

    `python -m formwork.i18n_catalog update` extracts every `CatalogText("...")` into the catalogs. `context`
    (gettext's msgctxt, a string literal so that extraction reads it) tells apart one English text that two screens
    translate differently: `CatalogText("Approved", context="task status")`.
    """

    context: str | None

    def __new__(cls, message: str, context: str | None = None) -> CatalogText:
        text = str.__new__(cls, message)
        text.context = context
        return text

    @property
    def translations(self) -> dict[str, str]:  # type: ignore[override]  # computed from the catalogs, not stored
        return {language: self.get(language) for language in LANGUAGES}

    def get(self, language: str | None = None) -> str:
        translations = catalog(language or current_locale(), TRANSLATIONS)
        message = str.__str__(self)
        return translations.pgettext(self.context, message) if self.context else translations.gettext(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (CatalogText, (str.__str__(self), self.context))


class Said(Label):
    """A platform text with values filled in, made where no reader is known yet (a definition check's message).

    `str()` is the English text with the values, exactly what an f-string of the same text gives, so logs, the CLI,
    comparisons, sorting and hashing see plain English; `localized()` / `get(language)` (and `__html__`, which Jinja
    calls) fill the same values into the text's translation. A value that is itself a `Label` (a pack's label,
    another `Said`) is given in that language too.
    """

    template: CatalogText
    values: dict[str, Any]

    def __new__(cls, template: CatalogText, values: dict[str, Any] | None = None) -> Said:
        filled = dict(values or {})
        said = str.__new__(cls, str.__str__(template).format(**filled))
        said.template, said.values = template, filled
        return said

    @property
    def translations(self) -> dict[str, str]:  # type: ignore[override]  # computed from the catalogs, not stored
        return {language: self.get(language) for language in LANGUAGES}

    def get(self, language: str | None = None) -> str:
        language = language or current_locale()
        values = {name: v.get(language) if isinstance(v, Label) else v for name, v in self.values.items()}
        try:
            return self.template.get(language).format(**values)
        except (KeyError, IndexError, ValueError):  # a translation naming other placeholders: English, not an error
            return str.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Said, (self.template, self.values))


def say(text: CatalogText, /, **values: Any) -> Said:
    """`text` (a `CatalogText` with `{name}` placeholders) with `values` filled in, in each reader's language (a
    placeholder may be named `text` too)."""
    return Said(text, values)


def joined(parts: Sequence[str], between: CatalogText) -> str:
    """`parts` one after another, each pair joined by `between` (a text with `{first}` and `{then}`, such as
    "{first}, {then}", whose translation may join them otherwise); "" when there are none."""
    return reduce(lambda first, then: say(between, first=first, then=then), parts) if parts else ""


def localized(text: str) -> str:
    """`text` in the request's language when it knows its translations (a `Label`), else as it is: for messages
    that Python joins into a longer text, where Jinja's `__html__` does not reach."""
    return text.localized() if isinstance(text, Label) else text


def humanize(name: str) -> str:
    """`close_date` -> `Close date`: the label when a definition gives none."""
    return name.replace("_", " ").strip().capitalize()
