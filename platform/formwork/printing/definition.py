"""The PrintFormat kind: a printable document of an entity's records, as packs declare it."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import Label, humanize
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import qualify
from ..meta.yamlload import Document

PAPER = "A4"


@dataclass(frozen=True)
class PrintFormatDef:
    """One print format of `entity`: its template (and CSS), who may print it, and on what paper."""

    pack: str
    name: str
    entity: str
    label: Label
    template: str
    roles: tuple[str, ...] = ()
    style: str = ""
    paper: str = PAPER
    landscape: bool = False
    document: Document | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Formats are named per entity: the URL names the entity, then the format."""
        return (self.entity, self.name)


def build_print_format(doc: Document) -> PrintFormatDef:
    data = doc.data
    return PrintFormatDef(
        pack=doc.pack,
        name=data["name"],
        entity=qualify(data["entity"], doc.pack),
        label=Label(data.get("label"), humanize(data["name"])),
        template=data.get("template", ""),  # refused by the schema (too long): checked no further
        roles=tuple(data.get("roles", ())),
        style=data.get("style", ""),
        paper=data.get("paper", PAPER),
        landscape=bool(data.get("landscape", False)),
        document=doc,
    )


def add_print_format(catalog: Catalog, definition: PrintFormatDef) -> list[DefinitionError]:
    """Print formats by (entity, name): one format of a name per entity, whichever pack declares it."""
    formats = catalog.print_formats
    if definition.key in formats:
        other = formats[definition.key]
        assert definition.document is not None  # built from a document
        return [
            definition.document.error(
                ("name",),
                f"{definition.entity} has two print formats named '{definition.name}' (also in pack {other.pack})",
            )
        ]
    formats[definition.key] = definition
    return []


def formats_of(catalog: Catalog, entity: str) -> list[PrintFormatDef]:
    """The print formats of `entity`, in the order the packs declare them."""
    return [f for f in catalog.print_formats.values() if f.entity == entity]
