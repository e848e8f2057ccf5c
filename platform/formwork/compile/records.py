"""Rules every write obeys, whether it comes from a screen or the REST API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..fields import field_type, kind_of
from ..fields.base import INTEGER_LIMIT
from ..fields.child_table import parent_field_of
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..rights import visible_condition
from .logic import choice_filter, is_locked, record_values
from .models import CompiledModels

if TYPE_CHECKING:
    from ..actor import Actor

FieldErrors = dict[str, list[str]]


BEING_UPDATED = CatalogText(
    "This workspace was being updated while your request ran; nothing was saved. Try again in a moment."
)
NOT_SAVED = CatalogText(
    "The record was not saved: it conflicts with stored data (a unique value or a reference changed meanwhile). "
    "Reload and try again."
)
#: the refusals a write rule gives, each a whole sentence in the reader's language with the labels in it
STALE = CatalogText(
    "This record was changed by someone else (it is now at version {current}, you edited version {sent}). "
    "Reload it and apply your change again."
)
TAKEN = CatalogText("{field} '{value}' is already used by another record.")
LOCKED_DELETE = CatalogText("This {entity} is locked and cannot be deleted.")
IN_USE = CatalogText("{entity} '{record}' cannot be deleted: it is still used by {users}.")
USED_BY = CatalogText("{count} {entities} ({field})")
SAME_VALUES = CatalogText("Another record already has the same {fields}.")
NOT_OUR_ROWS = CatalogText("A row with id {ids} is not a row of this record.")


class RecordNotSaved(Exception):
    """A screen's save the database refused; its text is what the user reads (never the database's own message)."""


class StaleRecord(Exception):
    """The record changed since the user read it; saving would lose the other change."""

    def __init__(self, current: int, sent: Any) -> None:
        self.current, self.sent = current, sent
        super().__init__(STALE.localized().format(current=current, sent=sent))


def check_version(item: Any, sent: Any) -> None:
    """Refuse an update made on an older version than the stored one."""
    if sent in (None, ""):
        return
    try:
        sent_version = int(sent)
    except (TypeError, ValueError):
        raise StaleRecord(item.version, sent) from None
    if sent_version != item.version:
        raise StaleRecord(item.version, sent_version)


def read_only_errors(entity: EntityDef, data: dict[str, Any], item: Any | None) -> FieldErrors:
    """A read-only field may be sent back unchanged, never with a new value."""
    errors: FieldErrors = {}
    for field in entity.fields:
        if not field.read_only or field.name not in data:
            continue
        current = None if item is None else getattr(item, field_type(field.type).attribute(field))
        if data[field.name] != current:
            errors[field.name] = ["This field is read-only."]
    return errors


def change_errors(entity: EntityDef, data: dict[str, Any], item: Any | None, models: CompiledModels) -> FieldErrors:
    """Values a record may keep but not newly take (a retired choice): sent back unchanged they pass."""
    errors: FieldErrors = {}
    for field in entity.fields:
        if field.name in data and (
            problems := field_type(field.type).change_errors(field, data[field.name], item, models)
        ):
            errors[field.name] = problems
    return errors


def reference_errors(
    session: Session, entity: EntityDef, compiled: CompiledModels, data: dict[str, Any], actor: Actor
) -> FieldErrors:
    """Each reference given must point at an existing record `actor` may see and choose."""
    errors: FieldErrors = {}
    choices = choice_filter(actor)
    for field in entity.fields:
        if field.name in data and (
            problems := field_type(field.type).value_errors(field, data[field.name], session, compiled, actor, choices)
        ):
            errors[field.name] = problems
    return errors


def unique_errors(
    session: Session,
    entity: EntityDef,
    model: type[Any],
    data: dict[str, Any],
    exclude_id: int | None,
    current: dict[str, Any] | None = None,
) -> FieldErrors:
    """Unique fields, and unique combinations of fields, must not repeat another record's values."""
    errors = combination_errors(session, entity, model, {**(current or {}), **data}, exclude_id)
    errors.update(single_errors(session, entity, model, data, exclude_id))
    return errors


def single_errors(
    session: Session, entity: EntityDef, model: type[Any], data: dict[str, Any], exclude_id: int | None
) -> FieldErrors:
    """Unique fields among `data` whose value another record already has."""
    errors: FieldErrors = {}
    for field in entity.fields:
        if not field.unique or data.get(field.name) is None or kind_of(field).refers_to_record:
            continue
        column = getattr(model, field.name)
        query = sa.select(model.id).where(column == data[field.name])
        if exclude_id is not None:
            query = query.where(model.id != exclude_id)
        if session.execute(query.limit(1)).first() is not None:
            errors[field.name] = [TAKEN.localized().format(field=field.label.localized(), value=data[field.name])]
    return errors


def filled_unique_errors(session: Session, entity: EntityDef, item: Any) -> FieldErrors:
    """Unique fields and indexes over the values a save fills in (the defaults of a new record, formulas that
    changed), about to be flushed: is one taken? Sent values were checked before they were assigned."""
    state = sa.inspect(item)
    filled = {
        f.name
        for f in entity.fields
        if (state.pending and f.default is not None)
        or (field_type(f.type).generated and state.attrs[f.name].history.has_changes())
    }
    if not any(f.unique for f in entity.fields if f.name in filled) and not any(
        index.unique and filled & set(index.fields) for index in entity.indexes
    ):
        return {}
    values = _values_to_flush(item, entity, state.pending)
    exclude = None if state.pending else item.id
    errors = combination_errors(session, entity, type(item), values, exclude, over=filled)
    for name, messages in single_errors(session, entity, type(item), {n: values[n] for n in filled}, exclude).items():
        errors.setdefault(name, []).extend(messages)
    return errors


