"""What a record's page shows besides its fields: the header (title, status badge, Edit) and the tabs.

The tabs follow the form the viewer's roles get: its sections without a tab stay above the tabs, as in the form,
its tabs come next, then one tab per related list (compile/related_lists.py) with its count. The status badge is
the entity's status field shown as lists show a choice (coloured by its choices' `color`): the choice field named
`status`, `state` or `stage`, when the viewer may see it. Not any coloured choice: a leave request's coloured leave
type is not its status (its approval state is, which the approval's header buttons show).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..fields import kind_of
from ..fields.choices import badge
from ..i18n import CatalogText
from ..meta.model import EntityDef, FieldDef
from .related_lists import RelatedList

EDIT = CatalogText("Edit")
#: what the page's template says around the related lists
PAGE_TEXT = {
    "add": CatalogText("Add"),
    "none": CatalogText("No records yet."),
    "newest": CatalogText("The newest {shown} of {count}."),
    "open": CatalogText("Open"),
}
#: the names a status field goes by, most telling first
STATUS_NAMES = ("status", "state", "stage")


@dataclass(frozen=True)
class RecordHeader:
    """The top of a record's page: its title, its status as a badge, and Edit for a user with the edit right (the
    features add their buttons beside it: RecordPanel place `header`)."""

    title: str
    edit_url: str | None
    status: Markup | None = None
    edit_label: CatalogText = EDIT


@dataclass
class RecordTab:
    """One tab of a record's page: sections of the form, or a related list."""

    key: str
    label: Any
    sections: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    related: RelatedList | None = None


def status_field(entity: EntityDef, hidden: set[str]) -> FieldDef | None:
    """The field the header shows as the record's status badge, among those the viewer may see."""
    choices = {
        f.name: f
        for f in entity.fields
        if kind_of(f).has_choices and not kind_of(f).holds_list and not f.hidden and f.name not in hidden
    }
    return next((choices[name] for name in STATUS_NAMES if name in choices), None)


def status_badge(entity: EntityDef, item: Any, hidden: set[str]) -> Markup | None:
    """The record's status as a coloured badge (its label alone when the choice has no colour); None without one."""
    shown = status_field(entity, hidden)
    value = getattr(item, shown.name) if shown else None
    choice = next((c for c in shown.choices if c.value == value), None) if shown and value is not None else None
    return badge(choice) if choice else None


def record_tabs(fieldsets: list[tuple[Any, dict[str, Any]]], related: list[RelatedList]) -> list[RecordTab]:
    """The tabs of the page: the form's tabs in their order, each with its sections, then the related lists."""
    tabs: dict[str, RecordTab] = {}
    for section in fieldsets:
        tab = section[1].get("tab")
        if tab:
            tabs.setdefault(str(tab), RecordTab(f"tab-{len(tabs) + 1}", tab)).sections.append(section)
    return [*tabs.values(), *(RecordTab(f"related-{r.key}", r.label, related=r) for r in related)]


def untabbed(fieldsets: list[tuple[Any, dict[str, Any]]]) -> list[tuple[Any, dict[str, Any]]]:
    """The sections shown above the tabs: those the form puts in no tab."""
    return [section for section in fieldsets if not section[1].get("tab")]
