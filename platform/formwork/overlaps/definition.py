"""NoOverlap definitions: which records of an entity may not share a span of time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import Label
from ..meta.model import qualify
from ..meta.yamlload import Document


@dataclass(frozen=True)
class NoOverlapDef:
    pack: str
    name: str
    entity: str  # qualified
    start: str
    end: str
    per: tuple[str, ...]
    filter: Any
    message: Label | None
    document: Document

    @property
    def qualified(self) -> str:
        return f"{self.pack}.{self.name}"


def build_no_overlap(doc: Document) -> NoOverlapDef:
    data = doc.data
    return NoOverlapDef(
        doc.pack,
        data["name"],
        qualify(data["entity"], doc.pack),
        data["from"],
        data["to"],
        tuple(data.get("per", ())),
        data.get("filter"),
        Label(data["message"], "") if "message" in data else None,
        doc,
    )
