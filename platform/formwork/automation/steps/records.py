"""The steps that change records: set fields on the record, create records, update other records.

Each write goes through the record lifecycle (compile/lifecycle.py) in the triggering transaction, as the step's
actor, so rules, required fields, uniques and locks apply and the history records it; a refusal stops the run with
the lifecycle's message, and the caller rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from ...compile.lifecycle import RecordConflict, RecordRejected, save_record
from ...compile.logic import record_values
from ...fields import field_type, kind_of
from ...fields.child_table import parent_field_of
from ...filters import actor_context, compile_filter
from ...i18n import say
from ...meta.model import EntityDef
from .. import check_texts as says
from .base import Step, StepFailed, StepRun, StepScope, Value, as_stored, values_of

VALUES = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"$ref": "#/$defs/identifier"},
    "description": "field: a constant, or {expr: CEL}",
}


def write(run: StepRun, entity: EntityDef, record: Any, values: dict[str, Any]) -> Any:
    """Save through the lifecycle; a refusal becomes the step's failure, naming the fields."""
    try:
        return save_record(run.runtime, run.actor, entity, record, values, session=run.session, skip=run.skip)
    except (RecordRejected, RecordConflict) as refused:
        raise StepFailed(refusal(entity, refused)) from None


def refusal(entity: EntityDef, refused: RecordRejected | RecordConflict) -> str:
    """What the lifecycle refused, naming the record's kind and each field."""
    if isinstance(refused, RecordConflict):
        return str(refused)
    parts = []
    for name, messages in refused.errors.items():
        field = entity.field(name)
        prefix = f"{field.label.localized()}: " if field is not None else ""
        parts.append(prefix + " ".join(map(str, messages)))
    return f"{entity.label.localized()}: " + "; ".join(parts)


def evaluated(run: StepRun, values: dict[str, Value], **more: Any) -> dict[str, Any]:
    return {name: as_stored(value.of(run, **more)) for name, value in values.items()}


class SetFields(Step):
    kind = "set"
    description = "set fields of the record itself"
    schema = VALUES

    def prepare(self, options: Any, scope: StepScope) -> None:
        self.values = values_of(scope, scope.entity, options, ())

    @property
    def reads(self) -> set[str]:
        """The names its expressions read (which a field update folded into the save must already know)."""
        return {name for value in self.values.values() if value.expression for name in value.expression.names}

    def assignments(self, run: StepRun) -> dict[str, Any]:
        """The values it sets, as the lifecycle takes them."""
        return evaluated(run, self.values)

    def run(self, run: StepRun) -> None:
        if run.record is None:
            raise StepFailed("the record was deleted; there is nothing to set")
        write(run, run.entity, run.record, self.assignments(run))
        run.refresh()


class CreateRecords(Step):
    kind = "create"
    description = "create a record, or one per child row (`for_each: {rows: field}`) or per matching record"
    schema = {
        "type": "object",
        "required": ["entity", "values"],
        "additionalProperties": False,
        "properties": {
            "entity": {"$ref": "#/$defs/qualified_name"},
            "values": VALUES,
            "for_each": {
                "type": "object",
                "additionalProperties": False,
                "description": "rows: a child table of the record; or entity (+ filter): the records it matches",
                "properties": {
                    "rows": {"$ref": "#/$defs/identifier"},
                    "entity": {"$ref": "#/$defs/qualified_name"},
                    "filter": {"$ref": "#/$defs/filter"},
                },
            },
        },
    }

    def prepare(self, options: Any, scope: StepScope) -> None:
        self.rows = Rows.prepare(options.get("for_each"), scope, ("for_each",))
        self.entity = scope.entity_named(options["entity"], ("entity",))
        more = {"row": scope.record_of(self.rows.entity)} if self.rows is not None and self.rows.entity else {}
        self.values = values_of(scope, self.entity, options["values"], ("values",), **more) if self.entity else {}

    def run(self, run: StepRun) -> None:
        assert self.entity is not None
        if self.rows is None:
            write(run, self.entity, None, evaluated(run, self.values))
            return
        for row in self.rows.each(run):
            write(run, self.entity, None, evaluated(run, self.values, row=row))


