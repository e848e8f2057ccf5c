"""The reference field type: many-to-one to another entity, in any pack."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from marshmallow import fields as ma
from marshmallow import validate as mv
from sqlalchemy.orm import relationship

from ..actor import Actor
from ..i18n import CatalogText
from ..meta.model import FieldDef
from ..rights import hidden_fields, visible_condition
from .base import INTEGER_LIMIT, ChoiceFilter, FieldType

ID_RANGE = mv.Range(min=1, max=INTEGER_LIMIT, error="Not an id of a record.")
#: how a picker names a record whose entity declares `describe:` ("Anna Zhao — Sales · Sales rep")
DESCRIBED = CatalogText("{title} — {details}")
DETAILS_SEPARATOR = " · "
ON_DELETE = {"restrict": "RESTRICT", "set_null": "SET NULL", "cascade": "CASCADE"}
TARGET_SCHEMA = {"type": "string", "pattern": r"^([a-z][a-z0-9_]*\.)?[a-z][a-z0-9_]*$"}


class ReferenceField(FieldType):
    """Stored as `<name>_id`; the relationship `<name>` is what screens show and pick."""

    name = "reference"
    refers_to_one = refers_to_record = targets_entity = listed_as_is = groupable = True
    properties = {
        "target": TARGET_SCHEMA,
        "on_delete": {
            "enum": sorted(ON_DELETE),
            "description": "what deleting the target does: restrict (default), set_null or cascade",
        },
        "filter": {
            "$ref": "#/$defs/filter",
            "description": "which target records may be chosen (e.g. active employees)",
        },
    }
    required_properties = ("target",)

    def attribute(self, field: FieldDef) -> str:
        return f"{field.name}_id"

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        target = ctx.entity_of(field.target)
        column = sa.Column(
            self.attribute(field),
            sa.Integer,
            sa.ForeignKey(f"{target.table}.id", ondelete=ON_DELETE[on_delete(field)], use_alter=True),
            nullable=not field.required,
            index=True,
        )
        remote = ctx.class_name(target)
        # A reference to the own entity (a department's parent) is many-to-one only when told which side is remote.
        remote_side: dict[str, Any] = {"remote_side": f"{remote}.id"} if target is ctx.entity else {}
        return {
            self.attribute(field): column,
            field.name: relationship(remote, foreign_keys=[column], lazy="select", **remote_side),
        }

    def assign_default(
        self, item: Any, field: FieldDef, value: Any, session: Any, models: Any, actor: Actor, choices: ChoiceFilter
    ) -> tuple[Any, list[str]]:
        """An expression default names a record by id (`unit.building`) or as the record (`unit`): the record is
        checked as a sent id is, then set as both the relationship and its id (a form's item has the relationship)."""
        record_id = value.get("id") if isinstance(value, dict) else value
        if record_id is None:
            return None, []
        if isinstance(record_id, bool) or not isinstance(record_id, int) or not 0 < record_id <= INTEGER_LIMIT:
            return None, [f"Its default gave {value!r}, which is not the id of a {field.target}."]
        problems = self.value_errors(field, record_id, session, models, actor, choices)
        if problems:
            return None, problems
        record = session.get(models.model(field.target), record_id)
        setattr(item, self.attribute(field), record_id)
        setattr(item, field.name, record)
        return record, []

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return ma.Integer(
            required=field.required and field.default is None,
            allow_none=not field.required,
            strict=True,
            validate=ID_RANGE,
            metadata={"description": f"id of a {field.target}"},
        )

    def form_field(self, field: FieldDef, ctx: Any) -> Any:
        """A select that searches the target as the user types; on submit only the chosen record is loaded, if the
        form's actor may see and choose it (`ctx.actor`, `ctx.choices`: the form asks its request)."""
        from wtforms import validators as wv

        from .record_select import RecordSelectField

        def load(record_id: int) -> Any:
            owner = ctx.datamodel.obj
            target = getattr(owner, field.name).property.mapper.class_
            query = ctx.datamodel.session.query(target).filter(target.id == record_id)
            actor = ctx.actor
            allowed = choice_condition(field, target, ctx.choices)
            visible = visible_conditions(target, actor)
            if visible:  # or already named by a record the user sees: saving it unchanged shows nothing new
                shown = sa.select(getattr(owner, self.attribute(field))).where(*visible_conditions(owner, actor))
                query = query.filter(sa.or_(*visible, target.id.in_(shown)))
            return (query if allowed is None else query.filter(allowed)).one_or_none()

        def named(records: Sequence[Any]) -> dict[int, str]:
            return option_texts(records, ctx.datamodel.session, ctx.actor)

        required = field.required and field.default is None  # a default fills an empty choice when the record is saved
        return RecordSelectField(
            field.label,
            load,
            named,
            ctx.view_name,
            field.name,
            description=field.help or "",
            validators=[wv.InputRequired() if required else wv.Optional()],
        )

    def value_errors(
        self, field: FieldDef, value: Any, session: Any, models: Any, actor: Actor, choices: ChoiceFilter
    ) -> list[str]:
        if value is None:
            return []
        target = models.model(field.target)
        visible = visible_conditions(target, actor)
        allowed = choice_condition(field, target, choices)
        if not visible and allowed is None:  # only its existence counts: a record the session holds needs no query
            return [] if session.get(target, value) is not None else [f"No {field.target} with id {value}."]
        if session.scalar(sa.select(target.id).where(target.id == value, *visible)) is None:
            return [f"No {field.target} with id {value}."]  # a record outside the user's rules is as good as missing
        if allowed is not None and session.scalar(sa.select(target.id).where(target.id == value, allowed)) is None:
            return [f"{field.target} {value} is not one of the allowed choices."]
        return []


def option_texts(records: Sequence[Any], session: Any, actor: Actor) -> dict[int, str]:
    """How a picker (a reference's select and the choices it fetches) names each of `records`, by id: the title, then
    the values its entity's `describe:` names, so that two "Anna Zhao"s differ. Fields hidden from `actor` are left
    out; values read as lists show them, in the reader's language; a described reference is its record's title, read
    in one query per such field for all `records` (and within `actor`'s record rules: a title outside them would
    leak)."""
    if not records:
        return {}
    entity = records[0].__entity__
    hidden = hidden_fields(entity, actor) if entity.describe else set()
    described = [
        _described(entity.declared_field(name), records, session, actor)
        for name in entity.describe
        if name not in hidden
    ]
    texts = {}
    for record in records:
        details = DETAILS_SEPARATOR.join(text for describe in described if (text := describe(record)))
        texts[record.id] = DESCRIBED.localized().format(title=str(record), details=details) if details else str(record)
    return texts


def _described(field: FieldDef, records: Sequence[Any], session: Any, actor: Actor) -> Callable[[Any], str]:
    """How one described field reads on a record: a reference as its record's title (one query for all `records`),
    any other value as a list shows it, as plain text (a choice's badge is its label)."""
    from . import kind_of  # the registry imports this module

    kind = kind_of(field)
    attribute = kind.attribute(field)
    if not kind.refers_to_record:
        return lambda record: _plain(kind.format_value(field, getattr(record, attribute)))
    target = records[0].__models__.model(field.target)
    ids = {getattr(record, attribute) for record in records} - {None}
    found = (
        session.scalars(sa.select(target).where(target.id.in_(ids), *visible_conditions(target, actor))) if ids else ()
    )
    titles = {other.id: str(other) for other in found}
    return lambda record: titles.get(getattr(record, attribute), "")


def _plain(shown: str) -> str:
    """A list's display of a value as the text of an option (HTML has no place inside one)."""
    return shown.striptags() if isinstance(shown, Markup) else shown


def choice_condition(field: FieldDef, target: Any, choices: ChoiceFilter) -> Any:
    """The SQL condition of the field's `filter`, compiled by `choices` for its actor, or None when any record may
    be chosen."""
    if field.options.get("filter") is None:
        return None
    return choices(field.options["filter"], target)


def visible_conditions(target: type, actor: Actor) -> list[Any]:
    """The target's record rules for `actor`: a reference may only name a record the actor may see, or its title
    and existence would leak through the referring record."""
    found = visible_condition(target, actor)
    return [] if found is None else [found]


def on_delete(field: FieldDef) -> str:
    return str(field.options.get("on_delete", "restrict"))


class ManyToManyField(FieldType):
    """Links to any number of records of another entity (meeting attendees, tags), through a link table."""

    name = "many_to_many"
    refers_to_many = targets_entity = holds_list = True
    stores_column = indexable = False
    properties = {"target": TARGET_SCHEMA}
    required_properties = ("target",)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        schema = super().json_schema()
        schema["properties"] = {k: v for k, v in schema["properties"].items() if k not in ("unique", "indexed")}
        return schema

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        owner, target = ctx.entity, ctx.entity_of(field.target)
        link = sa.Table(
            f"{owner.table}__{field.name}",
            ctx.metadata,
            sa.Column("owner_id", sa.Integer, sa.ForeignKey(f"{owner.table}.id", ondelete="CASCADE"), primary_key=True),
            sa.Column(
                "target_id",
                sa.Integer,
                sa.ForeignKey(f"{target.table}.id", ondelete="CASCADE"),
                primary_key=True,
                index=True,
            ),
        )
        return {field.name: relationship(ctx.class_name(target), secondary=link, lazy="select")}

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return ma.List(
            ma.Integer(strict=True, validate=ID_RANGE),
            required=field.required,
            allow_none=False,
            validate=[mv.Length(min=1)] if field.required else [],
            metadata={"description": f"ids of {field.target} records"},
        )

    def form_field(self, field: FieldDef, ctx: Any) -> None:
        return None

    def assign(self, item: Any, field: FieldDef, value: Any, session: Any, models: Any) -> None:
        target = models.model(field.target)
        setattr(item, field.name, list(session.scalars(sa.select(target).where(target.id.in_(value or [])))))

    def value_errors(
        self, field: FieldDef, value: Any, session: Any, models: Any, actor: Actor, choices: ChoiceFilter
    ) -> list[str]:
        target = models.model(field.target)
        found = set(
            session.scalars(sa.select(target.id).where(target.id.in_(value or []), *visible_conditions(target, actor)))
        )
        missing = sorted(set(value or []) - found)
        return [f"No {field.target} with id {', '.join(map(str, missing))}."] if missing else []

    def format_value(self, field: FieldDef, value: Any) -> str:
        return ", ".join(str(v) for v in value or [])


class UserField(FieldType):
    """A user of the tenant (FAB's own user table), e.g. an assignee."""

    name = "user"
    refers_to_one = refers_to_user = True
    plain_input = "select"
    properties = {"on_delete": ReferenceField.properties["on_delete"]}

    def attribute(self, field: FieldDef) -> str:
        return f"{field.name}_id"

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        from flask_appbuilder.security.sqla.models import User

        column = sa.Column(
            self.attribute(field),
            sa.Integer,
            sa.ForeignKey(User.__table__.c.id, ondelete=ON_DELETE[on_delete(field)]),
            nullable=not field.required,
            index=True,
        )
        return {self.attribute(field): column, field.name: relationship(User, foreign_keys=[column], lazy="select")}

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return ma.Integer(
            required=field.required,
            allow_none=not field.required,
            strict=True,
            validate=ID_RANGE,
            metadata={"description": "id of a user"},
        )

    def form_field(self, field: FieldDef, ctx: Any) -> None:
        return None

    def value_errors(
        self, field: FieldDef, value: Any, session: Any, models: Any, actor: Actor, choices: ChoiceFilter
    ) -> list[str]:
        from flask_appbuilder.security.sqla.models import User

        if value is not None and session.get(User, value) is None:
            return [f"No user with id {value}."]
        return []
