"""The fields of an entity its approval chains depend on (the FIELD_USES slot): the Studio locks them.

A chain reads fields in its conditions, finds people in them (approvers, submitters, copies, notices), sets them
when a request is decided, and lists them as locked or editable; renaming a choice the chain compares or sets, or
letting a field it takes people from go empty, would change what the chain does without anyone editing it. Its
conditions rely on the choices they name, its outcomes on those they set; locking or letting approvers edit a field
relies on none of its choices.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..definitions.field_uses import (
    FieldUse,
    every_value,
    expression_fields,
    given_by,
    merged,
    no_value,
    set_values,
    uses_of,
)
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .definition import ALL, NONE, ApproverSource, ChainDef

CONDITION = CatalogText("The approval chain {what} uses it in a condition")
PEOPLE = CatalogText("The approval chain {what} finds people in it")
SETS = CatalogText("The approval chain {what} sets it when a request is decided")
LOCKS = CatalogText("The approval chain {what} locks it once a request is decided")
EDITABLE = CatalogText("The approval chain {what} lets approvers change it")
#: the approver sources that name a field of the record (`department_head: submitter` names none)
FIELD_SOURCES = ("field", "department_head")


def chain_field_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    for chain in catalog.chains.values():
        if chain.entity == entity.qualified:
            yield from _uses_of(chain, entity, catalog)


def _uses_of(chain: ChainDef, entity: EntityDef, catalog: Catalog) -> Iterator[FieldUse]:
    conditions = [chain.when, *(step.when for step in chain.steps)]
    yield from uses_of(merged(*(expression_fields(c, entity, catalog) for c in conditions)), CONDITION, chain.label)
    sources = _sources(chain)
    computed = [expression_fields(str(s.value), entity, catalog) for s in sources if s.kind == "expr"]
    yield from uses_of(merged(every_value(_source_fields(sources)), *computed), PEOPLE, chain.label)
    outcomes = [chain.on_approve.set, chain.on_reject.set]
    sets = merged(*({name: _set(value, entity, catalog)} for outcome in outcomes for name, value in outcome.items()))
    yield from uses_of(sets, SETS, chain.label)
    locked = [chain.lock.scope(outcome) for outcome in ("approved", "rejected")]
    yield from uses_of(no_value(n for scope in locked if scope not in (ALL, NONE) for n in scope), LOCKS, chain.label)
    yield from uses_of(no_value(n for step in chain.steps for n in step.editable), EDITABLE, chain.label)


def _set(value: Any, entity: EntityDef, catalog: Catalog) -> frozenset[str] | None:
    """The choice values an outcome sets: a constant, or what its `{expr: …}` can give."""
    return given_by(str(value["expr"]), entity, catalog) if isinstance(value, dict) else set_values(value)


def _sources(chain: ChainDef) -> list[ApproverSource]:
    outcomes = (chain.on_approve, chain.on_reject)
    steps = [source for step in chain.steps for source in step.approvers]
    timeouts = [source for step in chain.steps if step.timeout for source in step.timeout.to]
    return [*chain.submitters, *chain.cc, *steps, *timeouts, *(s for outcome in outcomes for s in outcome.notify)]


def _source_fields(sources: Iterable[ApproverSource]) -> set[str]:
    """The record's fields the sources take people from (`field: project.manager` takes them from `project`)."""
    return {
        str(source.value).partition(".")[0]
        for source in sources
        if source.kind in FIELD_SOURCES and source.value != "submitter"
    }
