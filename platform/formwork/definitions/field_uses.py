"""Which fields of an entity other definitions depend on, and why: what the Studio locks.

A field an approval chain's condition reads, an automation sets, a formula computes from or a record rule filters on
cannot lose `required` or be retired without breaking that definition. Each kind of definition answers for itself:
the core for what an entity's own definition, its list views and the rollups of other entities use (formulas,
conditions, defaults, validation rules, lock conditions, list view filters, rollup sources), and every feature
through a function it declares in the FIELD_USES slot (formwork/features.py) for its kinds (approval chains,
automations and actions, roles, dashboards, views). The reasons are sentences the Studio shows at the field.

A use also says which choice values it relies on, so that only those are kept from being renamed or retired: a
condition `level == 'vip'` or a filter `{field: level, op: '=', value: vip}` relies on `vip`, a step or an outcome
setting `status: done` on `done`, a `changed` trigger on none; a use that cannot tell (the field compared with
another, passed to a function) relies on every value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..expr import (
    Expression,
    ExpressionError,
    NamedValues,
    Variable,
    compile_expression,
    entity_variables,
    joined_values,
)
from ..features import FIELD_USES, load_features
from ..fields import kind_of
from ..fields.rollup import rollup_source
from ..filters.context import is_variable
from ..filters.operators import EMPTINESS, EQUALITY
from ..filters.tree import Condition, conditions, parse
from ..i18n import CatalogText, Label, humanize
from ..meta.catalog import Catalog
from ..meta.model import EntityDef

FORMULA = CatalogText("The formula field {what} is computed from it")
CONDITION = CatalogText("The field {what} has a condition on it")
DEFAULT = CatalogText("The default of the field {what} is computed from it")
RULE = CatalogText("The validation rule {what} checks it")
RECORD_LOCK = CatalogText("The record lock of {what} reads it")
ROLLUP = CatalogText("The rollup {what} adds it up")
LIST_VIEW = CatalogText("The list view {what} filters by it")
#: the conditions a field may carry (meta/model.FieldDef.condition)
FIELD_CONDITIONS = ("visible_when", "required_when", "read_only_when")


@dataclass(frozen=True)
class FieldUse:
    """A field of an entity another definition depends on: `why` says how, with `{what}` naming the definition;
    `values` the choice values it relies on (None: every value, it cannot tell which)."""

    field: str
    why: CatalogText
    what: Label
    values: frozenset[str] | None = None

    def words(self) -> str:
        """The reason in the reader's language: "The approval chain Expense claim approval uses it in a condition"."""
        return self.why.localized().format(what=self.what.localized())

    def relies_on(self, value: str) -> bool:
        """Whether renaming or retiring the choice `value` would change what the definition does."""
        return self.values is None or value in self.values


#: what a feature declares in FIELD_USES: the uses its definitions make of the fields of one entity
FieldUses = Callable[[Catalog, EntityDef], Iterable[FieldUse]]


def field_uses(catalog: Catalog, entity: EntityDef) -> dict[str, list[FieldUse]]:
    """The entity's fields other definitions depend on, each with every reason once (its values joined: a chain with
    two conditions on a field is one reason), no field: no entry."""
    found: dict[str, list[FieldUse]] = {}
    sources: list[FieldUses] = [_own_uses, _rollup_uses, _list_view_uses, *load_features().items(FIELD_USES)]
    for uses in sources:
        for use in uses(catalog, entity):
            if entity.field(use.field) is None:
                continue
            reasons = found.setdefault(use.field, [])
            same = next((i for i, had in enumerate(reasons) if (had.why, had.what) == (use.why, use.what)), None)
            if same is None:
                reasons.append(use)
            else:
                reasons[same] = replace(use, values=joined_values(reasons[same].values, use.values))
    return found


def expression_fields(
    source: str | None, entity: EntityDef, catalog: Catalog, extra: Mapping[str, Variable] | None = None
) -> NamedValues:
    """The fields of `entity` a CEL expression reads, each with the choice values it names (`extra`: the other
    names it may use, such as an automation's `old`, whose fields count too). Nothing when it does not compile:
    `validate` reports that where it is written."""
    if not source:
        return {}
    try:
        expression = compile_expression(source, {**entity_variables(entity, catalog), **(extra or {})})
    except ExpressionError:
        return {}
    return read_fields(expression, set(extra or {}))


def read_fields(expression: Expression, records: Iterable[str] = (), ignored: Iterable[str] = ()) -> NamedValues:
    """The record's fields a compiled expression reads, each with the choice values it names: its names but
    `records` (the record as it was: `old`) and `ignored` (`input`), and the fields of `records` it reads
    (`old.level` reads `level`)."""
    former = set(records)
    reads = [(name, name) for name in expression.names - former - set(ignored)]
    reads += [(path, path.partition(".")[2]) for path in expression.paths if path.partition(".")[0] in former]
    return merged(*({field: expression.named.get(read, frozenset())} for read, field in reads))


