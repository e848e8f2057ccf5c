"""Schema evolution with data in the tables: retire, rename, widen, narrow, required with backfill, --drop-retired."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from werkzeug.test import Client

from conftest import PASSWORD, Platform, jwt, login, migrate_to, plan_to
from formwork import create_app
from formwork.cli import main
from formwork.definitions.loader import builtin_definitions, load_catalog, require_catalog
from formwork.meta.catalog import Catalog
from formwork.schema.apply import apply_schema_plan, schema_transaction
from formwork.schema.changes import Change, Phase
from formwork.schema.plan import SchemaPlan, plan_schema_changes
from formwork.tenancy.apps import build_tenant_app, tenant_runtime
from formwork.tenancy.errors import MigrationRefused
from formwork.tenancy.packs import plan_upgrade
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import Tenant, find_tenant
from formwork.tenancy.storage import tenant_engine

PACK = "kind: Pack\nname: evo\nversion: 1.0.0\nrequires: {core: '>=0.1.0'}\n"
PART = """\
---
kind: Entity
name: part
fields:
  - {name: label, type: string}
  - {name: item, type: reference, target: item, on_delete: cascade}
"""
V1 = (
    """\
kind: Entity
name: item
title_field: code
fields:
  - {name: code, type: string, max_length: 20}
  - {name: note, type: string, required: true}
  - {name: qty, type: integer}
