"""What the add-field form of one entity shows: the types, their controls, the entities a reference may target, the
references a rollup may sum over and the fields it may sum up, a filter's rows, the badge colours, and the names the
formula editor completes.

The posted values are kept (a refused post shows the form again as it was sent), so the template reads every input
from `posted`. A filter's rows offer the fields of the entity the posted type, target or source choose, and a
rollup's field summed up the number fields of its source's entity (nothing until one is chosen); the page posts
"Refresh fields" when another is chosen, and shows the form again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from werkzeug.datastructures import MultiDict

from ..definitions.jsonschemas import extension_schema
from ..fields import FieldType, kind_of, value_kind
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .field_form import (
    Control,
    addable_types,
    choice_rows,
    controls,
    default_input,
    filter_chooser,
    filtered_entity,
    summed_entity,
)
from .field_labels import FORM_TEXT, TWO_LANGUAGES, control_text
from .filter_row_labels import MATCHES
from .filter_row_labels import TEXT as ROW_TEXT
from .filter_rows import FilterRows, Option, field_options, operator_options, shown_again
from .formula_editor import completion_names

#: blank choice rows the form shows below the posted ones (the page adds more as they fill up)
BLANK_CHOICES = 3


@dataclass(frozen=True)
class ChoiceRow:
    value: str = ""
    label_en: str = ""
    label_zh: str = ""
    color: str = ""


@dataclass(frozen=True)
class FilterControl:
    """A filter's control as the form shows it: the entity its rows are on (None until the reference's target or
    the rollup's source is chosen), the rows or the expert's text, and the rows' options. `shown_for` is the choice
    it shows the fields of (`target:core.employee`): the page refreshes the form when another is chosen."""

    entity: EntityDef | None
    shown_for: str
    rows: FilterRows
    text: str
    fields: list[Option]
    operators: list[Option]


@dataclass(frozen=True)
class SummedControl:
    """A rollup's field summed up as the form shows it: the number fields of the records its posted source sums up
    (`entity`, None until a source is chosen), and any other field posted (shown, so the admin sees what a refusal
    is about). `shown_for` is the source they are of (`source:crm.opportunity.account`): the page refreshes the form
    when another is chosen."""

    entity: EntityDef | None
    shown_for: str
    options: list[Option]


@dataclass(frozen=True)
class AddFieldForm:
    types: dict[str, FieldType]
    controls: list[Control]
    #: per type, the default's constant input ("" when only an expression gives it)
    default_inputs: dict[str, str]
    #: (qualified name, label) of every entity a reference may target
    targets: list[tuple[str, str]]
    #: `pack.entity.field` of every reference to this entity: what a rollup sums over
    sources: list[str]
    colors: tuple[str, ...]
    names: list[str]
    #: each filter control's rows, by key
    filters: dict[str, FilterControl]
    summed: SummedControl
    #: per type that has a filter, the control that chooses the entity it is on (`filter_chooser`)
    filter_choosers: dict[str, str]
    posted: MultiDict[str, str] = field(default_factory=MultiDict)
    #: the form's own words, each control's (`control_text`), and the filter rows'
    text: ClassVar[dict[str, CatalogText]] = FORM_TEXT
    two_languages: ClassVar[dict[str, tuple[CatalogText, CatalogText]]] = TWO_LANGUAGES
    control_text = staticmethod(control_text)
    row_text: ClassVar[dict[str, CatalogText]] = ROW_TEXT
    matches: ClassVar[dict[str, CatalogText]] = MATCHES

    def choice_rows(self) -> list[ChoiceRow]:
        """The posted choice rows, then blank ones."""
        rows = [ChoiceRow(*values) for values in choice_rows(self.posted) if values[0].strip()]
        return rows + [ChoiceRow() for _ in range(BLANK_CHOICES)]

    def default_choices(self) -> list[str]:
        """The values a choice's default may be, as posted (the page keeps them in step with the rows)."""
        return [row.value for row in self.choice_rows() if row.value]


def rollup_sources(entity: EntityDef, catalog: Catalog) -> list[str]:
    """The reference fields of any entity that point at `entity`, as a rollup's `source` names them."""
    return sorted(
        f"{other.qualified}.{f.name}"
        for other in catalog.entities.values()
        for f in other.fields
        if kind_of(f).refers_to_record and f.target == entity.qualified
    )


def filter_control(key: str, catalog: Catalog, posted: MultiDict[str, str]) -> FilterControl:
    """The filter control `key` on the entity the posted type and its target or source choose, as posted."""
    kind = addable_types().get(posted.get("type", ""))
    entity = filtered_entity(posted, kind, catalog) if kind is not None else None
    chooser = filter_chooser(kind) if kind is not None else ""
    rows, text = shown_again(posted, key, entity)
    shown_for = f"{chooser}:{posted.get(chooser, '').strip()}" if entity is not None else ""
    return FilterControl(entity, shown_for, rows, text, field_options(entity, rows), operator_options(rows))


def summed_control(catalog: Catalog, posted: MultiDict[str, str]) -> SummedControl:
    """The fields a posted rollup may sum up: those of its source's entity holding a number (the same question
    `formwork validate` asks of a rollup's `field`), and the posted one if it is none of them."""
    entity = summed_entity(posted, catalog)
    fields = entity.fields if entity is not None else []
    options = [Option(f.name, f"{f.label.localized()} ({f.name})") for f in fields if value_kind(f).holds_number]
    chosen = posted.get("field", "").strip()
    if chosen and chosen not in {option.value for option in options}:
        options.append(Option(chosen, chosen))
    shown_for = f"source:{posted.get('source', '').strip()}" if entity is not None else ""
    return SummedControl(entity, shown_for, options)


def add_field_form(entity: EntityDef, catalog: Catalog, posted: MultiDict[str, str]) -> AddFieldForm:
    """The form for `entity` as the draft makes it (`catalog` is the draft's, so new fields are completed too)."""
    types = addable_types()
    offered = controls()
    filters = [control for control in offered if control.input == "filter"]
    return AddFieldForm(
        types=types,
        controls=offered,
        default_inputs={name: default_input(kind) for name, kind in types.items()},
        targets=sorted((e.qualified, e.label.localized()) for e in catalog.entities.values()),
        sources=rollup_sources(entity, catalog),
        colors=tuple(extension_schema()["$defs"]["color"]["enum"]),
        names=completion_names(entity, catalog),
        filters={control.key: filter_control(control.key, catalog, posted) for control in filters},
        summed=summed_control(catalog, posted),
        filter_choosers={
            name: chooser for control in filters for name in control.types if (chooser := filter_chooser(types[name]))
        },
        posted=posted,
    )