def filter_fields(data: Any) -> NamedValues:
    """The fields of the filtered entity a structured filter names, each with the choice values it compares it with
    (`account.name` names `account`, and none of its values)."""
    node, _ = parse(data) if data else (None, [])
    return merged(*(_condition_values(condition) for condition in conditions(node)))


def set_values(value: Any) -> frozenset[str]:
    """The choice values a constant a definition sets names: `done`, or each of a list (a multi-choice)."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    return frozenset(str(item) for item in items)


def given_by(source: str, entity: EntityDef, catalog: Catalog) -> frozenset[str] | None:
    """The choice values an expression a definition sets can give (None: it computes them, or does not compile)."""
    try:
        return compile_expression(source, entity_variables(entity, catalog)).gives
    except ExpressionError:
        return None


def merged(*named: NamedValues) -> NamedValues:
    """The fields several parts of one definition use, each with the values they rely on together."""
    found: NamedValues = {}
    for part in named:
        for field, values in part.items():
            found[field] = joined_values(found[field], values) if field in found else values
    return found


def every_value(fields: Iterable[str]) -> NamedValues:
    """Fields a definition uses without telling which of their values it relies on: all of them."""
    return dict.fromkeys(fields, None)


def no_value(fields: Iterable[str]) -> NamedValues:
    """Fields a definition uses whatever their values (a trigger, a lock): it relies on none of their choices."""
    return dict.fromkeys(fields, frozenset())


def _condition_values(condition: Condition) -> NamedValues:
    """The field a filter condition names, with the choice values it compares it with: those it lists for `=`,
    `in`, `contains`..., none for `is_empty` or a path (`account.name`, a value of another record), and every value
    for an operator that does not list them (`starts_with`)."""
    field, _, further = condition.field.partition(".")
    if further or condition.op in EMPTINESS:
        return {field: frozenset()}
    if condition.op not in (*EQUALITY, "contains"):
        return {field: None}
    items = condition.value if isinstance(condition.value, list) else [condition.value]
    return {field: frozenset(_literal(item) for item in items if not is_variable(item))}


def _literal(item: Any) -> str:
    """A filter's value as the text it stands for (`$$5` is the text `$5`)."""
    text = str(item)
    return text[1:] if text.startswith("$$") else text


def _own_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    """What the entity's own definition computes and checks from its fields."""
    for f in entity.fields:
        if kind_of(f).computed_by_expression:
            yield from uses_of(expression_fields(f.options.get("expression"), entity, catalog), FORMULA, f.label)
        for condition in FIELD_CONDITIONS:
            yield from uses_of(expression_fields(f.condition(condition), entity, catalog), CONDITION, f.label)
        yield from uses_of(expression_fields(f.default_expression, entity, catalog), DEFAULT, f.label)
    for rule in entity.rules:
        shown_at = no_value([rule.field] if rule.field else [])  # where its message shows, whatever the value
        checked = merged(expression_fields(rule.check, entity, catalog), shown_at)
        yield from uses_of(checked, RULE, Label(humanize(rule.name)))
    yield from uses_of(expression_fields(entity.locked_when, entity, catalog), RECORD_LOCK, entity.label)


def _rollup_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    """The rollups of other entities over this one: their reference field, the field they add up, their filter."""
    for other in catalog.entities.values():
        for f in other.fields:
            if not kind_of(f).aggregates_records:
                continue
            source, reference = rollup_source(f)
            if source != entity.qualified:
                continue
            added_up = every_value([f.options["field"]] if f.options.get("field") else [])
            named = merged(no_value([reference]), added_up, filter_fields(f.options.get("filter")))
            yield from uses_of(named, ROLLUP, _joined(other.label, f.label))


def _list_view_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    """The list views of the entity that filter its records (`status = draft` keeps the value `draft`)."""
    for view in catalog.list_views_for(entity.qualified):
        yield from uses_of(filter_fields(view.filter), LIST_VIEW, view.label or Label(humanize(view.name)))


def _joined(entity: Label, field: Label) -> Label:
    """ "Expense claim: Total" in each language either label has."""
    languages = {*entity.translations, *field.translations}
    return Label({language: f"{entity.get(language)}: {field.get(language)}" for language in languages})


def uses_of(fields: Mapping[str, frozenset[str] | None], why: CatalogText, what: Label) -> Iterator[FieldUse]:
    """One use per field, relying on the values `fields` says."""
    for name in sorted(fields):
        yield FieldUse(name, why, what, fields[name])
