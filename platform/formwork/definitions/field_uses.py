"""Which fields of an entity other definitions depend on, and why: what the Studio locks.

A field an approval chain's condition reads, an automation sets, a formula computes from or a record rule filters on
cannot have its choices renamed or retired, lose `required`, or be retired, without breaking that definition. Each
kind of definition answers for itself: the core for what an entity's own definition and the rollups of other
entities use (formulas, conditions, defaults, validation rules, lock conditions, rollup sources), and every feature
through a function it declares in the FIELD_USES slot (formwork/features.py) for its kinds (approval chains,
automations and actions, roles). The reasons are sentences the Studio shows at the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..expr import ExpressionError, Variable, compile_expression, entity_variables
from ..features import FIELD_USES, load_features
from ..fields import kind_of
from ..fields.rollup import rollup_source
from ..filters.tree import conditions, parse
from ..i18n import CatalogText, Label, humanize
from ..meta.catalog import Catalog
from ..meta.model import EntityDef

FORMULA = CatalogText("The formula field {what} is computed from it")
CONDITION = CatalogText("The field {what} has a condition on it")
DEFAULT = CatalogText("The default of the field {what} is computed from it")
RULE = CatalogText("The validation rule {what} checks it")
RECORD_LOCK = CatalogText("The record lock of {what} reads it")
ROLLUP = CatalogText("The rollup {what} adds it up")
#: the conditions a field may carry (meta/model.FieldDef.condition)
FIELD_CONDITIONS = ("visible_when", "required_when", "read_only_when")


@dataclass(frozen=True)
class FieldUse:
    """A field of an entity another definition depends on: `why` says how, with `{what}` naming the definition."""

    field: str
    why: CatalogText
    what: Label

    def words(self) -> str:
        """The reason in the reader's language: "The approval chain Expense claim approval uses it in a condition"."""
        return self.why.localized().format(what=self.what.localized())


#: what a feature declares in FIELD_USES: the uses its definitions make of the fields of one entity
FieldUses = Callable[[Catalog, EntityDef], Iterable[FieldUse]]


def field_uses(catalog: Catalog, entity: EntityDef) -> dict[str, list[FieldUse]]:
    """The entity's fields other definitions depend on, each with every reason (no field: no entry)."""
    found: dict[str, list[FieldUse]] = {}
    sources: list[FieldUses] = [_own_uses, _rollup_uses, *load_features().items(FIELD_USES)]
    for uses in sources:
        for use in uses(catalog, entity):
            if entity.field(use.field) is not None and use not in found.get(use.field, []):
                found.setdefault(use.field, []).append(use)
    return found


def expression_fields(
    source: str | None, entity: EntityDef, catalog: Catalog, extra: Mapping[str, Variable] | None = None
) -> frozenset[str]:
    """The fields of `entity` a CEL expression reads (`extra`: the other names it may use, such as an automation's
    `old`, whose fields count too). None when it does not compile: `validate` reports that where it is written."""
    if not source:
        return frozenset()
    try:
        expression = compile_expression(source, {**entity_variables(entity, catalog), **(extra or {})})
    except ExpressionError:
        return frozenset()
    extra_names = set(extra or {})
    paths = {path.partition(".")[2] for path in expression.paths if path.partition(".")[0] in extra_names}
    return frozenset((expression.names - extra_names) | paths)


def filter_fields(data: Any) -> set[str]:
    """The fields of the filtered entity a structured filter names (`account.name` names `account`)."""
    node, _ = parse(data) if data else (None, [])
    return {condition.field.partition(".")[0] for condition in conditions(node)}


def _own_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    """What the entity's own definition computes and checks from its fields."""
    for f in entity.fields:
        if kind_of(f).computed_by_expression:
            yield from _uses(expression_fields(f.options.get("expression"), entity, catalog), FORMULA, f.label)
        for condition in FIELD_CONDITIONS:
            yield from _uses(expression_fields(f.condition(condition), entity, catalog), CONDITION, f.label)
        yield from _uses(expression_fields(f.default_expression, entity, catalog), DEFAULT, f.label)
    for rule in entity.rules:
        named = expression_fields(rule.check, entity, catalog) | ({rule.field} if rule.field else set())
        yield from _uses(named, RULE, Label(humanize(rule.name)))
    yield from _uses(expression_fields(entity.locked_when, entity, catalog), RECORD_LOCK, entity.label)


def _rollup_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    """The rollups of other entities over this one: their reference field, the field they add up, their filter."""
    for other in catalog.entities.values():
        for f in other.fields:
            if not kind_of(f).aggregates_records:
                continue
            source, reference = rollup_source(f)
            if source != entity.qualified:
                continue
            named = {reference, *filter_fields(f.options.get("filter"))} | (
                {f.options["field"]} if f.options.get("field") else set()
            )
            yield from _uses(named, ROLLUP, _joined(other.label, f.label))


def _joined(entity: Label, field: Label) -> Label:
    """ "Expense claim: Total" in each language either label has."""
    languages = {*entity.translations, *field.translations}
    return Label({language: f"{entity.get(language)}: {field.get(language)}" for language in languages})


def _uses(fields: Iterable[str], why: CatalogText, what: Label) -> Iterator[FieldUse]:
    for name in sorted(fields):
        yield FieldUse(name, why, what)
