"""Semantic checks of NoOverlap definitions: the entity, its span fields, the competing fields, the filter."""

from __future__ import annotations

from typing import Any

from ..definitions.check_texts import NOT_A_DATE_FIELD, NOT_A_FIELD, PACK_NOT_REQUIRED, UNKNOWN_ENTITY
from ..fields import kind_of
from ..filters import check_filter
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import EntityDef
from .definition import NoOverlapDef
from .texts import CANNOT_COMPETE, SPAN_OF_TWO_TYPES

Problem = tuple[tuple[Any, ...], str]


def check_no_overlaps(catalog: Catalog) -> list[DefinitionError]:
    return [
        rule.document.error(path, message)
        for rule in catalog.no_overlaps.values()
        for path, message in no_overlap_problems(rule, catalog)
    ]


def no_overlap_problems(rule: NoOverlapDef, catalog: Catalog) -> list[Problem]:
    entity = catalog.entities.get(rule.entity)
    if entity is None:
        return [] if catalog.knows_entity(rule.entity) else [(("entity",), say(UNKNOWN_ENTITY, name=rule.entity))]
    if entity.pack not in catalog.with_requirements([rule.pack]):
        return [(("entity",), say(PACK_NOT_REQUIRED, entity=entity.qualified, pack=entity.pack, other=rule.pack))]
    problems = _span_problems(rule, entity)
    for i, name in enumerate(rule.per):
        f = entity.field(name)
        if f is None:
            problems.append((("per", i), say(NOT_A_FIELD, name=name, entity=entity.qualified)))
        elif not kind_of(f).stores_column or kind_of(f).holds_list:
            problems.append((("per", i), say(CANNOT_COMPETE, type=f.type)))
    if rule.filter is not None:
        problems += [(("filter", *path), message) for path, message in check_filter(rule.filter, entity, catalog)]
    return problems


def _span_problems(rule: NoOverlapDef, entity: EntityDef) -> list[Problem]:
    spans = {"from": (rule.start, entity.field(rule.start)), "to": (rule.end, entity.field(rule.end))}
    problems: list[Problem] = [
        ((key,), say(NOT_A_DATE_FIELD, name=name, entity=entity.qualified))
        for key, (name, f) in spans.items()
        if f is None or not kind_of(f).holds_date
    ]
    start, end = spans["from"][1], spans["to"][1]
    if (
        not problems
        and start is not None
        and end is not None
        and kind_of(start).holds_moment != kind_of(end).holds_moment
    ):
        problems.append((("to",), say(SPAN_OF_TWO_TYPES, start=start.name, end=end.name)))
    return problems
