"""A role as the Role overlay the roles screen drafts: its whole document, with the admin's rights and limits.

The roles screen changes roles as every Studio editor changes definitions: it drafts an overlay (through the DRAFTING
port, tenancy/drafting.py), shows what publishing changes, and publishes it as a version of the tenant's
customizations, which can be compared and restored like any other. A pack role's overlay names its pack and replaces
it (`pack: crm`); a role of the tenant's own belongs to the tenant's pack `x`. A pack role's overlay keeps the pack's
rights entries (`*` and per entity) as the pack writes them and names only the entities whose rights the admin made
differ from those, each with exactly its rights (which a Role takes over `*`'s): so entities a later pack version adds
under `*` reach the role, while one entity can still lose a right `*` gives. A role of the tenant's own spells out every
entity's rights.
"""

from __future__ import annotations

import re
from typing import Any

from ..definitions.checks import TENANT_PACK
from ..meta.catalog import Catalog
from ..tenancy.drafting import draft_key
from .definition import RIGHTS, RecordRule, RoleDef, rights_given
from .labels import RIGHT_LABELS, TEXT
from .tailoring import Limits

KIND = "Role"


def role_target(role: RoleDef) -> str:
    """`crm.sales_rep`: what the role's overlay customizes."""
    return f"{role.pack}.{role.name}"


def role_key(pack: str, name: str) -> str:
    """The key of the role's draft."""
    return draft_key(KIND, f"{pack}.{name}")


def role_document(role: RoleDef, catalog: Catalog, pack_role: RoleDef | None = None) -> dict[str, Any]:
    """`role` (as the tenant has it) as the Role overlay that gives exactly its rights, rules and field rights;
    `pack_role`: a pack role as its pack defines it, whose rights entries the overlay keeps (None: spell out all)."""
    data: dict[str, Any] = {"kind": KIND, "name": role.name}
    if role.pack != TENANT_PACK:
        data["pack"] = role.pack
    data |= {key: role.document.data[key] for key in ("label", "description") if key in role.document.data}
    data["rights"] = rights_entries({name: set(role.rights_on(name)) for name in catalog.entities}, pack_role)
    data["records"] = {entity: [rule_data(rule) for rule in rules] for entity, rules in role.records.items()}
    data["fields"] = {
        entity: {key: sorted(names) for key, names in (("hidden", f.hidden), ("read_only", f.read_only)) if names}
        for entity, f in role.fields.items()
    }
    return _within_rights(data)


def rule_data(rule: RecordRule) -> Any:
    """A record rule as the Role kind writes it (access/definition.parse_rule reads it back)."""
    if rule.kind == "filter":
        return {"filter": rule.filter}
    return {rule.kind: rule.field} if rule.field else rule.kind


def with_rights(document: dict[str, Any], wanted: dict[str, set[str]], pack_role: RoleDef | None) -> dict[str, Any]:
    """The role's document giving exactly the `wanted` rights (every entity -> rights), written over `pack_role`'s
    entries (`rights_entries`); the rules and field rights of an entity it no longer has any right on go with them
    (they would never apply)."""
    return _within_rights({**document, "rights": rights_entries(wanted, pack_role)})


def rights_entries(wanted: dict[str, set[str]], pack_role: RoleDef | None) -> dict[str, list[str]]:
    """A Role's `rights` giving exactly `wanted` (every entity -> rights). Over a pack role (as its pack defines it):
    the pack's entries as they are, `*` included, and each entity `wanted` gives other rights than the pack does with
    exactly its own (none is `[]`), so what the admin left as the pack has it follows the pack's later versions.
    Without one: every entity given a right, spelled out."""
    if pack_role is None:
        return {entity: _ordered(given) for entity, given in sorted(wanted.items()) if given}
    changed = {
        entity: _ordered(given)
        for entity, given in sorted(wanted.items())
        if set(given) != set(pack_role.rights_on(entity))
    }
    return {entity: list(rights) for entity, rights in pack_role.rights.items()} | changed


def _ordered(rights: set[str]) -> list[str]:
    return [r for r in RIGHTS if r in rights]


def with_limits(document: dict[str, Any], entity: str, limits: Limits) -> dict[str, Any]:
    """The role's document with `limits` as its record rules and field rights on `entity` (None: none there)."""
    records, fields = dict(document.get("records") or {}), dict(document.get("fields") or {})
    for section, value in ((records, limits.records), (fields, limits.fields)):
        section.pop(entity, None)
        if value:
            section[entity] = value
    return {**document, "records": records, "fields": fields}


def _within_rights(data: dict[str, Any]) -> dict[str, Any]:
    rights = data.get("rights") or {}
    for section in ("records", "fields"):
        kept = {entity: value for entity, value in (data.get(section) or {}).items() if rights_given(rights, entity)}
        if kept:
            data[section] = kept
        else:
            data.pop(section, None)
    return data


def own_role_name(text: str, taken: set[str]) -> str:
    """The name of a new role of the tenant's own from what the admin calls it: `Notice readers` -> notice_readers;
    a name of no Latin letters (`审计`) -> role_1, role_2…, whichever is free."""
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if name and name[0].isalpha() and name not in taken:
        return name
    number = 1
    while f"role_{number}" in taken:
        number += 1
    return f"role_{number}"


def changes_in_words(published: RoleDef | None, drafted: RoleDef, catalog: Catalog) -> list[str]:
    """What publishing the drafted role changes, one line per entity whose rights change (every right of a new
    role) and one per entity whose record rules or field rights change."""
    lines = []
    for entity in catalog.entities.values():
        name = entity.qualified
        before = set(published.rights_on(name)) if published is not None else set()
        after = set(drafted.rights_on(name))
        changed = [
            TEXT[key].localized().format(rights=", ".join(RIGHT_LABELS[r].localized() for r in RIGHTS if r in held))
            for key, held in (("given", after - before), ("taken", before - after))
            if held
        ]
        if changed:
            lines.append(f"{entity.plural.localized()}: {'; '.join(changed)}")
        if after and published is not None and _limits_of(published, name) != _limits_of(drafted, name):
            lines.append(TEXT["limits_changed"].localized().format(entity=entity.plural.localized()))
    return lines


def _limits_of(role: RoleDef, entity: str) -> tuple[Any, Any]:
    return role.records.get(entity, (RecordRule("all"),)), role.fields.get(entity)
