"""What every step kind shares: how it is prepared (checked and compiled once per catalog) and what it gets to run.

A step kind is one small class (automation/steps/__init__.STEP_KINDS): its JSON Schema, its `__init__` that reads
its options and compiles their expressions through a `StepScope` (which collects the problems `formwork validate`
reports, at the step's line), and its `run(StepRun)`. The same preparation serves validation and running, so what
`validate` accepted is exactly what runs.

Values in a step are written as everywhere in packs: a plain YAML value is a constant, `{expr: "..."}` is CEL.
Expressions see the record's fields by name, `old` (the values before an update), `input` (an action's form),
`user` (who triggered it) and what a step adds (`row` for each row a `create` runs for, `target` for each record an
`update` changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy.orm import Session

from ...actor import Actor
from ...compile.lifecycle import SKIP_READ_ONLY
from ...compile.logic import record_values
from ...expr import (
    Expression,
    ExpressionError,
    ExpressionFailed,
    Variable,
    compile_expression,
    entity_variables,
    field_variable,
)
from ...expr.entity import record_variables
from ...fields import kind_of
from ...i18n import CatalogText, say
from ...meta.catalog import Catalog
from ...meta.model import EntityDef, FieldDef, qualify
from .. import check_texts as says

if TYPE_CHECKING:
    from ...tenancy.runtime import TenantRuntime

Path = tuple[Any, ...]


#: a value of a step that could not be computed on this record, with why (`ExpressionFailed.reason`)
NOT_COMPUTED = CatalogText("{source} could not be computed: {reason}")


class StepFailed(Exception):
    """A step could not do its work; `message` says why, for the person whose save or action it stopped (a platform
    text filled in is shown in their language)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class StepScope:
    """What a step is checked against: the catalog, the entity, the names its expressions may use, and where the
    step is in its document (problems are reported at their path)."""

    catalog: Catalog
    entity: EntityDef
    pack: str
    path: Path
    extra: dict[str, Variable] = field(default_factory=dict)
    problems: list[tuple[Path, str]] = field(default_factory=list)

    def problem(self, where: Path, message: str) -> None:
        self.problems.append((self.path + where, message))

    def variables(self, **more: Variable) -> dict[str, Variable]:
        return {**entity_variables(self.entity, self.catalog), **self.extra, **more}

    def expression(self, source: str, where: Path, expect: Any, **more: Variable) -> Expression | None:
        try:
            return compile_expression(source, self.variables(**more), expect=expect)
        except ExpressionError as exc:
            self.problem(where, exc.message)
            return None

    def value(self, written: Any, where: Path, expect: Any, **more: Variable) -> Value | None:
        """A constant, or `{expr: CEL}` compiled for `expect`."""
        if isinstance(written, Mapping) and set(written) == {"expr"}:
            expression = self.expression(str(written["expr"]), (*where, "expr"), expect, **more)
            return None if expression is None else Value(expression=expression)
        return Value(constant=written)

    def entity_named(self, name: Any, where: Path) -> EntityDef | None:
        qualified = qualify(str(name), self.pack)
        found = self.catalog.entities.get(qualified)
        if found is None:
            self.problem(where, say(says.ENTITY_NOT_DEFINED, entity=qualified))
        return found

    def field_of(self, entity: EntityDef, name: str, where: Path) -> FieldDef | None:
        found = entity.field(name)
        if found is None:
            self.problem(where, say(says.NO_SUCH_FIELD, entity=entity.qualified, name=name))
        return found

    def record_of(self, entity: EntityDef) -> Variable:
        """A record of `entity` as a map variable (`row`, `target`)."""
        return Variable("map", fields=record_variables(entity, self.catalog))


@dataclass(frozen=True)
class Value:
    """A step's value: a constant, or an expression evaluated on each run."""

    constant: Any = None
    expression: Expression | None = None

    def of(self, run: StepRun, **more: Any) -> Any:
        return run.evaluate(self.expression, **more) if self.expression is not None else self.constant


@dataclass
class StepRun:
    """One run of the steps on one record: the tenant, the transaction, who acts (with the platform's rights, on
    behalf of who triggered it), the record and its values as expressions see them."""

    runtime: TenantRuntime
    session: Session
    actor: Actor
    entity: EntityDef
    record: Any
    old: dict[str, Any] | None = None
    input: dict[str, Any] = field(default_factory=dict)
    #: the automation or action whose steps run, as its run log and messages name it
    source: str = ""
    #: the record's values as expressions see them, read when first needed (None: not read since the last change)
    known_values: dict[str, Any] | None = None
    #: what a step tells the person (a server action's message)
    messages: list[str] = field(default_factory=list)
    #: lifecycle checks the run's writes skip (compile/lifecycle.SKIPPABLE): steps set fields read-only to people
    #: (what such fields are for); an approval's automation also writes the record its approval just locked, as the
    #: chain's own `on_approve` does
    skip: frozenset[str] = frozenset({SKIP_READ_ONLY})

    def refresh(self) -> None:
        """Forget the record's values (a step changed it): the next expression reads them again."""
        self.known_values = None

    @property
    def values(self) -> dict[str, Any]:
        if self.known_values is None:
            self.known_values = (
                {} if self.record is None else record_values(self.record, self.entity, self.session, self.models)
            )
        return self.known_values

    @property
    def models(self) -> Any:
        return self.runtime.compiled

    def names(self, **more: Any) -> dict[str, Any]:
        """What expressions read: the record's fields, `old` (every field empty for a new record), `input`."""
        old = self.old if self.old is not None else dict.fromkeys(self.values)
        return {**self.values, "old": old, "input": self.input, **more}

    def evaluate(self, expression: Expression, **more: Any) -> Any:
        scope = self.names(**more)
        try:
            return expression.evaluate(
                scope, user=self.actor.user, now=self.actor.now(), tz=self.runtime.timezone, where=self.source
            )
        except ExpressionFailed as failed:
            raise StepFailed(say(NOT_COMPUTED, source=repr(expression.source), reason=failed.reason)) from None


class Step:
    """A step kind. Subclasses set `kind` and `schema` (the JSON Schema of their options) and implement
    `prepare` (read the options, compile through `scope`) and `run`."""

    kind: ClassVar[str]
    schema: ClassVar[dict[str, Any]]
    description: ClassVar[str] = ""

    def __init__(self, options: Any, scope: StepScope) -> None:
        self.prepare(options, scope)

    def prepare(self, options: Any, scope: StepScope) -> None:
        raise NotImplementedError

    def run(self, run: StepRun) -> None:
        raise NotImplementedError


def values_of(
    scope: StepScope, entity: EntityDef, written: Mapping[str, Any], where: Path, **more: Variable
) -> dict[str, Value]:
    """The `values:` (or `set:`) of a step: each field of `entity`, settable, with its constant or expression."""
    prepared = {}
    for name, value in written.items():
        target = scope.field_of(entity, name, (*where, name))
        if target is None:
            continue
        kind = kind_of(target)
        if kind.computed_by_expression or kind.aggregates_records or kind.numbered:
            scope.problem((*where, name), say(says.COMPUTED, entity=entity.qualified, name=name))
            continue
        found = scope.value(value, (*where, name), field_variable(target, scope.catalog), **more)
        if found is not None:
            prepared[name] = found
    return prepared


def as_stored(value: Any) -> Any:
    """A reference's value as the lifecycle takes it: the record's id, whether an expression gave the record."""
    if isinstance(value, Mapping) and "id" in value:
        return value["id"]
    return value