def _values_to_flush(item: Any, entity: EntityDef, new: bool) -> dict[str, Any]:
    """What the flush will write, by field name: a reference set as a record counts as its id, and a new record's
    empty field with a constant default as that default (the column's, applied on insert)."""
    values = stored_values(item, entity)
    for field in entity.fields:
        related = item.__dict__.get(field.name) if field_type(field.type).attribute(field) != field.name else None
        if related is not None and getattr(related, "id", None) is not None:
            values[field.name] = related.id
        if new and values.get(field.name) is None and field.default is not None and not isinstance(field.default, dict):
            values[field.name] = field.default
    return values


class RecordInUse(Exception):
    """Deleting would leave other records pointing at nothing."""


def check_deletable(session: Session, catalog: Catalog, compiled: CompiledModels, entity: EntityDef, item: Any) -> None:
    """Refuse to delete a locked record, or one other records still refer to (saying which)."""
    logic = compiled.logic[entity.qualified]
    if logic.locked_when is not None and is_locked(logic, record_values(item, entity, session, compiled)):
        raise RecordInUse(LOCKED_DELETE.localized().format(entity=entity.label.localized()))
    users = []
    own_rows = {
        (f.target, parent_field_of(f, catalog.entities[f.target], entity.qualified))
        for f in entity.fields
        if kind_of(f).holds_rows and f.target is not None
    }
    for other in catalog.entities.values():
        for field in other.fields:
            if (
                not kind_of(field).refers_to_record
                or field.target != entity.qualified
                or field.options.get("on_delete", "restrict") != "restrict"
            ):
                continue
            if (other.qualified, field.name) in own_rows:
                continue  # the record's own rows go with it
            model = compiled.model(other.qualified)
            count = session.scalar(
                sa.select(sa.func.count()).select_from(model).where(getattr(model, f"{field.name}_id") == item.id)
            )
            if count:
                users.append(
                    USED_BY.localized().format(
                        count=count, entities=other.plural.localized(), field=field.label.localized()
                    )
                )
    if users:
        raise RecordInUse(
            IN_USE.localized().format(entity=entity.label.localized(), record=item, users=", ".join(users))
        )


def combination_errors(
    session: Session,
    entity: EntityDef,
    model: type[Any],
    values: dict[str, Any],
    exclude_id: int | None,
    over: set[str] | None = None,
) -> FieldErrors:
    """For each unique index over several fields (`over`: only those over one of these): is this combination taken?
    (`values` by field name, ids for references)"""
    errors: FieldErrors = {}
    for index in entity.indexes:
        if not index.unique or any(values.get(name) is None for name in index.fields):
            continue
        if over is not None and not over & set(index.fields):
            continue
        query = sa.select(model.id)
        for name in index.fields:
            field = entity.field(name)
            query = query.where(
                getattr(model, field_type(field.type).attribute(field) if field else name) == values[name]
            )
        if exclude_id is not None:
            query = query.where(model.id != exclude_id)
        if session.execute(query.limit(1)).first() is not None:
            labels = ", ".join(f.label.localized() if (f := entity.field(n)) else n for n in index.fields)
            message = index.message.localized() if index.message else SAME_VALUES.localized().format(fields=labels)
            errors.setdefault(index.fields[0], []).append(message)
    return errors


def stored_values(item: Any, entity: EntityDef) -> dict[str, Any]:
    """A record's values by field name, references as ids: what unique checks compare."""
    return {
        f.name: getattr(item, field_type(f.type).attribute(f), None)
        for f in entity.fields
        if not kind_of(f).refers_to_many
    }


def row_errors(entity: EntityDef, data: dict[str, Any], item: Any | None) -> FieldErrors:
    """A child row sent with an id must be one of this record's rows."""
    errors: FieldErrors = {}
    for field in entity.fields:
        if not kind_of(field).holds_rows or field.name not in data:
            continue
        owned = {row.id for row in getattr(item, field.name)} if item is not None else set()
        strangers = [
            row["id"] for row in data[field.name] or [] if row.get("id") is not None and row["id"] not in owned
        ]
        if strangers:
            errors[field.name] = [NOT_OUR_ROWS.localized().format(ids=", ".join(map(str, strangers)))]
    return errors


def may_see_record(session: Session, model: Any, record_id: int, actor: Actor) -> bool:
    """Whether `actor`'s record rules let it see record `record_id` of `model` (a record that does not exist, or an
    id no record can have, is not seen). Asked for people other than the request's user too: a follower told of a
    change, a person mentioned in a comment, an approver."""
    if not 0 < record_id <= INTEGER_LIMIT:
        return False
    condition = visible_condition(model, actor)
    query = sa.select(model.id).where(model.id == record_id)
    return session.scalar(query.where(condition) if condition is not None else query) is not None
