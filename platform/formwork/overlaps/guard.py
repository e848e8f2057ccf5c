"""Refusing a save whose span overlaps another record's (an `after_save` record hook).

The check runs inside the save's transaction once the record is flushed: its new values (a formula may compute the
end) are then in the table, so the filter of the records that count is asked of it in SQL like of the others. Two
concurrent saves must not both pass: on PostgreSQL each takes a transaction-scoped advisory lock on the values it
competes by (tenant schema, entity, `per` values) before looking, so the second waits for the first to commit and
then sees its record. SQLite lets one transaction at a time write, and one that read before another's write
committed cannot write at all (a conflict), so neither can pass unseen there either. A refusal comes after the
flush, so the caller's transaction is rolled back (`on_flush`), as every caller of the lifecycle does on refusal.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..compile.lifecycle import RecordRejected, RecordWrite
from ..fields import kind_of
from ..filters import actor_context, compile_filter
from ..i18n import say
from .definition import NoOverlapDef
from .texts import TAKEN, TAKEN_BY


def refuse_overlaps(write: RecordWrite) -> None:
    """RecordRejected, on the from field, when the record's span meets another's of the same `per` values."""
    for rule in write.runtime.catalog.no_overlaps.values():
        if rule.entity != write.entity.qualified:
            continue
        other = _in_the_way(write, rule)
        if other is not None:
            title = str(getattr(other, write.entity.title_field or "id", None) or f"#{other.id}")
            text = (
                say(TAKEN_BY, message=rule.message.localized(), title=title)
                if rule.message
                else say(TAKEN, title=title)
            )
            raise RecordRejected({rule.start: [str(text)]}, on_flush=True)


def _in_the_way(write: RecordWrite, rule: NoOverlapDef) -> Any | None:
    """The first other record whose span meets this one's; None also when the record holds no span (an empty start,
    end or `per` value, or outside the filter)."""
    record, entity = write.record, write.entity
    model = write.runtime.compiled.model(entity.qualified)
    start, end = getattr(record, rule.start), getattr(record, rule.end)
    attributes = [_attribute(entity, name) for name in rule.per]
    competing = {getattr(model, attribute): getattr(record, attribute) for attribute in attributes}
    if start is None or end is None or any(value is None for value in competing.values()):
        return None
    counted = compile_filter(rule.filter, model, entity, actor_context(write.actor)) if rule.filter else sa.true()
    if rule.filter and write.session.scalar(sa.select(model.id).where(model.id == record.id, counted)) is None:
        return None
    _lock(write.session, entity.table, [str(value) for value in competing.values()])
    query = sa.select(model).where(
        model.id != record.id,
        getattr(model, rule.start) < end,
        getattr(model, rule.end) > start,
        counted,
        *(column == value for column, value in competing.items()),
    )
    return write.session.scalars(query.limit(1)).first()


def _attribute(entity: Any, name: str) -> str:
    f = entity.field(name)
    return kind_of(f).attribute(f)


def _lock(session: Any, table: str, values: list[str]) -> None:
    """Wait for any other transaction checking the same values (PostgreSQL; SQLite has one writer at a time)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = sa.func.current_schema() + sa.literal(":".join([table, *values]))
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(key))))
