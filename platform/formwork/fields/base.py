"""The contract every field type fulfils.

A field type is one small class that knows, for a `FieldDef`, its database
column(s), its marshmallow field (REST API input and OpenAPI), its WTForms
field (screens), the JSON Schema of its YAML properties, and how a value is
shown in a list. Adding a type means adding one class and registering it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

import sqlalchemy as sa
import wtforms
from marshmallow import ValidationError
from marshmallow import fields as ma
from marshmallow import validate as mv
from wtforms import validators as wv

from ..actor import Actor
from ..i18n import CatalogText, Label
from ..meta.model import FieldDef

COMMON_PROPERTIES: dict[str, Any] = {
    "name": {"$ref": "#/$defs/identifier"},
    "type": {"type": "string"},
    "label": {"$ref": "#/$defs/label"},
    "help": {"$ref": "#/$defs/label"},
    "placeholder": {"$ref": "#/$defs/label"},
    "required": {"type": "boolean"},
    "unique": {"type": "boolean"},
    "indexed": {"type": "boolean", "description": "add a database index (for fields lists filter or sort by)"},
    "read_only": {"type": "boolean", "description": "shown but never changed through a form or the API"},
    "hidden": {"type": "boolean", "description": "kept and available to the API, not shown on screens"},
    "visible_when": {
        "type": "string",
        "description": "CEL condition; when false the field is hidden and never required",
    },
    "required_when": {"type": "string", "description": "CEL condition; when true the field must have a value"},
    "read_only_when": {
        "type": "string",
        "description": "CEL condition on the stored record; when true the field cannot change",
    },
    "renamed_from": {
        "$ref": "#/$defs/identifier",
        "description": "the field's former name: its column is renamed and the stored values kept",
    },
    "backfill": {
        "description": "written into stored records a schema change leaves without a valid value: empty ones "
        "when the field becomes required, ones a narrowed type cannot hold"
    },
}
EXPRESSION_DEFAULT = {
    "type": "object",
    "required": ["expr"],
    "additionalProperties": False,
    "properties": {"expr": {"type": "string", "description": "a CEL expression, e.g. today() or user.id"}},
}

#: Compiles a reference field's `filter:` (its data, the target model) to the SQL condition on the target for the
#: actor a value is checked or chosen for. Filters compile above the field types (filters/, compile/), so whoever
#: checks or offers a value passes this in.
ChoiceFilter = Callable[[Any, type], Any]


class FieldType:
    """Base class; subclasses set `name` and override what differs."""

    name: ClassVar[str]
    #: JSON Schema of the properties this type accepts beyond COMMON_PROPERTIES.
    properties: ClassVar[dict[str, Any]] = {}
    #: JSON Schema of a constant `default`, or None when the type takes no default.
    default_schema: ClassVar[dict[str, Any] | None] = None
    #: The platform computes the value (auto numbers, formulas): never typed in a form or sent to the API.
    generated: ClassVar[bool] = False
    #: Properties a definition of this type must give (a choice's `choices`, a reference's `target`).
    required_properties: ClassVar[tuple[str, ...]] = ()

    # -- what the type is: code outside fields/ asks these (`kind_of(field).holds_file`), never the type's name ----
    #: The row holds the id of one record (`<name>_id`) and a relationship loads it: a reference or a user field.
    refers_to_one: ClassVar[bool] = False
    #: That one record is a record of the `target` entity (a reference).
    refers_to_record: ClassVar[bool] = False
    #: That one record is a sign-in user (Flask-AppBuilder's `User`, known by user name), not an entity's record.
    refers_to_user: ClassVar[bool] = False
    #: Holds any number of records of `target` through a link table (many_to_many).
    refers_to_many: ClassVar[bool] = False
    #: Holds the rows of the `target` child entity, which refer back to the record (child_table).
    holds_rows: ClassVar[bool] = False
    #: `target` names an entity of the catalog (reference, many_to_many, child_table).
    targets_entity: ClassVar[bool] = False
    #: The value is kept in a column of the entity's own table (not in a link table or the child entity's rows).
    stores_column: ClassVar[bool] = True
    #: Holds one stored file ({key, name, content_type, size}): file, image.
    holds_file: ClassVar[bool] = False
    #: Its values are the definition's `choices` (choice, multi_choice).
    has_choices: ClassVar[bool] = False
    #: Holds a list of values, not one (multi_choice, many_to_many).
    holds_list: ClassVar[bool] = False
    #: `generated`, by a CEL expression over the record (formula).
    computed_by_expression: ClassVar[bool] = False
    #: `generated`, by summing up the records that refer to this one (rollup).
    aggregates_records: ClassVar[bool] = False
    #: `generated`, by a counter that gives each new record the next number (auto_number).
    numbered: ClassVar[bool] = False
    #: Text a list view's `search:` may name (the search box matches part of it).
    searchable: ClassVar[bool] = False
    #: Searched by a list's search box when the list view names no `search:` fields.
    searched_by_default: ClassVar[bool] = False
    #: Offered among a screen's search filters when the list view names no `search:` fields.
    filtered_by_default: ClassVar[bool] = False
    #: Unique values of it name a record in an import cell (short text a person types).
    names_records: ClassVar[bool] = False
    #: A seed's `key:` may name it: text or a number written in YAML, which finds the seeded record again.
    keys_seeds: ClassVar[bool] = False
    #: Holds a number that can be summed and averaged (a rollup's field, a list's totals, a dashboard's measure).
    holds_number: ClassVar[bool] = False
    #: Holds a day or a moment (date, datetime): a dashboard chart counts records over time by it.
    holds_date: ClassVar[bool] = False
    #: Holds a moment (datetime), shown in the tenant's time zone; a `holds_date` type without it holds whole days.
    holds_moment: ClassVar[bool] = False
    #: Holds an amount in a currency (money): formatted, summed and averaged with its currency symbol.
    holds_money: ClassVar[bool] = False
    #: Holds true or false: where the value stands alone (a chart's group) it is named in words, yes or no.
    holds_yes_no: ClassVar[bool] = False
    #: Holds an e-mail address (an automation's e-mail step may send to it).
    holds_email_address: ClassVar[bool] = False
    #: A dashboard chart may group records by it, each group named by its value (or its record's title).
    groupable: ClassVar[bool] = False
    #: Its stored value, shown as it is, can stand for a record (a referenced record's title in a chart's groups).
    titles_as_stored: ClassVar[bool] = False
    #: An XLSX export keeps it as a number or date the spreadsheet computes with, not as the text a list shows.
    native_in_spreadsheets: ClassVar[bool] = False
    #: Screen lists leave showing it to Flask-AppBuilder (the text itself, a record's title), not `format_value`.
    listed_as_is: ClassVar[bool] = False
    #: The HTML input type a row added in the browser uses, where the type's own widget needs JavaScript.
    plain_input: ClassVar[str | None] = None

    @property
    def is_relation(self) -> bool:
        """Holds other records rather than a value of its own."""
        return self.refers_to_one or self.refers_to_many or self.holds_rows

    @property
    def recomputed(self) -> bool:
        """The value follows other values (a formula, a rollup), so it is computed again when they change."""
        return self.computed_by_expression or self.aggregates_records

    # Answered from what the type is; a type (an extension's) that differs says so with a class attribute.
    @property
    def indexable(self) -> bool:
        """An entity's `indexes:` may name it, and a list view that sorts or filters by it indexes it: the database
        can index its column (a type whose column holds long text or JSON says it cannot)."""
        return self.stores_column and not self.holds_file

    @property
    def describes_records(self) -> bool:
        """An entity's `describe:` may name it: a short value that, shown after a record's title where it is picked,
        tells two records apart (a department, a job title). Not long text, lists or files, which an option cannot
        hold; not yes/no, which reads as nothing without its label; not a user, whose name is in the tenant's users."""
        return self.indexable and not (self.holds_yes_no or self.refers_to_user)

    @property
    def importable(self) -> bool:
        """A cell of an import file can hold its value: not an uploaded file, not the rows of a child entity. (A
        generated value is never imported either way: `is_fixed`.)"""
        return not (self.holds_file or self.holds_rows)

    @property
    def seedable(self) -> bool:
        """A pack's seed, and a field's `backfill`, may give its value: not uploaded files, users or records kept
        in another table, which differ from tenant to tenant (a reference is seeded by a unique field of its
        target)."""
        return not (self.holds_file or self.refers_to_user or self.refers_to_many or self.holds_rows)

    @property
    def added_in_studio(self) -> bool:
        """A tenant's admin may add a field of this type in the Studio: not the rows of a child entity, which needs
        an entity of its own with a reference back (a pack's; the Studio makes no entities)."""
        return not self.holds_rows

    @classmethod
    def accepted_properties(cls) -> tuple[str, ...]:
        """The keys a definition of this type may have, in the schema's order: the Studio offers a control for each
        it knows how to ask (studio/field_form.py)."""
        return tuple(cls.json_schema()["properties"])

    # -- definitions ---------------------------------------------------------
    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The schema of one field of this type in an Entity document."""
        props = {**COMMON_PROPERTIES, **cls.properties, "type": {"const": cls.name}}
        if cls.default_schema is not None:
            props["default"] = {"anyOf": [cls.default_schema, EXPRESSION_DEFAULT]}
        elif not cls.generated:
            props["default"] = EXPRESSION_DEFAULT
        required = ["name", "type", *cls.required_properties]
        return {"type": "object", "required": required, "properties": props, "additionalProperties": False}

    # -- database ------------------------------------------------------------
    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        raise NotImplementedError

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        """Attributes to put on the model class, by attribute name."""
        return {
            field.name: sa.Column(
                field.name,
                self.sql_type(field),
                nullable=not field.required,
                unique=field.unique or None,
                default=constant_default(field),
                index=field.unique or field.indexed or None,
            )
        }

    def attribute(self, field: FieldDef) -> str:
        """The model attribute that holds the value (a reference's is `<name>_id`)."""
        return field.name

    def assign(self, item: Any, field: FieldDef, value: Any, session: Any, models: Any) -> None:
        """Store an API value on a model instance."""
        setattr(item, self.attribute(field), value)

    def assign_default(
        self, item: Any, field: FieldDef, value: Any, session: Any, models: Any, actor: Actor, choices: ChoiceFilter
    ) -> tuple[Any, list[str]]:
        """Store the value an expression default gave: (what was stored, or None; why it cannot be stored), checked as
        `value_errors` checks a value `actor` sends."""
        setattr(item, field.name, value)
        return value, []

    def value_errors(
        self, field: FieldDef, value: Any, session: Any, models: Any, actor: Actor, choices: ChoiceFilter
    ) -> list[str]:
        """Problems only the database can tell, for `actor` (a referenced record that does not exist, or that it may
        not see or choose: `choices` compiles a reference's `filter:` for it)."""
        return []

    def change_errors(self, field: FieldDef, value: Any, item: Any | None, models: Any) -> list[str]:
        """Why the record `item` (None for a new one) may not take `value`: a value it may keep but not newly take
        (a retired choice) is accepted only when it is the one stored."""
        return []

    def definition_errors(self, field: FieldDef) -> list[tuple[tuple[Any, ...], str]]:
        """Mistakes in the field's own properties that JSON Schema cannot see: (path under the field, message)."""
        return []

    # -- REST API ------------------------------------------------------------
    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        kwargs: dict[str, Any] = {
            "required": field.required and field.default is None and not field.read_only,
            "allow_none": not field.required,
            "validate": self.marshmallow_validators(field),
            "metadata": {"description": field.help or field.label},
        }
        if constant_default(field) is not None and not field.read_only:
            kwargs["load_default"] = constant_default(field)
        return self.marshmallow_class(field)(**kwargs)

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return ma.String

    def marshmallow_validators(self, field: FieldDef) -> list[Any]:
        return []

    # -- screens -------------------------------------------------------------
    form_class: ClassVar[type[wtforms.Field]] = wtforms.StringField

    def form_field(self, field: FieldDef, ctx: Any) -> wtforms.Field | None:
        """An unbound WTForms field, or None to let Flask-AppBuilder convert the column."""
        return self.form_class(
            field.label,
            validators=self.form_validators(field, ctx),
            description=field.help or "",
            default=constant_default(field),
            widget=self.widget(field),
            render_kw={**render_options(field), **({"readonly": True} if self.generated else {})},
            **self.form_kwargs(field),
        )

    def form_kwargs(self, field: FieldDef) -> dict[str, Any]:
        return {}

    def widget(self, field: FieldDef) -> Any:
        from .widgets import TextWidget

        return TextWidget()

    def form_validators(self, field: FieldDef, ctx: Any) -> list[Any]:
        found: list[Any] = [wv.InputRequired() if field.required else wv.Optional()]
        if field.unique and ctx is not None:
            from flask_appbuilder.validators import Unique

            found.append(Unique(ctx.datamodel, self.attribute(field)))
        return found

    # -- lists ---------------------------------------------------------------
    def scale(self, field: FieldDef) -> int:
        """The decimal places a value of the field keeps (a whole number and anything not a number: none)."""
        return 0

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else str(value)


class KeepsStoredValue:
    """A form field that needs the edited record's stored value on every request, not only when the form is shown.

    FAB builds the form of a post from the post alone; a select that must keep offering (and accepting) a value the
    definitions no longer offer is told the stored value before it validates (`compile/forms.py`).
    """

    def keep(self, stored: Any) -> None:
        raise NotImplementedError


def constant_default(field: FieldDef) -> Any:
    """The default when it is a constant; an expression default is computed when a record is created."""
    return None if isinstance(field.default, dict) else field.default


def render_options(field: FieldDef) -> dict[str, Any]:
    """HTML attributes every input gets from the definition."""
    options: dict[str, Any] = {}
    if field.placeholder:
        options["placeholder"] = field.placeholder
    if field.read_only:
        options["readonly"] = True
    return options


def length_validators(field: FieldDef, default_max: int | None) -> tuple[list[Any], list[Any]]:
    """(marshmallow, wtforms) validators for max_length, shared by the text types."""
    maximum = field.options.get("max_length", default_max)
    if maximum is None:
        return [], []
    return [mv.Length(max=maximum)], [wv.Length(max=maximum)]


#: the largest whole number every database stores in an INTEGER column (PostgreSQL's int4)
INTEGER_LIMIT = 2**31 - 1


def range_validators(field: FieldDef, limit: float = INTEGER_LIMIT) -> tuple[list[Any], list[Any]]:
    """(marshmallow, wtforms) validators for min/max, never wider than what the column can store."""
    low, high = field.options.get("min"), field.options.get("max")
    low = -limit if low is None else max(low, -limit)
    high = limit if high is None else min(high, limit)
    return [mv.Range(min=low, max=high)], [wv.NumberRange(min=low, max=high)]


#: characters no text column takes: PostgreSQL refuses NUL in text (SQLite would keep it, so it is refused on both),
#: and an unpaired surrogate is not Unicode at all (no driver can encode it)
UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
NUL_CHARACTER = CatalogText("Contains a NUL character (\\u0000), which cannot be stored.")
LONE_SURROGATE = CatalogText("Contains an unpaired surrogate (\\ud800-\\udfff), which is not valid Unicode.")


def unstorable(text: str) -> Label | None:
    """Why no database stores `text` (a NUL, an unpaired surrogate), or None when it can be stored."""
    found = UNSTORABLE_CHARACTER.search(text)
    if found is None:
        return None
    return NUL_CHARACTER if found.group() == "\x00" else LONE_SURROGATE


def storable_text(value: str) -> None:
    """A marshmallow validator: text the database cannot store is the field's error, not the driver's 500."""
    problem = unstorable(value)
    if problem is not None:
        raise ValidationError(problem.localized())
