"""What the engine refuses, each with a message for the person who tried (the API maps them to 4xx).

A refusal carries its text and the values, not a sentence. The text is a
`CatalogText` with `{placeholders}`, written in English next to where it is
raised; its other languages are in the gettext catalogs like the rest of the
platform's texts, so a language is added by its catalog alone (and
`i18n_catalog check` fails on a translation naming other placeholders). The
screens and the API render it in the language of whoever reads it
(`localized`), while logs and the worker's job table keep the English
(`message`, `str(error)`), whoever acted. Values that are labels themselves
(an entity, a step, a status) are rendered in the same language; lists are
joined the language's way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..i18n import DEFAULT_LANGUAGE, CatalogText, Label, current_locale

#: how a list of values (steps, roles) is joined inside a message
LIST_SEPARATOR = CatalogText(", ", context="list separator")


class WorkflowError(Exception):
    """An action that cannot be done; nothing was changed."""

    status = 400

    def __init__(self, text: CatalogText, **values: Any) -> None:
        self.text = text
        self.values = values
        super().__init__(self.render(DEFAULT_LANGUAGE))

    @property
    def message(self) -> str:
        """The English text, for logs and stored errors (the same whoever happened to act)."""
        return self.render(DEFAULT_LANGUAGE)

    def localized(self) -> str:
        """The text in the current request's language, for the person who tried."""
        return self.render(current_locale())

    def render(self, language: str) -> str:
        """The text in `language` (English for a language it lacks), its values rendered in the same."""
        return self.text.get(language).format(**{name: shown(value, language) for name, value in self.values.items()})


def shown(value: Any, language: str) -> str:
    """A value as the message shows it: a label in `language`, a list joined, anything else as text."""
    if isinstance(value, Label):
        return value.get(language)
    if isinstance(value, Iterable) and not isinstance(value, str):
        return LIST_SEPARATOR.get(language).join(shown(item, language) for item in value)
    return str(value)


class NotFound(WorkflowError):
    status = 404


class NotAllowed(WorkflowError):
    status = 403


class Conflict(WorkflowError):
    """The request is not in the state the action needs (not running, already on the current version)."""

    status = 409


class AlreadyDecided(WorkflowError):
    """Someone decided the task (or the request) first; the second decision is refused."""

    status = 409
