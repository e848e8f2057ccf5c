"""What every view kind shares: a view is one way to look at an entity's records (a board, a calendar, a timeline,
a pivot), declared per pack as `pack.name`, with a label, an optional filter, and the document it was read from so
that the semantic checks can point at the line of a wrong field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..i18n import Label, humanize
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import qualify
from ..meta.yamlload import Document


@dataclass(frozen=True, kw_only=True)
class ViewDef:
    """One view of `entity`: the records `filter` keeps (and the viewer's record rules), shown as the kind says.

    Subclasses name the catalog collection their views are kept in (`collection`) and the word the errors use."""

    collection: ClassVar[str]
    kind_name: ClassVar[str]

    pack: str
    name: str
    entity: str
    label: Label
    filter: Any = None
    document: Document | None = None
    #: the roles the view is for (and the tenant's admins); none: everyone who may read the entity
    roles: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        """Views are named per pack, as dashboards are: the URL and the menu right carry `pack.name`."""
        return f"{self.pack}.{self.name}"


def view_fields(doc: Document) -> dict[str, Any]:
    """The keyword arguments every view kind's builder passes on: what `ViewDef` holds, read from `doc`."""
    data = doc.data
    return {
        "pack": doc.pack,
        "name": data["name"],
        "entity": qualify(data["entity"], doc.pack),
        "label": Label(data.get("label"), humanize(data["name"])),
        "filter": data.get("filter"),
        "document": doc,
        "roles": tuple(data.get("roles", ())),
    }


def add_view(catalog: Catalog, view: ViewDef) -> list[DefinitionError]:
    """Views by `pack.name` in their kind's collection, in the order the documents were read (the menu lists them
    so); two of one kind with one name in one pack are an error at the second one's name."""
    found = getattr(catalog, view.collection)
    if view.qualified in found:
        assert view.document is not None  # built from a document
        return [view.document.error(("name",), f"pack {view.pack} has two {view.kind_name}s named '{view.name}'")]
    found[view.qualified] = view
    return []


def views_of(catalog: Catalog, collection: str, entity: str) -> list[Any]:
    """The views of one kind of `entity`, in the order the packs declare them."""
    return [view for view in getattr(catalog, collection).values() if view.entity == entity]
