"""Semantic checks of calendar views: the start, end and duration fields, the title and the colour field
(views/checks.py checks the entity and the filter)."""

from __future__ import annotations

from ...fields import kind_of
from ...meta.catalog import Catalog
from ...meta.model import EntityDef
from ..checks import Problem, filter_problems, shown_field_problems, view_entity
from .definition import CalendarViewDef

#: the field types an event can be placed by: a date (all-day events) or a datetime (timed events)
PLACING_TYPES = ("date", "datetime")
#: the field types a duration field may have
LENGTH_TYPES = ("integer", "decimal")


def calendar_problems(calendar: CalendarViewDef, catalog: Catalog) -> list[Problem]:
    """Every problem of one calendar, with paths inside its document."""
    entity, problems = view_entity(calendar, catalog)
    if entity is None:
        return problems
    problems = _start_problems(calendar, entity)
    problems += _length_problems(calendar, entity)
    problems += [(("title",), message) for _path, message in shown_field_problems(entity, (calendar.title,), "title")]
    if calendar.color_by is not None:
        colored = entity.field(calendar.color_by)
        if colored is None or not kind_of(colored).has_choices or kind_of(colored).holds_list:
            problems.append((("color_by",), f"'{calendar.color_by}' is not a choice field of {entity.qualified}"))
    return problems + filter_problems(calendar, entity, catalog)


def placing_type(entity: EntityDef, name: str) -> str | None:
    """'date' or 'datetime' when field `name` of `entity` can place events (a stored date or datetime), else None."""
    found = entity.field(name)
    if found is None or found.type not in PLACING_TYPES:
        return None
    return found.type


def _start_problems(calendar: CalendarViewDef, entity: EntityDef) -> list[Problem]:
    if placing_type(entity, calendar.start) is None:
        return [(("start",), f"'{calendar.start}' is not a date or datetime field of {entity.qualified}")]
    return []


def _length_problems(calendar: CalendarViewDef, entity: EntityDef) -> list[Problem]:
    """The end field (the start's type), or the duration (a number field; days only for all-day events)."""
    starts = placing_type(entity, calendar.start)
    if calendar.end is not None:
        if calendar.duration is not None:
            return [(("duration",), "give an end field or a duration, not both")]
        ends = placing_type(entity, calendar.end)
        if ends is None or (starts is not None and ends != starts):
            wanted = starts or "date or datetime"
            return [(("end",), f"'{calendar.end}' is not a {wanted} field of {entity.qualified}")]
        return []
    duration = calendar.duration
    if duration is None:
        return []
    problems: list[Problem] = []
    if (duration.value is None) == (duration.field is None):
        problems.append((("duration",), "give the duration a value or a field, one of them"))
    if duration.field is not None:
        found = entity.field(duration.field)
        if found is None or found.type not in LENGTH_TYPES:
            problems.append(
                (("duration", "field"), f"'{duration.field}' is not an integer or decimal field of {entity.qualified}")
            )
    if starts == "date" and duration.unit != "days":
        problems.append((("duration", "unit"), f"'{calendar.start}' is a date: an all-day event lasts whole days"))
    return problems
