"""The catalog: every definition of a set of packs, indexed, with a content hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import DefinitionError
from .model import EntityDef, FormDef, ListViewDef, PackDef, SeedDef
from .yamlload import Document

#: a pack's files as (path inside the pack folder, text), in the order they are read
PackSources = list[tuple[str, str]]


@dataclass(frozen=True)
class PackFiles:
    """A pack's files as read from its folder: what a tenant installing it keeps as its release."""

    folder: str
    files: tuple[tuple[str, str], ...]


if TYPE_CHECKING:
    from ..access.definition import RoleDef
    from ..dashboards.definition import DashboardDef
    from ..notify.templates import NotificationDef
    from ..workflow.definition import ChainDef


@dataclass
class Catalog:
    packs: dict[str, PackDef] = field(default_factory=dict)
    entities: dict[str, EntityDef] = field(default_factory=dict)
    forms: dict[str, list[FormDef]] = field(default_factory=dict)
    list_views: dict[str, list[ListViewDef]] = field(default_factory=dict)
    #: by `pack.name`, in the order the documents were read (a seed may look up records an earlier one loaded)
    seeds: dict[str, SeedDef] = field(default_factory=dict)
    #: the definitions of the kinds features add, by the attribute their kind names (meta/kinds.Kind.collection):
    #: read as attributes, `catalog.chains`, so that callers need not know a feature added them
    collections: dict[str, dict[Any, Any]] = field(default_factory=lambda: _empty_collections())
    documents: list[Document] = field(default_factory=list)
    #: entities whose document has errors: not reported again where they are used
    invalid_entities: set[str] = field(default_factory=set)
    #: the files of each pack read from a folder: what a tenant installing it keeps as its release
    sources: dict[str, PackFiles] = field(default_factory=dict)

    if TYPE_CHECKING:  # init=False: read through __getattr__, never passed to Catalog()
        #: roles by name (FAB role names are one namespace per tenant) and approval chains by `pack.name`
        roles: dict[str, RoleDef] = field(init=False)
        chains: dict[str, ChainDef] = field(init=False)
        #: dashboards by `pack.name`, in the order the documents were read (the home page shows the first that fits)
        dashboards: dict[str, DashboardDef] = field(init=False)
        #: notification texts by (event, entity or None for every record)
        notifications: dict[tuple[str, str | None], NotificationDef] = field(init=False)

    def __getattr__(self, name: str) -> dict[Any, Any]:
        """A feature's definitions, `catalog.roles` (called only for names the dataclass itself lacks)."""
        collections = self.__dict__.get("collections", {})
        if name in collections:
            return collections[name]
        raise AttributeError(f"'Catalog' object has no attribute '{name}'")

    def knows_entity(self, qualified: str) -> bool:
        return qualified in self.entities or qualified in self.invalid_entities

    def unrequired_entity(self, pack: str, qualified: str) -> str | None:
        """Why a definition of `pack` may not use the entity `qualified`: its pack is not required, so a tenant may
        install `pack` without it (None when it may, or the entity is unknown, which is reported on its own)."""
        entity = self.entities.get(qualified)
        if entity is None or entity.pack in self.with_requirements([pack]):
            return None
        return (
            f"{qualified} belongs to pack {entity.pack}, which {pack} does not require; "
            f'add `requires: {{{entity.pack}: ">={self.packs[entity.pack].version}"}}`'
        )

    def add_pack(self, pack: PackDef) -> list[DefinitionError]:
        if pack.name in self.packs:
            return [
                pack.document.error(
                    ("name",), f"pack '{pack.name}' is defined twice (also {self.packs[pack.name].path})"
                )
            ]
        self.packs[pack.name] = pack
        return []

    def add_entity(self, entity: EntityDef) -> list[DefinitionError]:
        if entity.qualified in self.entities:
            return [entity.document.error(("name",), f"entity '{entity.qualified}' is defined twice")]
        self.entities[entity.qualified] = entity
        return []

    def add_form(self, form: FormDef) -> list[DefinitionError]:
        self.forms.setdefault(form.entity, []).append(form)
        return []

    def add_list_view(self, view: ListViewDef) -> list[DefinitionError]:
        self.list_views.setdefault(view.entity, []).append(view)
        return []

    def add_seed(self, seed: SeedDef) -> list[DefinitionError]:
        if seed.qualified in self.seeds:
            return [seed.document.error(("name",), f"pack {seed.pack} has two seeds named '{seed.name}'")]
        self.seeds[seed.qualified] = seed
        return []

    def chains_for(self, entity: str) -> list[ChainDef]:
        return [c for c in self.chains.values() if c.entity == entity]

    def seeds_of(self, pack: str) -> list[SeedDef]:
        return [s for s in self.seeds.values() if s.pack == pack]

    def entities_of(self, pack: str) -> list[EntityDef]:
        return [e for e in self.entities.values() if e.pack == pack]

    def form_for(self, entity: str, roles: list[str] | tuple[str, ...] = ()) -> FormDef | None:
        """The first form meant for one of `roles`, else the form meant for everyone."""
        forms = self.forms.get(entity, [])
        for form in forms:
            if set(form.roles) & set(roles):
                return form
        everyone = [f for f in forms if not f.roles]
        return next((f for f in everyone if f.name == "default"), everyone[0] if everyone else None)

    def list_views_for(self, entity: str) -> list[ListViewDef]:
        return self.list_views.get(entity, [])

    def with_requirements(self, names: list[str]) -> list[str]:
        """`names` plus every pack they require, dependencies first."""
        ordered: list[str] = []

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in ordered or name in trail:
                return
            for required in self.packs[name].requires if name in self.packs else {}:
                visit(required, (*trail, name))
            ordered.append(name)

        for name in names:
            visit(name, ())
        return ordered

    def select(self, names: list[str]) -> Catalog:
        """The effective definitions of a tenant that installed the packs `names`."""
        chosen = set(self.with_requirements(names))
        return Catalog(
            packs={k: v for k, v in self.packs.items() if k in chosen},
            entities={k: v for k, v in self.entities.items() if v.pack in chosen},
            forms={k: v for k, v in self.forms.items() if k.split(".")[0] in chosen},
            list_views={k: v for k, v in self.list_views.items() if k.split(".")[0] in chosen},
            seeds={k: v for k, v in self.seeds.items() if v.pack in chosen},
            collections={
                name: {k: v for k, v in definitions.items() if v.pack in chosen}
                for name, definitions in self.collections.items()
            },
            documents=[d for d in self.documents if d.pack in chosen],
            sources={k: v for k, v in self.sources.items() if k in chosen},
        )

    def content_hash(self) -> str:
        """Changes whenever any definition of these packs changes; compiled apps are cached by it."""
        digest = hashlib.sha256()
        for doc in sorted(self.documents, key=lambda d: (d.pack, d.file)):
            digest.update(json.dumps([doc.pack, doc.data], sort_keys=True, default=str, ensure_ascii=False).encode())
        return digest.hexdigest()[:16]


def _empty_collections() -> dict[str, dict[Any, Any]]:
    """An empty dict for each feature kind's definitions, so a catalog without any still reads `catalog.roles`."""
    from .kinds import feature_collections

    return {name: {} for name in feature_collections()}
