"""Semantic checks of timeline views: the start and end fields, the title, the lanes' field and the colours' field
(views/checks.py checks the entity and the filter)."""

from __future__ import annotations

from ...fields import kind_of, value_kind
from ...meta.catalog import Catalog
from ...meta.model import EntityDef
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
        problems.append((("entity",), f"{entity.qualified} has no title field: give the bars a `title`"))
    if timeline.color_by is not None:
        colored = entity.field(timeline.color_by)
        if colored is None or not kind_of(colored).has_choices or kind_of(colored).holds_list:
            problems.append((("color_by",), f"'{timeline.color_by}' is not a choice field of {entity.qualified}"))
    return problems + filter_problems(timeline, entity, catalog)


def _date_problems(timeline: TimelineViewDef, entity: EntityDef) -> list[Problem]:
    """`start` and `end` must be date or datetime fields a save can set (no formula), both of one type: a bar
    moved by a drag gets both values of the same kind."""
    problems: list[Problem] = []
    for key, name in (("start", timeline.start), ("end", timeline.end)):
        found = entity.field(name)
        if found is None or not value_kind(found).holds_date:
            problems.append(((key,), f"'{name}' is not a date or datetime field of {entity.qualified}"))
        elif kind_of(found).generated:
            problems.append(((key,), f"'{name}' is computed: a timeline cannot move its bars"))
    start, end = entity.field(timeline.start), entity.field(timeline.end)
    if (
        not problems
        and start is not None
        and end is not None
        and kind_of(start).holds_moment != kind_of(end).holds_moment
    ):
        problems.append((("end",), f"'{end.name}' is a {end.type} field and '{start.name}' a {start.type} field"))
    return problems


def _group_problems(timeline: TimelineViewDef, entity: EntityDef) -> list[Problem]:
    grouped = entity.field(timeline.group_by)
    if grouped is None:
        return [(("group_by",), f"'{timeline.group_by}' is not a field of {entity.qualified}")]
    kind = kind_of(grouped)
    if not ((kind.has_choices and not kind.holds_list) or kind.refers_to_record):
        return [
            (
                ("group_by",),
                f"cannot make lanes of '{timeline.group_by}', a {grouped.type} field; "
                "group by a choice field or a reference field",
            )
        ]
    return []
