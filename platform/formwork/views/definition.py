"""The KanbanView kind: an entity's records as cards in columns, one column per value of a choice or reference field.

The builder keeps the document so that the semantic checks can point at the line of a wrong `group_by`, `card`
entry, `sum` or `order`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import Label, humanize
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import qualify
from ..meta.yamlload import Document

DEFAULT_ORDER = "-id"


@dataclass(frozen=True)
class KanbanViewDef:
    """One board of `entity`: columns from `group_by`, cards showing `card` (the first field is the card's title),
    an optional per-column `sum`, the records `filter` keeps, cards ordered by `order` within a column."""

    pack: str
    name: str
    entity: str
    label: Label
    group_by: str
    card: tuple[str, ...]
    sum: str | None = None
    filter: Any = None
    order: str = DEFAULT_ORDER
    document: Document | None = None

    @property
    def qualified(self) -> str:
        """Boards are named per pack, as dashboards are: the URL and the menu right carry `pack.name`."""
        return f"{self.pack}.{self.name}"

    @property
    def order_field(self) -> str:
        return self.order.lstrip("-")

    @property
    def order_descending(self) -> bool:
        return self.order.startswith("-")


def build_kanban_view(doc: Document) -> KanbanViewDef:
    data = doc.data
    return KanbanViewDef(
        pack=doc.pack,
        name=data["name"],
        entity=qualify(data["entity"], doc.pack),
        label=Label(data.get("label"), humanize(data["name"])),
        group_by=data.get("group_by", ""),
        card=tuple(data.get("card", ())),
        sum=data.get("sum"),
        filter=data.get("filter"),
        order=data.get("order", DEFAULT_ORDER),
        document=doc,
    )


def add_kanban_view(catalog: Catalog, board: KanbanViewDef) -> list[DefinitionError]:
    """Boards by `pack.name`, in the order the documents were read (the menu lists them so)."""
    boards = catalog.kanban_views
    if board.qualified in boards:
        assert board.document is not None  # built from a document
        return [board.document.error(("name",), f"pack {board.pack} has two kanban views named '{board.name}'")]
    boards[board.qualified] = board
    return []


def boards_of(catalog: Catalog, entity: str) -> list[KanbanViewDef]:
    """The boards of `entity`, in the order the packs declare them."""
    return [board for board in catalog.kanban_views.values() if board.entity == entity]
