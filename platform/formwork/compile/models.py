"""Definitions -> SQLAlchemy models on a registry of their own.

Each compile gets a fresh declarative base, so two tenants (or two versions
of one tenant's definitions) never share table objects; FAB's shared `Model`
base is never used for entities. Compiled models are cached by the
definitions' content hash, so tenants with the same packs share them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from ..fields import field_type, kind_of
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, IndexDef
from .logic import EntityLogic, formula_readers, logic_for
from .naming import index_name
from .rollups import rollups_by_source


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def class_name(entity: EntityDef) -> str:
    """`crm.opportunity` -> `CrmOpportunity`; unique within one compile."""
    return "".join(part.capitalize() for part in entity.table.split("_"))


@dataclass
class CompiledModels:
    """The models of one set of effective definitions."""

    definitions_hash: str
    metadata: sa.MetaData
    # by qualified entity name; type[Any]: built at run time, their columns are invisible to a type checker
    models: dict[str, type[Any]]
    logic: dict[str, EntityLogic]  # compiled expressions, by qualified entity name
    rollups: dict[str, list[Any]] = dataclass_field(default_factory=dict)  # referring entity -> the rollups it feeds
    formula_readers: dict[str, list[tuple[str, str]]] = dataclass_field(
        default_factory=dict
    )  # entity -> formulas reading it

    def model(self, qualified: str) -> type[Any]:
        return self.models[qualified]


class _ModelContext:
    """What a field type may ask while it builds its columns."""

    def __init__(self, catalog: Catalog, metadata: sa.MetaData) -> None:
        self.catalog = catalog
        self.metadata = metadata
        self.entity: EntityDef | None = None  # the entity being built

    def entity_of(self, qualified: str) -> EntityDef:
        return self.catalog.entities[qualified]

    def class_name(self, entity: EntityDef) -> str:
        return class_name(entity)


def standard_columns() -> dict[str, Any]:
    """id, audit columns and the optimistic-locking version every entity has."""
    return {
        "id": sa.Column(sa.Integer, primary_key=True),
        "created_at": sa.Column(sa.DateTime, default=utcnow, nullable=False, index=True),
        "created_by": sa.Column(sa.Integer, nullable=True),
        "updated_at": sa.Column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False),
        "updated_by": sa.Column(sa.Integer, nullable=True),
        "version": sa.Column(sa.Integer, nullable=False, default=1),
    }


def _title(entity: EntityDef):
    title = entity.title_field

    def __str__(self) -> str:  # noqa: N807 - becomes the model's __str__
        value = getattr(self, title, None) if title else None
        return str(value) if value not in (None, "") else f"{entity.label} #{self.id}"

    return __str__


def build_model(base: type[DeclarativeBase], entity: EntityDef, ctx: _ModelContext) -> type[Any]:
    attributes: dict[str, Any] = {"__tablename__": entity.table, "__str__": _title(entity), "__entity__": entity}
    attributes.update(standard_columns())
    ctx.entity = entity
    for field in entity.fields:
        attributes.update(field_type(field.type).columns(field, ctx))
    for name in sorted_by(entity, ctx.catalog):
        attributes[name].index = True
    attributes["__mapper_args__"] = {"version_id_col": attributes["version"]}
    attributes["__table_args__"] = tuple(_declared_index(entity, index) for index in entity.indexes)
    return type(class_name(entity), (base,), attributes)


def _declared_index(entity: EntityDef, index: IndexDef) -> sa.Index:
    columns = [field_type(f.type).attribute(f) if (f := entity.field(name)) else name for name in index.fields]
    return sa.Index(index_name(entity.table, columns, index.unique), *columns, unique=index.unique)


def sorted_by(entity: EntityDef, catalog: Catalog) -> set[str]:
    """Columns list views sort or filter by: indexed, so a page never scans or sorts the whole table."""
    names = set()
    for view in catalog.list_views_for(entity.qualified):
        names.add(view.sort_field)
        names.update(filtered_fields(view.filter))
    columns = set()
    for name in names:
        field = entity.field(name)
        if field is not None and kind_of(field).indexable:
            columns.add(field_type(field.type).attribute(field))
        elif name in ("created_at", "updated_at", "created_by", "updated_by"):
            columns.add(name)
    return columns


def filtered_fields(data: Any) -> set[str]:
    """The fields a structured filter compares directly (not through a reference path)."""
    if isinstance(data, list):
        return set().union(*(filtered_fields(item) for item in data)) if data else set()
    if isinstance(data, dict):
        if isinstance(data.get("field"), str) and "." not in data["field"]:
            return {data["field"]}
        return set().union(*(filtered_fields(value) for key, value in data.items() if key in ("all", "any", "not")))
    return set()


def compile_models(catalog: Catalog) -> CompiledModels:
    """Build one model class per entity of `catalog`."""

    class Base(DeclarativeBase):
        metadata = sa.MetaData()

    ctx = _ModelContext(catalog, Base.metadata)
    models = {qualified: build_model(Base, entity, ctx) for qualified, entity in catalog.entities.items()}
    sa.orm.configure_mappers()
    logic = logic_for(catalog)
    compiled = CompiledModels(
        catalog.content_hash(),
        Base.metadata,
        models,
        logic,
        rollups_by_source(catalog),
        formula_readers(catalog, logic),
    )
    for model in models.values():
        model.__models__ = compiled  # a record can reach its siblings (formulas read references)
    return compiled


#: compiled models kept for the definitions used last: every published customization makes definitions of a new
#: hash, and each set of models is a registry of classes (thousands of objects) that a process kept for good before,
#: growing for as long as it served and making each of the garbage collector's full passes slower
CACHED_MODELS = 64
_cache: OrderedDict[str, CompiledModels] = OrderedDict()
_cache_lock = threading.Lock()


def models_for(catalog: Catalog) -> CompiledModels:
    """Compiled models for `catalog`, built once per content hash (while among the CACHED_MODELS used last)."""
    key = catalog.content_hash()
    with _cache_lock:
        if key not in _cache:
            _cache[key] = compile_models(catalog)
            while len(_cache) > CACHED_MODELS:
                _cache.popitem(last=False)
        _cache.move_to_end(key)
        return _cache[key]
