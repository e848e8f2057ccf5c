"""The table of definition kinds: each kind is one JSON Schema, one builder and its place in the catalog.

A builder turns a validated document into a typed definition. The core's kinds
(packs, entities, forms, list views, seeds) are rows of CORE_KINDS; a feature
adds its own (Role, ApprovalChain, Notification, Dashboard…) on the feature
registry, and KINDS reads both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..features import DEFINITION_KINDS, load_features
from ..i18n import Label, humanize
from .catalog import Catalog
from .editing import LIST_VIEW_EDITING, ViewEditing
from .errors import DefinitionError
from .model import (
    EntityDef,
    FieldDef,
    FormDef,
    IndexDef,
    ListViewDef,
    PackDef,
    RuleDef,
    SectionDef,
    SeedDef,
    qualify,
)
from .partial import Partial
from .yamlload import Document

FIELD_CORE_KEYS = {"name", "type", "label", "help", "required", "unique", "default", "renamed_from", "backfill"}


def build_pack(doc: Document) -> PackDef:
    data = doc.data
    return PackDef(
        data["name"],
        data["version"],
        Label(data.get("label"), humanize(data["name"])),
        dict(data.get("requires", {})),
        doc.file,
        doc,
        icon=data.get("icon"),
    )


def build_field(data: dict[str, Any], index: int, pack: str) -> FieldDef:
    options = {k: v for k, v in data.items() if k not in FIELD_CORE_KEYS}
    if "target" in options:
        options["target"] = qualify(options["target"], pack)
    return FieldDef(
        name=data["name"],
        type=data["type"],
        label=Label(data.get("label"), humanize(data["name"])),
        help=Label(data["help"]) if data.get("help") else None,
        required=bool(data.get("required", False)),
        unique=bool(data.get("unique", False)),
        default=data.get("default"),
        options=options,
        index=index,
        renamed_from=data.get("renamed_from"),
        backfill=data.get("backfill"),
    )


def build_entity(doc: Document) -> EntityDef:
    data = doc.data
    label = Label(data.get("label"), humanize(data["name"]))
    return EntityDef(
        pack=doc.pack,
        name=data["name"],
        label=label,
        plural=Label(data.get("plural"), str(label)),
        fields=[build_field(f, i, doc.pack) for i, f in enumerate(data["fields"])],
        title_field=data.get("title_field"),
        document=doc,
        locked_when=data.get("locked_when"),
        rules=[
            RuleDef(r["name"], r["check"], Label(r["message"]), r.get("field"), i)
            for i, r in enumerate(data.get("rules", []))
        ],
        indexes=[
            IndexDef(tuple(x["fields"]), bool(x.get("unique")), Label(x["message"]) if x.get("message") else None, i)
            for i, x in enumerate(data.get("indexes", []))
        ],
        renamed_from=data.get("renamed_from"),
        describe=tuple(data.get("describe", ())),
        icon=data.get("icon"),
    )


def build_form(doc: Document) -> FormDef:
    data = doc.data
    sections = [
        SectionDef(
            Label(s["label"]) if s.get("label") else None,
            list(s["fields"]),
            Label(s["description"]) if s.get("description") else None,
            Label(s["tab"]) if s.get("tab") else None,
            int(s.get("columns", 1)),
        )
        for s in data["sections"]
    ]
    return FormDef(
        doc.pack,
        qualify(data["entity"], doc.pack),
        data.get("name", "default"),
        sections,
        doc,
        tuple(data.get("roles", [])),
    )


def build_list_view(doc: Document) -> ListViewDef:
    data = doc.data
    sort = data.get("sort", "-id")
    columns = [c if isinstance(c, str) else c["field"] for c in data["columns"]]
    formats = {c["field"]: c["format"] for c in data["columns"] if isinstance(c, dict) and c.get("format")}
    return ListViewDef(
        pack=doc.pack,
        entity=qualify(data["entity"], doc.pack),
        name=data.get("name", "default"),
        label=Label(data["label"]) if data.get("label") else None,
        columns=columns,
        sort_field=sort.lstrip("-"),
        sort_descending=sort.startswith("-"),
        search=list(data.get("search", [])),
        page_size=int(data.get("page_size", 25)),
        document=doc,
        formats=formats,
        group_by=data.get("group_by"),
        totals=dict(data.get("totals", {})),
        filter=data.get("filter"),
        roles=tuple(data.get("roles", ())),
    )


def build_seed(doc: Document) -> SeedDef:
    data = doc.data
    return SeedDef(
        doc.pack,
        data["name"],
        qualify(data["entity"], doc.pack),
        Label(data.get("label"), humanize(data["name"])),
        data.get("key"),
        [dict(record) for record in data["records"]],
        doc,
    )


@dataclass(frozen=True)
class Kind:
    name: str
    schema_file: str
    build: Callable[[Document], Any]
    register: Callable[[Catalog, Any], list[DefinitionError]]
    #: how a document with schema errors is still built and checked; None: it is not (packs and entities: their
    #: names and fields are used everywhere, and what is left of them would give errors wherever they are used)
    partial: Partial | None = None
    #: a feature's kind: the catalog attribute (`catalog.chains`) whose dict `register` files its definitions in
    collection: str | None = None
    #: the package whose `schemas/` folder holds `schema_file`: a feature keeps its kind's schema with its code
    schema_package: str = "formwork.meta"
    #: a tenant may customize definitions of this kind with an overlay (tenancy/customizations.py): one of an
    #: entity's, named, replacing the pack's of the same entity and name or adding one
    customizable: bool = False
    #: a kind of view of an entity: what the Studio's view editor changes of its documents (meta/editing.py)
    editing: ViewEditing | None = None


CORE_KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("Pack", "pack.json", build_pack, Catalog.add_pack),
        Kind("Entity", "entity.json", build_entity, Catalog.add_entity),
        Kind("Form", "form.json", build_form, Catalog.add_form, Partial(identity=("name",))),
        Kind(
            "ListView",
            "listview.json",
            build_list_view,
            Catalog.add_list_view,
            Partial(identity=("name",)),
            editing=LIST_VIEW_EDITING,
        ),
        Kind("Seed", "seed.json", build_seed, Catalog.add_seed, Partial()),
    )
}


class KindTable(Mapping[str, Kind]):
    """Every kind by name: the core's, then the features' in priority order.

    Read from the registry when used, not when meta is imported, so that loading a feature (at first use,
    features.load_features) is what adds its kind, and meta imports no feature.
    """

    def _kinds(self) -> dict[str, Kind]:
        return {**CORE_KINDS, **{kind.name: kind for kind in load_features().items(DEFINITION_KINDS)}}

    def __getitem__(self, name: str) -> Kind:
        return self._kinds()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds())

    def __len__(self) -> int:
        return len(self._kinds())


KINDS = KindTable()


def feature_collections() -> list[str]:
    """The catalog attributes the features' kinds keep their definitions in (`roles`, `chains`…)."""
    return [kind.collection for kind in KINDS.values() if kind.collection]
