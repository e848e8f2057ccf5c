"""Additive schema changes are applied when a tenant's definitions change; nothing else is touched."""

from __future__ import annotations

import textwrap
from pathlib import Path

import sqlalchemy as sa

from conftest import Platform, login, migrate_to
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import Tenant, find_tenant, platform_session
from formwork.tenancy.storage import tenant_engine

PACK = "kind: Pack\nname: notes\nversion: 1.0.0\nrequires: {core: '>=0.1.0'}\n"
V1 = """\
kind: Entity
name: note
fields:
  - {name: title, type: string, required: true}
  - {name: body, type: text}
"""
V2 = (
    V1
    + """\
  - {name: pinned, type: boolean, indexed: true}
  - {name: author, type: reference, target: core.employee}
  - {name: shout, type: formula, expression: "upper(title)", result: string}
  - {name: tags, type: rollup, source: notes.tag.note, aggregate: count}
---
kind: Entity
name: tag
fields:
  - {name: label, type: string}
  - {name: note, type: reference, target: note}
"""
)


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(PACK)
    (folder / "note.yaml").write_text(textwrap.dedent(text))
    return folder


def test_new_fields_entities_and_indexes_are_added_and_data_kept(platform: Platform, tmp_path: Path) -> None:
    v1 = require_catalog([builtin_definitions(), write(tmp_path / "v1" / "notes", V1)])
    tenant = create_tenant(platform.settings, v1, "notes-co", "Notes Co", ["notes"], "admin", "pw-123456")
    runtime = TenantApps(platform.settings, v1).get(tenant).extensions["formwork"]
    session = runtime.session()
    session.add(runtime.compiled.model("notes.note")(title="Kept"))
    session.commit()
    runtime.session.remove()
    first_hash = find_tenant(platform.settings.database_url, "notes-co").definitions_hash

    v2 = require_catalog([builtin_definitions(), write(tmp_path / "v2" / "notes", V2)])
    migrate_to(platform, "notes-co", v2)

    inspector = sa.inspect(tenant_engine(platform.settings, tenant))
    assert {"pinned", "author_id"} <= {c["name"] for c in inspector.get_columns("notes_note")}
    assert "notes_tag" in inspector.get_table_names()
    assert "ix_notes_note_pinned" in {i["name"] for i in inspector.get_indexes("notes_note")}
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert conn.execute(sa.text("SELECT title, shout, tags FROM notes_note")).all() == [("Kept", "KEPT", 0)]
    assert find_tenant(platform.settings.database_url, "notes-co").definitions_hash not in (None, first_hash)


def test_a_tenant_runs_on_its_installed_release_and_is_unavailable_not_empty_when_no_release_is_known(
    platform: Platform, tmp_path: Path
) -> None:
    with_pack = require_catalog([builtin_definitions(), write(tmp_path / "v1" / "notes", V1)])
    create_tenant(platform.settings, with_pack, "lost-co", "Lost Co", ["notes"], "admin", "pw-123456")
    client = platform.client()
    login(client, "lost-co", password="pw-123456")
    assert client.get("/t/lost-co/notes_note/list/").status_code == 200  # this server has no `notes` folder: no matter

    with platform_session(platform.settings.database_url) as session:  # as tenants from before releases were kept
        stored = session.scalar(sa.select(Tenant).where(Tenant.slug == "lost-co"))
        stored.releases, stored.applied_json = {}, None
        session.commit()
    recorded = find_tenant(platform.settings.database_url, "lost-co").definitions_hash
    response = platform.client().get("/t/lost-co/")
    assert response.status_code == 503 and "unavailable" in response.text
    assert find_tenant(platform.settings.database_url, "lost-co").definitions_hash == recorded
