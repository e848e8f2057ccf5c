"""The KanbanView kind: an entity's records as cards in columns, one column per value of a choice or reference field."""

from __future__ import annotations

from dataclasses import dataclass

from ...meta.yamlload import Document
from ..base import ViewDef, view_fields

DEFAULT_ORDER = "-id"


@dataclass(frozen=True, kw_only=True)
class KanbanViewDef(ViewDef):
    """One board: columns from `group_by`, cards showing `card` (the first field is the card's title), an optional
    per-column `sum`, cards ordered by `order` within a column; with a `rank` (a number field) the cards are in the
    order people put them in, by dragging them up and down, and by `order` among cards without a rank."""

    collection = "kanban_views"
    kind_name = "kanban view"

    group_by: str
    card: tuple[str, ...]
    sum: str | None = None
    order: str = DEFAULT_ORDER
    rank: str | None = None

    @property
    def order_field(self) -> str:
        return self.order.lstrip("-")

    @property
    def order_descending(self) -> bool:
        return self.order.startswith("-")


def build_kanban_view(doc: Document) -> KanbanViewDef:
    data = doc.data
    return KanbanViewDef(
        **view_fields(doc),
        group_by=data.get("group_by", ""),
        card=tuple(data.get("card", ())),
        sum=data.get("sum"),
        order=data.get("order", DEFAULT_ORDER),
        rank=data.get("rank"),
    )
