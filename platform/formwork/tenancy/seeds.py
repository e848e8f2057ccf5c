"""Loading a pack's Seed documents into a tenant: once per seed, through the same write rules as the REST API.

Each record is checked with the entity's input schema, references and unique
fields, then gets its defaults, formulas and validation rules like a record a
user saves; auto numbers and audit columns are filled on flush. The tenant's
`formwork_seed` table remembers every (pack, seed) it loaded, so a seed is
never loaded twice, even after a user deleted its records. With a `key`, a
record whose key value is already stored is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import Flask
from marshmallow import ValidationError

from ..actor import Actor
from ..compile.generated import TENANT_METADATA
from ..compile.lifecycle import SKIP_READ_ONLY, RecordConflict, RecordRejected, save_record
from ..compile.models import utcnow
from ..compile.schemas import input_schema
from ..fields import kind_of
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, SeedDef

if TYPE_CHECKING:
    from .runtime import TenantRuntime

Progress = Callable[[str], None]

SEEDS_LOADED = sa.Table(
    "formwork_seed",
    TENANT_METADATA,
    sa.Column("pack", sa.String(48), primary_key=True),
    sa.Column("name", sa.String(48), primary_key=True),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    sa.Column("records_created", sa.Integer, nullable=False),
)


class SeedFailed(Exception):
    """A seed's record cannot be saved; the message names the file, line, record and why. Nothing was loaded."""

    def __init__(self, seed: SeedDef, index: int, problems: dict[str, Any] | list[Any] | str) -> None:
        where = f"{seed.document.file}:{seed.document.line_of(('records', index))}"
        if isinstance(problems, dict):
            problems = "; ".join(
                f"{name}: {' '.join(map(str, messages)) if isinstance(messages, list) else messages}"
                for name, messages in problems.items()
            )
        super().__init__(f"{where}: seed {seed.qualified}, records[{index}] cannot be saved: {problems}")


def loaded_seeds(engine: sa.Engine) -> set[tuple[str, str]]:
    """(pack, seed) pairs the tenant has loaded; none for a tenant created before seeds existed."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(SEEDS_LOADED.name):
            return set()
        return {(row.pack, row.name) for row in connection.execute(sa.select(SEEDS_LOADED.c.pack, SEEDS_LOADED.c.name))}


def pending_seeds(engine: sa.Engine, catalog: Catalog, packs: list[str]) -> list[SeedDef]:
    """The seeds of `packs` the tenant has not loaded, required packs' seeds first (a seed may refer to their records)."""
    done = loaded_seeds(engine)
    order = catalog.with_requirements(list(catalog.packs))
    seeds = [s for s in catalog.seeds.values() if s.pack in packs and (s.pack, s.name) not in done]
    return sorted(seeds, key=lambda s: order.index(s.pack))


def load_seeds(
    app: Flask,
    seeds: list[SeedDef],
    locale: str,
    progress: Progress = lambda _: None,
    connection: sa.Connection | None = None,
) -> dict[str, int]:
    """Load `seeds` into the tenant of `app` in one transaction (the caller's, on `connection`, if given: a pack's
    seeds commit with its tables or not at all); returns the records created per seed."""
    runtime = app.extensions["formwork"]
    if connection is None:
        SEEDS_LOADED.create(runtime.session.get_bind(), checkfirst=True)
        session = runtime.session()
    else:
        session = runtime.session.session_factory(bind=connection)
    created: dict[str, int] = {}
    try:
        with app.app_context():
            for number, seed in enumerate(seeds, start=1):
                created[seed.qualified] = _load_seed(session, runtime, seed, locale)
                session.execute(
                    SEEDS_LOADED.insert().values(
                        pack=seed.pack, name=seed.name, loaded_at=utcnow(), records_created=created[seed.qualified]
                    )
                )
                kept = len(seed.records) - created[seed.qualified]
                progress(
                    f"[{number}/{len(seeds)}] seed {seed.qualified}: {created[seed.qualified]} record(s) created"
                    + (f", {kept} already there" if kept else "")
                )
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        runtime.session.remove()
    return created


def _load_seed(session: Any, runtime: TenantRuntime, seed: SeedDef, locale: str) -> int:
    entity = runtime.catalog.entities[seed.entity]
    model = runtime.compiled.model(seed.entity)
    schema = input_schema(entity, f"{entity.table}_seed", runtime.catalog)
    created = 0
    for index, record in enumerate(seed.records):
        data = _find_references(session, runtime, entity, seed, index, seed.record_input(record, entity, locale))
        try:
            loaded = schema().load(data)
        except ValidationError as invalid:
            raise SeedFailed(seed, index, invalid.messages) from None
        if seed.key and session.scalar(
            sa.select(model.id).where(getattr(model, seed.key) == loaded[seed.key]).limit(1)
        ):
            continue
        _save(session, runtime, entity, seed, index, loaded)
        created += 1
    return created


def _find_references(
    session: Any, runtime: TenantRuntime, entity: EntityDef, seed: SeedDef, index: int, data: dict[str, Any]
) -> dict[str, Any]:
    """`{code: HQ}` → the id of the record whose code is HQ."""
    for f in entity.fields:
        value = data.get(f.name)
        if not kind_of(f).refers_to_record or not isinstance(value, dict) or f.target is None:
            continue
        ((name, wanted),) = value.items()
        target = runtime.compiled.model(f.target)
        found = session.scalar(sa.select(target.id).where(getattr(target, name) == wanted).limit(1))
        if found is None:
            raise SeedFailed(seed, index, {f.name: f"no {f.target} has {name} '{wanted}'"})
        data[f.name] = found
    return data


def _save(
    session: Any, runtime: TenantRuntime, entity: EntityDef, seed: SeedDef, index: int, loaded: dict[str, Any]
) -> None:
    """One seed record through the record lifecycle, written by the system. A pack's reference data may set fields
    that are read-only to users (a status, a code), so the read-only check is skipped."""
    try:
        save_record(runtime, Actor.system(), entity, None, loaded, session=session, skip={SKIP_READ_ONLY})
    except RecordRejected as rejected:
        raise SeedFailed(seed, index, rejected.errors) from None
    except RecordConflict as conflict:
        cause = conflict.__cause__
        raise SeedFailed(seed, index, str(getattr(cause, "orig", conflict))) from None
