"""Which fields a reader may not see in a record's history: the same as on the record itself.

Field-level rights come from `formwork.rights.hidden_fields(entity, actor)` for
the request's actor (the history screen and API are its boundary); screens also leave out the fields the definitions hide
(`hidden: true`), which the show page never displays. A record's history
includes its child-table rows, so their entities are looked at too.
"""

from __future__ import annotations

from ..actor import Actor
from ..compile.actors import request_actor
from ..fields import kind_of
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..rights import hidden_fields as hidden_by_rights


def hidden_fields(catalog: Catalog, entity: EntityDef, on_screen: bool) -> dict[str, set[str]]:
    """Per qualified entity name (the record's and its child tables'), the field names to leave out for the request's
    actor."""
    actor = request_actor()
    involved = [
        entity,
        *(catalog.entities[f.target] for f in entity.fields if kind_of(f).holds_rows and f.target in catalog.entities),
    ]
    return {e.qualified: _hidden(e, on_screen, actor) for e in involved}


def _hidden(entity: EntityDef, on_screen: bool, actor: Actor) -> set[str]:
    names = {f.name for f in entity.fields if f.hidden} if on_screen else set()
    return names | hidden_by_rights(entity, actor)
