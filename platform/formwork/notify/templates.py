"""Notification texts: the `Notification` kind of packs, the platform's defaults, and rendering them safely.

A template is a subject and a body per language with `{placeholder}`s. Only
the names in PLACEHOLDERS may appear, bare (`{record}`): no attribute or
index access, no conversion, no format spec, so a template can never reach
into Python objects. Rendering walks the parsed template and inserts each
value as text; it never calls `str.format`.

The template for an event on a record is the pack's one for that entity,
else the pack's one for the event, else the platform's default below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..i18n import DEFAULT_LANGUAGE, CatalogText, Label
from ..meta.errors import DefinitionError
from ..meta.model import qualify
from ..meta.yamlload import Document
from ..placeholders import fill, placeholder_problems
from .events import EVENTS

if TYPE_CHECKING:
    from ..meta.catalog import Catalog

#: what a template may use; a value the event does not carry renders empty
PLACEHOLDERS = {
    "record": "the record's title",
    "entity": "what the record is (the entity's label)",
    "actor": "who did it (the platform for timeouts and reminders)",
    "recipient": "who receives it",
    "chain": "the approval chain's label",
    "step": "the approval step's label",
    "outcome": "approved or rejected",
    "comment": "the comment that came with the action",
    "fields": "the changed fields' names",
    "changes": "the changed fields with their old and new values",
    "subject": "an automation's subject, as its step wrote it",
    "message": "an automation's message, as its step wrote it",
}
PLATFORM = CatalogText("Formwork")


@dataclass(frozen=True)
class NotificationDef:
    """The texts of one event, for every record (`entity` None) or for one entity's records."""

    pack: str
    event: str
    entity: str | None
    subject: Label
    body: Label
    document: Document | None = None

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.event, self.entity)


def build_notification(doc: Document) -> NotificationDef:
    data = doc.data
    entity = qualify(data["entity"], doc.pack) if data.get("entity") else None
    return NotificationDef(doc.pack, data["event"], entity, Label(data["subject"]), Label(data["body"]), doc)


def template_errors(definition: NotificationDef, catalog: Catalog) -> list[DefinitionError]:
    """Unknown events, entities and placeholders, and placeholders written other than bare `{name}`."""
    doc = definition.document
    assert doc is not None
    errors = []
    if definition.event not in EVENTS:  # the schema's enum says so too; kept for documents built in code
        errors.append(
            doc.error(("event",), f"unknown event {definition.event!r}; expected one of: {', '.join(EVENTS)}")
        )
    if definition.entity and not catalog.knows_entity(definition.entity):
        errors.append(doc.error(("entity",), f"entity '{definition.entity}' is not defined"))
    elif definition.entity and (problem := catalog.unrequired_entity(definition.pack, definition.entity)):
        errors.append(doc.error(("entity",), problem))
    for part in ("subject", "body"):
        label = getattr(definition, part)
        for language, text in label.translations.items():
            path = (part, language) if isinstance(doc.data.get(part), dict) else (part,)
            errors += [doc.error(path, message) for message in placeholder_errors(text)]
    return errors


def placeholder_errors(text: str) -> list[str]:
    return placeholder_problems(text, PLACEHOLDERS, _unknown)


def _unknown(name: str) -> str:
    return f"unknown placeholder {{{name}}}; expected one of: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced by its value (empty when absent); anything else stays as written."""
    return fill(text, values)


def template_for(catalog: Catalog, event: str, entity: str | None) -> tuple[Label, Label]:
    """(subject, body) of `event` on a record of `entity`: the pack's for that entity, the pack's, or the platform's."""
    chosen = getattr(catalog, "notifications", {})
    found = (entity and chosen.get((event, entity))) or chosen.get((event, None))
    return (found.subject, found.body) if found else DEFAULTS[event]


def values_for(catalog: Catalog, row: Any, language: str) -> dict[str, str]:
    """The placeholders of one stored notification, in `language`."""
    values = {name: _in(value, language) for name, value in (row.data or {}).items()}
    entity = catalog.entities.get(row.entity) if row.entity else None
    values["entity"] = entity.label.get(language) if entity else (row.entity or "")
    values["actor"] = row.actor or PLATFORM.get(language)
    values["recipient"] = row.recipient
    values.setdefault("record", f"#{row.record_id}" if row.record_id else "")
    return values


def rendered(catalog: Catalog, row: Any, language: str) -> tuple[str, str]:
    """(subject, body) of a stored notification in `language`."""
    subject, body = template_for(catalog, row.event, row.entity)
    values = values_for(catalog, row, language)
    return render(subject.get(language), values), render(body.get(language), values)


def _in(value: Any, language: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(language) or value.get(DEFAULT_LANGUAGE) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


#: the platform's texts of every event: (subject, body)
DEFAULTS: dict[str, tuple[Label, Label]] = {
    "assigned": (
        CatalogText("{entity} {record} was assigned to you"),
        CatalogText("{actor} assigned {entity} {record} to you. {comment}"),
    ),
    "approval_needed": (
        CatalogText("Approval needed: {entity} {record}"),
        CatalogText("{actor} submitted {entity} {record} ({chain}); step {step} waits for your decision."),
    ),
    "approval_decided": (
        CatalogText("{entity} {record} was {outcome}"),
        CatalogText("{chain}: {entity} {record} was {outcome}. {comment}"),
    ),
    "mentioned": (CatalogText("{actor} mentioned you on {entity} {record}"), CatalogText("{actor} wrote: {comment}")),
    "followed_changed": (CatalogText("{entity} {record} changed"), CatalogText("{actor} changed {changes}")),
    "reminder": (
        CatalogText("Reminder: {entity} {record} waits for you"),
        CatalogText("{entity} {record} ({chain}, step {step}) still waits for your decision. {comment}"),
    ),
    "automated": (CatalogText("{subject}"), CatalogText("{message}")),
    "cc": (
        CatalogText("Copied to you: {entity} {record}"),
        CatalogText("{actor}'s {entity} {record} ({chain}) is copied to you for your information."),
    ),
}


def check_notifications(catalog: Catalog) -> list[DefinitionError]:
    """`formwork validate`: every Notification's event, entity and placeholders, with file and line."""
    return [error for definition in catalog.notifications.values() for error in template_errors(definition, catalog)]
