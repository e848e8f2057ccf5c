"""Values the platform fills in when a record is saved: auto numbers and formulas; and the unique checks of them.

Numbers come from a counter row per field and period in the tenant's own
database, incremented with INSERT … ON CONFLICT DO UPDATE … RETURNING inside
the saving transaction: concurrent inserts wait for each other's row lock, so
no number is given twice, and a rolled-back insert gives its number back.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..features import load_features
from ..fields import kind_of
from ..fields.auto_number import period_of, render_number

TENANT_METADATA = sa.MetaData()

SEQUENCES = sa.Table(
    "formwork_sequence",
    TENANT_METADATA,
    sa.Column("name", sa.String(120), primary_key=True),
    sa.Column("period", sa.String(120), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)


def tenant_metadata() -> sa.MetaData:
    """TENANT_METADATA with every platform table: the core's and those of the features (which put theirs on it when
    they load: earlier file versions, the record history, notifications, the approval engine's, kept imports…)."""
    load_features()
    return TENANT_METADATA


#: a platform column's `info` key saying which kind of definition's qualified name its rows hold (`Entity`,
#: `Automation`, `ApprovalChain`): when such a definition is renamed, its rows are re-keyed with it (`rekeyed`)
KEYED_BY = "formwork_keyed_by"

#: every rename of a definition the tenant's rows were re-keyed for: append-only tables (the record history) keep
#: the name they were written with and are read under the former names too (`former_names`)
FORMER_NAMES = sa.Table(
    "formwork_former_name",
    TENANT_METADATA,
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("former", sa.String(200), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
)


def keyed_by(kind: str) -> dict[str, str]:
    """The `info` of a platform column holding the qualified names of definitions of `kind`."""
    return {KEYED_BY: kind}


def rekeyed(kind: str, old: str, new: str) -> list[sa.Executable]:
    """The statements that move every platform row keyed by the `kind` definition `old` to `new` (comments, files,
    approvals, run logs…), so a renamed entity or automation keeps what was recorded of it; the rename is recorded,
    and earlier former names now lead to `new` too."""
    names = FORMER_NAMES.c
    return [
        *(
            sa.update(table).where(column == old).values({column.name: new})
            for table in tenant_metadata().tables.values()
            for column in table.columns
            if column.info.get(KEYED_BY) == kind
        ),
        sa.delete(FORMER_NAMES).where(names.kind == kind, names.former == new),
        sa.update(FORMER_NAMES).where(names.kind == kind, names.name == old).values(name=new),
        sa.insert(FORMER_NAMES).values(kind=kind, former=old, name=new),
    ]


def former_names(connection: sa.Connection, kind: str) -> dict[str, str]:
    """{former qualified name: the name now} of the tenant's renamed definitions of `kind`."""
    names = FORMER_NAMES.c
    return dict(connection.execute(sa.select(names.former, names.name).where(names.kind == kind)).tuples().all())


def storage_hash(definitions_hash: str) -> str:
    """What a tenant's storage is synced to: its effective definitions and the platform's own tables (and indexes) in it.

    A release that adds a platform table (seeds, approvals…) changes this for every tenant, so existing
    tenants get the table at their next sync or `formwork migrate`, like a change of their definitions.
    """
    digest = hashlib.sha256(definitions_hash.encode())
    for table in sorted(tenant_metadata().tables.values(), key=lambda t: t.name):
        columns = ",".join(f"{c.name}:{c.type}" for c in table.columns)
        indexes = ",".join(sorted(str(index.name) for index in table.indexes))
        digest.update(f"{table.name}({columns})[{indexes}]".encode())
    return digest.hexdigest()[:16]


def next_counter(session: Session, name: str, period: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    first = insert(SEQUENCES).values(name=name, period=period, value=1)
    counted = first.on_conflict_do_update(
        index_elements=[SEQUENCES.c.name, SEQUENCES.c.period], set_={"value": SEQUENCES.c.value + 1}
    ).returning(SEQUENCES.c.value)
    return int(session.execute(counted).scalar_one())


def _number_new_records(session: Session, _context: Any, _instances: Any) -> None:
    today = datetime.now(timezone.utc).date()
    for item in session.new:
        entity = getattr(item, "__entity__", None)
        if entity is None:
            continue
        for field in entity.fields:
            if kind_of(field).numbered and getattr(item, field.name) is None:
                fmt = field.options["format"]
                counter = next_counter(session, f"{entity.table}.{field.name}", period_of(fmt, today))
                setattr(item, field.name, render_number(fmt, today, counter))


def _compute_formulas(session: Session, _context: Any, _instances: Any) -> None:
    """Formulas are stored, so lists can sort and filter on them: recompute them on every save."""
    from .logic import compute_formulas, record_values

    for item in [*session.new, *session.dirty]:
        entity = getattr(item, "__entity__", None)
        models = getattr(item, "__models__", None)
        if entity is None or models is None or not models.logic[entity.qualified].formulas:
            continue
        values = record_values(item, entity, session, models)
        errors = compute_formulas(models.logic[entity.qualified], item, values)
        if errors:
            raise FilledValueRefused(errors)


def _recompute_readers(session: Session, _context: Any, _instances: Any) -> None:
    """A formula that reads a referenced record (`account.name`) follows that record's changes."""
    from .logic import compute_formulas, record_values

    for item in list(session.dirty):
        models = getattr(item, "__models__", None)
        entity = getattr(item, "__entity__", None)
        if models is None or entity is None or not session.is_modified(item):
            continue
        for reader, reference in models.formula_readers.get(entity.qualified, []):
            model = models.model(reader)
            reader_entity = model.__entity__
            for dependent in session.scalars(sa.select(model).where(getattr(model, f"{reference}_id") == item.id)):
                errors = compute_formulas(
                    models.logic[reader], dependent, record_values(dependent, reader_entity, session, models)
                )
                if errors:
                    raise FilledValueRefused(errors)


def _check_filled_uniques(session: Session, _context: Any, _instances: Any) -> None:
    """A unique field or index over a value the platform filled in (a default, a formula) is checked as a sent value
    is, so a duplicate it makes is told with the field's or the index's own message, not the database's refusal."""
    from .records import filled_unique_errors

    for item in [*session.new, *session.dirty]:
        entity, models = getattr(item, "__entity__", None), getattr(item, "__models__", None)
        if entity is not None and models is not None:
            errors = filled_unique_errors(session, entity, item)
            if errors:
                raise FilledValueRefused(errors)


class FilledValueRefused(Exception):
    """A value the platform fills in on save cannot be stored: a formula could not be computed, or a default or
    formula repeats another record's unique value. `errors` says which field and why."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))


def install_generated_values(session_factory: Any) -> None:
    event.listen(session_factory, "before_flush", _number_new_records)
    event.listen(session_factory, "before_flush", _compute_formulas)
    event.listen(session_factory, "before_flush", _recompute_readers)
    event.listen(session_factory, "before_flush", _check_filled_uniques)
