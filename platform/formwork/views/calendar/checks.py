"""Semantic checks of calendar views: the start, end and duration fields, the title and the colour field
(views/checks.py checks the entity and the filter)."""

from __future__ import annotations

from ...definitions.check_texts import NOT_A_CHOICE_FIELD, NOT_A_DATE_FIELD
from ...fields import kind_of
from ...i18n import say
from ...meta.catalog import Catalog
from ...meta.model import EntityDef
from .. import check_texts as says
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
            problems.append((("color_by",), say(NOT_A_CHOICE_FIELD, name=calendar.color_by, entity=entity.qualified)))
    return problems + filter_problems(calendar, entity, catalog)


def placing_type(entity: EntityDef, name: str) -> str | None:
    """'date' or 'datetime' when field `name` of `entity` can place events (a stored date or datetime), else None."""
    found = entity.field(name)
    if found is None or found.type not in PLACING_TYPES:
        return None
    return found.type


def _start_problems(calendar: CalendarViewDef, entity: EntityDef) -> list[Problem]:
    if placing_type(entity, calendar.start) is None:
        return [(("start",), say(NOT_A_DATE_FIELD, name=calendar.start, entity=entity.qualified))]
    return []


def _length_problems(calendar: CalendarViewDef, entity: EntityDef) -> list[Problem]:
    """The end field (the start's type), or the duration (a number field; days only for all-day events)."""
    starts = placing_type(entity, calendar.start)
    if calendar.end is not None:
        if calendar.duration is not None:
            return [(("duration",), say(says.END_OR_DURATION))]
        ends = placing_type(entity, calendar.end)
        if ends is None or (starts is not None and ends != starts):
            if starts is None:
                return [(("end",), say(NOT_A_DATE_FIELD, name=calendar.end, entity=entity.qualified))]
            return [(("end",), say(says.NOT_AN_END, name=calendar.end, wanted=starts, entity=entity.qualified))]
        return []
    duration = calendar.duration
    if duration is None:
        return []
    problems: list[Problem] = []
    if (duration.value is None) == (duration.field is None):
        problems.append((("duration",), say(says.VALUE_OR_FIELD)))
    if duration.field is not None:
        found = entity.field(duration.field)
        if found is None or found.type not in LENGTH_TYPES:
            problems.append(
                (("duration", "field"), say(says.NOT_A_LENGTH, name=duration.field, entity=entity.qualified))
            )
    if starts == "date" and duration.unit != "days":
        problems.append((("duration", "unit"), say(says.WHOLE_DAYS, name=calendar.start)))
    return problems