"""
    + PART
)


def pack(tmp_path: Path, version: str, entities: str) -> Catalog:
    folder = tmp_path / version / "evo"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK)
    (folder / "item.yaml").write_text(textwrap.dedent(entities))
    return require_catalog([builtin_definitions(), folder])


def with_items(platform: Platform, tmp_path: Path, slug: str, items: list[dict], entities: str = V1) -> Tenant:
    """A tenant on V1 (or `entities`) with `items`, each with one part referring to it."""
    v1 = pack(tmp_path, "v1", entities)
    tenant = create_tenant(platform.settings, v1, slug, slug, ["evo"], "admin", PASSWORD)
    runtime = build_tenant_app(platform.settings, tenant, v1).extensions["formwork"]
    session = runtime.session()
    for values in items:
        item = runtime.compiled.model("evo.item")(**values)
        session.add_all([item, runtime.compiled.model("evo.part")(label=f"part of {values['code']}", item=item)])
    session.commit()
    runtime.session.remove()
    return find_tenant(platform.settings.database_url, slug)


def evolve(platform: Platform, tenant: Tenant, catalog: Catalog, drop_retired: bool = False) -> SchemaPlan:
    return migrate_to(platform, tenant.slug, catalog, drop_retired)


def refusal(platform: Platform, tenant: Tenant, catalog: Catalog) -> SchemaPlan:
    """The plan of a move to `catalog` that must be refused (and so change nothing)."""
    with pytest.raises(MigrationRefused) as refused:
        evolve(platform, tenant, catalog)
    return refused.value.plan


def query(platform: Platform, tenant: Tenant, sql: str) -> list[tuple]:
    with tenant_engine(platform.settings, tenant).connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql))]


def column(platform: Platform, tenant: Tenant, table: str, name: str) -> dict | None:
    with tenant_engine(platform.settings, tenant).connect() as conn:
        return next((c for c in sa.inspect(conn).get_columns(table) if c["name"] == name), None)


ITEMS = [{"code": "A-1", "note": "first", "qty": 3}, {"code": "LONG-CODE-12", "note": "second", "qty": None}]


def test_retired_field_keeps_its_data_is_gone_from_screens_and_api_and_is_dropped_only_when_asked(
    platform: Platform, tmp_path: Path
) -> None:
    tenant = with_items(platform, tmp_path, "retire-co", ITEMS)
    v2 = pack(tmp_path, "v2", V1.replace("  - {name: note, type: string, required: true}\n", ""))

    plan = evolve(platform, tenant, v2)
    assert plan.describe() == ["make retired field evo item.note optional, so that new records can be saved without it"]
    assert plan.retired == [
        "retired: evo item.note is no longer defined; its column and 2 stored value(s) are kept "
        "(`formwork migrate --drop-retired` drops them)"
    ]
    assert query(platform, tenant, "SELECT note FROM evo_item ORDER BY id") == [("first",), ("second",)]
    assert column(platform, tenant, "evo_item", "note")["nullable"]

    client = Client(create_app(platform.settings, v2))
    headers = jwt(client, "retire-co")
    created = client.post("/t/retire-co/api/v1/evo_item/", json={"code": "B-2"}, headers=headers)
    assert created.status_code == 201, created.text
    listed = client.get("/t/retire-co/api/v1/evo_item/", headers=headers).json
    assert "note" not in listed["result"][0] and "note" not in listed["list_columns"]
    login(client, "retire-co")
    screen = client.get("/t/retire-co/evo_item/list/")
    assert (
        screen.status_code == 200 and "A-1" in screen.text and "first" not in screen.text and "Note" not in screen.text
    )

    dropped = evolve(platform, tenant, v2, drop_retired=True)
    assert dropped.describe() == ["drop retired field evo item.note and its 2 stored value(s)"]
    assert column(platform, tenant, "evo_item", "note") is None
    assert query(platform, tenant, "SELECT code FROM evo_item ORDER BY id") == [("A-1",), ("LONG-CODE-12",), ("B-2",)]
    assert query(platform, tenant, "SELECT count(*) FROM evo_part") == [(2,)]


def test_a_rename_keeps_the_data_and_the_references(platform: Platform, tmp_path: Path) -> None:
    tenant = with_items(platform, tmp_path, "rename-co", ITEMS)
    v2 = pack(
        tmp_path,
        "v2",
        V1.replace(
            "{name: code, type: string, max_length: 20}",
            "{name: ref, type: string, max_length: 20, renamed_from: code}",
        )
        .replace("title_field: code", "title_field: ref")
        .replace("{name: item, type: reference", "{name: owner, renamed_from: item, type: reference"),
    )

    plan = evolve(platform, tenant, v2)
    assert "rename field evo item.code to ref (data kept)" in plan.describe()
    assert "rename field evo part.item to owner (data kept)" in plan.describe()
    assert not plan.refused and not plan.retired
    assert query(platform, tenant, "SELECT ref FROM evo_item ORDER BY id") == [("A-1",), ("LONG-CODE-12",)]
    assert column(platform, tenant, "evo_item", "code") is None
    assert query(
        platform, tenant, "SELECT p.label FROM evo_part p JOIN evo_item i ON i.id = p.owner_id WHERE i.ref = 'A-1'"
    ) == [("part of A-1",)]
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert [fk["constrained_columns"] for fk in sa.inspect(conn).get_foreign_keys("evo_part")] == [["owner_id"]]
    assert evolve(platform, tenant, v2) is None  # applied once: the definitions hash is recorded


def test_widening_is_applied_and_keeps_references_to_the_table(platform: Platform, tmp_path: Path) -> None:
    tenant = with_items(platform, tmp_path, "widen-co", ITEMS)
    v2 = pack(
        tmp_path,
        "v2",
        V1.replace("max_length: 20", "max_length: 200").replace(
            "{name: qty, type: integer}", "{name: qty, type: decimal, precision: 2}"
        ),
    )

    plan = evolve(platform, tenant, v2)
    assert set(plan.describe()) == {
        "widen evo item.code from text of 20 characters to text of 200 characters",
        "widen evo item.qty from whole number to decimal with 2 decimals",
    }
    assert column(platform, tenant, "evo_item", "code")["type"].length == 200
    assert query(platform, tenant, "SELECT code FROM evo_item ORDER BY id") == [("A-1",), ("LONG-CODE-12",)]
    # SQLite recreated evo_item: the parts referring to it (ON DELETE CASCADE) are all still there, still enforced
    assert query(platform, tenant, "SELECT count(*) FROM evo_part WHERE item_id IS NOT NULL") == [(2,)]
    with pytest.raises(sa.exc.IntegrityError), tenant_engine(platform.settings, tenant).begin() as conn:
        conn.execute(sa.text("INSERT INTO evo_part (label, item_id, version) VALUES ('orphan', 999, 1)"))


def test_narrowing_is_refused_when_values_do_not_fit_and_applied_with_backfill(
    platform: Platform, tmp_path: Path
) -> None:
    tenant = with_items(platform, tmp_path, "narrow-co", ITEMS)
    narrow = V1.replace("max_length: 20", "max_length: 5")
    refused = refusal(platform, tenant, pack(tmp_path, "v2", narrow))
    assert refused.refused == [
        "refused: shorten evo item.code from text of 20 characters to text of 5 characters: "
        "1 stored value(s) are longer than 5 characters and would be cut; give `backfill:` in "
        "the definition or change those values first"
    ]
    assert column(platform, tenant, "evo_item", "code")["type"].length == 20
    assert query(platform, tenant, "SELECT code FROM evo_item ORDER BY id") == [("A-1",), ("LONG-CODE-12",)]

    filled = evolve(
        platform, tenant, pack(tmp_path, "v3", narrow.replace("max_length: 5", "max_length: 5, backfill: '?'"))
    )
    assert filled.describe() == [
        "shorten evo item.code from text of 20 characters to text of 5 characters, "
        "replacing the 1 stored value(s) that do not fit with '?'"
    ]
    assert column(platform, tenant, "evo_item", "code")["type"].length == 5
    assert query(platform, tenant, "SELECT code FROM evo_item ORDER BY id") == [("A-1",), ("?",)]


def test_required_is_refused_on_empty_records_and_applied_with_backfill(platform: Platform, tmp_path: Path) -> None:
    tenant = with_items(platform, tmp_path, "required-co", ITEMS)
    required = V1.replace("{name: qty, type: integer}", "{name: qty, type: integer, required: true}")
    refused = refusal(
        platform, tenant, pack(tmp_path, "v2", required + "  - {name: size, type: integer, required: true}\n")
    )
    assert set(refused.refused) == {
        "refused: evo item.qty becomes required but 1 record(s) have no value; give `backfill:` in the definition",
        "refused: evo part.size is a new required field but 2 record(s) would have no value; give `backfill:` in the definition",
    }
    assert (
        column(platform, tenant, "evo_item", "qty")["nullable"] and column(platform, tenant, "evo_part", "size") is None
    )

    backfilled = required.replace("integer, required: true}", "integer, required: true, backfill: 0}")
    filled = evolve(
        platform,
        tenant,
        pack(tmp_path, "v3", backfilled + "  - {name: size, type: integer, required: true, backfill: 7}\n"),
    )
    assert set(filled.describe()) == {
        "make evo item.qty required, filling its 1 empty record(s) with 0",
        "add column evo_part.size, filling its 2 existing record(s) with 7",
    }
    assert query(platform, tenant, "SELECT qty FROM evo_item ORDER BY id") == [(3,), (0,)]
    assert query(platform, tenant, "SELECT DISTINCT size FROM evo_part") == [(7,)]
    assert not column(platform, tenant, "evo_item", "qty")["nullable"]
    assert not column(platform, tenant, "evo_part", "size")["nullable"]


def test_a_failing_step_leaves_nothing_of_the_plan_applied(platform: Platform, tmp_path: Path) -> None:
    tenant = with_items(platform, tmp_path, "atomic-co", ITEMS)
    v2 = pack(tmp_path, "v2", V1.replace("max_length: 20", "max_length: 200") + "  - {name: extra, type: string}\n")
    runtime = tenant_runtime(platform.settings, tenant, v2, plan_upgrade(platform.settings, v2, tenant, "evo").target)

    def fail(operations) -> None:
        operations.execute(sa.text("INSERT INTO evo_item (no_such_column) VALUES (1)"))

    with pytest.raises(sa.exc.DBAPIError), schema_transaction(runtime.session.get_bind()) as connection:
        plan = plan_schema_changes(connection, runtime.compiled.metadata, runtime.catalog.entities.values())
        assert len(plan.apply) == 2
        plan.apply.append(Change("fail", "evo_item", [(Phase.INDEXES, fail)]))
        apply_schema_plan(connection, plan)
    assert column(platform, tenant, "evo_part", "extra") is None
    assert column(platform, tenant, "evo_item", "code")["type"].length == 20


def test_a_retired_reference_no_longer_stops_deleting_the_record_it_pointed_to(
    platform: Platform, tmp_path: Path
) -> None:
    restrict = V1.replace(", on_delete: cascade", "")  # restrict is the default
    tenant = with_items(platform, tmp_path, "unlink-co", ITEMS, restrict)
    v2 = pack(tmp_path, "v2", restrict.replace("  - {name: item, type: reference, target: item}\n", ""))

    plan = evolve(platform, tenant, v2)
    assert plan.describe() == ["no longer enforce the link of retired evo part.item_id to evo item"]
    assert plan.retired == [
        "retired: evo part.item_id is no longer defined; its column and 2 stored value(s) are kept "
        "(`formwork migrate --drop-retired` drops them) (its link to evo item is no longer enforced)"
    ]
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert sa.inspect(conn).get_foreign_keys("evo_part") == []
    items = query(platform, tenant, "SELECT id FROM evo_item ORDER BY id")

    client = Client(create_app(platform.settings, v2))
    deleted = client.delete(f"/t/unlink-co/api/v1/evo_item/{items[0][0]}", headers=jwt(client, "unlink-co"))
    assert deleted.status_code == 200, deleted.text
    assert query(platform, tenant, "SELECT label, item_id FROM evo_part ORDER BY id") == [
        ("part of A-1", items[0][0]),
        ("part of LONG-CODE-12", items[1][0]),
    ]  # the retired values are kept
    assert query(platform, tenant, "SELECT count(*) FROM evo_item") == [(1,)]


def test_retired_entity_keeps_its_table_until_drop_retired(platform: Platform, tmp_path: Path) -> None:
    tenant = with_items(platform, tmp_path, "entity-co", ITEMS)
    v2 = pack(tmp_path, "v2", V1.replace(PART, ""))
    plan = evolve(platform, tenant, v2)
    assert plan.describe() == ["no longer enforce the link of retired evo_part.item_id to evo item"]
    assert plan.retired == [
        "retired: table evo_part belongs to no entity any more; it and its 2 record(s) are kept "
        "(`formwork migrate --drop-retired` drops it) (its link to evo item is no longer enforced)"
    ]
    assert query(platform, tenant, "SELECT count(*) FROM evo_part") == [(2,)]
    client = Client(create_app(platform.settings, v2))
    first = query(platform, tenant, "SELECT min(id) FROM evo_item")[0][0]
    assert client.delete(f"/t/entity-co/api/v1/evo_item/{first}", headers=jwt(client, "entity-co")).status_code == 200
    assert query(platform, tenant, "SELECT count(*) FROM evo_part") == [(2,)]  # no longer cascades into retired rows
    dropped = evolve(platform, tenant, v2, drop_retired=True)
    assert dropped.describe() == ["drop retired table evo_part and its 2 record(s)"]
    with tenant_engine(platform.settings, tenant).connect() as conn:
        assert not sa.inspect(conn).has_table("evo_part")


NUMBERED = V1.replace(
    "  - {name: qty, type: integer}\n",
    "  - {name: qty, type: integer}\n  - {name: serial, type: auto_number, format: 'S-{###}'}\n",
)
RENAMED = NUMBERED.replace("name: item\n", "name: thing\nrenamed_from: item\n", 1).replace(
    "target: item", "target: thing"
)


def test_an_entity_rename_keeps_its_records_its_indexes_and_the_references_to_it(
    platform: Platform, tmp_path: Path
) -> None:
    tenant = with_items(platform, tmp_path, "thing-co", ITEMS, NUMBERED)
    v2 = pack(tmp_path, "v2", RENAMED)
    words = [
        "rename entity evo item to thing (table evo_item becomes evo_thing; its 2 record(s) "
        "and the references to them kept)"
    ]
    assert plan_to(platform, tenant.slug, v2).describe() == words
    assert query(platform, tenant, "SELECT count(*) FROM evo_item") == [(2,)]  # planning changed nothing

    plan = evolve(platform, tenant, v2)
    assert plan.describe() == words
    assert not plan.refused and not plan.retired
    assert query(platform, tenant, "SELECT code, note FROM evo_thing ORDER BY id") == [
        ("A-1", "first"),
        ("LONG-CODE-12", "second"),
    ]
    with tenant_engine(platform.settings, tenant).connect() as conn:
        inspector = sa.inspect(conn)
        assert not inspector.has_table("evo_item")
        assert sorted(i["name"] for i in inspector.get_indexes("evo_thing")) == [
            "ix_evo_thing_created_at",
            "ix_evo_thing_serial",
        ]
        assert [fk["referred_table"] for fk in inspector.get_foreign_keys("evo_part")] == ["evo_thing"]

    client = Client(create_app(platform.settings, v2))
    headers = jwt(client, "thing-co")
    parts = client.get("/t/thing-co/api/v1/evo_part/", headers=headers).json["result"]
    assert sorted((part["label"], part["item"]["code"]) for part in parts) == [
        ("part of A-1", "A-1"),
        ("part of LONG-CODE-12", "LONG-CODE-12"),
    ]
    created = client.post("/t/thing-co/api/v1/evo_thing/", json={"code": "C-3", "note": "third"}, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json["result"]["serial"] == "S-003"  # the counter went on under the new name
    first = parts[0]["item"]["id"]
    assert client.delete(f"/t/thing-co/api/v1/evo_thing/{first}", headers=headers).status_code == 200
    assert query(platform, tenant, "SELECT count(*) FROM evo_part") == [(1,)]  # the reference still cascades

    assert evolve(platform, tenant, v2) is None
    again = plan_to(platform, "thing-co", v2)
    assert (again.apply, again.refused, again.retired) == ([], [], [])


def test_a_renamed_auto_number_field_goes_on_counting(platform: Platform, tmp_path: Path) -> None:
    tenant = with_items(platform, tmp_path, "number-co", ITEMS, NUMBERED)
    v2 = pack(tmp_path, "v2", NUMBERED.replace("{name: serial,", "{name: number, renamed_from: serial,"))
    assert "rename field evo item.serial to number (data kept)" in evolve(platform, tenant, v2).describe()
    client = Client(create_app(platform.settings, v2))
    created = client.post(
        "/t/number-co/api/v1/evo_item/", json={"code": "C-3", "note": "third"}, headers=jwt(client, "number-co")
    )
    assert created.status_code == 201, created.text
    assert created.json["result"]["number"] == "S-003"


def test_upgrade_and_migrate_from_the_command_line(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = with_items(platform, tmp_path, "cli-co", ITEMS)
    monkeypatch.setenv("FORMWORK_INSTANCE", str(platform.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", platform.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", platform.settings.secret_key)
    without_note = V1.replace("  - {name: note, type: string, required: true}\n", "")
    pack(
        tmp_path, "v2", without_note.replace("{name: qty, type: integer}", "{name: qty, type: integer, required: true}")
    )
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "v2"))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    assert "tenant 'cli-co' is up to date" in run("plan", "cli-co").output  # a new pack folder changes nothing
    planned = run("tenant", "upgrade-pack", "cli-co", "evo", "--plan")
    assert "make retired field evo item.note optional" in planned.output
    assert "retired: evo item.note is no longer defined; its column and 2 stored value(s) are kept" in planned.output
    assert (
        "refused: evo item.qty becomes required but 1 record(s) have no value; give `backfill:` in the definition"
        in planned.output
    )
    refused = run("tenant", "upgrade-pack", "cli-co", "evo", "--yes")
    assert refused.exit_code == 1 and "not upgraded: 1 change(s) refused; nothing was changed" in refused.output
    assert not column(platform, tenant, "evo_item", "note")["nullable"]
    assert query(platform, tenant, "SELECT count(*) FROM evo_item WHERE note IS NOT NULL") == [(2,)]

    pack(
        tmp_path,
        "v3",
        without_note.replace("{name: qty, type: integer}", "{name: qty, type: integer, required: true, backfill: 0}"),
    )
    monkeypatch.setenv("FORMWORK_PACK_PATH", str(tmp_path / "v3"))
    upgraded = run("tenant", "upgrade-pack", "cli-co", "evo", "--yes")
    assert upgraded.exit_code == 0, upgraded.output
    assert "make evo item.qty required, filling its 1 empty record(s) with 0" in upgraded.output
    assert column(platform, tenant, "evo_item", "note")["nullable"]

    dropped = run("migrate", "--all", "--drop-retired")
    assert "drop retired field evo item.note and its 2 stored value(s)" in dropped.output
    assert column(platform, tenant, "evo_item", "note") is None


def test_validate_rejects_an_entity_renamed_from_an_entity_that_still_exists(tmp_path: Path) -> None:
    folder = tmp_path / "bad" / "evo"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK)
    (folder / "item.yaml").write_text(
        V1.replace("name: item\n", "name: thing\nrenamed_from: part\n", 1).replace("target: item", "target: thing")
    )
    _, errors = load_catalog([builtin_definitions(), folder])
    assert [str(e) for e in errors] == [
        f"{folder / 'item.yaml'}:3 at renamed_from: renamed_from 'part' is the entity evo.part; it must name the "
        "entity's former name, which no entity has any more"
    ]


def test_validate_rejects_a_rename_onto_another_field_and_a_backfill_the_field_cannot_hold(tmp_path: Path) -> None:
    folder = tmp_path / "bad" / "evo"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK)
    (folder / "item.yaml").write_text(
        textwrap.dedent("""\
        kind: Entity
        name: item
        fields:
          - {name: code, type: string, max_length: 3, backfill: toolong}
          - {name: ref, type: string, renamed_from: code}
          - {name: qty, type: integer, backfill: many}
        """)
    )
    _, errors = load_catalog([builtin_definitions(), folder])
    messages = sorted(str(e) for e in errors)
    item = folder / "item.yaml"
    assert messages == [
        f"{item}:4 at fields[0].backfill: backfill 'toolong' is not a valid value: Longer than maximum length 3.",
        f"{item}:5 at fields[1].renamed_from: renamed_from 'code' is a field of evo.item; it must name the field's "
        "former name, which no field has any more",
        f"{item}:6 at fields[2].backfill: backfill 'many' is not a valid value: Not a valid integer.",
    ]
