"""Semantic checks of timeline views: the start and end fields, the title, the lanes' field and the colours' field
(views/checks.py checks the entity and the filter)."""

from __future__ import annotations

from ...definitions.check_texts import NOT_A_CHOICE_FIELD, NOT_A_DATE_FIELD, NOT_A_FIELD
from ...fields import kind_of, value_kind
from ...i18n import say
from ...meta.catalog import Catalog
from ...meta.model import EntityDef
from .. import check_texts as says
from ..checks import Problem, filter_problems, shown_field_problems, view_entity
from .definition import TimelineViewDef


def timeline_problems(timeline: TimelineViewDef, catalog: Catalog) -> list[Problem]:
    """Every problem of one timeline, with paths inside its document."""
    entity, problems = view_entity(timeline, catalog)
    if entity is None:
        return problems
    problems = _date_problems(timeline, entity) + _group_problems(timeline, entity)
    if timeline.title is not None:
        problems += [(("title",), message) for _path, message in shown_field_problems(entity, (timeline.title,), "")]
    elif entity.title_field is None:
        problems.append((("entity",), say(says.NO_TITLE, entity=entity.qualified)))
    if timeline.color_by is not None:
        colored = entity.field(timeline.color_by)
        if colored is None or not kind_of(colored).has_choices or kind_of(colored).holds_list:
            problems.append((("color_by",), say(NOT_A_CHOICE_FIELD, name=timeline.color_by, entity=entity.qualified)))
    return problems + filter_problems(timeline, entity, catalog)


def _date_problems(timeline: TimelineViewDef, entity: EntityDef) -> list[Problem]:
    """`start` and `end` must be date or datetime fields a save can set (no formula), both of one type: a bar
    moved by a drag gets both values of the same kind."""
    problems: list[Problem] = []
    for key, name in (("start", timeline.start), ("end", timeline.end)):
        found = entity.field(name)
        if found is None or not value_kind(found).holds_date:
            problems.append(((key,), say(NOT_A_DATE_FIELD, name=name, entity=entity.qualified)))
        elif kind_of(found).generated:
            problems.append(((key,), say(says.COMPUTED, name=name)))
    start, end = entity.field(timeline.start), entity.field(timeline.end)
    if (
        not problems
        and start is not None
        and end is not None
        and kind_of(start).holds_moment != kind_of(end).holds_moment
    ):
        mixed = say(says.MIXED_TYPES, end=end.name, end_type=end.type, start=start.name, start_type=start.type)
        problems.append((("end",), mixed))
    return problems


def _group_problems(timeline: TimelineViewDef, entity: EntityDef) -> list[Problem]:
    grouped = entity.field(timeline.group_by)
    if grouped is None:
        return [(("group_by",), say(NOT_A_FIELD, name=timeline.group_by, entity=entity.qualified))]
    kind = kind_of(grouped)
    if not ((kind.has_choices and not kind.holds_list) or kind.refers_to_record):
        return [(("group_by",), say(says.NO_LANES, name=timeline.group_by, type=grouped.type))]
    return []