class Rows:
    """What a `for_each` runs over: the record's child rows, or the records a filter matches."""

    def __init__(self, entity: EntityDef | None, child_field: str | None, link: str | None, where: Any) -> None:
        #: `link`: the attribute of a child row that holds its parent's id
        self.entity, self.child_field, self.link, self.where = entity, child_field, link, where

    @classmethod
    def prepare(cls, written: Any, scope: StepScope, where: tuple[Any, ...]) -> Rows | None:
        if not written:
            return None
        if "rows" in written:
            field = scope.field_of(scope.entity, written["rows"], (*where, "rows"))
            if field is None:
                return None
            if not kind_of(field).holds_rows:
                scope.problem((*where, "rows"), say(says.NOT_A_CHILD_TABLE, name=field.name))
                return None
            child = scope.catalog.entities.get(field.target or "")
            link = child.field(parent_field_of(field, child, scope.entity.qualified)) if child else None
            attribute = field_type(link.type).attribute(link) if link is not None else None
            return cls(child, field.name, attribute, None)
        entity = scope.entity_named(written.get("entity", scope.entity.qualified), (*where, "entity"))
        return cls(entity, None, None, written.get("filter"))

    def each(self, run: StepRun) -> Iterator[dict[str, Any]]:
        assert self.entity is not None
        model = run.models.model(self.entity.qualified)
        if self.child_field is not None:
            condition = getattr(model, str(self.link)) == run.record.id
        else:
            condition = compile_filter(self.where, model, self.entity, actor_context(run.actor))
        for found in run.session.scalars(sa.select(model).where(condition).order_by(model.id)):
            yield record_values(found, self.entity, run.session, run.models)


class UpdateRecords(Step):
    kind = "update"
    description = "update the record a reference points at (`record: field`), or the records a filter matches"
    schema = {
        "type": "object",
        "required": ["values"],
        "additionalProperties": False,
        "properties": {
            "record": {"$ref": "#/$defs/identifier", "description": "a reference field of the record"},
            "entity": {"$ref": "#/$defs/qualified_name"},
            "filter": {"$ref": "#/$defs/filter"},
            "values": VALUES,
        },
        # records matched by a filter need one: "every record" is a deliberate `filter: []`, never an omission
        "oneOf": [{"required": ["record"]}, {"required": ["entity", "filter"]}],
    }

    def prepare(self, options: Any, scope: StepScope) -> None:
        self.reference: str | None = None
        self.entity: EntityDef | None = None
        if "record" in options:
            field = scope.field_of(scope.entity, options["record"], ("record",))
            if field is not None and not kind_of(field).refers_to_record:
                scope.problem(("record",), say(says.NOT_A_REFERENCE, name=field.name))
            elif field is not None:
                self.reference, self.entity = field.name, scope.catalog.entities.get(field.target or "")
        else:
            self.entity = scope.entity_named(options["entity"], ("entity",))
        self.filter = options.get("filter")
        more = {"target": scope.record_of(self.entity)} if self.entity else {}
        self.values = values_of(scope, self.entity, options["values"], ("values",), **more) if self.entity else {}

    def run(self, run: StepRun) -> None:
        assert self.entity is not None
        for target in self._targets(run):
            current = record_values(target, self.entity, run.session, run.models)
            write(run, self.entity, target, evaluated(run, self.values, target=current))

    def _targets(self, run: StepRun) -> list[Any]:
        assert self.entity is not None
        model = run.models.model(self.entity.qualified)
        if self.reference is not None:
            found = getattr(run.record, self.reference, None) if run.record is not None else None
            return [] if found is None else [found]
        condition = compile_filter(self.filter, model, self.entity, actor_context(run.actor))
        return list(run.session.scalars(sa.select(model).where(condition).order_by(model.id)))
